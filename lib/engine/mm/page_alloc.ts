// The allocator's fast paths, mirroring mm/page_alloc.c of Linux 6.1 by
// name and order of steps. Functions whose locking differs between the lock
// variants call into the variant (variants/*.ts); the rest is shared.
//
// Costs (docs/model.md): each block on or off a pcp list costs pcp_list_op;
// each block taken from or merged into the buddy lists costs
// zone_lock_per_block, plus buddy_level per order level split or merged;
// check_new_page per struct page where 6.1 checks new pages (under
// zone->lock only in rmqueue_bulk). Lock, pin and irq-save costs are
// charged by the lock helpers (lock.ts, variants/common.ts).
//
// Simplified here, and said so where it matters: the zones of mm/node.ts
// (DMA32, and Normal above 4 GiB); no CMA, isolation or highatomic reserve,
// no ALLOC_NOFRAGMENT; __rmqueue_fallback claims the pageblock of a stolen
// block without moving its other free pages. The slow path is in
// page_alloc_slowpath.ts.
import { draw } from "../costs.ts";
import type { Code, Context } from "../context.ts";
import { spin_lock_irqsave, spin_unlock_irqrestore } from "../lock.ts";
import type { Metrics } from "../metrics.ts";
import { mutex_lock, mutex_trylock, mutex_unlock, type Mutex } from "../mutex.ts";
import { Oops, unwind } from "../oops.ts";
import { PG_alloc, PG_buddy, PG_pcp, type MemMap } from "./memmap.ts";
import {
  MAX_ORDER, MIGRATE_MOVABLE, MIGRATE_PCPTYPES, MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE,
  NR_PCP_LISTS, PAGE_ALLOC_COSTLY_ORDER, pageblock_order, pcp_allowed_order, order_to_pindex, pindex_to_order,
  type NodeFree, type PerCpuPages, type Zone,
} from "./zone.ts";

/** The locking that differs between lock variants (variants/*.ts). */
export interface Variant {
  readonly name: string;
  /** 374ad05ab64d: IRQ and softirq allocations and frees skip the pcp lists. */
  readonly bypassPcpInInterrupt: boolean;
  /** pcp_spin_trylock is the irqsave form: the hot paths' critical section
   * includes local_irq_save(). */
  readonly pcpLockSavesIrqs: boolean;
  /** pcp_spin_trylock[_irqsave] on this CPU's pcp of `zone`: null when it
   * is held. Plain (no generator) on the hot path: the caller settles time first. */
  pcp_spin_trylock(x: Context, mm: Mm, zone: Zone): PerCpuPages | null;
  /** pcp_spin_unlock[_irqrestore]: true when an interrupt now waits (yield 0). */
  pcp_spin_unlock(x: Context, pcp: PerCpuPages): boolean;
  /** zone->lock inside a pcp section: plain in 6.1 (IRQs already off), irqsave in 6.2. */
  zone_lock_under_pcp(x: Context, zone: Zone): Code;
  zone_unlock_under_pcp(x: Context, zone: Zone): Code;
  /** drain_pages_zone()'s lock on another CPU's pcp. */
  drain_lock(x: Context, pcp: PerCpuPages): Code;
  drain_unlock(x: Context, pcp: PerCpuPages): Code;
  free_unref_page_list(x: Context, mm: Mm, list: number): Code;
}

/** Who holds allocated pages: reclaim takes them back, compaction moves
 * them (the owning workload's handle follows the page). */
export interface PageOwners {
  /** The oldest up to `nr` pages held with a movable or reclaimable mask,
   * forgotten by their owners; each as [pfn, order]. */
  reclaim(nr: number): [number, number][];
  /** An order-0 page a workload holds with a movable mask. */
  movable(pfn: number): boolean;
  /** The page at `from` now lives at `to`. */
  migrate(from: number, to: number): void;
}

/** struct capture_control, mm/internal.h 6.1: a direct compactor waiting
 * for a free block of `order` to pass through __free_one_page on its CPU. */
export interface CaptureControl {
  cpu: number;
  /** capc->cc->zone: only a block of the zone being compacted is captured. */
  zone: Zone;
  order: number;
  page: number;
}

/** struct alloc_context in part: the zones an allocation may use, in the
 * order it tries them, and the highest of them (gfp_zone()). */
export interface AllocContext {
  zonelist: Zone[];
  highest_zoneidx: number;
}

/** Per-run state the kernel keeps in globals, vmstat, pglist_data and kthreads. */
export interface Mm {
  /** The simulated zones in node order (DMA32 before Normal): node_zones[]. */
  node_zones: Zone[];
  /** Allocations without a zone modifier: every zone, the highest first. */
  ac: AllocContext;
  /** __GFP_DMA32 (and __GFP_DMA) allocations: DMA32 alone (DMA alone on a machine too small for DMA32). */
  acDma32: AllocContext;
  /** One mem_map over the node, so a list may link pages of any zone. */
  memmap: MemMap;
  node: NodeFree;
  /** pgdat->kswapd_failures: kswapd runs in a row that reclaimed nothing. */
  kswapd_failures: number;
  /** CONFIG_DEBUG_VM: check_new_pcp() checks every page a pcp list hands out. */
  debugVm: boolean;
  variant: Variant;
  metrics: Metrics;
  owners: PageOwners;
  /** current->capture_control, per CPU: set while its task compacts. */
  capc: (CaptureControl | null)[];
  /** pcpu_drain_mutex, mm/page_alloc.c 6.1: one drain_all_pages() at a time. */
  pcpu_drain_mutex: Mutex;
  /** The kthreads (vmscan.ts, compaction.ts), woken from allocations. */
  kthreads: { kswapd: (x: Context, order: number) => void; kcompactd: (x: Context, order: number) => void };
  /** Tests and tools: the slow path's tracepoints, named as the kernel's. */
  tracepoint?: (event: TraceEvent) => void;
  /** CONFIG_PCP_BATCH_SCALE_MAX, or null for 6.1.0's uncapped doubling. */
  pcpBatchScaleMax: number | null;
}

