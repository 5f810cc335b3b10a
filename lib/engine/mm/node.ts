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
  /** The zone the model simulates: Normal above 4 GiB, else DMA32 (DMA on tiny machines). */
  simulated: ZoneSetup;
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

// What the kernel keeps for itself, estimated from the Debian 6.1.192
// guests of docs/model.md "Zones and watermarks" (QEMU pc, 512 MiB to 8 GiB):
// the model's managed pages come within 0.1% of theirs.
/** Kernel image, initramfs and early boot allocations (about 53 MiB), in the
 * first zone above DMA, where the kernel is loaded (CONFIG_PHYSICAL_START 16 MiB). */
const KERNEL_RESERVED_PAGES = 13650;
/** Of those, freed once the initcalls have run (free_initmem(), the
 * initramfs): they raise managed but come after the watermarks were set. */
const FREED_AFTER_INIT_PAGES = 2250;
/** struct page (64 bytes) and the boot-time hash tables, about 7.5 bytes
 * more, per page of RAM: 71.5 bytes a page, memblock's top-down allocation
 * puts them in the highest zone. */
const MEMMAP_BYTES_PER_PAGE_X2 = 143;
/** IO_TLB_DEFAULT_SIZE, 6.1 include/linux/swiotlb.h: pci_swiotlb_detect()
 * (arch/x86/kernel/pci-dma.c) turns swiotlb on when RAM reaches past 4 GiB,
 * and its bounce buffer is taken below 4 GiB. */
const SWIOTLB_PAGES = 64 * MiB_PAGES;
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

/**
 * The node a scenario's `memory` and `cpus` describe: zone spans as
 * zone_sizes_init() (arch/x86/mm/init.c, 6.1) cuts them, managed pages
 * estimated as above, and the watermarks and pcp sizes of
 * init_per_zone_wmark_min(). One call gives everything /proc/zoneinfo
 * would show for these zones.
 */
export function nodeSetup(memoryBytes: number, cpus: number): NodeSetup {
  const pages = Math.floor(memoryBytes / PAGE_SIZE);
  const low = lowRamPages(pages);
  const high = pages - low;
  // zone_sizes_init(): the zones end at MAX_DMA_PFN, MAX_DMA32_PFN and the last pfn.
  const maxPfn = high > 0 ? MAX_DMA32_PFN + high : low;
  const ends = [Math.min(MAX_DMA_PFN, maxPfn), Math.min(MAX_DMA32_PFN, maxPfn), maxPfn];
  const present = [Math.min(MAX_DMA_PFN, low), Math.max(0, Math.min(MAX_DMA32_PFN, low) - MAX_DMA_PFN), high];
  const spans = ends.map((end, i) => (i === 0 ? end : Math.max(0, end - ends[i - 1]!)));

  // Reservations, each in its zone, spilling to lower zones if that one is too small.
  const scale = Math.min(1, pages / KERNEL_MEASURED_FROM_PAGES);
  const managed = [...present];
  const boot = [...present];
  const take = (arr: number[], from: number, n: number) => {
    for (let z = from; z >= 0 && n > 0; z--) {
      const t = Math.min(arr[z]!, n);
      arr[z] = arr[z]! - t;
      n -= t;
    }
  };
  const top = managed[2]! > 0 ? 2 : managed[1]! > 0 ? 1 : 0;
  const kernelZone = managed[1]! > 0 ? 1 : 0;
  const memmap = Math.floor((pages * MEMMAP_BYTES_PER_PAGE_X2) / (2 * PAGE_SIZE));
  const kernel = Math.floor(KERNEL_RESERVED_PAGES * scale);
  const freed = Math.floor(FREED_AFTER_INIT_PAGES * scale);
  for (const arr of [managed, boot]) {
    take(arr, 0, Math.min(arr[0]!, MiB_PAGES)); // the first 1 MiB, 6.1 arch/x86/realmode/init.c reserve_real_mode()
    take(arr, top, memmap);
    if (high > 0) take(arr, 1, SWIOTLB_PAGES);
  }
  take(boot, kernelZone, kernel);
  take(managed, kernelZone, kernel - freed);

  const init = init_per_zone_wmark_min(boot, cpus);
  const zones: ZoneSetup[] = ZONE_NAMES.map((name, idx) => ({
    name,
    idx,
    startPfn: idx === 0 ? 0 : ends[idx - 1]!,
    spannedPages: spans[idx]!,
    presentPages: present[idx]!,
    managedPages: managed[idx]!,
    bootManagedPages: boot[idx]!,
    ...init.zones[idx]!,
  }));
  // Allocations start in the highest zone and fall back to lower ones; the
  // model keeps one zone, so on a machine too small for DMA32 to outgrow DMA
  // (under about 36 MiB) it keeps DMA, the zone such a machine mostly uses.
  const sim = pages > MAX_DMA32_PFN ? 2 : zones[1]!.managedPages > zones[0]!.managedPages ? 1 : 0;
  return { memoryBytes, cpus, lowRamBytes: low * PAGE_SIZE, thp: init.thp, minFreeKbytes: init.minFreeKbytes, zones, simulated: zones[sim]! };
}

/** The zone a run simulates, pcp high and batch as the scenario may set them. */
export interface SimulatedZone {
  name: ZoneName;
  managedPages: number;
  minFreeKbytes: number;
  min: number;
  low: number;
  high: number;
  pcpHigh: number;
  pcpBatch: number;
}

export function simulatedZone(memoryBytes: number, cpus: number, pcp: { high: number | null; batch: number | null }): SimulatedZone {
  const node = nodeSetup(memoryBytes, cpus);
  const z = node.simulated;
  const pcpBatch = pcp.batch ?? z.pcpBatch;
  // A batch of the scenario's own moves zone_highsize()'s floor of 4 x batch.
  const pcpHigh = pcp.high ?? zone_highsize(z.low, pcpBatch, cpus);
  return { name: z.name, managedPages: z.managedPages, minFreeKbytes: node.minFreeKbytes, min: z.min, low: z.low, high: z.high, pcpHigh, pcpBatch };
}
