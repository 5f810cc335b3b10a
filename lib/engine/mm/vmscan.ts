// Page reclaim, after mm/vmscan.c of Linux 6.1: kswapd, woken when an
// allocation finds the zone below its low watermark, reclaims until the
// high watermark (with ZONE_RECLAIM_ACTIVE capping the pcp lists); direct
// reclaim reclaims SWAP_CLUSTER_MAX pages for the allocating task.
//
// Simplified, and said so: the LRU is the order in which workloads
// allocated the pages they hold with a movable or reclaimable mask (oldest
// first); reclaiming a page costs reclaim_per_page (writeback and unmap
// folded into one figure) and it is freed at once; shrink_page_list()'s
// free_unref_page_list() is kept, since that is the list free the v2 bug
// lived in. kswapd is a kernel thread queued on the last CPU.
import { draw } from "../costs.ts";
import type { Code, Context } from "../context.ts";
import { unwind } from "../oops.ts";
import { __free_pages, trace, type Mm } from "./page_alloc.ts";
import { SWAP_CLUSTER_MAX } from "./zone.ts";

/** shrink_inactive_list() -> shrink_page_list(), 6.1: up to nr_to_reclaim
 * of the oldest reclaimable pages. Returns the pages reclaimed. */
export function* shrink_node(x: Context, mm: Mm, nr_to_reclaim: number): Code<number> {
  try {
    const victims = mm.owners.reclaim(nr_to_reclaim);
    if (victims.length === 0) return 0;
    const memmap = mm.memmap;
    let pages = 0;
    const list = memmap.newHead();
    let listed = 0;
    for (const [pfn, order] of victims) {
      pages += 1 << order;
      if (order === 0) {
        memmap.list_add_tail(pfn, list, "shrink_page_list");
        listed++;
      }
    }
    x.spend(pages * draw(x.m.costs.reclaim_per_page));
    if (listed > 0) yield* mm.variant.free_unref_page_list(x, mm, list);
    memmap.releaseHead(list);
    // Compound pages (a THP) are freed whole.
    for (const [pfn, order] of victims) if (order > 0) yield* __free_pages(x, mm, pfn, order);
    return pages;
  } catch (e) {
    throw unwind(e, "shrink_node");
  }
}

/** try_to_free_pages(), mm/vmscan.c 6.1: direct reclaim. */
export function* try_to_free_pages(x: Context, mm: Mm, order: number): Code<number> {
  try {
    if (mm.tracepoint) trace(x, mm, "mm_vmscan_direct_reclaim_begin", { order });
    const reclaimed = yield* shrink_node(x, mm, SWAP_CLUSTER_MAX);
    if (reclaimed > 0) mm.kswapd_failures = 0;
    if (mm.tracepoint) trace(x, mm, "mm_vmscan_direct_reclaim_end", { nr_reclaimed: reclaimed });
    if (mm.metrics.measuring) mm.metrics.reclaimDirect += reclaimed;
    return reclaimed;
  } catch (e) {
    throw unwind(e, "try_to_free_pages");
  }
}

/** balance_pgdat(), mm/vmscan.c 6.1: reclaim until some zone meets its
 * high watermark (lowmem_reserve included, as pgdat_balanced() has it for
 * order 0) or nothing is left to reclaim, and for a high order at least
 * compact_gap(order) pages (kswapd_shrink_node() keeps sc->order until
 * then), so compaction has room; then kcompactd for that order.
 * Simplified: kswapd balances for the highest simulated zone, whatever
 * zone the allocations that woke it could use. */
export function* balance_pgdat(x: Context, mm: Mm, order: number): Code {
  try {
    const zones = mm.node_zones;
    const highest_zoneidx = zones[zones.length - 1]!.idx;
    const balanced = () => zones.some((z) => z.nrFree >= z.wmark.high + z.lowmem_reserve[highest_zoneidx]!);
    const gap = order > 0 ? 2 << order : 0;
    let total = 0;
    if (mm.tracepoint) trace(x, mm, "mm_vmscan_kswapd_wake", { order });
    for (const zone of zones) zone.reclaimActive = true; // set_reclaim_active()
    try {
      while (!balanced() || total < gap) {
        const reclaimed = yield* shrink_node(x, mm, SWAP_CLUSTER_MAX);
        if (mm.metrics.measuring) mm.metrics.reclaimKswapd += reclaimed;
        if (reclaimed === 0) break;
        total += reclaimed;
        if (x.mustYield()) yield x.pending;
      }
    } finally {
      for (const zone of zones) zone.reclaimActive = false; // clear_reclaim_active()
    }
    if (total > 0) mm.kswapd_failures = 0;
    else mm.kswapd_failures++;
    // kswapd_try_to_sleep(): "wake kcompactd" for the order it was woken for.
    if (order > 0) mm.kthreads.kcompactd(x, order);
  } catch (e) {
    throw unwind(e, "balance_pgdat");
  }
}
