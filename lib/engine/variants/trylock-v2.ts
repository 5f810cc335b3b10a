// trylock-v2: "[PATCH v2] mm/page_alloc: Leave IRQs enabled for per-cpu page
// allocations" as posted on 2022-11-04 (Message-ID
// 20221104142259.5hohev5hzvwanbi2@techsingularity.net), whose diff Hugh
// Dickins' reply of 2022-11-06 quotes whole
// (97b7ae87-797c-4ebb-d2d3-9415975188@google.com). Locking as trylock, but
// with v2's free_unref_page_list(): the lock is dropped every
// SWAP_CLUSTER_MAX pages and retaken with a trylock on the next page; a
// page committed to a pcp list is never list_del()ed from the temporary
// list, while a page whose trylock fails is list_del()ed and freed with
// the stale migratetype. page->lru and page->pcp_list are one union, so a
// failure after a commit rewires the pcp list into the temporary list: the
// corruption Hugh Dickins diagnosed on 2022-11-08
// (486a93d7-4140-60c9-1aa8-8dafc8c66210@google.com). A failure at a change
// of zone also leaves locked_zone set with pcp NULL, so the next page of
// that zone is committed to a NULL pcp.
import type { Code, Context } from "../context.ts";
import { spin_unlock } from "../lock.ts";
import { unwind } from "../oops.ts";
import {
  free_one_page, free_unref_page_commit_drain, free_unref_page_list_prepare, nowait, page_zone, pcp_migratetype, trace, type Mm, type Variant,
} from "../mm/page_alloc.ts";
import { SWAP_CLUSTER_MAX, type PerCpuPages, type Zone } from "../mm/zone.ts";
import { countListPage, pcp_trylock_counted } from "./common.ts";
import { trylockLocking } from "./trylock.ts";

/** free_unref_page_list(), v2; with `alwaysRemove`, c3e58a70425a
 * "mm/page_alloc: always remove pages from temporary list", the fix Mel
 * Gorman split out of Hugh's diagnosis as v3's first patch: every page
 * leaves the temporary list before it goes anywhere; with
 * `forgetZoneOnFailure`, the merged patch's `locked_zone = NULL` after a
 * failed trylock. v2 drops the lock
 * every SWAP_CLUSTER_MAX pages (pcp and locked_zone NULL) and lets the next
 * iteration take it again with a trylock; at a change of zone it drops one
 * zone's pcp lock and trylocks the other's, and a failure there leaves
 * locked_zone as it was. */
export const v2_free_unref_page_list = ({ alwaysRemove = false, forgetZoneOnFailure = false } = {}) =>
  function* free_unref_page_list(x: Context, mm: Mm, list: number): Code {
    try {
      // The first loop leaves `migratetype` set to the last page's type.
      let migratetype = free_unref_page_list_prepare(mm, list);
      const memmap = mm.memmap;
      let pcp: PerCpuPages | null = null;
      let locked_zone: Zone | null = null;
      let batch_count = 0;
      // pcp_trylock_prepare/finish(UP_flags) around every hold, as v2's diff
      // has them: local_irq_save/restore on UP only.
      const up = !x.m.kernel.SMP;
      for (let walk = memmap.list_for_each_entry_safe(list, "free_unref_page_list"), page = walk.next(); page !== list; page = walk.next()) {
        const zone = page_zone(mm, page);
        if (alwaysRemove) memmap.list_del(page, "free_unref_page_list");
        countListPage(mm);
        // "Different zone, different pcp lock."
        if (zone !== locked_zone) {
          if (pcp) {
            yield* spin_unlock(x, pcp.lock);
            if (up && x.irqRestoreNow()) yield 0;
          }
          if (x.mustYield()) yield x.pending;
          pcp = pcp_trylock_counted(x, mm, zone, up, true);
          if (!pcp) {
            if (!alwaysRemove) memmap.list_del(page, "free_unref_page_list");
            yield* free_one_page(x, mm, zone, page, 0, migratetype);
            if (forgetZoneOnFailure) locked_zone = null;
            continue;
          }
          locked_zone = zone;
        }
        migratetype = pcp_migratetype(mm, page);
        if (mm.tracepoint) trace(x, mm, "mm_page_free_batched", { pfn: page });
        if (nowait.free_unref_page_commit(x, mm, zone, pcp, page, migratetype, 0)) yield* free_unref_page_commit_drain(x, mm, zone, pcp!, migratetype, 0);
        // "Guard against excessive IRQ disabled times when freeing a large
        // list of pages. Lock will be reacquired if necessary on the next
        // iteration."
        if (++batch_count === SWAP_CLUSTER_MAX) {
          yield* spin_unlock(x, pcp!.lock);
          if (up && x.irqRestoreNow()) yield 0;
          batch_count = 0;
          pcp = null;
          locked_zone = null;
        }
      }
      if (pcp) {
        yield* spin_unlock(x, pcp.lock);
        if (up && x.irqRestoreNow()) yield 0;
      }
    } catch (e) {
      throw unwind(e, "free_unref_page_list");
    }
  };

export const trylockV2: Variant = { name: "trylock-v2", ...trylockLocking, free_unref_page_list: v2_free_unref_page_list() };
