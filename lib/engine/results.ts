// A scenario's runs (variants x sweep values x seeds) and their results in
// the JSON of docs/results.md: per-run metrics and series, summaries across
// seeds, expectations, and a digest over everything a reproduction must
// match (never the wall clock).
import type { Expectation, Scenario } from "../dsl/scenario.ts";
import { digest } from "./canonical.ts";
import { crashed, isFailureMetric, violationClass } from "./crash.ts";
import type { Violation } from "./oops.ts";
import type { Series } from "./metrics.ts";
import { applySweep, simulate, sweepParamName, type RunHooks, type RunResult, type RunSpec } from "./run.ts";
import { summarize, type Summary } from "./stats.ts";
import { ENGINE_VERSION } from "./version.ts";

export interface RunJson {
  seed: number;
  /** "crashed" when a violation ended the run (an lkp incomplete run).
   * Derived from `violation`, so outside the digest; results stored
   * before it was added lack it. */
  status?: "completed" | "crashed";
  /** The violation's class as an lkp dmesg key, or null. */
  violation_class?: string | null;
  metrics: Record<string, number>;
  series: Series;
  violation: Violation | null;
  /** Kernel messages the run logged and went on (a spinlock BUG); absent
   * when none, so results from before they existed keep their digest. */
  messages?: string[];
}

/** A metric over the runs it is taken over: every run for a failure
 * metric, the complete runs for the rest (lib/engine/crash.ts). */
export interface RunSummary extends Summary {
  /** How many runs; absent in results stored before it was added. */
  runs?: number;
}

export interface VariantResult {
  variant: string;
  sweep_value: number | null;
  runs: RunJson[];
  /** A perf metric is absent when every run crashed. */
  summary: Record<string, RunSummary>;
}

interface ExpectationResult {
  text: string;
  variant: string;
  sweep_value: number | null;
  /** The mean compared; null when every run crashed and the metric is a
   * perf metric, which then fails with `note` saying why. */
  value: number | null;
  /** How many runs the mean is over. */
  runs?: number;
  note?: string;
  passed: boolean;
}

export interface Results {
  format: "pcplab-results/1";
  engine: string;
  /** warmup_ns and duration_ns place the series (whose t_ns start at the
   * end of warmup) and violations (at simulated time from 0) on one axis.
   * Results stored before they were added lack them. */
  scenario: { name: string; digest: string; warmup_ns: number; duration_ns: number };
  sweep: { param: string; values: number[] } | null;
  results: VariantResult[];
  expectations: ExpectationResult[];
  digest: string;
}

/** Every run of a scenario, in the order results list them. Each run is
 * independent, so they may be computed in any order or in parallel. */
export function plan(s: Scenario): RunSpec[] {
  const values = s.sweep ? s.sweep.values : [null];
  const specs: RunSpec[] = [];
  for (const variant of s.variants) {
    for (const sweepValue of values) {
      for (let r = 0; r < s.runs; r++) specs.push({ variant, sweepValue, seed: (s.seed + r) % 4294967296 });
    }
  }
  return specs;
}

/** Run indices, the most arrivals first (a sweep's largest rate, the most
 * CPUs), so threads sharing the runs out do not wait at the end for one
 * long run. */
export function longestFirst(scenario: Scenario, specs: RunSpec[], arrivals = specs.map((spec) => arrivalsPerSecond(scenario, spec))): number[] {
  return specs.map((_, i) => i).sort((a, b) => arrivals[b]! - arrivals[a]! || a - b);
}

/** Allocations a run's workloads ask for per simulated second: a run's
 * weight, for sharing runs out. */
export function arrivalsPerSecond(scenario: Scenario, spec: RunSpec): number {
  const s = applySweep(scenario, spec.sweepValue);
  let perSecond = 0;
  for (const w of s.workloads) {
    const cpus = w.cpus === "all" ? s.cpus : w.cpus.length;
    let rate = w.arrival.kind === "rate" ? w.arrival.perSecond : 1e9 / w.arrival.ns;
    // `arrivals N` ends a CPU's arrivals early: its mean rate over the run.
    if (w.arrivals !== null) rate = Math.min(rate, (w.arrivals * 1e9) / (s.warmupNs + s.durationNs));
    perSecond += cpus * rate * (w.alloc?.count ?? 1);
  }
  return perSecond;
}

function compare(op: Expectation["op"], a: number, b: number): boolean {
  switch (op) {
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "==":
      return a === b;
    case "!=":
      return a !== b;
  }
}

