// The slow path, mask by mask, as __alloc_pages_slowpath() of 6.1 treats
// each: read from the engine's tracepoints (named as the kernel's) and its
// metrics, with scenario text in.
import { describe, expect, it } from "vitest";
import type { TraceEvent } from "../../lib/engine/index.ts";
import { fragmentedThp as thp, traced } from "../support/scenario-runs.ts";

/** The events of each allocation on `cpu`: from after one mm_page_alloc to the next, inclusive. */
function perAllocation(events: TraceEvent[], cpu: number): TraceEvent[][] {
  const out: TraceEvent[][] = [];
  let current: TraceEvent[] = [];
  for (const e of events) {
    if (e.cpu !== cpu) continue;
    current.push(e);
    if (e.name === "mm_page_alloc") {
      out.push(current);
      current = [];
    }
  }
  return out;
}

const count = (w: TraceEvent[], name: string) => w.filter((e) => e.name === name).length;
const failed = (w: TraceEvent[]) => w.at(-1)!.pfn === -1;

describe("GFP_TRANSHUGE_LIGHT", () => {
  it("never reclaims, compacts or wakes kswapd, and fails fast on fragmented memory", () => {
    const { metrics, events } = traced(thp("GFP_TRANSHUGE_LIGHT"));
    expect(metrics["alloc.requests"]).toBe(19);
    expect(metrics["alloc.failed"]).toBe(19);
    expect(metrics["compaction.attempts"]).toBe(0);
    expect(new Set(events.map((e) => e.name))).toEqual(new Set(["mm_page_alloc"]));
    expect(metrics["alloc.latency_ns.max"]).toBeLessThan(1000);
  });
});

describe("GFP_TRANSHUGE_LIGHT | __GFP_RECLAIM | __GFP_NORETRY (Hugh's mask)", () => {
  // 40 ms: the mask wakes kswapd (the fragmented zone is not balanced), whose
  // reclaim keeps compaction suitable for the first 24 faults.
  const { metrics, events } = traced(thp("GFP_TRANSHUGE_LIGHT | __GFP_RECLAIM | __GFP_NORETRY").replace("duration 20ms", "duration 40ms"));
  const windows = perAllocation(events, 0);

  it("compacts only at async priority, at most once more after one reclaim, then gives up", () => {
    expect(windows).toHaveLength(39);
    for (const w of windows) {
      const begins = w.filter((e) => e.name === "mm_compaction_begin");
      expect(begins.every((e) => e.mode === "async" && e.who === "direct")).toBe(true);
      expect(begins.length).toBeLessThanOrEqual(2);
      expect(count(w, "mm_vmscan_direct_reclaim_begin")).toBeLessThanOrEqual(1);
    }
    expect(metrics["compaction.attempts"]).toBeGreaterThan(0);
    expect(metrics["compaction.pages_migrated"]).toBeGreaterThan(0);
  });

  it("fails at once, without reclaim, when the first attempt is skipped or deferred", () => {
    const bail = windows.filter((w) => {
      const first = w.find((e) => e.name === "mm_compaction_suitable" || e.name === "mm_compaction_deferred");
      return first && (first.name === "mm_compaction_deferred" || first.ret === "skipped");
    });
    expect(bail.length).toBeGreaterThan(0);
    for (const w of bail) {
      expect(failed(w)).toBe(true);
      expect(count(w, "mm_vmscan_direct_reclaim_begin")).toBe(0);
      expect(count(w, "mm_compaction_begin")).toBe(0);
    }
  });

  it("takes the block compaction frees straight from __free_one_page (capture)", () => {
    const captured = windows.filter((w) => w.some((e) => e.name === "mm_compaction_captured"));
    expect(captured.length).toBeGreaterThan(0);
    for (const w of captured) expect(w.at(-1)!.pfn).toBe(w.find((e) => e.name === "mm_compaction_captured")!.pfn);
  });
});

