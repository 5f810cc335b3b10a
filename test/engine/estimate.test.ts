// A scenario's work before it runs: what the notebook's "about N s" and
// "N s left" are made of.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CPU_BYTES, DEFAULT_EVENTS_PER_SECOND, estimateBytes, estimateSeconds, estimateWork, PAGE_BYTES, PROCESS_BYTES, runBytes } from "../../lib/engine/estimate.ts";
import { plan, simulate } from "../../lib/engine/index.ts";
import { scenarioOf } from "../support/scenario-runs.ts";

/** The long run: 256 CPUs for 10 s of simulated time. */
const BIG = `scenario "big" {
  cpus 256
  memory 64GiB
  duration 10s
  workload "faults" on cpus all {
    rate 100k/s
    alloc order 0 gfp GFP_HIGHUSER_MOVABLE
    free after exp(50us)
  }
}`;

const SMALL = `scenario "small" {
  cpus 2
  memory 256MiB
  duration 2ms
  warmup 1ms
  runs 3
  compare irqsave, trylock
  workload "faults" on cpus all {
    rate 100k/s
    alloc order 0 gfp GFP_HIGHUSER_MOVABLE
    free after exp(50us)
  }
  workload "rx" on cpus 0 in hardirq {
    rate 20k/s
    alloc 4 x order 0 gfp GFP_ATOMIC
    free immediately
  }
}`;

describe("estimateWork", () => {
  it("counts every run's allocations over warmup and duration, across runs and variants", () => {
    const w = estimateWork(scenarioOf(SMALL));
    // 2 CPUs x 100k/s + 4 x 20k/s on one CPU, for 3 ms.
    const allocations = (2 * 100_000 + 4 * 20_000) * 0.003;
    expect(w.runs).toHaveLength(6);
    for (const r of w.runs) expect(r / allocations).toBeCloseTo(w.runs[0]! / allocations, 9);
    expect(w.runs[0]! / allocations).toBeGreaterThan(1);
    expect(w.total).toBeCloseTo(6 * w.runs[0]!, 6);
    expect(w.longest).toBe(w.runs[0]);
  });

  it("weighs each sweep value by its own rate or CPU count", () => {
    const rate = estimateWork(scenarioOf(SMALL.replace("runs 3", 'runs 1\n  sweep "rx".rate in 10k/s, 40k/s')));
    // irqsave 10k, irqsave 40k, trylock 10k, trylock 40k.
    const base = estimateWork(scenarioOf(SMALL.replace("runs 3", "runs 1"))).runs[0]!;
    expect(rate.runs).toHaveLength(4);
    expect(rate.runs[2]).toBe(rate.runs[0]);
    expect(rate.longest).toBe(rate.runs[1]);
    // The scenario's own 20k/s lies between: 40k/s adds three times what 20k/s adds over 10k/s.
    expect((rate.runs[1]! - rate.runs[0]!) / (base - rate.runs[0]!)).toBeCloseTo(3, 6);
    const cpus = estimateWork(scenarioOf(BIG.replace("duration 10s", "duration 10s\n  sweep cpus in 64, 256")));
    expect(cpus.runs[1]! / cpus.runs[0]!).toBeCloseTo(4, 9);
  });

  it("comes within a factor of two of the engine's own event count on the shipped examples", () => {
    for (const name of ["nic-rx-irq-alloc", "remote-drain", "irq-bypass-2017"]) {
      const text = readFileSync(new URL(`../../scenarios/${name}.scn`, import.meta.url), "utf8").replace(/duration \S+/, "duration 10ms");
      const s = scenarioOf(text);
      const spec = plan(s)[0]!;
      const estimated = estimateWork(s, [spec]).total;
      const events = simulate(s, spec).metrics["engine.events"]!;
      expect(estimated / events, name).toBeGreaterThan(0.5);
      expect(estimated / events, name).toBeLessThan(2);
    }
  });
});

