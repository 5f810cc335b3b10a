// Two zones, as a machine with RAM above 4 GiB has them: allocations try
// Normal first and fall back to DMA32 behind its lowmem_reserve; __GFP_DMA32
// stays in DMA32; a page goes back to its own zone, and a list of pages
// from both zones ends on each zone's own pcp lists.
import { describe, expect, it } from "vitest";
import { simulate, type RunHooks, type TraceEvent } from "../../lib/engine/index.ts";
import type { Mm } from "../../lib/engine/mm/page_alloc.ts";
import { scenarioOf } from "../support/scenario-runs.ts";

// 3.5 GiB: QEMU's pc maps 3 GiB below 4 GiB, so Normal has the other
// half GiB (114450 managed pages) and DMA32 about 754000.
const fill = (gfp: string, extra = "") => `scenario "fill" {
  cpus 2
  memory 3584MiB
  duration 130ms
  workload "anon" on cpus all {
    rate 500k/s
    alloc order 0 gfp ${gfp}
  }
  ${extra}
}`;

function run(text: string, variant = "irqsave", hooks: RunHooks = {}) {
  const allocs: TraceEvent[] = [];
  const batched: TraceEvent[] = [];
  let mm: Mm | null = null;
  const r = simulate(scenarioOf(text), { variant, sweepValue: null, seed: 1 }, {
    ...hooks,
    tracepoint: (e) => {
      if (e.name === "mm_page_alloc") allocs.push(e);
      if (e.name === "mm_page_free_batched") batched.push(e);
    },
    afterEvent: (m, machine) => {
      mm = m;
      hooks.afterEvent?.(m, machine);
    },
  });
  return { r, allocs, batched, mm: mm! };
}

describe("the zonelist", () => {
  it("takes Normal's pages first and DMA32's only once Normal is down to its low watermark", () => {
    let normalFreeAtFirstDma32 = -1;
    let normalLowest = Infinity;
    const { r, allocs, mm } = run(fill("GFP_HIGHUSER_MOVABLE"), "irqsave", {
      afterEvent: (m) => {
        const [dma32, normal] = m.node_zones;
        normalLowest = Math.min(normalLowest, normal!.nrFree);
        if (normalFreeAtFirstDma32 < 0 && dma32!.nrFree < dma32!.managedPages - 4096) normalFreeAtFirstDma32 = normal!.nrFree;
      },
    });
    const [dma32, normal] = mm.node_zones;
    expect([dma32!.name, normal!.name]).toEqual(["DMA32", "Normal"]);
    expect(r.violation).toBeNull();
    const inNormal = (pfn: number) => pfn >= normal!.base;
    const firstDma32 = allocs.findIndex((e) => !inNormal(e.pfn as number));
    // Normal's 114450 pages go first (less what its pcp lists and the low
    // watermark keep back), then the allocations spill into DMA32.
    expect(firstDma32).toBeGreaterThan(100_000);
    expect(allocs.slice(0, firstDma32).every((e) => inNormal(e.pfn as number))).toBe(true);
    expect(allocs.length - firstDma32).toBeGreaterThan(10_000);
    // DMA32 took over when Normal had reached its low watermark...
    expect(normalFreeAtFirstDma32).toBeLessThanOrEqual(normal!.wmark.low);
    // ...and a mask that may not dig into the reserves never took Normal below min.
    expect(normalLowest).toBeGreaterThanOrEqual(normal!.wmark.min);
  });

  it("keeps __GFP_DMA32 allocations out of Normal", () => {
    const { allocs, mm } = run(fill("GFP_KERNEL | __GFP_DMA32").replace("duration 130ms", "duration 20ms"));
    const normal = mm.node_zones[1]!;
    expect(allocs.length).toBeGreaterThan(10_000);
    expect(allocs.every((e) => (e.pfn as number) < normal.base)).toBe(true);
    expect(normal.nrFree).toBe(normal.managedPages);
  });

  it.each(["irqsave", "trylock", "trylock-v2"])("%s: lists that mix both zones' pages free each page to its own zone's pcp lists", (variant) => {
    // Once Normal is at its low watermark, consecutive allocations alternate
    // between the zones, so the truncation lists hold pages of both.
    const text = fill("GFP_HIGHUSER_MOVABLE", `workload "truncate" on cpus all {
    rate 50k/s
    alloc order 0 gfp GFP_HIGHUSER_MOVABLE
    free batch 64 after exp(200us)
  }`).replace("rate 500k/s", "rate 450k/s");
    const { r, batched, mm } = run(text, variant);
    const normal = mm.node_zones[1]!;
    // Zone changes from one page to the next of a CPU's list frees.
    const last = new Map<number, boolean>();
    let changes = 0;
    for (const e of batched) {
      const inNormal = (e.pfn as number) >= normal.base;
      if (last.has(e.cpu) && last.get(e.cpu) !== inNormal) changes++;
      last.set(e.cpu, inNormal);
    }
    expect(changes).toBeGreaterThan(5);
    // No other CPU drains here, so v2's trylocks never fail and every
    // variant runs clean; the run's end checks each zone's lists hold only
    // that zone's pages.
    expect(r.violation).toBeNull();
    expect(r.metrics["free.batched_pages"]).toBe(batched.length);
  });
});
