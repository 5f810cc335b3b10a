// One x86-64 NUMA node of `memory` and `cpus` as Linux 6.1 lays it out:
// its zones, the pages each zone manages, min_free_kbytes, each zone's
// watermarks and pcp high/batch. The model simulates one of these zones;
// the others only shape its watermarks (min_free_kbytes is shared out by
// managed pages, and khugepaged counts populated zones).
// docs/model.md "Zones and watermarks".
import { MIGRATE_PCPTYPES, pageblock_order } from "./zone.ts";

const PAGE_SIZE = 4096;
const MiB_PAGES = 256;
const GiB_PAGES = 262144;

/** MAX_DMA_PFN and MAX_DMA32_PFN, 6.1 arch/x86/include/asm/dma.h */
const MAX_DMA_PFN = 16 * MiB_PAGES;
const MAX_DMA32_PFN = 4 * GiB_PAGES;

export const ZONE_NAMES = ["DMA", "DMA32", "Normal"] as const;
/** Every zone of Debian's 6.1 x86-64 config (MAX_NR_ZONES 5), as
 * /proc/zoneinfo lists them: Movable and Device are never populated here. */
export const ZONEINFO_ZONES = [...ZONE_NAMES, "Movable", "Device"] as const;
export type ZoneName = (typeof ZONE_NAMES)[number];

/** What __setup_per_zone_wmarks() and zone_pcp_update() give a zone. */
export interface ZoneWmarks {
  min: number;
  low: number;
  high: number;
  pcpHigh: number;
  pcpBatch: number;
}

export interface ZoneSetup extends ZoneWmarks {
  name: ZoneName;
  /** zone_idx(): 0 DMA, 1 DMA32, 2 Normal. */
  idx: number;
  startPfn: number;
  /** Pfns from the zone's start to its end, holes included. */
  spannedPages: number;
  /** RAM pages in the zone (spanned minus holes). */
  presentPages: number;
  /** zone_managed_pages() once boot is over (/proc/zoneinfo "managed"). */
  managedPages: number;
  /** zone_managed_pages() when the initcalls set the watermarks. */
  bootManagedPages: number;
}

export interface NodeSetup {
  memoryBytes: number;
  cpus: number;
  /** RAM the firmware maps below 4 GiB; the rest sits above 4 GiB. */
  lowRamBytes: number;
  /** Whether hugepage_init() left THP on (it decides khugepaged's say). */
  thp: boolean;
  minFreeKbytes: number;
  /** DMA, DMA32, Normal, empty ones included (all pages 0). */
  zones: ZoneSetup[];
  /** lowmem_reserve[] of every zone in ZONEINFO_ZONES (zoneinfo's "protection"). */
  protection: number[][];
  /** The zones the model simulates, in zonelist order (the one allocations
   * try first leads): Normal and DMA32 once RAM lies above 4 GiB, else DMA32
   * (DMA on tiny machines). */
  simulated: ZoneSetup[];
}

