// The allocator's entry and slow path, mirroring __alloc_pages() and
// __alloc_pages_slowpath() of Linux 6.1 (mm/page_alloc.c) by name and order
// of steps: watermarks, kswapd, early async compaction for costly orders,
// direct reclaim with its single drain_all_pages(), direct compaction at
// rising priority, and __GFP_NORETRY giving up after the async attempt.
//
// Simplified, and said so: no OOM killer (an allocation that would need it
// fails), no __GFP_NOFAIL looping, no cpuset or highatomic reserves;
// should_reclaim_retry() and should_compact_retry() become "retry while
// reclaim makes progress, then raise the compaction priority", bounded by
// MAX_RECLAIM_RETRIES passes.
import { GFP_NAMES } from "../../dsl/gfp.ts";
import type { Code, Context, Work } from "../context.ts";
import { unwind } from "../oops.ts";
import {
  COMPACT_DEFERRED, COMPACT_SKIPPED, DEF_COMPACT_PRIORITY, INIT_COMPACT_PRIORITY,
  MIN_COMPACT_COSTLY_PRIORITY, MIN_COMPACT_PRIORITY, compaction_defer_reset, kcompactd_do_work, try_to_compact_pages,
} from "./compaction.ts";
import {
  ALLOC_HARDER, ALLOC_HIGH, ALLOC_KSWAPD, ALLOC_WMARK_LOW, ALLOC_WMARK_MIN, __zone_watermark_ok, drain_all_pages,
  get_page_from_freelist, page_zone, prep_new_page, trace, type AllocContext, type Mm,
} from "./page_alloc.ts";
import { balance_pgdat, try_to_free_pages } from "./vmscan.ts";
import { MIGRATE_MOVABLE, PAGE_ALLOC_COSTLY_ORDER } from "./zone.ts";

const bit = (name: string) => GFP_NAMES.get(name)!;
const __GFP_HIGH = bit("__GFP_HIGH");
const __GFP_ATOMIC = bit("__GFP_ATOMIC");
const __GFP_DIRECT_RECLAIM = bit("__GFP_DIRECT_RECLAIM");
const __GFP_KSWAPD_RECLAIM = bit("__GFP_KSWAPD_RECLAIM");
const __GFP_NORETRY = bit("__GFP_NORETRY");
const __GFP_RETRY_MAYFAIL = bit("__GFP_RETRY_MAYFAIL");
const __GFP_NOMEMALLOC = bit("__GFP_NOMEMALLOC");
const __GFP_DMA = bit("__GFP_DMA");
const __GFP_DMA32 = bit("__GFP_DMA32");
const MAX_RECLAIM_RETRIES = 16;

/** gfp_to_alloc_flags(), mm/page_alloc.c 6.1 (ALLOC_HIGH and ALLOC_KSWAPD
 * share their bits with __GFP_HIGH and __GFP_KSWAPD_RECLAIM there too). */
export function gfp_to_alloc_flags(gfp: number): number {
  let alloc_flags = ALLOC_WMARK_MIN;
  if (gfp & __GFP_HIGH) alloc_flags |= ALLOC_HIGH;
  if (gfp & __GFP_KSWAPD_RECLAIM) alloc_flags |= ALLOC_KSWAPD;
  if (gfp & __GFP_ATOMIC && !(gfp & __GFP_NOMEMALLOC)) alloc_flags |= ALLOC_HARDER;
  return alloc_flags;
}

/** gfp_zone() and the zonelist it selects: __GFP_DMA32 stops at DMA32;
 * every other allocation may use every simulated zone. __GFP_DMA (no DMA
 * zone is simulated beside DMA32) is taken as DMA32's. */
export function alloc_context(mm: Mm, gfp: number): AllocContext {
  return gfp & (__GFP_DMA | __GFP_DMA32) ? mm.acDma32 : mm.ac;
}

/** pgdat_balanced(), mm/vmscan.c 6.1: the node is balanced when any zone up
 * to highest_zoneidx meets its high watermark (lowmem_reserve included),
 * through zone_watermark_ok_safe() with alloc_flags 0, so an order above 0
 * also needs a free block of that order on a pcp migratetype's list. No
 * compaction term: a zone with enough free pages but no such block is not
 * balanced, and kswapd is woken. No watermark boost
 * (pgdat_watermark_boosted() is always false here). */
export function pgdat_balanced(mm: Mm, order: number, highest_zoneidx: number): boolean {
  for (const zone of mm.node_zones) {
    if (zone.idx > highest_zoneidx) continue;
    if (__zone_watermark_ok(zone, order, zone.wmark.high, highest_zoneidx, 0, zone.nrFree)) return true;
  }
  return false;
}

