// Locking shared by the variants: the trylock on this CPU's pcp, with its
// accounting. Like every plain lock helper it expects the caller to have
// yielded its pending cost first, so the attempt happens at the right time (every attempt is a pcp-eligible operation; a failure is a
// fallback to zone->lock, counted by context).
import type { Context } from "../context.ts";
import { draw } from "../costs.ts";
import { trylockNow } from "../lock.ts";
import type { Mm } from "../mm/page_alloc.ts";
import type { PerCpuPages, Zone } from "../mm/zone.ts";

/** 6.1 mm/page_alloc.c pcpu_task_pin(): preempt_disable() (not PREEMPT_RT),
 * charged with its pcpu_task_unpin() as one pair. Every local pcp lock pins;
 * drain_pages_zone()'s lock on another CPU's pcp does not. */
export function pcpu_task_pin(x: Context): void {
  x.pending += draw(x.m.costs.preempt);
}

/** `perPage`: free_unref_page_list counts its pages as the eligible
 * operations, not its lock attempts. */
export function pcp_trylock_counted(x: Context, mm: Mm, zone: Zone, irqsave: boolean, perPage = false): PerCpuPages | null {
  const pcp = zone.per_cpu_pageset[x.cpu.id]!;
  pcpu_task_pin(x);
  if (irqsave) x.irqSaveNow();
  const ok = trylockNow(x, pcp.lock);
  const metrics = mm.metrics;
  if (metrics.measuring && !perPage) metrics.pcpEligible++;
  if (ok) return pcp;
  metrics.trylockFailed(x.kind, x.now);
  // A waiting interrupt is taken at the caller's next yield.
  if (irqsave) x.irqRestoreNow();
  return null;
}

/** One page went through free_unref_page_list's second loop. */
export function countListPage(mm: Mm): void {
  if (mm.metrics.measuring) mm.metrics.pcpEligible++;
}
