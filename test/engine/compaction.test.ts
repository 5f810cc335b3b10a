// compact_zone() and migrate_pages() as 6.1 runs them (mm/compaction.c,
// mm/migrate.c), read from scenario text: metrics and the kernel's
// compaction tracepoints.
import { describe, expect, it } from "vitest";
import { simulate, type TraceEvent } from "../../lib/engine/index.ts";
import { scenarioOf } from "../support/scenario-runs.ts";

function traced(text: string, variant = "irqsave") {
  const events: TraceEvent[] = [];
  const { metrics } = simulate(scenarioOf(text), { variant, sweepValue: null, seed: 1 }, { tracepoint: (e) => events.push(e) });
  return { metrics, events };
}

/** 64 MiB with every max-order block broken by movable page cache. */
const thp = (gfp: string) => `scenario "thp" {
  cpus 2
  memory 64MiB
  duration 20ms
  fragmentation 100%
  workload "thp" on cpus 0 in task {
    every 1ms
    alloc order 9 gfp ${gfp}
  }
}`;

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