/** wake_all_kswapds() -> wakeup_kswapd(), mm/vmscan.c 6.1: a balanced or
 * hopeless node (kswapd failed MAX_RECLAIM_RETRIES times) wakes kcompactd
 * instead, and only for callers that cannot compact themselves. One node,
 * so one wakeup for the zonelist. */
export function wake_all_kswapds(x: Context, mm: Mm, order: number, gfp: number, ac: AllocContext): void {
  const balanced = pgdat_balanced(mm, order, ac.highest_zoneidx);
  const hopeless = mm.kswapd_failures >= MAX_RECLAIM_RETRIES;
  if (mm.tracepoint) trace(x, mm, "mm_vmscan_wakeup_kswapd", { order, gfp_flags: gfp, balanced: balanced ? 1 : 0, hopeless: hopeless ? 1 : 0 });
  if (!balanced && !hopeless) mm.kthreads.kswapd(x, order);
  // wakeup_kcompactd() returns at once for order 0.
  else if (order > 0 && !(gfp & __GFP_DIRECT_RECLAIM)) mm.kthreads.kcompactd(x, order);
}

/** __alloc_pages_direct_compact(), mm/page_alloc.c 6.1: [page, result]. */
function* __alloc_pages_direct_compact(x: Context, mm: Mm, order: number, migratetype: number, alloc_flags: number, prio: number, ac: AllocContext): Code<[number, number]> {
  try {
    if (!order) return [-1, COMPACT_SKIPPED];
    const [result, captured] = yield* try_to_compact_pages(x, mm, order, migratetype, alloc_flags, prio, ac);
    if (result === COMPACT_SKIPPED) return [-1, result];
    const page = captured >= 0 ? captured : yield* get_page_from_freelist(x, mm, order, migratetype, alloc_flags, ac);
    if (page >= 0) compaction_defer_reset(page_zone(mm, page), order, true);
    return [page, result];
  } catch (e) {
    throw unwind(e, "__alloc_pages_direct_compact");
  }
}

/** __alloc_pages_direct_reclaim(), mm/page_alloc.c 6.1: reclaim, try again,
 * and on failure drain every CPU's pcp lists once and try once more.
 * Returns [page, pages reclaimed]. */
function* __alloc_pages_direct_reclaim(x: Context, mm: Mm, order: number, migratetype: number, alloc_flags: number, ac: AllocContext): Code<[number, number]> {
  try {
    const progress = yield* try_to_free_pages(x, mm, order);
    if (!progress) return [-1, 0];
    let drained = false;
    for (;;) {
      const page = yield* get_page_from_freelist(x, mm, order, migratetype, alloc_flags, ac);
      if (page >= 0 || drained) return [page, progress];
      yield* drain_all_pages(x, mm, null);
      drained = true;
    }
  } catch (e) {
    throw unwind(e, "__alloc_pages_direct_reclaim");
  }
}

/** __alloc_pages_slowpath(), mm/page_alloc.c 6.1 */
export function* __alloc_pages_slowpath(x: Context, mm: Mm, order: number, gfp: number, migratetype: number, ac: AllocContext): Code<number> {
  try {
    const alloc_flags = gfp_to_alloc_flags(gfp);
    if (alloc_flags & ALLOC_KSWAPD) wake_all_kswapds(x, mm, order, gfp, ac);
    const page = yield* get_page_from_freelist(x, mm, order, migratetype, alloc_flags, ac);
    if (page >= 0) return page;
    return yield* __alloc_pages_slowpath_retry(x, mm, order, gfp, migratetype, ac, alloc_flags);
  } catch (e) {
    throw unwind(e, "__alloc_pages_slowpath");
  }
}

/** __alloc_pages_slowpath() once its first attempt, at the min watermark
 * after waking kswapd, found nothing (where mm/page_alloc_steps.ts hands
 * over to the generator). */