/** One tracepoint hit: the kernel's event name, where and when, and its fields. */
export interface TraceEvent {
  name: string;
  cpu: number;
  time_ns: number;
  [field: string]: string | number;
}

export function trace(x: Context, mm: Mm, name: string, fields: Record<string, string | number>): void {
  mm.tracepoint?.({ name, cpu: x.cpu.id, time_ns: x.now, ...fields });
}

/** page_zone(): the simulated zone whose managed pages hold `pfn`. */
export function page_zone(mm: Mm, pfn: number): Zone {
  const zones = mm.node_zones;
  for (let i = zones.length - 1; i > 0; i--) if (pfn >= zones[i]!.base) return zones[i]!;
  return zones[0]!;
}

// ---- buddy lists (under zone->lock) -------------------------------------------

function add_to_free_list(zone: Zone, page: number, order: number, migratetype: number, tail: boolean, fn: string): void {
  const mm = zone.memmap;
  mm.setFlags(page, PG_buddy);
  mm.setOrder(page, order);
  const head = zone.free_area[order]!.free_list[migratetype]!;
  if (tail) mm.list_add_tail(page, head, fn);
  else mm.list_add(page, head, fn);
  zone.free_area[order]!.nr_free++;
  zone.nrFree += 1 << order;
}

export function del_page_from_free_list(zone: Zone, page: number, order: number, fn: string): void {
  const mm = zone.memmap;
  mm.list_del(page, fn);
  mm.setFlags(page, 0);
  zone.free_area[order]!.nr_free--;
  zone.nrFree -= 1 << order;
}

function get_page_from_free_area(zone: Zone, order: number, migratetype: number, fn: string): number {
  const mm = zone.memmap;
  const head = zone.free_area[order]!.free_list[migratetype]!;
  if (mm.list_empty(head, fn)) {
    if (order !== MAX_ORDER - 1 || migratetype !== MIGRATE_MOVABLE || !zone.touchUntouched(fn)) return -1;
  }
  return mm.list_first_entry(head, fn);
}

/** Order levels split by expand() or merged by __free_one_page() since the
 * caller last took the count: what buddy_level is charged for. One engine
 * runs one simulation at a time, so a module counter is enough and keeps
 * the buddy helpers free of cost plumbing. */
let buddyLevels = 0;

/** Takes (and resets) the buddy level count. */
function takeBuddyLevels(): number {
  const n = buddyLevels;
  buddyLevels = 0;
  return n;
}

/** What a block's buddy work under zone->lock costs: __rmqueue() or
 * __free_one_page() on one block, and its order levels. */
function chargeBuddyWork(x: Context, blocks: number): void {
  const levels = takeBuddyLevels();
  x.spend(blocks * draw(x.m.costs.zone_lock_per_block) + levels * draw(x.m.costs.buddy_level));
}

/** expand(), mm/page_alloc.c 6.1: the upper halves go back on the free lists. */
function expand(zone: Zone, page: number, low: number, high: number, migratetype: number): void {
  try {
    buddyLevels += high - low;
    let size = 1 << high;
    while (high > low) {
      high--;
      size >>= 1;
      add_to_free_list(zone, page + size, high, migratetype, false, "expand");
    }
  } catch (e) {
    throw unwind(e, "expand");
  }
}

/** __rmqueue_smallest(), mm/page_alloc.c 6.1 */
function __rmqueue_smallest(zone: Zone, order: number, migratetype: number): number {
  try {
    for (let current_order = order; current_order < MAX_ORDER; ++current_order) {
      const page = get_page_from_free_area(zone, current_order, migratetype, "__rmqueue_smallest");
      if (page < 0) continue;
      del_page_from_free_list(zone, page, current_order, "__rmqueue_smallest");
      expand(zone, page, order, current_order, migratetype);
      zone.memmap.setPcpMigratetype(page, migratetype);
      return page;
    }
    return -1;
  } catch (e) {
    throw unwind(e, "__rmqueue_smallest");
  }
}

const fallbacks: number[][] = [
  [MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE],
  [MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE],
  [MIGRATE_UNMOVABLE, MIGRATE_MOVABLE],
];

/** can_steal_fallback(), mm/page_alloc.c 6.1 */
function can_steal_fallback(order: number, start_mt: number): boolean {
  if (order >= pageblock_order) return true;
  return order >= pageblock_order / 2 || start_mt === MIGRATE_RECLAIMABLE || start_mt === MIGRATE_UNMOVABLE;
}

/** __rmqueue_fallback(), mm/page_alloc.c 6.1. Simplified: the largest block of
 * a fallback type is taken; when it may be stolen, its pageblock becomes
 * start_migratetype (the kernel also moves that block's other free pages). */
function __rmqueue_fallback(zone: Zone, order: number, start_migratetype: number): number {
  try {
    for (let current_order = MAX_ORDER - 1; current_order >= order; --current_order) {
      for (const mt of fallbacks[start_migratetype]!) {
        const page = get_page_from_free_area(zone, current_order, mt, "__rmqueue_fallback");
        if (page < 0) continue;
        const steal = can_steal_fallback(current_order, start_migratetype);
        del_page_from_free_list(zone, page, current_order, "__rmqueue_fallback");
        const newMt = steal ? start_migratetype : mt;
        if (steal) {
          for (let pb = page; pb < page + (1 << current_order); pb += 1 << pageblock_order) {
            zone.memmap.setPageblockMigratetype(pb, start_migratetype);
          }
        }
        expand(zone, page, order, current_order, newMt);
        zone.memmap.setPcpMigratetype(page, newMt);
        return page;
      }
    }
    return -1;
  } catch (e) {
    throw unwind(e, "__rmqueue_fallback");
  }
}

