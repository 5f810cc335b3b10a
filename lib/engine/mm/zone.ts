// struct zone and struct per_cpu_pages with the constants and sizing
// formulas of Linux 6.1 (include/linux/mmzone.h, mm/page_alloc.c).
// Simplification: the zones mm/node.ts picks and sizes (DMA32, and Normal
// above 4 GiB), no CMA, no isolation, no highatomic reserve.
import { Spinlock, type LockStat, type Measuring } from "../lock.ts";
import { CHUNK_PAGES, type MemMap, PG_alloc, PG_buddy } from "./memmap.ts";
import type { SimulatedZone, ZoneName } from "./node.ts";

export const MAX_ORDER = 11;
export const PAGE_ALLOC_COSTLY_ORDER = 3;
export const pageblock_order = 9;
export const SWAP_CLUSTER_MAX = 32;

export const MIGRATE_UNMOVABLE = 0;
export const MIGRATE_MOVABLE = 1;
export const MIGRATE_RECLAIMABLE = 2;
export const MIGRATE_PCPTYPES = 3;
export const MIGRATE_TYPES = 6;

const NR_LOWORDER_PCP_LISTS = MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1);
/** With CONFIG_TRANSPARENT_HUGEPAGE: one more list, for pageblock_order. */
export const NR_PCP_LISTS = NR_LOWORDER_PCP_LISTS + 1;

/** order_to_pindex(), mm/page_alloc.c 6.1 */
export function order_to_pindex(migratetype: number, order: number): number {
  if (order > PAGE_ALLOC_COSTLY_ORDER) return NR_LOWORDER_PCP_LISTS;
  return MIGRATE_PCPTYPES * order + migratetype;
}

/** pindex_to_order(), mm/page_alloc.c 6.1 */
export function pindex_to_order(pindex: number): number {
  return pindex === NR_LOWORDER_PCP_LISTS ? pageblock_order : Math.floor(pindex / MIGRATE_PCPTYPES);
}

/** pcp_allowed_order(), mm/page_alloc.c 6.1 (THP enabled) */
export function pcp_allowed_order(order: number): boolean {
  return order <= PAGE_ALLOC_COSTLY_ORDER || order === pageblock_order;
}

interface Watermarks {
  minFreeKbytes: number;
  min: number;
  low: number;
  high: number;
}

export class PerCpuPages {
  count = 0;
  high: number;
  batch: number;
  free_factor = 0;
  readonly lists: number[] = [];
  readonly lock: Spinlock;

  constructor(memmap: MemMap, cpu: number, slot: number, high: number, batch: number, stat: LockStat, gate: Measuring) {
    this.high = high;
    this.batch = batch;
    // Each zone's pageset is its own percpu allocation: the next zone's
    // sits one cache-aligned struct per_cpu_pages (256 bytes) further on.
    const base = 0xffff88807fc00000n + BigInt(cpu) * 0x40000n + BigInt(slot) * 0x100n;
    this.lock = new Spinlock(`&pcp->lock (cpu ${cpu})`, base, stat, gate);
    for (let i = 0; i < NR_PCP_LISTS; i++) this.lists.push(memmap.newHead(base + 24n + BigInt(i) * 16n));
  }
}

interface FreeArea {
  free_list: number[];
  nr_free: number;
}

/** What the node counts over its zones: free pages and their low point,
 * for the metrics (the kernel's per-node NR_FREE_PAGES sum). */
export class NodeFree {
  readonly zones: Zone[] = [];
  /** Lowest free pages of the node since the last reset (the end of warmup). */
  nrFreeMin = Infinity;

  get nrFree(): number {
    let n = 0;
    for (let i = 0; i < this.zones.length; i++) n += this.zones[i]!.nrFree;
    return n;
  }

  note(): void {
    const n = this.nrFree;
    if (n < this.nrFreeMin) this.nrFreeMin = n;
  }
}

/** Model addresses of the structures in struct zone; the next zone's lie
 * one struct zone further on (the model's own spacing). */
const ZONE_ADDRESS = 0xffff88813ffd6d00n;
const ZONE_STRIDE = 0x700n;

