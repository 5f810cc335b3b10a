// irq-bypass: 374ad05ab64d "mm, page_alloc: only use per-cpu allocator for
// irq-safe requests" (4.11-rc, reverted by d34b0733b452). Task context
// protects the pcp lists with preempt_disable() alone, IRQs left on; so
// allocations and frees from hardirq or softirq (in_interrupt()) never
// touch them: rmqueue() goes straight to the buddy lists and
// free_hot_cold_page() to __free_pages_ok(), both under zone->lock, and the
// pcp paths take zone->lock irqsave, since an interrupt may now want it.
//
// Simplified: 4.11 had no pcp spinlock, only the pin. The model keeps 6.1's
// pcp lock taken with a trylock (the pin and an uncontended spin_lock), so
// the local trylock fails only while a remote drain holds it; 4.11 drained
// from a workqueue on the owning CPU instead.
import type { Code, Context } from "../context.ts";
import { spin_unlock } from "../lock.ts";
import { unwind } from "../oops.ts";
import {
  free_one_page, free_unref_page_commit_drain, free_unref_page_list_prepare, nowait, page_zone, pcp_migratetype, trace, type Mm, type Variant,
} from "../mm/page_alloc.ts";
import { countListPage, pcp_trylock_counted } from "./common.ts";
import { trylockLocking } from "./trylock.ts";

/** free_hot_cold_page_list(), 4.11-rc: each page through free_hot_cold_page(),
 * which pins the CPU per page in task context and frees straight to the
 * buddy lists in interrupt context. */
function* free_unref_page_list(x: Context, mm: Mm, list: number): Code {
  try {
    free_unref_page_list_prepare(mm, list);
    const memmap = mm.memmap;
    for (let walk = memmap.list_for_each_entry_safe(list, "free_unref_page_list"), page = walk.next(); page !== list; page = walk.next()) {
      // 4.11 left the page's links for the next list_add to rewrite; unlinking
      // it first frees the same pages in the same order.
      memmap.list_del(page, "free_unref_page_list");
      const migratetype = pcp_migratetype(mm, page);
      const zone = page_zone(mm, page);
      if (mm.tracepoint) trace(x, mm, "mm_page_free_batched", { pfn: page });
      if (x.in_interrupt()) {
        yield* free_one_page(x, mm, zone, page, 0, migratetype);
        continue;
      }
      countListPage(mm);
      if (x.mustYield()) yield x.pending;
      const pcp = pcp_trylock_counted(x, mm, zone, false, true);
      if (!pcp) {
        yield* free_one_page(x, mm, zone, page, 0, migratetype);
        continue;
      }
      if (nowait.free_unref_page_commit(x, mm, zone, pcp, page, migratetype, 0)) yield* free_unref_page_commit_drain(x, mm, zone, pcp!, migratetype, 0);
      yield* spin_unlock(x, pcp.lock);
    }
  } catch (e) {
    throw unwind(e, "free_unref_page_list");
  }
}

export const irqBypass: Variant = { name: "irq-bypass", ...trylockLocking, bypassPcpInInterrupt: true, free_unref_page_list };