/** __rmqueue(), mm/page_alloc.c 6.1 (no CMA) */
function __rmqueue(zone: Zone, order: number, migratetype: number): number {
  try {
    let page = __rmqueue_smallest(zone, order, migratetype);
    if (page < 0 && migratetype < MIGRATE_PCPTYPES) page = __rmqueue_fallback(zone, order, migratetype);
    // Noted here, not in del_page_from_free_list(): a split takes the whole
    // block off before expand() puts the halves back.
    zone.noteFreeMin();
    return page;
  } catch (e) {
    throw unwind(e, "__rmqueue");
  }
}

/** buddy_merge_likely(), mm/page_alloc.c 6.1: free to the tail when the next
 * merge looks likely, so the block stays free long enough to merge. */
function buddy_merge_likely(zone: Zone, pfn: number, buddy_pfn: number, order: number): boolean {
  if (order >= MAX_ORDER - 2) return false;
  const combined_pfn = buddy_pfn & pfn;
  const higher_buddy = combined_pfn ^ (1 << (order + 1));
  if (!zone.spans(higher_buddy) || !zone.memmap.hasChunk(higher_buddy)) return false;
  return page_is_buddy(zone, higher_buddy, order + 1);
}

function page_is_buddy(zone: Zone, buddy: number, order: number): boolean {
  if (!zone.spans(buddy)) return false;
  const mm = zone.memmap;
  return (mm.flags(buddy) & PG_buddy) !== 0 && mm.order(buddy) === order;
}

/** compaction_capture(), mm/page_alloc.c 6.1. task_capc() looks at
 * `current`, which an interrupt handler shares with the task it
 * interrupted: any context of the compacting CPU may hand its page over,
 * of the zone it compacts. */
function compaction_capture(capc: CaptureControl | null, zone: Zone, x: Context | null, page: number, order: number, migratetype: number): boolean {
  if (!capc || !x || capc.cpu !== x.cpu.id || capc.zone !== zone || capc.page >= 0 || order !== capc.order) return false;
  // "Do not let lower order allocations pollute a movable pageblock."
  if (order < pageblock_order && migratetype === MIGRATE_MOVABLE) return false;
  capc.page = page;
  return true;
}

/** __free_one_page(), mm/page_alloc.c 6.1: merge with free buddies, then
 * list (or hand the block to a compactor waiting for it). `x` is the
 * context freeing, for compaction capture. */
export function __free_one_page(zone: Zone, page: number, order: number, migratetype: number, x: Context | null = null, capc: CaptureControl | null = null): void {
  try {
    const mm = zone.memmap;
    const flags = mm.flags(page);
    if (flags & (PG_buddy | PG_pcp)) {
      throw new Oops(`BUG: Bad page state: pfn:${page.toString(16)} freed while ${flags & PG_buddy ? "PageBuddy" : "on a pcp list"}`, "__free_one_page");
    }
    let buddy_pfn = page;
    while (order < MAX_ORDER - 1) {
      if (compaction_capture(capc, zone, x, page, order, migratetype)) {
        mm.setOrder(page, order);
        return;
      }
      buddy_pfn = page ^ (1 << order);
      if (!page_is_buddy(zone, buddy_pfn, order)) break;
      del_page_from_free_list(zone, buddy_pfn, order, "__free_one_page");
      page = buddy_pfn & page;
      order++;
      buddyLevels++;
    }
    const to_tail = buddy_merge_likely(zone, page, buddy_pfn, order);
    add_to_free_list(zone, page, order, migratetype, to_tail, "__free_one_page");
  } catch (e) {
    throw unwind(e, "__free_one_page");
  }
}

// ---- pcp lists -----------------------------------------------------------------

/** rmqueue_bulk(), mm/page_alloc.c 6.1: `count` blocks onto the pcp list in one zone->lock hold. */
function* rmqueue_bulk(x: Context, mm: Mm, zone: Zone, order: number, count: number, list: number, migratetype: number): Code<number> {
  try {
    yield* mm.variant.zone_lock_under_pcp(x, zone);
    takeBuddyLevels();
    let allocated = 0;
    for (let i = 0; i < count; ++i) {
      const page = __rmqueue(zone, order, migratetype);
      if (page < 0) break;
      zone.memmap.setFlags(page, PG_pcp);
      zone.memmap.setOrder(page, order);
      zone.memmap.list_add_tail(page, list, "rmqueue_bulk");
      allocated++;
    }
    chargeBuddyWork(x, allocated);
    // check_pcp_refill() -> check_new_pages(), inside the lock in 6.1 (without
    // CONFIG_DEBUG_VM): every struct page of every block. Halbuer's
    // "mm: reduce lock contention of pcp buffer refill" (6.3) moved it out.
    x.spend(allocated * (1 << order) * draw(x.m.costs.check_new_page));
    yield* mm.variant.zone_unlock_under_pcp(x, zone);
    if (allocated > 0 && mm.metrics.measuring) {
      mm.metrics.pcpRefills++;
      mm.metrics.pcpRefillPages += allocated << order;
    }
    return allocated;
  } catch (e) {
    throw unwind(e, "rmqueue_bulk");
  }
}

