// irqsave: Linux 6.1 as released. The pcp lock is taken with IRQs disabled
// (pcp_spin_trylock_irqsave / pcp_spin_lock_irqsave), so an interrupt on the
// same CPU waits until the lock is dropped; only a remote drain can make the
// local trylock fail. zone->lock nests as a plain spin_lock inside it.
import type { Code, Context } from "../context.ts";
import { spin_lock, spin_lock_irqsave, spin_unlock, spin_unlock_irqrestore, unlockNow } from "../lock.ts";
import { unwind } from "../oops.ts";
import { free_unref_page_commit_drain, free_unref_page_list_prepare, nowait, page_zone, pcp_migratetype, trace, type Mm, type Variant } from "../mm/page_alloc.ts";
import { SWAP_CLUSTER_MAX, type PerCpuPages, type Zone } from "../mm/zone.ts";
import { countListPage, pcp_trylock_counted, pcpu_task_pin } from "./common.ts";

/** free_unref_page_list(), mm/page_alloc.c 6.1: a blocking irqsave lock on
 * the page's zone's pcp, retaken at a change of zone ("Different zone,
 * different pcp lock") and every SWAP_CLUSTER_MAX pages. Pages are never
 * list_del()ed from the temporary list; list_add() onto the pcp list
 * rewrites their links, and nothing walks the temporary list again. */
export function* free_unref_page_list_61(x: Context, mm: Mm, list: number): Code {
  try {
    free_unref_page_list_prepare(mm, list);
    const memmap = mm.memmap;
    let pcp: PerCpuPages | null = null;
    let locked_zone: Zone | null = null;
    let batch_count = 0;
    for (let walk = memmap.list_for_each_entry_safe(list, "free_unref_page_list"), page = walk.next(); page !== list; page = walk.next()) {
      const zone = page_zone(mm, page);
      countListPage(mm);
      if (zone !== locked_zone) {
        if (pcp) yield* spin_unlock_irqrestore(x, pcp.lock);
        locked_zone = zone;
        pcp = zone.per_cpu_pageset[x.cpu.id]!;
        pcpu_task_pin(x); // pcp_spin_lock_irqsave()
        yield* spin_lock_irqsave(x, pcp.lock);
      }
      const migratetype = pcp_migratetype(mm, page);
      if (mm.tracepoint) trace(x, mm, "mm_page_free_batched", { pfn: page });
      if (nowait.free_unref_page_commit(x, mm, zone, pcp, page, migratetype, 0)) yield* free_unref_page_commit_drain(x, mm, zone, pcp!, migratetype, 0);
      if (++batch_count === SWAP_CLUSTER_MAX) {
        yield* spin_unlock_irqrestore(x, pcp!.lock);
        batch_count = 0;
        pcpu_task_pin(x);
        yield* spin_lock_irqsave(x, pcp!.lock);
      }
    }
    if (pcp) yield* spin_unlock_irqrestore(x, pcp.lock);
  } catch (e) {
    throw unwind(e, "free_unref_page_list");
  }
}

export const irqsave: Variant = {
  name: "irqsave",
  bypassPcpInInterrupt: false,
  pcpLockSavesIrqs: true,
  pcp_spin_trylock: (x: Context, mm: Mm, zone: Zone) => pcp_trylock_counted(x, mm, zone, true),
  pcp_spin_unlock: (x: Context, pcp: PerCpuPages) => {
    unlockNow(x, pcp.lock);
    return x.irqRestoreNow();
  },
  // "Caller must hold IRQ-safe pcp->lock so IRQs are disabled."
  zone_lock_under_pcp: (x: Context, zone: Zone) => spin_lock(x, zone.lock),
  zone_unlock_under_pcp: (x: Context, zone: Zone) => spin_unlock(x, zone.lock),
  // drain_pages_zone(): spin_lock_irqsave(&pcp->lock)
  drain_lock: (x: Context, pcp: PerCpuPages) => spin_lock_irqsave(x, pcp.lock),
  drain_unlock: (x: Context, pcp: PerCpuPages) => spin_unlock_irqrestore(x, pcp.lock),
  free_unref_page_list: free_unref_page_list_61,
};