function rounddown_pow_of_two(n: number): number {
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

/** zone_batchsize(), mm/page_alloc.c 6.1 (CONFIG_MMU), before the caller's max(1, batch) */
export function zone_batchsize(managedPages: number): number {
  let batch = Math.min(Math.floor(managedPages / 1024), (1024 * 1024) / PAGE_SIZE);
  batch = Math.floor(batch / 4);
  if (batch < 1) batch = 1;
  return rounddown_pow_of_two(batch + Math.floor(batch / 2)) - 1;
}

/** zone_highsize(), mm/page_alloc.c 6.1, percpu_pagelist_high_fraction 0,
 * every CPU of the node online. */
export function zone_highsize(lowWmark: number, batch: number, nrCpus: number): number {
  return Math.max(Math.floor(lowWmark / nrCpus), batch << 2);
}

/** int_sqrt(), lib/math/int_sqrt.c: the floor of the square root. */
function int_sqrt(x: number): number {
  let r = Math.floor(Math.sqrt(x));
  while (r * r > x) r--;
  while ((r + 1) * (r + 1) <= x) r++;
  return r;
}

/** watermark_scale_factor's default, mm/page_alloc.c 6.1 */
const watermark_scale_factor = 10;

/** __setup_per_zone_wmarks(), mm/page_alloc.c 6.1: min_free_kbytes shared
 * out by managed pages, then the low and high gaps. No highmem on x86-64. */
function __setup_per_zone_wmarks(minFreeKbytes: number, managed: readonly number[]): { min: number; low: number; high: number }[] {
  const pages_min = minFreeKbytes >> 2;
  const lowmem_pages = managed.reduce((a, b) => a + b, 0);
  return managed.map((m) => {
    const min = lowmem_pages > 0 ? Math.floor((pages_min * m) / lowmem_pages) : 0;
    const tmp = Math.max(min >> 2, Math.floor((m * watermark_scale_factor) / 10000));
    return { min, low: min + tmp, high: min + 2 * tmp };
  });
}

/** nr_free_buffer_pages(), mm/page_alloc.c 6.1: managed pages above the
 * high watermark, over the zones GFP_USER may use (all of ours). */
function nr_free_buffer_pages(managed: readonly number[], high: readonly number[]): number {
  return managed.reduce((sum, m, i) => sum + Math.max(0, m - high[i]!), 0);
}

/**
 * The watermark initcalls of a 6.1 boot, given each zone's managed pages at
 * that time: init_per_zone_wmark_min() (calculate_min_free_kbytes(),
 * setup_per_zone_wmarks()), then hugepage_init() in mm/huge_memory.c, which
 * leaves THP off below 512 MiB of managed RAM and otherwise runs khugepaged's
 * set_recommended_min_free_kbytes() (mm/khugepaged.c). Each
 * setup_per_zone_wmarks() ends in zone_pcp_update(), so pcp high follows the
 * last low watermark.
 */
export function init_per_zone_wmark_min(managed: readonly number[], cpus: number): { minFreeKbytes: number; thp: boolean; zones: ZoneWmarks[] } {
  const total = managed.reduce((a, b) => a + b, 0);
  // calculate_min_free_kbytes(): no watermarks yet, so every managed page counts.
  let minFreeKbytes = Math.min(Math.max(int_sqrt(total * (PAGE_SIZE >> 10) * 16), 128), 262144);
  let wmarks = __setup_per_zone_wmarks(minFreeKbytes, managed);
  const thp = total >= 512 * MiB_PAGES;
  if (thp) {
    const nr_zones = managed.filter((m) => m > 0).length;
    const pageblock_nr_pages = 1 << pageblock_order;
    let recommended_min = pageblock_nr_pages * nr_zones * 2 + pageblock_nr_pages * nr_zones * MIGRATE_PCPTYPES * MIGRATE_PCPTYPES;
    recommended_min = Math.min(recommended_min, Math.floor(nr_free_buffer_pages(managed, wmarks.map((w) => w.high)) / 20));
    recommended_min *= PAGE_SIZE >> 10;
    if (recommended_min > minFreeKbytes) minFreeKbytes = recommended_min;
    wmarks = __setup_per_zone_wmarks(minFreeKbytes, managed);
  }
  const zones = wmarks.map((w, i) => {
    // An empty zone gets no pagesets (for_each_populated_zone()).
    if (managed[i] === 0) return { ...w, pcpBatch: 0, pcpHigh: 0 };
    const pcpBatch = Math.max(1, zone_batchsize(managed[i]!));
    return { ...w, pcpBatch, pcpHigh: zone_highsize(w.low, pcpBatch, cpus) };
  });
  return { minFreeKbytes, thp, zones };
}

/** sysctl_lowmem_reserve_ratio[], mm/page_alloc.c 6.1: DMA, DMA32, Normal,
 * Movable, Device. */
const sysctl_lowmem_reserve_ratio = [256, 256, 32, 0, 0];

/** setup_per_zone_lowmem_reserve(), mm/page_alloc.c 6.1, run by
 * init_per_zone_wmark_min() with the managed pages of that time: how many
 * pages an allocation that could use a higher zone must leave in each lower
 * one. Indexed [zone][the allocation's highest zone], as zoneinfo prints it. */
export function setup_per_zone_lowmem_reserve(managed: readonly number[]): number[][] {
  const nrZones = sysctl_lowmem_reserve_ratio.length;
  const managedOf = (j: number) => managed[j] ?? 0;
  return Array.from({ length: nrZones }, (_, i) => {
    const reserve = new Array<number>(nrZones).fill(0);
    if (i === nrZones - 1) return reserve;
    const ratio = sysctl_lowmem_reserve_ratio[i]!;
    const clear = !ratio || !managedOf(i);
    let managed_pages = 0;
    for (let j = i + 1; j < nrZones; j++) {
      managed_pages += managedOf(j);
      reserve[j] = clear ? 0 : Math.floor(managed_pages / ratio);
    }
    return reserve;
  });
}

// The machine is QEMU's pc machine with SeaBIOS, as the conformance suite
// (test/kernel/) boots it, and what the kernel keeps for itself is Debian's
// 6.1.0-57 (6.1.192) kernel's, booted with nokaslr (with physical KASLR the
// image lands in DMA32 or Normal at random above 4 GiB). Each reservation is
// what that kernel's boot log reports; the two constants that the log does
// not give are fitted to its /proc/zoneinfo over 512 MiB..16 GiB and 1..16
// CPUs, where every zone's managed pages come within 6 pages of the kernel's.

/** The e820 RAM ranges of QEMU pc with SeaBIOS, in pfns: below 640 KiB, then
 * from 1 MiB to the end of low RAM less the 128 KiB SeaBIOS keeps there, then
 * the RAM above 4 GiB. pfn 0 is the kernel's own (trim_bios_range()). */
function ramRanges(lowPages: number, highPages: number): [number, number][] {
  const ranges: [number, number][] = [[1, Math.min(0x9f, lowPages)], [0x100, lowPages - 32]];
  if (highPages > 0) ranges.push([MAX_DMA32_PFN, MAX_DMA32_PFN + highPages]);
  return ranges.filter(([a, b]) => b > a);
}

/** SECTION_SIZE_BITS 27 on x86-64: the vmemmap is populated a 128 MiB
 * section at a time, 64 bytes of struct page per page: 512 pages a section. */
const PAGES_PER_SECTION = 32768;
const MEMMAP_PAGES_PER_SECTION = (PAGES_PER_SECTION * 64) / PAGE_SIZE;

/** "percpu: Embedded 62 pages/cpu" (s217088 r8192 d28672), the top zone. */
const PERCPU_PAGES_PER_CPU = 62;
/** The kernel image (text, data, bss), the initramfs and what early boot
 * allocates low, in DMA32 where the image is loaded (CONFIG_PHYSICAL_START
 * 16 MiB): fitted, 53 MiB. */
const KERNEL_LOW_PAGES = 13572;
/** Of those, what the boot frees once the initcalls have run, so after the
 * watermarks were set: the initramfs (1008K) and the unused kernel image
 * (decrypted 2036K, initmem 2824K, text/rodata 2040K, rodata/data 1108K). */
const FREED_AFTER_INIT_PAGES = 2254;
/** Early allocations in the top zone besides the memmap, hashes and percpu
 * areas (page tables, memblock's own arrays): fitted. */
const TOP_ZONE_OTHER_PAGES = 62;
/** IO_TLB_DEFAULT_SIZE, 6.1 include/linux/swiotlb.h: pci_swiotlb_detect()
 * (arch/x86/kernel/pci-dma.c) turns swiotlb on when RAM reaches past 4 GiB;
 * its buffer is taken below 4 GiB, its 32768 slots' metadata (24 bytes each)
 * in the top zone. */
const SWIOTLB_PAGES = 64 * MiB_PAGES;
const SWIOTLB_SLOTS_PAGES = (32768 * 24) / PAGE_SIZE;
/** The measured guests had 512 MiB or more. Smaller machines run smaller
 * kernels: below 512 MiB the model scales the kernel's own pages with RAM
 * (an assumption, so that small scenarios keep most of their memory). */
const KERNEL_MEASURED_FROM_PAGES = 512 * MiB_PAGES;

/** RAM below 4 GiB as QEMU's pc machine maps it (hw/i386/pc_piix.c
 * pc_init1(), gigabyte_align): all of it up to 3.5 GiB, else 3 GiB, the
 * rest above 4 GiB (the PCI hole lies between). */
function lowRamPages(pages: number): number {
  return pages >= 3.5 * GiB_PAGES ? 3 * GiB_PAGES : pages;
}

function roundup_pow_of_two(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** alloc_large_system_hash(), mm/page_alloc.c 6.1, for the two HASH_EARLY
 * tables (dcache_init_early() scale 13, inode_init_early() scale 14, 8-byte
 * buckets; one node, so not hashdist): pages taken from memblock. */
function earlyHashPages(nr_kernel_pages: number, scale: number): number {
  let numentries = Math.ceil(nr_kernel_pages / 256) * 256;
  numentries = Math.floor(numentries / (1 << (scale - 12)));
  numentries = Math.max(roundup_pow_of_two(numentries), PAGE_SIZE / 8);
  return (numentries * 8) / PAGE_SIZE;
}

/**
 * The node a scenario's `memory` and `cpus` describe: zone spans as
 * zone_sizes_init() (arch/x86/mm/init.c, 6.1) cuts QEMU pc's RAM map,
 * managed pages as above, and the watermarks and pcp sizes of
 * init_per_zone_wmark_min(). One call gives everything /proc/zoneinfo
 * would show for these zones.
 */
export function nodeSetup(memoryBytes: number, cpus: number): NodeSetup {
  const pages = Math.floor(memoryBytes / PAGE_SIZE);
  const low = lowRamPages(pages);
  const high = pages - low;
  const ram = ramRanges(low, high);
  // zone_sizes_init(): DMA and DMA32 end at MAX_DMA_PFN and MAX_DMA32_PFN, each
  // zone spans from its first RAM pfn to the last one below its end.
  const bounds = [[0, MAX_DMA_PFN], [MAX_DMA_PFN, MAX_DMA32_PFN], [MAX_DMA32_PFN, Infinity]] as const;
  const maxPfn = ram[ram.length - 1]![1];
  const present = bounds.map(([lo, hi]) => ram.reduce((n, [a, b]) => n + Math.max(0, Math.min(b, hi) - Math.max(a, lo)), 0));
  const starts = bounds.map(([lo], i) => (i === 0 ? ram[0]![0] : lo));
  const spans = bounds.map(([, hi], i) => (present[i]! > 0 ? Math.min(hi, maxPfn) - starts[i]! : 0));

  // free_area_init_core(): nr_kernel_pages, which sizes the early hashes, is
  // present less the memmap calc_memmap_size() charges for the span.
  const nr_kernel_pages = present.reduce((n, p, i) => n + p - Math.ceil((spans[i]! * 64) / PAGE_SIZE), 0);
  const sections = new Set<number>();
  for (const [a, b] of ram) for (let s = Math.floor(a / PAGES_PER_SECTION); s * PAGES_PER_SECTION < b; s++) sections.add(s);

  // Reservations, each in its zone, spilling to lower zones if that one is too small.
  const boot = [...present];
  const take = (from: number, n: number) => {
    for (let z = from; z >= 0 && n > 0; z--) {
      const t = Math.min(boot[z]!, n);
      boot[z] = boot[z]! - t;
      n -= t;
    }
  };
  const scale = Math.min(1, pages / KERNEL_MEASURED_FROM_PAGES);
  const top = boot[2]! > 0 ? 2 : boot[1]! > 0 ? 1 : 0;
  const kernelZone = boot[1]! > 0 ? 1 : 0;
  take(0, Math.min(0x9f, low) - 1); // the first 1 MiB, 6.1 arch/x86/realmode/init.c reserve_real_mode()
  // Below the measured sizes the section-sized memmap and the percpu areas
  // would leave a few MiB of RAM nothing: scaled like the kernel image.
  take(top, scale < 1 ? Math.ceil((pages * 64) / PAGE_SIZE) : sections.size * MEMMAP_PAGES_PER_SECTION);
  take(top, earlyHashPages(nr_kernel_pages, 13) + earlyHashPages(nr_kernel_pages, 14));
  take(top, Math.floor((PERCPU_PAGES_PER_CPU * cpus + TOP_ZONE_OTHER_PAGES) * scale));
  if (high > 0) {
    take(1, SWIOTLB_PAGES);
    take(top, SWIOTLB_SLOTS_PAGES);
  }
  const freed = Math.floor(FREED_AFTER_INIT_PAGES * scale);
  take(kernelZone, Math.floor(KERNEL_LOW_PAGES * scale));
  const managed = boot.map((m, i) => (i === kernelZone ? m + Math.min(freed, present[i]! - m) : m));

  const init = init_per_zone_wmark_min(boot, cpus);
  const zones: ZoneSetup[] = ZONE_NAMES.map((name, idx) => ({
    name,
    idx,
    startPfn: starts[idx]!,
    spannedPages: spans[idx]!,
    presentPages: present[idx]!,
    managedPages: managed[idx]!,
    bootManagedPages: boot[idx]!,
    ...init.zones[idx]!,
  }));
  // Allocations start in the highest zone and fall back to lower ones.
  // Simplification: DMA is not simulated beside DMA32. lowmem_reserve keeps
  // most of its 15 MiB for __GFP_DMA, but an allocation the other zones
  // refuse could still take the rest, where the model fails it. On a
  // machine too small for DMA32 to outgrow DMA (under about 36 MiB) the
  // model keeps DMA alone, the zone such a machine mostly uses.
  const sim = high > 0 ? [2, 1] : [zones[1]!.managedPages > zones[0]!.managedPages ? 1 : 0];
  return {
    memoryBytes, cpus, lowRamBytes: low * PAGE_SIZE, thp: init.thp, minFreeKbytes: init.minFreeKbytes, zones,
    protection: setup_per_zone_lowmem_reserve(boot), simulated: sim.map((i) => zones[i]!),
  };
}

/** A zone a run simulates, pcp high and batch as the scenario may set them. */
export interface SimulatedZone {
  name: ZoneName;
  /** zone_idx(): 0 DMA, 1 DMA32, 2 Normal. */
  idx: number;
  managedPages: number;
  /** lowmem_reserve[], indexed by the allocation's highest zone. */
  lowmemReserve: number[];
  minFreeKbytes: number;
  min: number;
  low: number;
  high: number;
  pcpHigh: number;
  pcpBatch: number;
}

/** The zones a run simulates, in zonelist order. The scenario's `pcp high`
 * and `batch` apply to each, as percpu_pagelist_high_fraction would. */
export function simulatedZones(memoryBytes: number, cpus: number, pcp: { high: number | null; batch: number | null }): SimulatedZone[] {
  const node = nodeSetup(memoryBytes, cpus);
  return node.simulated.map((z) => {
    const pcpBatch = pcp.batch ?? z.pcpBatch;
    // A batch of the scenario's own moves zone_highsize()'s floor of 4 x batch.
    const pcpHigh = pcp.high ?? zone_highsize(z.low, pcpBatch, cpus);
    return {
      name: z.name, idx: z.idx, managedPages: z.managedPages, lowmemReserve: node.protection[z.idx]!.slice(0, ZONE_NAMES.length),
      minFreeKbytes: node.minFreeKbytes, min: z.min, low: z.low, high: z.high, pcpHigh, pcpBatch,
    };
  });
}