/** __rmqueue_pcplist(), mm/page_alloc.c 6.1 */
export function* __rmqueue_pcplist(x: Context, mm: Mm, zone: Zone, order: number, migratetype: number, pcp: PerCpuPages, list: number): Code<number> {
  try {
    const memmap = mm.memmap;
    if (memmap.list_empty(list, "__rmqueue_pcplist")) {
      let batch = pcp.batch;
      if (batch > 1) batch = Math.max(batch >> order, 2);
      const alloced = yield* rmqueue_bulk(x, mm, zone, order, batch, list, migratetype);
      pcp.count += alloced << order;
      if (memmap.list_empty(list, "__rmqueue_pcplist")) return -1;
    }
    return nowait.__rmqueue_pcplist(x, mm, order, pcp, list);
  } catch (e) {
    throw unwind(e, "__rmqueue_pcplist");
  }
}

/** rmqueue_pcplist(), mm/page_alloc.c 6.1 (locking per variant) */
function* rmqueue_pcplist(x: Context, mm: Mm, zone: Zone, order: number, migratetype: number): Code<number> {
  try {
    if (x.mustYield()) yield x.pending;
    const pcp = mm.variant.pcp_spin_trylock(x, mm, zone);
    if (!pcp) return -1;
    pcp.free_factor >>= 1;
    const list = pcp.lists[order_to_pindex(migratetype, order)]!;
    // A hit cannot wait: no generator for it.
    const page = mm.memmap.list_empty(list, "__rmqueue_pcplist")
      ? yield* __rmqueue_pcplist(x, mm, zone, order, migratetype, pcp, list)
      : nowait.__rmqueue_pcplist(x, mm, order, pcp, list);
    if (x.mustYield()) yield x.pending;
    if (mm.variant.pcp_spin_unlock(x, pcp)) yield 0;
    if (page >= 0 && mm.metrics.measuring) mm.metrics.pcpAllocHits++;
    return page;
  } catch (e) {
    throw unwind(e, "rmqueue_pcplist");
  }
}

/** rmqueue_buddy(), mm/page_alloc.c 6.1 */
export function* rmqueue_buddy(x: Context, zone: Zone, order: number, migratetype: number): Code<number> {
  try {
    yield* spin_lock_irqsave(x, zone.lock);
    takeBuddyLevels();
    const page = __rmqueue(zone, order, migratetype);
    chargeBuddyWork(x, page >= 0 ? 1 : 0);
    yield* spin_unlock_irqrestore(x, zone.lock);
    // check_new_pages() runs after the unlock here.
    if (page >= 0) x.spend((1 << order) * draw(x.m.costs.check_new_page));
    return page;
  } catch (e) {
    throw unwind(e, "rmqueue_buddy");
  }
}

/** rmqueue(), mm/page_alloc.c 6.1 */
function* rmqueue(x: Context, mm: Mm, zone: Zone, order: number, migratetype: number): Code<number> {
  try {
    if (pcp_allowed_order(order) && !(mm.variant.bypassPcpInInterrupt && x.in_interrupt())) {
      const page = yield* rmqueue_pcplist(x, mm, zone, order, migratetype);
      if (page >= 0) return page;
    }
    return yield* rmqueue_buddy(x, zone, order, migratetype);
  } catch (e) {
    throw unwind(e, "rmqueue");
  }
}

// ---- watermarks (mm/internal.h, mm/page_alloc.c 6.1) ----------------------------

export const ALLOC_WMARK_MIN = 0x00;
export const ALLOC_WMARK_LOW = 0x01;
const ALLOC_WMARK_HIGH = 0x02;
const ALLOC_WMARK_MASK = 0x03;
export const ALLOC_HARDER = 0x10;
export const ALLOC_HIGH = 0x20;
export const ALLOC_KSWAPD = 0x800;

export function wmark_pages(zone: Zone, alloc_flags: number): number {
  const w = alloc_flags & ALLOC_WMARK_MASK;
  return w === ALLOC_WMARK_MIN ? zone.wmark.min : w === ALLOC_WMARK_LOW ? zone.wmark.low : zone.wmark.high;
}

/** Whether free_area[order] has a block on free_list[mt] (untouched
 * max-order blocks count: they are free MOVABLE blocks not yet listed). */
export function free_area_has(zone: Zone, order: number, mt: number): boolean {
  if (!zone.memmap.list_empty(zone.free_area[order]!.free_list[mt]!, "__zone_watermark_ok")) return true;
  return order === MAX_ORDER - 1 && mt === MIGRATE_MOVABLE && zone.untouchedBlocks > 0;
}

/** __zone_watermark_ok(), mm/page_alloc.c 6.1 (no highatomic or CMA) */
export function __zone_watermark_ok(zone: Zone, order: number, mark: number, highest_zoneidx: number, alloc_flags: number, free_pages: number): boolean {
  let min = mark;
  free_pages -= (1 << order) - 1;
  if (alloc_flags & ALLOC_HIGH) min -= Math.floor(min / 2);
  if (alloc_flags & ALLOC_HARDER) min -= Math.floor(min / 4);
  if (free_pages <= min + zone.lowmem_reserve[highest_zoneidx]!) return false;
  if (!order) return true;
  for (let o = order; o < MAX_ORDER; o++) {
    if (zone.free_area[o]!.nr_free === 0) continue;
    for (let mt = 0; mt < MIGRATE_PCPTYPES; mt++) if (free_area_has(zone, o, mt)) return true;
  }
  return false;
}

/** zone_watermark_fast(), mm/page_alloc.c 6.1: order 0 checks the count only. */
function zone_watermark_fast(zone: Zone, order: number, mark: number, highest_zoneidx: number, alloc_flags: number): boolean {
  const free_pages = zone.nrFree;
  if (!order && free_pages > mark + zone.lowmem_reserve[highest_zoneidx]!) return true;
  return __zone_watermark_ok(zone, order, mark, highest_zoneidx, alloc_flags, free_pages);
}

