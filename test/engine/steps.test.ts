// The state machines (steps.ts, mm/page_alloc_steps.ts, the workloads'
// arrivals and frees) stand in for generators step for step: every number,
// series point and violation, call trace included, must be the same whether
// a run takes them everywhere it can, only where the plain paths cannot,
// or never.
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { simulate, type RunHooks, type RunResult } from "../../lib/engine/index.ts";
import { AllocPagesSteps, FreePagesSteps } from "../../lib/engine/mm/page_alloc_steps.ts";
import { scenarioOf } from "../support/scenario-runs.ts";

const scenarioFile = (name: string) => readFileSync(new URL(`../../scenarios/${name}.scn`, import.meta.url), "utf8");

function comparable(r: RunResult): unknown {
  const { "engine.wall_ms": _, ...metrics } = r.metrics;
  return { metrics, series: r.series, violation: r.violation, messages: r.messages };
}

const shortened = (name: string, duration: string) => scenarioFile(name).replace(/duration \d+ms/, `duration ${duration}`);

// Each shipped scenario that reaches the pcp paths, shortened: softirq and
// hardirq work, remote drains, a sweep's first value, UP, two zones, and the
// v2 crashes (list corruption, a GPF and a NULL pcp in free paths).
const CASES: [string, string][] = [
  ["nic-rx-irq-alloc", shortened("nic-rx-irq-alloc", "10ms")],
  ["io-completion-softirq", shortened("io-completion-softirq", "10ms")],
  ["remote-drain", shortened("remote-drain", "10ms")],
  ["irq-bypass-2017", shortened("irq-bypass-2017", "5ms")],
  ["up-pcp-corruption", scenarioFile("up-pcp-corruption")],
  ["v2-list-corruption", scenarioFile("v2-list-corruption")],
  ["hugh-gpf", scenarioFile("hugh-gpf")],
  ["thp-compaction-stress", shortened("thp-compaction-stress", "40ms")],
];

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the state machines", () => {
  for (const [name, text] of CASES) {
    it(`change no result of ${name}, in any variant`, () => {
      const s = scenarioOf(text);
      const alloc = vi.spyOn(AllocPagesSteps.prototype, "step");
      const free = vi.spyOn(FreePagesSteps.prototype, "step");
      // Lists of pages are freed by free_unref_page_list(), a generator.
      const singleFrees = !/free batch/.test(text);
      const sweepValue = s.sweep ? s.sweep.values[0]! : null;
      for (const variant of s.variants) {
        const spec = { variant, sweepValue, seed: s.seed };
        const run = (hooks: RunHooks) => comparable(simulate(s, spec, hooks));
        alloc.mockClear();
        free.mockClear();
        const generators = run({ generatorsOnly: true });
        expect(alloc).not.toHaveBeenCalled();
        expect(run({ noPlainPaths: true })).toEqual(generators);
        expect(run({})).toEqual(generators);
        // The comparison means something only if the machines ran.
        expect(alloc.mock.calls.length).toBeGreaterThan(0);
        if (singleFrees) expect(free.mock.calls.length).toBeGreaterThan(0);
      }
    });
  }

  it("report an Oops inside them with the generators' call trace", () => {
    // hugh-gpf's v2 runs, seeds 1 and 3: a pcp list v2 corrupted faults in
    // the allocation's own list operations (a pcp hit, and a refill).
    const s = scenarioOf(scenarioFile("hugh-gpf"));
    const traces: string[] = [];
    for (const seed of [1, 3]) {
      const spec = { variant: "trylock-v2", sweepValue: null, seed };
      const steps = simulate(s, spec, { noPlainPaths: true });
      expect(comparable(steps)).toEqual(comparable(simulate(s, spec, { generatorsOnly: true })));
      traces.push(steps.violation!.trace.join(" < "));
    }
    expect(traces).toEqual([
      "__rmqueue_pcplist < rmqueue_pcplist < rmqueue < get_page_from_freelist < __alloc_pages",
      "__rmqueue_smallest < __rmqueue < rmqueue_bulk < __rmqueue_pcplist < rmqueue_pcplist < rmqueue < get_page_from_freelist < __alloc_pages",
    ]);
  });
});
