// compact_zone() and migrate_pages() as 6.1 runs them (mm/compaction.c,
// mm/migrate.c), read from scenario text: metrics and the kernel's
// compaction tracepoints.
import { describe, expect, it } from "vitest";
import type { TraceEvent } from "../../lib/engine/index.ts";
import { fragmentedThp as thp, traced } from "../support/scenario-runs.ts";

describe("migrate_pages()", () => {
  it("frees each migrated source page through free_unref_page(), one pcp lock acquisition per page", () => {
    // Direct compaction with no reclaim: the only pcp frees are compaction's.
    const { metrics } = traced(thp("GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM | __GFP_NORETRY"));
    expect(metrics["reclaim.direct_pages"]! + metrics["reclaim.kswapd_pages"]!).toBe(0);
    expect(metrics["compaction.pages_migrated"]).toBeGreaterThan(1000);
    // A list free (free_unref_page_list) would take the lock once per 32 pages.
    expect(metrics["lock.pcp.acquisitions"]).toBeGreaterThanOrEqual(metrics["compaction.pages_migrated"]!);
  });
});

describe("compact_zone()", () => {
  // THP faults on CPU 0 compact while other CPUs churn order-3 pages, which
  // compact themselves (unmovable, non-costly) and keep zone->lock busy.
  const churn = (cpus: number, order: number) => `scenario "thp-churn" {
  cpus ${cpus}
  memory 64MiB
  duration 40ms
  fragmentation 100%
  workload "thp" on cpus 0 in task {
    every 1ms
    alloc order 9 gfp GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM | __GFP_NORETRY
  }
  workload "churn" on cpus ${Array.from({ length: cpus - 1 }, (_, i) => i + 1).join(",")} in task {
    rate 1M/s
    alloc order ${order} gfp GFP_KERNEL
    free after 1us
  }
}`;
  /** Each run: its mm_compaction_begin and mm_compaction_end, paired per CPU. */
  function compactions(cpus: number, order = 3) {
    const runs: { begin: TraceEvent; end: TraceEvent }[] = [];
    const open = new Map<number, TraceEvent>();
    for (const e of traced(churn(cpus, order)).events) {
      if (e.name === "mm_compaction_begin") open.set(e.cpu, e);
      if (e.name === "mm_compaction_end") runs.push({ begin: open.get(e.cpu)!, end: e });
    }
    return (status: string) => runs.filter((r) => r.end.status === status);
  }

  it("ends a run whose scanners met PARTIAL_SKIPPED unless it covered the whole zone", () => {
    const ended = compactions(4);
    expect(ended("partial_skipped").length).toBeGreaterThan(0);
    for (const r of ended("partial_skipped")) expect(r.begin.migrate_pfn).toBeGreaterThan(0);
    expect(ended("complete").length).toBeGreaterThan(0);
    for (const r of ended("complete")) expect(r.begin.migrate_pfn).toBe(0);
  });

  it("gives up an async run whose zone->lock trylock failed (COMPACT_CONTENDED), and never a sync one", () => {
    // Order-4 churn skips the pcp lists and takes zone->lock for every
    // allocation and free; with 11 CPUs of it, 2 runs end contended.
    const ended = compactions(12, 4);
    expect(ended("contended").length).toBeGreaterThan(0);
    for (const r of ended("contended")) expect(r.end.mode).toBe("async");
  });
});
