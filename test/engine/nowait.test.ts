// The plain fast paths (`nowait` in mm/page_alloc.ts) stand in for the
// generators only where every yield would be a no-op, so turning them off
// must not move a single number, series point or violation.
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { simulate, type RunResult } from "../../lib/engine/index.ts";
import { nowait } from "../../lib/engine/mm/page_alloc.ts";
import { scenarioOf } from "../support/scenario-runs.ts";

const scenarioFile = (name: string) => readFileSync(new URL(`../../scenarios/${name}.scn`, import.meta.url), "utf8");

// Every kind of work at once: order 0 and order 2, batched list frees, hardirq
// and softirq allocations, frees in another context, remote drains, and
// small pcp lists that fill and drain (free_factor at work).
const MIXED = `scenario "mixed" {
  cpus 4
  memory 256MiB
  duration 10ms
  compare irqsave, trylock, trylock-v2, irq-bypass
  pcp high 96 batch 16
  workload "bursts" on cpus all {
    rate 100k/s
    alloc 8 x order 0 gfp GFP_KERNEL
    free after exp(100us)
  }
  workload "faults" on cpus all {
    rate 500k/s
    alloc order 0 gfp GFP_HIGHUSER_MOVABLE
    free immediately
  }
  workload "order-2" on cpus 0-1 {
    rate 50k/s
    alloc 3 x order 2 gfp GFP_KERNEL
    free immediately
  }
  workload "batched" on cpus 2-3 {
    rate 100k/s
    alloc 2 x order 0 gfp GFP_KERNEL
    free batch 15 immediately
  }
  workload "nic-rx" on cpus all in hardirq {
    rate 20k/s
    alloc order 0 gfp GFP_ATOMIC
    free immediately
  }
  workload "io" on cpus 1 in softirq {
    rate 30k/s
    alloc 2 x order 0 gfp GFP_ATOMIC
    free immediately in task
  }
  workload "drainer" on cpus 3 {
    every 1ms
    drain
  }
}
`;

const CASES: [string, string][] = [
  ["mixed", MIXED],
  ["v2-list-corruption", scenarioFile("v2-list-corruption")],
  ["nic-rx-irq-alloc", scenarioFile("nic-rx-irq-alloc").replace("duration 100ms", "duration 20ms")],
  ["thp-compaction-stress", scenarioFile("thp-compaction-stress").replace("duration 200ms", "duration 40ms")],
];

function comparable(r: RunResult): unknown {
  const { "engine.wall_ms": _, ...metrics } = r.metrics;
  return { metrics, series: r.series, violation: r.violation };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the plain fast paths", () => {
  for (const [name, text] of CASES) {
    it(`change no result of ${name}, in any variant`, () => {
      const s = scenarioOf(text);
      const alloc = vi.spyOn(nowait, "__alloc_pages");
      const free = vi.spyOn(nowait, "__free_pages");
      for (const variant of s.variants) {
        for (const seed of [1, 2]) {
          const spec = { variant, sweepValue: null, seed };
          alloc.mockClear();
          free.mockClear();
          const generators = simulate(s, spec, { generatorsOnly: true });
          expect(alloc).not.toHaveBeenCalled();
          const plain = simulate(s, spec);
          expect(comparable(plain)).toEqual(comparable(generators));
          // The comparison means something only if the plain paths ran.
          expect(alloc.mock.calls.length).toBeGreaterThan(0);
          if (name === "mixed") expect(free.mock.calls.length).toBeGreaterThan(0);
        }
      }
    });
  }

  it("are not taken when a cost is a distribution, since reading it would draw", () => {
    const s = scenarioOf(MIXED.replace("compare irqsave, trylock, trylock-v2, irq-bypass", "lock trylock\n  cost pcp_list_op exp(15ns)"));
    const alloc = vi.spyOn(nowait, "__alloc_pages");
    const r = simulate(s, { variant: "trylock", sweepValue: null, seed: 1 });
    expect(r.metrics["alloc.requests"]).toBeGreaterThan(1000);
    expect(alloc).not.toHaveBeenCalled();
  });
});
