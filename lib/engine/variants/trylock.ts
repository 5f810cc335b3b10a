// trylock: 5749077415994 "mm/page_alloc: leave IRQs enabled for per-cpu page
// allocations" as merged in 6.2 (with c3e58a70425a and a4bafffb5dc5). The
// pcp lock no longer disables IRQs; an allocation or free that finds the
// local pcp lock held (an interrupt inside the critical section, or a
// remote drain) fails its trylock and goes to the buddy lists under
// zone->lock, which is now always taken irqsave.
import type { Code, Context } from "../context.ts";
import { spin_lock, spin_lock_irqsave, spin_unlock, spin_unlock_irqrestore, unlockNow } from "../lock.ts";
import { unwind } from "../oops.ts";
import {
  free_one_page, free_unref_page_commit_drain, free_unref_page_list_prepare, nowait, page_zone, pcp_migratetype, trace, type Mm, type Variant,
} from "../mm/page_alloc.ts";
import { SWAP_CLUSTER_MAX, type PerCpuPages, type Zone } from "../mm/zone.ts";
import { countListPage, pcp_trylock_counted } from "./common.ts";

/** free_unref_page_list(), mm/page_alloc.c 6.2: every page is list_del()ed
 * first, then committed under a trylock of its zone's pcp (retaken at a
 * change of zone and every SWAP_CLUSTER_MAX pages) or freed to the buddy
 * lists. */
function* free_unref_page_list(x: Context, mm: Mm, list: number): Code {
  try {
    free_unref_page_list_prepare(mm, list);
    const memmap = mm.memmap;
    let pcp: PerCpuPages | null = null;
    let locked_zone: Zone | null = null;
    let batch_count = 0;
    // pcp_trylock_prepare(UP_flags): local_irq_save() on UP only.
    const up = !x.m.kernel.SMP;
    for (let walk = memmap.list_for_each_entry_safe(list, "free_unref_page_list"), page = walk.next(); page !== list; page = walk.next()) {
      const zone = page_zone(mm, page);
      memmap.list_del(page, "free_unref_page_list");
      const migratetype = pcp_migratetype(mm, page);
      countListPage(mm);
      // "Either different zone requiring a different pcp lock or excessive
      // lock hold times when freeing a large list of pages."
      if (zone !== locked_zone || batch_count === SWAP_CLUSTER_MAX) {
        if (pcp) {
          yield* spin_unlock(x, pcp.lock);
          if (up && x.irqRestoreNow()) yield 0; // pcp_trylock_finish()
        }
        batch_count = 0;
        if (x.mustYield()) yield x.pending;
        pcp = pcp_trylock_counted(x, mm, zone, up, true);
        if (!pcp) {
          yield* free_one_page(x, mm, zone, page, 0, migratetype);
          locked_zone = null;
          continue;
        }
        locked_zone = zone;
      }
      if (mm.tracepoint) trace(x, mm, "mm_page_free_batched", { pfn: page });
      if (nowait.free_unref_page_commit(x, mm, zone, pcp, page, migratetype, 0)) yield* free_unref_page_commit_drain(x, mm, zone, pcp!, migratetype, 0);
      batch_count++;
    }
    if (pcp) {
      yield* spin_unlock(x, pcp.lock);
      if (up && x.irqRestoreNow()) yield 0;
    }
  } catch (e) {
    throw unwind(e, "free_unref_page_list");
  }
}

export const trylockLocking = {
  bypassPcpInInterrupt: false,
  pcpLockSavesIrqs: false,
  // pcp_trylock_prepare/finish(), 6.2: local_irq_save/restore on UP only,
  // where "spin_trylock always succeeds".
  pcp_spin_trylock: (x: Context, mm: Mm, zone: Zone) => pcp_trylock_counted(x, mm, zone, !x.m.kernel.SMP),
  pcp_spin_unlock: (x: Context, pcp: PerCpuPages) => {
    unlockNow(x, pcp.lock);
    return !x.m.kernel.SMP && x.irqRestoreNow();
  },
  // IRQs are on under the pcp lock now, so zone->lock must be irqsave.
  zone_lock_under_pcp: (x: Context, zone: Zone) => spin_lock_irqsave(x, zone.lock),
  zone_unlock_under_pcp: (x: Context, zone: Zone) => spin_unlock_irqrestore(x, zone.lock),
  // drain_pages_zone(): spin_lock(&pcp->lock), IRQs on.
  drain_lock: (x: Context, pcp: PerCpuPages) => spin_lock(x, pcp.lock),
  drain_unlock: (x: Context, pcp: PerCpuPages) => spin_unlock(x, pcp.lock),
} as const;

export const trylock: Variant = { name: "trylock", ...trylockLocking, free_unref_page_list };