export function* __alloc_pages_slowpath_retry(x: Context, mm: Mm, order: number, gfp: number, migratetype: number, ac: AllocContext, alloc_flags: number): Code<number> {
  try {
    const costly_order = order > PAGE_ALLOC_COSTLY_ORDER;
    const can_direct_reclaim = (gfp & __GFP_DIRECT_RECLAIM) !== 0;
    let page = -1;
    let compact_priority = DEF_COMPACT_PRIORITY;
    let compact_result: number;
    // Costly orders and unmovable high orders try async compaction before reclaim.
    if (can_direct_reclaim && (costly_order || (order > 0 && migratetype !== MIGRATE_MOVABLE))) {
      [page, compact_result] = yield* __alloc_pages_direct_compact(x, mm, order, migratetype, alloc_flags, INIT_COMPACT_PRIORITY, ac);
      if (page >= 0) return page;
      if (costly_order && gfp & __GFP_NORETRY) {
        // "If compaction is deferred for high-order allocations, it is because
        // sync compaction recently failed": give up, as THP faults want.
        if (compact_result === COMPACT_SKIPPED || compact_result === COMPACT_DEFERRED) return -1;
        compact_priority = INIT_COMPACT_PRIORITY;
      }
    }

    for (let loops = 0; loops <= MAX_RECLAIM_RETRIES; loops++) {
      if (alloc_flags & ALLOC_KSWAPD) wake_all_kswapds(x, mm, order, gfp, ac);
      page = yield* get_page_from_freelist(x, mm, order, migratetype, alloc_flags, ac);
      if (page >= 0) return page;
      if (!can_direct_reclaim) return -1;
      let progress: number;
      [page, progress] = yield* __alloc_pages_direct_reclaim(x, mm, order, migratetype, alloc_flags, ac);
      if (page >= 0) return page;
      [page, compact_result] = yield* __alloc_pages_direct_compact(x, mm, order, migratetype, alloc_flags, compact_priority, ac);
      if (page >= 0) return page;
      if (gfp & __GFP_NORETRY) return -1;
      if (costly_order && !(gfp & __GFP_RETRY_MAYFAIL)) return -1;
      // should_reclaim_retry() / should_compact_retry(), simplified: the
      // priority rises whatever the result, as 6.1's check_priority does
      // for COMPLETE, PARTIAL_SKIPPED, CONTENDED and DEFERRED alike; costly
      // orders stop at MIN_COMPACT_COSTLY_PRIORITY.
      const min_priority = costly_order ? MIN_COMPACT_COSTLY_PRIORITY : MIN_COMPACT_PRIORITY;
      if (!progress && order > 0 && compact_priority > min_priority) compact_priority--;
      else if (!progress) return -1;
    }
    return -1; // where the kernel would call the OOM killer
  } catch (e) {
    throw unwind(e, "__alloc_pages_slowpath");
  }
}

/**
 * alloc_pages() -> __alloc_pages(), mm/page_alloc.c 6.1: the fast path at
 * the low watermark, then the slow path. Returns the pfn of the block, or
 * -1 (NULL).
 */
export function* __alloc_pages(x: Context, mm: Mm, order: number, gfp: number, migratetype: number): Code<number> {
  try {
    const ac = alloc_context(mm, gfp);
    let page = yield* get_page_from_freelist(x, mm, order, migratetype, ALLOC_WMARK_LOW, ac);
    if (page < 0) page = yield* __alloc_pages_slowpath(x, mm, order, gfp, migratetype, ac);
    if (mm.tracepoint) trace(x, mm, "mm_page_alloc", { pfn: page, order, gfp_flags: gfp, migratetype });
    return page < 0 ? -1 : prep_new_page(mm, page, order);
  } catch (e) {
    throw unwind(e, "__alloc_pages");
  }
}

/** kswapd and kcompactd: one kthread each, queued on the last CPU's task
 * context when woken and not already running. */
export function kthreads(mm: Mm): Mm["kthreads"] {
  let kswapdRunning = false;
  let kcompactdRunning = false;
  const kswapdWork: Work = function* kswapd(x, order) {
    try {
      yield* balance_pgdat(x, mm, order);
    } catch (e) {
      throw unwind(e, "kswapd");
    } finally {
      kswapdRunning = false;
    }
  };
  const kcompactdWork: Work = function* kcompactd(x, order) {
    try {
      yield* kcompactd_do_work(x, mm, order);
    } catch (e) {
      throw unwind(e, "kcompactd");
    } finally {
      kcompactdRunning = false;
    }
  };
  // wake_up_interruptible(): the kthread's CPU picks it up from its own
  // event, never inside the waker's code path.
  const wake = (x: Context, work: Work, order: number) => {
    const cpu = x.m.cpus[x.m.cpus.length - 1]!;
    x.m.at(x.m.now, () => cpu.queueTask(work, order));
  };
  return {
    kswapd(x, order) {
      if (kswapdRunning) return;
      kswapdRunning = true;
      wake(x, kswapdWork, order);
    },
    kcompactd(x, order) {
      if (kcompactdRunning) return;
      kcompactdRunning = true;
      wake(x, kcompactdWork, order);
    },
  };
}

