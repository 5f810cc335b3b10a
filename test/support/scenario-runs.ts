import { analyze } from "../../lib/dsl/index.ts";
import type { Scenario } from "../../lib/dsl/index.ts";
import { runScenario, simulate, type RunHooks, type TraceEvent } from "../../lib/engine/index.ts";
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

/** One irqsave run (seed 1) of `text`, with its metrics and the kernel's
 * tracepoints it hit. */
export function traced(text: string, hooks: RunHooks = {}): { metrics: Record<string, number>; events: TraceEvent[] } {
  const events: TraceEvent[] = [];
  const { metrics } = simulate(scenarioOf(text), { variant: "irqsave", sweepValue: null, seed: 1 }, { ...hooks, tracepoint: (e) => events.push(e) });
  return { metrics, events };
}

/** 64 MiB with every max-order block broken by movable page cache, and an
 * order-9 allocation of `gfp` on CPU 0 every 1 ms: order 9 needs
 * compaction. `extra` goes in at the scenario level. */
export const fragmentedThp = (gfp: string, extra = "") => `scenario "thp" {
  cpus 2
  memory 64MiB
  duration 20ms
  fragmentation 100%
  ${extra}
  workload "thp" on cpus 0 in task {
    every 1ms
    alloc order 9 gfp ${gfp}
  }
}`;

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
