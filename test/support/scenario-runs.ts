import { analyze } from "../../lib/dsl/index.ts";
import type { Scenario } from "../../lib/dsl/index.ts";
import { runScenario, simulate } from "../../lib/engine/index.ts";
import type { Machine } from "../../lib/engine/machine.ts";

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

/** A CPU with nothing running and work waiting has stopped: nothing will
 * start that work again. For RunHooks.afterEvent. */
export function idleWithWork(m: Machine): string | null {
  for (const cpu of m.cpus) {
    if (cpu.stack.length === 0 && (cpu.task.hasWork || cpu.softirq.hasWork || cpu.hardirq.hasWork)) return `cpu ${cpu.id} is idle with work queued at ${m.now} ns`;
  }
  return null;
}