/** get_page_from_freelist()'s test of one zone of the zonelist: the
 * watermark alloc_flags selects, over the lowmem_reserve kept from the
 * allocation's highest zone. */
export function zone_watermark_lets_in(zone: Zone, order: number, alloc_flags: number, ac: AllocContext): boolean {
  return zone_watermark_fast(zone, order, wmark_pages(zone, alloc_flags), ac.highest_zoneidx, alloc_flags);
}

/** The first zone of the zonelist whose watermark lets the allocation in,
 * or null: get_page_from_freelist()'s walk up to try_this_zone. */
function first_zone_ok(ac: AllocContext, order: number, alloc_flags: number): Zone | null {
  const zonelist = ac.zonelist;
  for (let i = 0; i < zonelist.length; i++) if (zone_watermark_lets_in(zonelist[i]!, order, alloc_flags, ac)) return zonelist[i]!;
  return null;
}

/** get_page_from_freelist(), mm/page_alloc.c 6.1: each zone of the zonelist
 * in turn, the next when its watermark fails or rmqueue() finds nothing. */
export function* get_page_from_freelist(x: Context, mm: Mm, order: number, migratetype: number, alloc_flags: number, ac: AllocContext): Code<number> {
  try {
    // Indexed: an array iterator held across a yield is a heap object per call.
    const zonelist = ac.zonelist;
    for (let i = 0; i < zonelist.length; i++) {
      const zone = zonelist[i]!;
      if (!zone_watermark_lets_in(zone, order, alloc_flags, ac)) continue;
      const page = yield* rmqueue(x, mm, zone, order, migratetype);
      if (page >= 0) return page;
    }
    return -1;
  } catch (e) {
    throw unwind(e, "get_page_from_freelist");
  }
}

/** check_new_pcp() and prep_new_page() in part: the block is now allocated.
 * Only a page from a pcp list can be bad here (the buddy lists' pages
 * leave them with their state cleared), and 6.1 checks those only with
 * CONFIG_DEBUG_VM. Without it the page goes out as it is: one still
 * PageBuddy keeps that page_type, as the kernel's would, until it is freed. */
export function prep_new_page(mm: Mm, page: number, order: number): number {
  const memmap = mm.memmap;
  const flags = memmap.flags(page);
  if (mm.debugVm && flags & (PG_alloc | PG_buddy)) {
    throw new Oops(`BUG: Bad page state: pfn:${page.toString(16)} allocated while ${flags & PG_alloc ? "in use" : "PageBuddy"}`, "__alloc_pages");
  }
  memmap.setFlags(page, PG_alloc | (flags & PG_buddy));
  memmap.setOrder(page, order);
  return page;
}

/** free_pages_prepare() in part: the page must be an allocated block of this order. */
export function free_pages_prepare(mm: Mm, page: number, order: number, fn: string): void {
  const memmap = mm.memmap;
  const flags = memmap.flags(page);
  if (!(flags & PG_alloc) || memmap.order(page) !== order) {
    throw new Oops(`BUG: Bad page state: pfn:${page.toString(16)} freed twice or with the wrong order`, fn);
  }
  // free_page_is_bad(): PageBuddy's page_type shares page->_mapcount, so the
  // kernel reports a "nonzero mapcount" on a page allocated while PageBuddy.
  if (flags & PG_buddy) throw new Oops(`BUG: Bad page state: pfn:${page.toString(16)} freed while PageBuddy (nonzero mapcount)`, fn);
  memmap.setFlags(page, 0);
  // free_unref_page_prepare(): set_pcppage_migratetype(page, get_pfnblock_migratetype())
  memmap.setPcpMigratetype(page, memmap.pageblockMigratetype(page));
}

/** free_one_page(), mm/page_alloc.c 6.1 */
export function* free_one_page(x: Context, mm: Mm, zone: Zone, page: number, order: number, migratetype: number): Code {
  try {
    yield* spin_lock_irqsave(x, zone.lock);
    takeBuddyLevels();
    __free_one_page(zone, page, order, migratetype, x, mm.capc[x.cpu.id]!);
    // Per block and merge level; the subpages were checked by
    // free_pages_prepare() before any lock.
    chargeBuddyWork(x, 1);
    yield* spin_unlock_irqrestore(x, zone.lock);
  } catch (e) {
    throw unwind(e, "free_one_page");
  }
}

/** nr_pcp_free(), mm/page_alloc.c 6.1; with `scaleMax`, as 6.1.y stable has
 * it after "mm: restrict the pcp batch scale factor to avoid too long
 * latency" (CONFIG_PCP_BATCH_SCALE_MAX): free_factor stops growing there.
 * Simplification: that backport's other half, drain_pages_zone() freeing
 * in chunks of batch << scaleMax, is not modelled. */
export function nr_pcp_free(pcp: PerCpuPages, high: number, batch: number, free_high: boolean, scaleMax: number | null = null): number {
  if (free_high) return pcp.count;
  if (high < batch) return 1;
  const min_nr_free = batch;
  const max_nr_free = high - batch;
  batch <<= pcp.free_factor;
  if (batch < max_nr_free && (scaleMax === null || pcp.free_factor < scaleMax)) pcp.free_factor++;
  return Math.min(Math.max(batch, min_nr_free), max_nr_free);
}

/** nr_pcp_high(), mm/page_alloc.c 6.1: while kswapd reclaims
 * (ZONE_RECLAIM_ACTIVE) the pcp lists may hold at most four batches. */
