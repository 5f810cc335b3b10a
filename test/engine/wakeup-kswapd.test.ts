// wakeup_kswapd() as 6.1 decides it (mm/vmscan.c): pgdat_balanced() is the
// high watermark alone, with alloc_flags 0, so a zone with plenty of free
// pages but no free block of the order asked for is not balanced and kswapd
// is woken, not kcompactd.
import { describe, expect, it } from "vitest";
import { fragmentedThp, traced } from "../support/scenario-runs.ts";

// 64 MiB (high watermark 1227 pages) with every max-order block broken by
// movable page cache: thousands of free pages, no free order-9 block.
describe("wakeup_kswapd()", () => {
  const { metrics, events } = traced(fragmentedThp("GFP_TRANSHUGE_LIGHT | __GFP_KSWAPD_RECLAIM"));

  it("finds a zone above its high watermark but without a free order-9 block unbalanced, and wakes kswapd", () => {
    const first = events.find((e) => e.name === "mm_vmscan_wakeup_kswapd")!;
    expect(first.time_ns).toBe(1_000_000);
    expect(first.balanced).toBe(0);
    // The first kthread to run is kswapd; kcompactd comes later, from kswapd.
    const woke = events.find((e) => e.name === "mm_vmscan_kswapd_wake" || e.name === "mm_compaction_kcompactd_wake")!;
    expect(woke.name).toBe("mm_vmscan_kswapd_wake");
    expect(woke.time_ns).toBe(1_000_000);
    expect(metrics["reclaim.kswapd_pages"]).toBeGreaterThan(0);
  });
});