export class Zone {
  readonly memmap: MemMap;
  readonly free_area: FreeArea[] = [];
  readonly lock: Spinlock;
  readonly per_cpu_pageset: PerCpuPages[] = [];
  readonly wmark: Watermarks;
  /** The zone of the node this one stands for ("DMA32", "Normal"). */
  readonly name: ZoneName;
  /** zone_idx(): 0 DMA, 1 DMA32, 2 Normal. */
  readonly idx: number;
  readonly managedPages: number;
  /** zone_start_pfn in the model's pfn space: the zones' managed pages lie
   * one after the other, each from a max-order boundary, so buddies never
   * cross a zone. */
  readonly base: number;
  /** The first pfn after the zone's managed pages. */
  readonly end: number;
  /** lowmem_reserve[], indexed by the allocation's highest zone. */
  readonly lowmem_reserve: number[];
  /** NR_FREE_PAGES: pages on the buddy lists (pcp pages are not counted). */
  nrFree = 0;

  /** After a drop in free pages: the node's low point, for the metrics. */
  noteFreeMin(): void {
    this.node.note();
  }
  /** ZONE_RECLAIM_ACTIVE: kswapd is reclaiming (caps pcp high, nr_pcp_high()). */
  reclaimActive = false;
  /** Compaction deferral (defer_compaction(), mm/compaction.c 6.1). */
  compact_considered = 0;
  compact_defer_shift = 0;
  compact_order_failed = 0;
  /** compact_cached_migrate_pfn / compact_cached_free_pfn: where the
   * scanners stopped, so the next run does not rescan the same blocks. */
  compact_cached_migrate_pfn = 0;
  compact_cached_free_pfn = 0;
  /** Max-order blocks not touched yet: free, MOVABLE, at the tail of free_area[10]. */
  private untouchedNext: number;
  private readonly untouchedEnd: number;