export function nr_pcp_high(pcp: PerCpuPages, zone: Zone, free_high: boolean): number {
  const high = pcp.high;
  if (!high || free_high) return 0;
  if (!zone.reclaimActive) return high;
  return Math.min(pcp.batch << 2, high);
}

/** free_pcppages_bulk(), mm/page_alloc.c 6.1: `count` pages from the pcp
 * lists' tails, round-robin from pindex, in one zone->lock hold. */
function* free_pcppages_bulk(x: Context, mm: Mm, zone: Zone, count: number, pcp: PerCpuPages, pindex: number): Code {
  try {
    const memmap = zone.memmap;
    let min_pindex = 0;
    let max_pindex = NR_PCP_LISTS - 1;
    count = Math.min(pcp.count, count);
    pindex = pindex - 1;
    const capc = mm.capc[x.cpu.id]!;
    yield* mm.variant.zone_lock_under_pcp(x, zone);
    takeBuddyLevels();
    let blocks = 0;
    let drained = 0;
    while (count > 0) {
      let list: number;
      for (;;) {
        if (++pindex > max_pindex) pindex = min_pindex;
        list = pcp.lists[pindex]!;
        if (!memmap.list_empty(list, "free_pcppages_bulk")) break;
        if (pindex === max_pindex) max_pindex--;
        if (pindex === min_pindex) min_pindex++;
        if (min_pindex > max_pindex) {
          // The kernel's round robin would go on past the last list
          // (min_pindex > max_pindex) into the memory after pcp->lists[],
          // with effects the model cannot know: it says so in its own words.
          throw new Oops(`pcplab: pcp lists empty, ${count} pages left to free (pcp->count ${pcp.count}): free_pcppages_bulk would index past pcp->lists[]`, "free_pcppages_bulk");
        }
      }
      const order = pindex_to_order(pindex);
      const nr_pages = 1 << order;
      do {
        const page = memmap.list_last_entry(list, "free_pcppages_bulk");
        const mt = memmap.pcpMigratetype(page);
        memmap.list_del(page, "free_pcppages_bulk");
        memmap.setFlags(page, 0);
        count -= nr_pages;
        pcp.count -= nr_pages;
        drained += nr_pages;
        blocks++;
        __free_one_page(zone, page, order, mt, x, capc);
      } while (count > 0 && !memmap.list_empty(list, "free_pcppages_bulk"));
    }
    // bulkfree_pcp_prepare() checks only the head page (free_page_is_bad()).
    chargeBuddyWork(x, blocks);
    yield* mm.variant.zone_unlock_under_pcp(x, zone);
    if (mm.metrics.measuring) {
      mm.metrics.pcpDrains++;
      mm.metrics.pcpDrainPages += drained;
    }
  } catch (e) {
    throw unwind(e, "free_pcppages_bulk");
  }
}

/** free_unref_page_commit()'s free_high: a freed high-order block drains
 * the whole list when allocations have been freeing rather than taking. */
function pcp_free_high(pcp: PerCpuPages, order: number): boolean {
  return pcp.free_factor !== 0 && order !== 0 && order <= PAGE_ALLOC_COSTLY_ORDER;
}

/** free_unref_page_commit(), mm/page_alloc.c 6.1, in two halves, so that
 * listing a page costs no generator: `if (nowait.free_unref_page_commit(...))
 * yield* free_unref_page_commit_drain(...)`. This is the drain, once the
 * block took the list to high. */
export function* free_unref_page_commit_drain(x: Context, mm: Mm, zone: Zone, pcp: PerCpuPages, migratetype: number, order: number): Code {
  try {
    const free_high = pcp_free_high(pcp, order);
    const high = nr_pcp_high(pcp, zone, free_high);
    yield* free_pcppages_bulk(x, mm, zone, nr_pcp_free(pcp, high, pcp.batch, free_high, mm.pcpBatchScaleMax), pcp, order_to_pindex(migratetype, order));
  } catch (e) {
    throw unwind(e, "free_unref_page_commit");
  }
}

/** free_unref_page(), mm/page_alloc.c 6.1 (locking per variant) */
function* free_unref_page(x: Context, mm: Mm, page: number, order: number): Code {
  try {
    let migratetype = mm.memmap.pcpMigratetype(page);
    if (migratetype >= MIGRATE_PCPTYPES) migratetype = MIGRATE_MOVABLE;
    const zone = page_zone(mm, page);
    if (mm.variant.bypassPcpInInterrupt && x.in_interrupt()) {
      // 374ad05ab64d: free_hot_cold_page() sends interrupt frees to __free_pages_ok().
      yield* free_one_page(x, mm, zone, page, order, migratetype);
      return;
    }
    if (x.mustYield()) yield x.pending;
    const pcp = mm.variant.pcp_spin_trylock(x, mm, zone);
    if (pcp) {
      if (nowait.free_unref_page_commit(x, mm, zone, pcp, page, migratetype, order)) yield* free_unref_page_commit_drain(x, mm, zone, pcp, migratetype, order);
      if (x.mustYield()) yield x.pending;
      if (mm.variant.pcp_spin_unlock(x, pcp)) yield 0;
    } else {
      yield* free_one_page(x, mm, zone, page, order, migratetype);
    }
  } catch (e) {
    throw unwind(e, "free_unref_page");
  }
}

/** __free_pages() -> free_the_page(), 6.1: pcp-sized blocks through free_unref_page(). */
export function* __free_pages(x: Context, mm: Mm, page: number, order: number): Code {
  try {
    const start = x.now;
    free_pages_prepare(mm, page, order, "__free_pages");
    if (pcp_allowed_order(order)) yield* free_unref_page(x, mm, page, order);
    else yield* free_one_page(x, mm, page_zone(mm, page), page, order, mm.memmap.pcpMigratetype(page));
    mm.metrics.freeTimed(x.now - start);
  } catch (e) {
    throw unwind(e, "__free_pages");
  }
}

