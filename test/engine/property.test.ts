// Property tests over generated scenarios that pass the checker: a run ends
// with results or with Overloaded, never with an engine error; only
// trylock-v2 may report a violation; no CPU ever sits idle with work
// queued; and the plain fast paths change no number. A fuzzer built the
// same way found the stack overflow and the stalled CPU fixed in 0.3.1;
// against 0.3.0 this test fails, shrunk to a task freeing at once in
// hardirq or softirq ("cpu 0 is idle with work queued").
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyze } from "../../lib/dsl/index.ts";
import { Overloaded, simulate, type RunResult } from "../../lib/engine/index.ts";
import { idleWithWork } from "../support/scenario-runs.ts";

const TASK_GFP = ["GFP_KERNEL", "GFP_HIGHUSER_MOVABLE", "GFP_TRANSHUGE_LIGHT | __GFP_RECLAIM | __GFP_NORETRY", "GFP_NOIO", "GFP_KERNEL & ~__GFP_RECLAIM"];
const ATOMIC_GFP = ["GFP_ATOMIC", "GFP_NOWAIT", "GFP_NOWAIT | __GFP_MOVABLE", "__GFP_HIGH", "GFP_ATOMIC | __GFP_RECLAIMABLE"];
const CONTEXTS = ["task", "softirq", "hardirq"] as const;

const workloadText = fc
  .record({
    context: fc.constantFrom(...CONTEXTS, "task"),
    cpus: fc.constantFrom("all", "0", "0-1"),
    arrival: fc.constantFrom("rate 1k/s", "rate 100k/s", "rate 500k/s", "every 10us", "every 1ms"),
    count: fc.constantFrom("", "4 x ", "16 x "),
    order: fc.constantFrom(0, 0, 1, 3, 9, 10),
    gfp: fc.nat(4),
    free: fc.constantFrom("", "free immediately", "free after 50us", "free after exp(1ms)", "free batch 8 after uniform(1us, 100us)", "free batch 31 immediately"),
    freeIn: fc.constantFrom("", "", " in task", " in softirq", " in hardirq"),
    drain: fc.boolean(),
  })
  .map((w) => {
    const gfp = (w.context === "task" ? TASK_GFP : ATOMIC_GFP)[w.gfp]!;
    const lines = [w.arrival, `alloc ${w.count}order ${w.order} gfp ${gfp}`];
    if (w.free) lines.push(w.free + w.freeIn);
    if (w.drain && w.context === "task") lines.push("drain");
    return (name: string) => `  workload "${name}" on cpus ${w.cpus} in ${w.context} {\n    ${lines.join("\n    ")}\n  }`;
  });

const scenarioText = fc
  .record({
    cpus: fc.constantFrom(2, 3, 8),
    memory: fc.constantFrom("8MiB", "64MiB", "1GiB"),
    duration: fc.constantFrom("1ms", "3ms"),
    fragmentation: fc.constantFrom("", "fragmentation 50%", "fragmentation 100%"),
    pcp: fc.constantFrom("", "pcp high 0 batch 1", "pcp batch 2"),
    cost: fc.constantFrom("", "cost zone_lock_per_block 0ns", "cost irq_entry uniform(10ns, 1us)", "cost zone_lock_per_block 5us"),
    seed: fc.nat(1000),
    workloads: fc.array(workloadText, { minLength: 1, maxLength: 3 }),
  })
  .map((s) =>
    [
      `scenario "generated" {`,
      `  cpus ${s.cpus}`,
      `  memory ${s.memory}`,
      `  duration ${s.duration}`,
      `  seed ${s.seed}`,
      `  compare irqsave, trylock, trylock-v2, irq-bypass`,
      s.fragmentation && `  ${s.fragmentation}`,
      s.pcp && `  ${s.pcp}`,
      s.cost && `  ${s.cost}`,
      ...s.workloads.map((w, i) => w(`w${i}`)),
      `}`,
    ]
      .filter((l) => l !== "")
      .join("\n"),
  );

const model = (r: RunResult) => JSON.stringify({ ...r, metrics: { ...r.metrics, "engine.wall_ms": 0, "engine.events": 0 } });

describe("generated scenarios", () => {
  it("run to results or Overloaded, with no stalled CPU, no violation outside trylock-v2, and the same numbers on the generator paths", () => {
    let runs = 0;
    fc.assert(
      fc.property(scenarioText, (text) => {
        const s = analyze(text).scenario;
        if (!s) return; // a combination the checker refuses (e.g. a cpu beyond the machine)
        for (const variant of s.variants) {
          const spec = { variant, sweepValue: null, seed: s.seed };
          let stalled: string | null = null;
          let r: RunResult;
          try {
            r = simulate(s, spec, { afterEvent: (_mm, m) => void (stalled ??= idleWithWork(m)) });
          } catch (e) {
            if (e instanceof Overloaded) continue;
            throw e;
          }
          runs++;
          expect(stalled).toBeNull();
          if (variant !== "trylock-v2") expect(r.violation).toBeNull();
          expect(model(simulate(s, spec, { generatorsOnly: true }))).toBe(model(r));
        }
      }),
      { seed: 20261202, numRuns: 30 },
    );
    expect(runs).toBeGreaterThan(24);
  }, 120_000);
});
