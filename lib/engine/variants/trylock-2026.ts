// trylock-2026: trylock with 038a102535eb "mm/page_alloc: prevent pcp
// corruption with SMP=n" (January 2026, Fixes: 5749077415994). On UP,
// spin_trylock() always succeeds, so pcp_trylock_prepare() disables IRQs
// around the trylocked sections; the plain spin_lock(&pcp->lock) of the
// drain paths did not, and an interrupt freeing a page "took" the pcp lock
// the drain held and changed the lists under free_pcppages_bulk(). The fix
// disables IRQs around those locks too on UP; SMP is unchanged.
// Simplified: of the drain paths the model has only drain_pages_zone().
import type { Context } from "../context.ts";
import { spin_lock, spin_lock_irqsave, spin_unlock, spin_unlock_irqrestore } from "../lock.ts";
import type { Variant } from "../mm/page_alloc.ts";
import type { PerCpuPages } from "../mm/zone.ts";
import { trylock } from "./trylock.ts";

export const trylock2026: Variant = {
  ...trylock,
  name: "trylock-2026",
  drain_lock: (x: Context, pcp: PerCpuPages) => (x.m.kernel.SMP ? spin_lock(x, pcp.lock) : spin_lock_irqsave(x, pcp.lock)),
  drain_unlock: (x: Context, pcp: PerCpuPages) => (x.m.kernel.SMP ? spin_unlock(x, pcp.lock) : spin_unlock_irqrestore(x, pcp.lock)),
};