/** The first loop of free_unref_page_list() (6.1, identical in every variant):
 * prepare each page and remember its migratetype. Returns the last one, which
 * v2's trylock failure path goes on to use (the stale migratetype). */
export function free_unref_page_list_prepare(mm: Mm, list: number): number {
  const memmap = mm.memmap;
  let migratetype = MIGRATE_MOVABLE;
  for (let walk = memmap.list_for_each_entry_safe(list, "free_unref_page_list"), page = walk.next(); page !== list; page = walk.next()) {
    free_pages_prepare(mm, page, 0, "free_unref_page_list");
    migratetype = memmap.pcpMigratetype(page);
  }
  return migratetype;
}

/** get_pcppage_migratetype(), folded to MOVABLE for non-pcp types as the callers do. */
export function pcp_migratetype(mm: Mm, page: number): number {
  const mt = mm.memmap.pcpMigratetype(page);
  return mt >= MIGRATE_PCPTYPES ? MIGRATE_MOVABLE : mt;
}

/** drain_pages_zone(), mm/page_alloc.c 6.1 (locking per variant) */
export function* drain_pages_zone(x: Context, mm: Mm, cpu: number, zone: Zone): Code {
  try {
    const pcp = zone.per_cpu_pageset[cpu]!;
    if (pcp.count === 0) return;
    yield* mm.variant.drain_lock(x, pcp);
    yield* free_pcppages_bulk(x, mm, zone, pcp.count, pcp, 0);
    yield* mm.variant.drain_unlock(x, pcp);
  } catch (e) {
    throw unwind(e, "drain_pages_zone");
  }
}

/** __drain_all_pages(zone, false), mm/page_alloc.c 6.1: since 443c2accd1b6 the
 * caller drains every CPU's pcp itself, taking each pcp->lock in turn. The
 * cpumask of CPUs with pages is static, so pcpu_drain_mutex serialises the
 * drains: a caller without a zone (direct reclaim) returns at once when a
 * drain is running; one with a zone (kcompactd, the `drain` statement,
 * like CMA and memory offlining) sleeps until it can drain. Without a zone
 * each CPU is drained zone by zone (drain_pages()). The cpumask is read
 * racily, as in the kernel. */
export function* drain_all_pages(x: Context, mm: Mm, zone: Zone | null): Code {
  try {
    if (x.mustYield()) yield x.pending;
    if (!mutex_trylock(x, mm.pcpu_drain_mutex)) {
      if (!zone) {
        if (mm.metrics.measuring) mm.metrics.drainSkipped++;
        return;
      }
      if (mm.metrics.measuring) mm.metrics.drainWaited++;
      yield* mutex_lock(x, mm.pcpu_drain_mutex);
    }
    const zones = zone ? [zone] : mm.node_zones;
    const cpus: number[] = [];
    for (let cpu = 0; cpu < x.m.cpus.length; cpu++) {
      if (zones.some((z) => z.per_cpu_pageset[cpu]!.count > 0)) cpus.push(cpu);
    }
    for (const cpu of cpus) for (const z of zones) yield* drain_pages_zone(x, mm, cpu, z);
    yield* mutex_unlock(x, mm.pcpu_drain_mutex);
  } catch (e) {
    throw unwind(e, "drain_all_pages");
  }
}

// ---- the fast paths as plain functions ----------------------------------------
//
// A generator costs an object and a resume per call, and a pcp hit goes
// through five of them, a pcp free through three. When the pcp list has a
// block (or room), its lock is free and nothing can happen on the machine
// for the length of the critical section (Context.quietFor), every yield
// on the way would be a no-op. Then these plain functions take the same
// steps in the same order, under the kernel's names so that a call path
// reads the same; results are identical either way. The generators above,
// or their state machines (page_alloc_steps.ts), handle every other case.
// pcp_alloc_nowait() and pcp_free_nowait() say which applies and change
// nothing.

/** The shared guard: a nowait path that would have to wait is an engine bug. */
function settled(waits: boolean): void {
  if (waits) throw new Error("engine: a nowait path had to wait; its precondition is wrong");
}

/** Free, and its line already here: a lock whose line must come back
 * from a remote drainer costs more than the plain paths' window. */
function pcp_lock_free(x: Context, pcp: PerCpuPages): boolean {
  return pcp.lock.owner === null && !pcp.lock.contended && !pcp.lock.wouldTransfer(x.cpu.id);
}

/** The zone where __alloc_pages() would be a pcp hit that nothing can
 * interrupt, or null: the first zone of the zonelist whose watermark
 * passes must have the block on this CPU's pcp list. */
export function pcp_alloc_nowait(x: Context, mm: Mm, order: number, migratetype: number, ac: AllocContext): Zone | null {
  if (!pcp_allowed_order(order) || (mm.variant.bypassPcpInInterrupt && x.in_interrupt())) return null;
  const zone = first_zone_ok(ac, order, ALLOC_WMARK_LOW);
  if (!zone) return null;
  const pcp = zone.per_cpu_pageset[x.cpu.id]!;
  const hit = pcp_lock_free(x, pcp) && !mm.memmap.list_empty(pcp.lists[order_to_pindex(migratetype, order)]!, "rmqueue_pcplist") && x.quietFor(x.m.nowaitNs);
  return hit ? zone : null;
}

/** The page's zone when __free_pages() would list the block on its pcp
 * without a drain, with nothing able to interrupt; else null. */