/** The digest covers what a reproduction must match: every run's metrics
 * (but engine.wall_ms), series and violation, keyed by variant, sweep value
 * and seed. */
export function resultsDigest(results: VariantResult[]): string {
  return digest(
    results.map((r) => ({
      variant: r.variant,
      sweep_value: r.sweep_value,
      runs: r.runs.map((run) => {
        const { ["engine.wall_ms"]: _wall, ...metrics } = run.metrics;
        const reproduced = { seed: run.seed, metrics, series: run.series, violation: run.violation };
        return run.messages ? { ...reproduced, messages: run.messages } : reproduced;
      }),
    })),
  );
}

/** Every metric's summary, as lkp's compare takes it: failure metrics over
 * every run, perf metrics over the complete runs only (none when every run
 * crashed). */
export function summarizeGroup(runs: readonly RunJson[]): Record<string, RunSummary> {
  const complete = runs.filter((r) => !crashed(r));
  const summary: Record<string, RunSummary> = {};
  for (const name of Object.keys(runs[0]!.metrics)) {
    const over = isFailureMetric(name) ? runs : complete;
    if (over.length === 0) continue;
    summary[name] = { ...summarize(over.map((r) => r.metrics[name]!)), runs: over.length };
  }
  return summary;
}

/** What a run contributes to the results: RunResult without what only the
 * machine that ran it needs. */
export type RunOutcome = Pick<RunResult, "seed" | "metrics" | "series" | "violation" | "messages">;

/** The results of the scenario's runs, given in plan order (merged shards
 * assemble as a local run). */
export function assemble(s: Scenario, scenarioDigest: string, runs: RunOutcome[]): Results {
  const specs = plan(s);
  if (runs.length !== specs.length) throw new Error(`expected ${specs.length} runs, got ${runs.length}`);
  const results: VariantResult[] = [];
  specs.forEach((spec, i) => {
    let group = results.at(-1);
    if (!group || group.variant !== spec.variant || group.sweep_value !== spec.sweepValue) {
      group = { variant: spec.variant, sweep_value: spec.sweepValue, runs: [], summary: {} };
      results.push(group);
    }
    const r = runs[i]!;
    const status = r.violation ? "crashed" : "completed";
    const run: RunJson = { seed: r.seed, status, violation_class: r.violation ? violationClass(r.violation) : null, metrics: r.metrics, series: r.series, violation: r.violation };
    if (r.messages) run.messages = r.messages;
    group.runs.push(run);
  });
  for (const group of results) group.summary = summarizeGroup(group.runs);
  const expectations: ExpectationResult[] = [];
  for (const e of s.expects) {
    for (const group of results) {
      if (e.variant !== null && e.variant !== group.variant) continue;
      const at = { text: e.text, variant: group.variant, sweep_value: group.sweep_value };
      const summary = group.summary[e.metric];
      if (!summary) {
        const n = group.runs.length;
        expectations.push({ ...at, value: null, runs: 0, note: `no run completed (${n} of ${n} crashed)`, passed: false });
        continue;
      }
      expectations.push({ ...at, value: summary.mean, runs: summary.runs!, passed: compare(e.op, summary.mean, e.value) });
    }
  }
  return {
    format: "pcplab-results/1",
    engine: ENGINE_VERSION,
    scenario: { name: s.name, digest: scenarioDigest, warmup_ns: s.warmupNs, duration_ns: s.durationNs },
    sweep: s.sweep ? { param: sweepParamName(s)!, values: s.sweep.values } : null,
    results,
    expectations,
    digest: resultsDigest(results),
  };
}

/** Runs everything in this thread, one run after another. */
export function runScenario(s: Scenario, scenarioDigest: string, hooks: RunHooks & { onRunDone?: (done: number, total: number) => void } = {}): Results {
  const specs = plan(s);
  const runs = specs.map((spec, i) => {
    const r = simulate(s, spec, hooks);
    hooks.onRunDone?.(i + 1, specs.length);
    return r;
  });
  return assemble(s, scenarioDigest, runs);
}

/** Violations that no expectation speaks for: they make the CLI exit 1. */
export function unexpectedViolations(s: Scenario, results: Results): { variant: string; seed: number; violation: Violation }[] {
  const out: { variant: string; seed: number; violation: Violation }[] = [];
  for (const group of results.results) {
    const covered = s.expects.some((e) => e.metric === "invariants.violations" && (e.variant === null || e.variant === group.variant));
    if (covered) continue;
    for (const run of group.runs) if (run.violation) out.push({ variant: group.variant, seed: run.seed, violation: run.violation });
  }
  return out;
}