describe("estimateSeconds", () => {
  it("says a 256-CPU, 10 s scenario takes long, at the default speed", () => {
    const w = estimateWork(scenarioOf(BIG));
    // 256 x 100k/s x 10 s = 256 M allocations: far past a minute on any one worker.
    expect(estimateSeconds(w, 8)).toBeGreaterThan(600);
    expect(estimateSeconds(w, 8)).toBe(w.total / DEFAULT_EVENTS_PER_SECOND);
  });

  it("shares runs among workers, but never below the longest run, and follows a measured speed", () => {
    const w = estimateWork(scenarioOf(SMALL));
    expect(estimateSeconds(w, 1)).toBeCloseTo(w.total / DEFAULT_EVENTS_PER_SECOND, 9);
    expect(estimateSeconds(w, 2)).toBeCloseTo(w.total / 2 / DEFAULT_EVENTS_PER_SECOND, 9);
    // Six runs: more workers than runs leaves one run per worker.
    expect(estimateSeconds(w, 8)).toBeCloseTo(w.longest / DEFAULT_EVENTS_PER_SECOND, 9);
    expect(estimateSeconds(w, 2, 2 * DEFAULT_EVENTS_PER_SECOND)).toBeCloseTo(estimateSeconds(w, 2) / 2, 9);
  });
});

describe("estimateBytes", () => {
  const MiB = 2 ** 20;
  const withLines = (text: string, lines: string) => scenarioOf(text.replace(/^ {2}duration /m, `${lines}\n  duration `));

  it("grows with CPUs and with the fragmented part of the zone", () => {
    const small = scenarioOf(SMALL);
    const [spec] = plan(small);
    const base = runBytes(small, spec!);
    expect(base).toBeGreaterThanOrEqual(2 * CPU_BYTES);
    expect(base).toBeLessThan(10 * MiB);
    const fragmented = withLines(SMALL.replace("memory 256MiB", "memory 64GiB"), "  fragmentation 100%");
    // 64 GiB is 16.8 M frames, all touched to fragment them.
    expect(runBytes(fragmented, spec!)).toBeCloseTo(2 * CPU_BYTES + 16_777_216 * PAGE_BYTES, -6);
    const big = scenarioOf(BIG);
    expect(runBytes(big, plan(big)[0]!)).toBeGreaterThan(256 * CPU_BYTES);
  });

  it("counts pages held at once by Little's law, never more than the run allocates or the zone holds", () => {
    // 2 CPUs x 100k/s x order 9 for 3 ms, never freed: 600 THPs, 307,200 pages.
    const thps = SMALL.replace("alloc order 0 gfp GFP_HIGHUSER_MOVABLE", "alloc order 9 gfp GFP_TRANSHUGE").replace(/\n\s*free after [^\n]*/, "");
    const kept = scenarioOf(thps);
    const pages = (runBytes(kept, plan(kept)[0]!) - 2 * CPU_BYTES) / PAGE_BYTES;
    // The zone (256 MiB) holds only 65,536.
    expect(pages).toBe(65_536);
    const roomy = scenarioOf(thps.replace("memory 256MiB", "memory 4GiB"));
    const held = (runBytes(roomy, plan(roomy)[0]!) - 2 * CPU_BYTES) / PAGE_BYTES;
    expect(held).toBeGreaterThanOrEqual(307_200);
    expect(held).toBeLessThan(307_200 + 2 * 4 * 63 + 1);
  });

  it("adds the largest runs side by side, one per thread, to the process", () => {
    const small = scenarioOf(SMALL);
    const one = runBytes(small, plan(small)[0]!);
    expect(estimateBytes(small, 1)).toBe(PROCESS_BYTES + one);
    expect(estimateBytes(small, 2)).toBe(PROCESS_BYTES + 2 * one);
    // Six runs: no more than six at once.
    expect(estimateBytes(small, 64)).toBe(PROCESS_BYTES + 6 * one);
  });
});