describe("GFP_TRANSHUGE", () => {
  const text = thp("GFP_TRANSHUGE").replace("memory 64MiB", "memory 128MiB").replace("duration 20ms", "duration 60ms");
  const { metrics, events } = traced(text);
  const windows = perAllocation(events, 0);

  it("tries harder: after a skipped attempt it reclaims and compacts again at SYNC_LIGHT", () => {
    const harder = windows.filter(
      (w) => w.find((e) => e.name === "mm_compaction_suitable")?.ret === "skipped" && count(w, "mm_vmscan_direct_reclaim_begin") === 1,
    );
    expect(harder.length).toBeGreaterThan(0);
    const retried = harder.flatMap((w) => w.filter((e) => e.name === "mm_compaction_begin"));
    expect(retried.length).toBeGreaterThan(0);
    expect(retried.every((e) => e.mode === "sync_light")).toBe(true);
    expect(harder.some((w) => !failed(w))).toBe(true);
  });

  it("has no __GFP_KSWAPD_RECLAIM, so never wakes kswapd, and as a costly order reclaims once per call", () => {
    expect(count(events, "mm_vmscan_wakeup_kswapd")).toBe(0);
    for (const w of windows) expect(count(w, "mm_vmscan_direct_reclaim_begin")).toBeLessThanOrEqual(1);
    expect(metrics["reclaim.direct_pages"]).toBeGreaterThan(0);
  });

  it("succeeds where the same memory without direct compaction gives nothing", () => {
    const light = traced(text.replace("gfp GFP_TRANSHUGE", "gfp GFP_TRANSHUGE_LIGHT")).metrics;
    const ok = (m: Record<string, number>) => m["alloc.requests"]! - m["alloc.failed"]!;
    expect(ok(light)).toBe(0);
    expect(ok(metrics)).toBeGreaterThan(metrics["alloc.requests"]! / 3);
    expect(metrics["compaction.success"]).toBeGreaterThan(0);
  });
});

describe("order 0 under pressure", () => {
  const rx = (gfp: string) => `scenario "rx" {
  cpus 2
  memory 64MiB
  duration 20ms
  workload "rx" on cpus 0 in softirq {
    rate 1M/s
    alloc order 0 gfp ${gfp}
  }
}`;

  it("GFP_ATOMIC dips into the reserves below min, and never sleeps", () => {
    const atomic = traced(rx("GFP_ATOMIC"));
    // 64 MiB: DMA32 min 172 (mm/node.ts): ALLOC_HIGH halves it (86),
    // ALLOC_HARDER takes a quarter more (65).
    expect(atomic.metrics["zone.free_pages.min"]).toBeLessThan(86);
    expect(atomic.metrics["zone.free_pages.min"]).toBeGreaterThanOrEqual(65 - 1);
    expect(atomic.metrics["alloc.failed"]).toBeGreaterThan(0);
    expect(count(atomic.events, "mm_vmscan_direct_reclaim_begin")).toBe(0);
    expect(count(atomic.events, "mm_compaction_begin")).toBe(0);
    expect(count(atomic.events, "mm_vmscan_wakeup_kswapd")).toBeGreaterThan(0);

    // GFP_NOWAIT has no reserves: it stops at min (less a pcp batch of 1).
    const nowait = traced(rx("GFP_NOWAIT")).metrics;
    expect(nowait["zone.free_pages.min"]).toBeGreaterThanOrEqual(172 - 1);
  });

  const hog = (gfp: string) => `scenario "hog" {
  cpus 2
  memory 64MiB
  duration 20ms
  fragmentation 100%
  cost reclaim_per_page 5us
  workload "hog" on cpus 0 in task {
    rate 500k/s
    alloc order 0 gfp ${gfp}
  }
}`;

  it("GFP_KERNEL reclaims the page cache itself when kswapd cannot keep up; GFP_NOWAIT fails instead", () => {
    const kernel = traced(hog("GFP_KERNEL"));
    expect(kernel.metrics["alloc.failed"]).toBe(0);
    expect(kernel.metrics["reclaim.direct_pages"]).toBeGreaterThan(0);
    expect(count(kernel.events, "mm_vmscan_direct_reclaim_begin")).toBeGreaterThan(0);

    const nowait = traced(hog("GFP_NOWAIT"));
    expect(nowait.metrics["alloc.failed"]).toBeGreaterThan(0);
    expect(nowait.metrics["reclaim.direct_pages"]).toBe(0);
    expect(nowait.metrics["reclaim.kswapd_pages"]).toBeGreaterThan(0);
  });

  it("caps pcp lists at four batches while kswapd reclaims (ZONE_RECLAIM_ACTIVE)", () => {
    let whileReclaiming = 0;
    let batch = 0;
    traced(hog("GFP_KERNEL"), {
      afterEvent: (mm) => {
        if (!mm.node_zones[0]!.reclaimActive) return;
        for (const pcp of mm.node_zones[0]!.per_cpu_pageset) {
          batch = pcp.batch;
          whileReclaiming = Math.max(whileReclaiming, pcp.count);
        }
      },
    });
    // kswapd frees 32 pages at a time onto its CPU's list, whose high is
    // 107 (DMA32's low 215 over 2 CPUs), batch 1 (mm/node.ts).
    expect(batch).toBe(1);
    expect(whileReclaiming).toBe(4 * batch);
  });
});
