// Chart specs from real results compile with Vega-Lite, without warnings,
// and carry an accessible name.
import { parse, View } from "vega";
import { compile } from "vega-lite";
import { describe, expect, it } from "vitest";
import { charts, headlineBars, latencyPercentiles, rateOverTime, sweepLines } from "../../lib/charts/specs.ts";
import { runScenario } from "../../lib/engine/index.ts";
import { scenarioOf } from "../support/scenario-runs.ts";

const base = `scenario "c" {
  cpus 2
  memory 256MiB
  duration 5ms
  runs 2
  compare irqsave, trylock
  workload "nic" on cpus all in hardirq {
    rate 50k/s
    alloc order 0 gfp GFP_ATOMIC
    free after 20us
  }
  workload "faults" on cpus all {
    rate 200k/s
    alloc order 0 gfp GFP_HIGHUSER_MOVABLE
    free after exp(100us)
  }
}`;
const plain = runScenario(scenarioOf(base), "sha256:x");
const swept = runScenario(scenarioOf(base.replace("runs 2", 'runs 1\n  sweep "nic".rate in 10k/s, 50k/s')), "sha256:x");

function compiles(spec: object): void {
  const warnings: string[] = [];
  const logger = { level: () => logger, warn: (...a: unknown[]) => (warnings.push(a.join(" ")), logger), info: () => logger, debug: () => logger, error: (...a: unknown[]) => { throw new Error(a.join(" ")); } };
  const out = compile(spec as any, { logger: logger as any });
  expect(out.spec).toBeTruthy();
  expect(warnings).toEqual([]);
}

describe("charts", () => {
  it("builds the four charts for a comparison, each compiling cleanly with a name", () => {
    const specs = charts(plain);
    expect(specs.map((s) => s.title)).toEqual([
      "pcp fallbacks and zone->lock contentions per second",
      "Headline metrics per variant",
      "IRQ and allocation latency percentiles",
    ]);
    for (const s of specs) {
      compiles(s);
      expect(s.description.length).toBeGreaterThan(20);
      expect(JSON.stringify(s)).not.toMatch(/https?:\/\//);
    }
  });

  it("labels the axis of a metric that is zero in every variant 0, not 0.000000", async () => {
    expect(plain.results.every((g) => g.summary["invariants.violations"]!.mean === 0)).toBe(true);
    const svg = await new View(parse(compile(headlineBars(plain) as any).spec), { renderer: "none" }).toSVG();
    expect(svg).toContain(">0</text>");
    expect(svg).not.toMatch(/>0\.0+</);
  });

  it("draws latency percentiles on a symlog scale with a tick per decade up to the largest", () => {
    const spec = latencyPercentiles(plain) as any;
    const y = spec.spec.encoding.y;
    expect(y.scale.type).toBe("symlog");
    const largest = Math.max(...spec.data.values.map((r: { ns: number }) => r.ns));
    const ticks: number[] = y.axis.values;
    expect(ticks.slice(0, 3)).toEqual([0, 10, 100]);
    expect(ticks.at(-1)).toBeGreaterThanOrEqual(largest);
    expect(ticks.at(-2)).toBeLessThan(largest);
  });

  it("adds the sweep chart for sweeps and titles the others with the value shown, in the scenario's unit", () => {
    const specs = charts(swept);
    expect(specs.map((s) => s.title)).toContain('Headline metrics against "nic".rate');
    expect(specs[0]!.title).toBe('Headline metrics against "nic".rate');
    expect(specs[1]!.title).toBe('pcp fallbacks and zone->lock contentions per second at "nic".rate = 10k/s');
    for (const s of specs) compiles(s);
    expect(sweepLines(plain)).toBeNull();
  });

  it("plots what the results say: per-second rates from the series, means and stddevs from the summary", () => {
    const rows = (rateOverTime(plain).data as { values: { variant: string; measure: string; per_s: number }[] }).values;
    const trylock = plain.results.find((r) => r.variant === "trylock")!;
    const fallbacks = rows.filter((r) => r.variant === "trylock" && r.measure === "pcp fallbacks");
    expect(fallbacks).toHaveLength(100);
    const bucketS = 5e-3 / 100;
    const total = fallbacks.reduce((a, r) => a + r.per_s * bucketS, 0);
    const meanFails = (trylock.runs[0]!.metrics["pcp.trylock_fail"]! + trylock.runs[1]!.metrics["pcp.trylock_fail"]!) / 2;
    expect(total).toBeCloseTo(meanFails, 6);
    const bars = (headlineBars(plain).data as { values: { metric: string; variant: string; mean: number; low: number; high: number }[] }).values;
    const c = bars.find((b) => b.variant === "trylock" && b.metric === "zone->lock contentions")!;
    const s = trylock.summary["lock.zone.contentions"]!;
    expect([c.mean, c.low, c.high]).toEqual([s.mean, s.mean - s.stddev, s.mean + s.stddev]);
  });

  it("averages each bucket over the runs still going: a run stopped by a violation does not pull the line down after it", () => {
    // v2's list corruption, with 1 ms of warmup: some seeds stop within the run.
    const stopping = runScenario(
      scenarioOf(`scenario "v2" {
  cpus 4
  memory 1GiB
  warmup 1ms
  duration 20ms
  seed 5
  runs 5
  lock trylock-v2
  workload "io" on cpus 0-2 in task {
    rate 50k/s
    alloc order 0 gfp GFP_HIGHUSER_MOVABLE
    free batch 64 after exp(200us) in softirq
  }
  workload "drainer" on cpus 3 in task {
    every 20us
    drain
  }
}`),
      "sha256:x",
    );
    const runs = stopping.results[0]!.runs;
    const stopped = runs.filter((r) => r.violation);
    expect(stopped.length).toBeGreaterThan(0);
    expect(stopped.length).toBeLessThan(runs.length);
    const rows = (rateOverTime(stopping).data as { values: { t_ms: number; measure: string; per_s: number }[] }).values.filter((r) => r.measure === "zone->lock contentions");
    const t_ns = runs[0]!.series.t_ns;
    const bucketS = 20e-3 / 100;
    for (const [i, t] of t_ns.entries()) {
      const end = i + 1 < t_ns.length ? t_ns[i + 1]! : 20e6;
      const going = runs.filter((r) => !r.violation || r.violation.time_ns - 1e6 >= end);
      const row = rows.find((r) => r.t_ms === t / 1e6);
      if (going.length === 0) {
        expect(row).toBeUndefined();
        continue;
      }
      expect(row!.per_s).toBeCloseTo(going.reduce((a, r) => a + r.series.zone_contentions[i]!, 0) / going.length / bucketS, 6);
    }
    // The bucket after the first stop: fewer runs, and none of them at zero for stopping.
    const first = Math.min(...stopped.map((r) => r.violation!.time_ns - 1e6));
    const after = rows.find((r) => r.t_ms * 1e6 > first + 1e6)!;
    expect(after.per_s).toBeGreaterThan(0);
    compiles(rateOverTime(stopping));
  });
});
