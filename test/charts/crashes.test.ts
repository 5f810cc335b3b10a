// The notebook's table and charts by the report's rule: perf values from
// the complete runs only, the crashed runs counted and said.
import { compile } from "vega-lite";
import { describe, expect, it } from "vitest";
import { headlineBars, latencyPercentiles } from "../../lib/charts/specs.ts";
import { runScenario } from "../../lib/engine/index.ts";
import { formatMetric } from "../../lib/charts/metrics.ts";
import { summaryTable } from "../../lib/ui/summary-table.ts";
import { scenarioOf } from "../support/scenario-runs.ts";
import { v2CrashScenario } from "../support/v2-crash.ts";

const results = runScenario(scenarioOf(v2CrashScenario("runs 5\n  compare trylock-v2, trylock")), "sha256:x");
const v2 = results.results[0]!;
const complete = v2.runs.filter((r) => !r.violation);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("charts of a comparison where some runs crashed", () => {
  it("draws trylock-v2's headline bars from its three complete runs and says so", () => {
    expect(complete.map((r) => r.seed)).toEqual([1, 2, 5]);
    const spec = headlineBars(results);
    const rows = (spec.data as { values: { metric: string; variant: string; mean: number; over: string }[] }).values;
    const p99 = rows.find((r) => r.variant === "trylock-v2" && r.metric.startsWith("allocation latency, p99"))!;
    const expected = mean(complete.map((r) => r.metrics["alloc.latency_ns.p99"]!));
    expect(p99.mean).toBeCloseTo(expected / 1000, 6);
    expect(p99.over).toBe("3 of 5 runs, the rest crashed");
    expect(spec.description).toContain("trylock-v2: 2 of 5 runs crashed (dmesg.list_del_corruption), its values are from the 3 complete runs.");
    expect(compile(spec as never).spec).toBeTruthy();
  });

  it("draws no latency bars, rather than zeros, for a variant whose every run crashed", () => {
    const all = runScenario(scenarioOf(v2CrashScenario("seed 3\n  runs 1\n  compare trylock-v2, trylock")), "sha256:x");
    const rows = (latencyPercentiles(all).data as { values: { variant: string }[] }).values;
    expect(rows.some((r) => r.variant === "trylock-v2")).toBe(false);
    expect(rows.some((r) => r.variant === "trylock")).toBe(true);
    expect(latencyPercentiles(all).description).toContain("trylock-v2: 1 of 1 runs crashed (dmesg.list_del_corruption), it has no perf values.");
  });
});

describe("the notebook's summary table", () => {
  it("counts crashed runs and takes perf means over the complete ones", () => {
    const model = summaryTable(results);
    expect(model.crashes).toEqual(["2 of 5", "0 of 5"]);
    const row = model.rows.find((r) => r.metric === "lock.zone.contentions")!;
    const expected = mean(complete.map((r) => r.metrics["lock.zone.contentions"]!));
    expect(row.cells[0]!.text).toBe(formatMetric("lock.zone.contentions", expected));
    expect(row.cells[0]!.text).not.toBe(formatMetric("lock.zone.contentions", mean(v2.runs.map((r) => r.metrics["lock.zone.contentions"]!))));
    expect(row.cells[0]!.over).toBe("over 3 of 5 runs");
    expect(row.cells[1]!.over).toBe(null);
    const violations = model.rows.find((r) => r.metric === "invariants.violations")!;
    expect(violations.cells.map((c) => c.text)).toEqual(["0.4", "0"]);
  });

  it("has no crash row when nothing crashed", () => {
    const clean = runScenario(scenarioOf(v2CrashScenario("runs 2\n  compare trylock, irqsave").replace("expect invariants.violations > 0 for trylock-v2", "")), "sha256:x");
    expect(summaryTable(clean).crashes).toBe(null);
  });
});