export function pcp_free_nowait(x: Context, mm: Mm, page: number, order: number): Zone | null {
  if (!pcp_allowed_order(order) || (mm.variant.bypassPcpInInterrupt && x.in_interrupt())) return null;
  const zone = page_zone(mm, page);
  const pcp = zone.per_cpu_pageset[x.cpu.id]!;
  const fits = pcp_lock_free(x, pcp) && pcp.count + (1 << order) < nr_pcp_high(pcp, zone, pcp_free_high(pcp, order)) && x.quietFor(x.m.nowaitNs);
  return fits ? zone : null;
}

/** The fault of a NULL struct per_cpu_pages: `pcp->lists[pindex]` lies at
 * this offset (spinlock, count, high, batch, free_factor and expire first,
 * as the model lays out per_cpu_pages). */
const PCP_LISTS_OFFSET = 24;

function nullPcpDeref(pindex: number, fn: string): Oops {
  const address = (PCP_LISTS_OFFSET + pindex * 16).toString(16).padStart(16, "0");
  return new Oops(`BUG: kernel NULL pointer dereference, address: ${address}`, fn);
}

export const nowait = {
  /** __alloc_pages(), when pcp_alloc_nowait() gave `zone` */
  __alloc_pages(x: Context, mm: Mm, zone: Zone, order: number, gfp: number, migratetype: number): number {
    try {
      const page = nowait.get_page_from_freelist(x, mm, zone, order, migratetype);
      if (mm.tracepoint) trace(x, mm, "mm_page_alloc", { pfn: page, order, gfp_flags: gfp, migratetype });
      return prep_new_page(mm, page, order);
    } catch (e) {
      throw unwind(e, "__alloc_pages");
    }
  },
  get_page_from_freelist(x: Context, mm: Mm, zone: Zone, order: number, migratetype: number): number {
    try {
      return nowait.rmqueue(x, mm, zone, order, migratetype);
    } catch (e) {
      throw unwind(e, "get_page_from_freelist");
    }
  },
  rmqueue(x: Context, mm: Mm, zone: Zone, order: number, migratetype: number): number {
    try {
      return nowait.rmqueue_pcplist(x, mm, zone, order, migratetype);
    } catch (e) {
      throw unwind(e, "rmqueue");
    }
  },
  rmqueue_pcplist(x: Context, mm: Mm, zone: Zone, order: number, migratetype: number): number {
    try {
      settled(x.mustYield());
      const pcp = mm.variant.pcp_spin_trylock(x, mm, zone)!;
      pcp.free_factor >>= 1;
      const page = nowait.__rmqueue_pcplist(x, mm, order, pcp, pcp.lists[order_to_pindex(migratetype, order)]!);
      settled(x.mustYield());
      settled(mm.variant.pcp_spin_unlock(x, pcp));
      if (mm.metrics.measuring) mm.metrics.pcpAllocHits++;
      return page;
    } catch (e) {
      throw unwind(e, "rmqueue_pcplist");
    }
  },
  /** The hit: the block at the head of a non-empty pcp list (LIFO, the hottest). */
  __rmqueue_pcplist(x: Context, mm: Mm, order: number, pcp: PerCpuPages, list: number): number {
    try {
      const memmap = mm.memmap;
      const page = memmap.list_first_entry(list, "__rmqueue_pcplist");
      memmap.list_del(page, "__rmqueue_pcplist");
      pcp.count -= 1 << order;
      x.spend(draw(x.m.costs.pcp_list_op));
      return page;
    } catch (e) {
      throw unwind(e, "__rmqueue_pcplist");
    }
  },
  /** __free_pages(), when pcp_free_nowait() gave the page's `zone` */
  __free_pages(x: Context, mm: Mm, zone: Zone, page: number, order: number): void {
    try {
      const start = x.now;
      free_pages_prepare(mm, page, order, "__free_pages");
      nowait.free_unref_page(x, mm, zone, page, order);
      mm.metrics.freeTimed(x.now - start);
    } catch (e) {
      throw unwind(e, "__free_pages");
    }
  },
  free_unref_page(x: Context, mm: Mm, zone: Zone, page: number, order: number): void {
    try {
      let migratetype = mm.memmap.pcpMigratetype(page);
      if (migratetype >= MIGRATE_PCPTYPES) migratetype = MIGRATE_MOVABLE;
      settled(x.mustYield());
      const pcp = mm.variant.pcp_spin_trylock(x, mm, zone)!;
      settled(nowait.free_unref_page_commit(x, mm, zone, pcp, page, migratetype, order));
      settled(x.mustYield());
      settled(mm.variant.pcp_spin_unlock(x, pcp));
    } catch (e) {
      throw unwind(e, "free_unref_page");
    }
  },
  /** Lists the block; true when the list reached high, so the caller drains.
   * A null `pcp` (v2's stale locked_zone after a failed trylock) faults as
   * the kernel's list_add() would, reading pcp->lists[pindex].next. */
  free_unref_page_commit(x: Context, mm: Mm, zone: Zone, pcp: PerCpuPages | null, page: number, migratetype: number, order: number): boolean {
    try {
      const pindex = order_to_pindex(migratetype, order);
      if (!pcp) throw nullPcpDeref(pindex, "free_unref_page_commit");
      const memmap = mm.memmap;
      memmap.setFlags(page, PG_pcp);
      memmap.setOrder(page, order);
      memmap.setPcpMigratetype(page, migratetype);
      memmap.list_add(page, pcp.lists[pindex]!, "free_unref_page_commit");
      pcp.count += 1 << order;
      x.spend(draw(x.m.costs.pcp_list_op));
      return pcp.count >= nr_pcp_high(pcp, zone, pcp_free_high(pcp, order));
    } catch (e) {
      throw unwind(e, "free_unref_page_commit");
    }
  },
};