  /**
   * `slot`: the zone's place among the simulated zones in node order (0 the
   * lowest), which spaces its model addresses. `base` must be a multiple of
   * CHUNK_PAGES.
   */
  constructor(
    setup: SimulatedZone,
    memmap: MemMap,
    base: number,
    slot: number,
    nrCpus: number,
    readonly pcpStat: LockStat,
    zoneStat: LockStat,
    gate: Measuring,
    onZoneContended: (now: number) => void,
    private readonly node: NodeFree,
  ) {
    const managedPages = setup.managedPages;
    this.name = setup.name;
    this.idx = setup.idx;
    this.managedPages = managedPages;
    this.base = base;
    this.end = base + managedPages;
    this.lowmem_reserve = setup.lowmemReserve;
    this.memmap = memmap;
    node.zones.push(this);
    const address = ZONE_ADDRESS + BigInt(slot) * ZONE_STRIDE;
    this.lock = new Spinlock("&zone->lock", address, zoneStat, gate, onZoneContended);
    for (let order = 0; order < MAX_ORDER; order++) {
      const free_list: number[] = [];
      for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
        free_list.push(this.memmap.newHead(address + 0x80n + BigInt(order * MIGRATE_TYPES + mt) * 16n));
      }
      this.free_area.push({ free_list, nr_free: 0 });
    }
    this.wmark = { minFreeKbytes: setup.minFreeKbytes, min: setup.min, low: setup.low, high: setup.high };
    this.compact_cached_migrate_pfn = base;
    this.compact_cached_free_pfn = this.lastPageblock;
    const { pcpHigh: high, pcpBatch: batch } = setup;
    for (let cpu = 0; cpu < nrCpus; cpu++) {
      this.per_cpu_pageset.push(new PerCpuPages(this.memmap, cpu, slot, high, batch, this.pcpStat, gate));
    }
    // memmap_init(): whole max-order blocks stay untouched until used; the
    // ragged end of the zone is freed block by block as the kernel does.
    const whole = Math.floor(managedPages / CHUNK_PAGES);
    this.untouchedNext = base / CHUNK_PAGES;
    this.untouchedEnd = this.untouchedNext + whole;
    this.free_area[MAX_ORDER - 1]!.nr_free += whole;
    this.nrFree += whole * CHUNK_PAGES;
    let pfn = base + whole * CHUNK_PAGES;
    for (let order = MAX_ORDER - 2; order >= 0; order--) {
      if (this.end - pfn >= 1 << order) {
        this.addFreeBlock(pfn, order, MIGRATE_MOVABLE, "memmap_init_zone");
        pfn += 1 << order;
      }
    }
  }

  private addFreeBlock(pfn: number, order: number, mt: number, fn: string): void {
    const mm = this.memmap;
    mm.setFlags(pfn, PG_buddy);
    mm.setOrder(pfn, order);
    mm.list_add(pfn, this.free_area[order]!.free_list[mt]!, fn);
    this.free_area[order]!.nr_free++;
    this.nrFree += 1 << order;
  }

  /** Makes the next untouched max-order block a real entry of its free list. */
  touchUntouched(fn: string): boolean {
    if (this.untouchedNext >= this.untouchedEnd) return false;
    const pfn = this.untouchedNext++ * CHUNK_PAGES;
    const mm = this.memmap;
    mm.setFlags(pfn, PG_buddy);
    mm.setOrder(pfn, MAX_ORDER - 1);
    mm.list_add_tail(pfn, this.free_area[MAX_ORDER - 1]!.free_list[MIGRATE_MOVABLE]!, fn);
    return true;
  }

  get untouchedBlocks(): number {
    return this.untouchedEnd - this.untouchedNext;
  }

  /** Whether `pfn` lies in a max-order block not touched yet (wholly free). */
  isUntouched(pfn: number): boolean {
    const block = Math.floor(pfn / CHUNK_PAGES);
    return block >= this.untouchedNext && block < this.untouchedEnd;
  }

  /** The first pfn of the zone's last whole pageblock. */
  get lastPageblock(): number {
    return this.base + Math.max(0, (Math.floor(this.managedPages / (1 << pageblock_order)) - 1) * (1 << pageblock_order));
  }

  /** zone_spans_pfn() for the managed pages. */
  spans(pfn: number): boolean {
    return pfn >= this.base && pfn < this.end;
  }

  /**
   * `fragmentation P` (docs/language.md): the lowest P of the zone's max-order blocks
   * start broken into order-0 pages, every even page allocated (held by
   * `hold`, as movable page cache from before the run) and every odd page
   * free, so no two free pages are buddies and high orders need compaction.
   */
  fragment(fraction: number, hold: (pfn: number) => void): void {
    const blocks = Math.floor(this.untouchedBlocks * fraction);
    for (let b = 0; b < blocks; b++) {
      const pfn = this.untouchedNext++ * CHUNK_PAGES;
      this.free_area[MAX_ORDER - 1]!.nr_free--;
      this.nrFree -= CHUNK_PAGES;
      this.breakUp(pfn, CHUNK_PAGES, hold);
    }
    // All of the zone means its ragged end too (zones are rarely a whole
    // number of max-order blocks), or it would keep high orders free.
    if (fraction < 1) return;
    let pfn = this.untouchedEnd * CHUNK_PAGES;
    for (let order = MAX_ORDER - 2; order >= 0; order--) {
      if (this.end - pfn < 1 << order) continue;
      if (order > 0) {
        this.memmap.list_del(pfn, "memmap_init_zone");
        this.free_area[order]!.nr_free--;
        this.nrFree -= 1 << order;
        this.breakUp(pfn, 1 << order, hold);
      }
      pfn += 1 << order;
    }
  }

  /** Every even page of a free range held, every odd page free. */
  private breakUp(pfn: number, pages: number, hold: (pfn: number) => void): void {
    const mm = this.memmap;
    for (let p = pfn; p < pfn + pages; p += 2) {
      mm.setFlags(p, PG_alloc);
      mm.setOrder(p, 0);
      mm.setPcpMigratetype(p, MIGRATE_MOVABLE);
      hold(p);
      this.addFreeBlock(p + 1, 0, MIGRATE_MOVABLE, "memmap_init_zone");
    }
  }
}
