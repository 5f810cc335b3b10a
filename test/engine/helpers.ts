import { analyze } from "../../lib/dsl/index.ts";
import type { Scenario } from "../../lib/dsl/index.ts";
import { runScenario, simulate } from "../../lib/engine/index.ts";

export function scenarioOf(text: string): Scenario {
  const a = analyze(text);
  if (!a.scenario) throw new Error(a.diagnostics.map((d) => `${d.start.line}:${d.start.column} ${d.code} ${d.message}`).join("\n"));
  return a.scenario;
}

/** Metrics of one run of `variant` (default: the scenario's first). */
export function metricsOf(text: string, variant?: string, seed = 1): Record<string, number> {
  const s = scenarioOf(text);
  return simulate(s, { variant: variant ?? s.variants[0]!, sweepValue: null, seed }).metrics;
}

export function resultsOf(text: string) {
  return runScenario(scenarioOf(text), "sha256:test");
}
