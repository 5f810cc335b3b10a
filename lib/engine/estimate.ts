// How much work a scenario asks of the engine, before it runs: in engine
// events, the unit a run's progress and speed are measured in, so the
// notebook can say how long a run will take and, once it has measured this
// machine's speed, how long is left. Wall time is never part of results:
// only the caller turns events into seconds.
import type { Scenario } from "../dsl/scenario.ts";
import { arrivalsPerSecond, plan } from "./results.ts";
import type { RunSpec } from "./run.ts";

/** engine.events per allocation the workloads ask for: the shipped
 * examples ran 1.6 (thp-compaction-stress) to 3.0 (irq-bypass-2017) events
 * per allocation at engine 0.3, most of them 2.0 to 2.5. An estimate, not a
 * result: it only weighs runs against each other and against the clock. */
const EVENTS_PER_ALLOCATION = 2.5;

/** A conservative events per second for one worker before anything is
 * measured: half the slower fast-path figure `npm run bench` prints for one
 * core, since the generator paths, which interrupts and the slow path take,
 * cost about twice the plain ones. */
export const DEFAULT_EVENTS_PER_SECOND = 330_000;

interface WorkEstimate {
  /** Estimated engine events of each run, in plan() order. */
  runs: number[];
  total: number;
  longest: number;
}

/** Estimated engine events of one run: its allocations per simulated
 * second over warmup and duration. */
function runEvents(scenario: Scenario, spec: RunSpec): number {
  return (arrivalsPerSecond(scenario, spec) * (scenario.warmupNs + scenario.durationNs) * EVENTS_PER_ALLOCATION) / 1e9;
}

/** Every run of the scenario (variants x sweep values x seeds). */
export function estimateWork(scenario: Scenario, specs: RunSpec[] = plan(scenario)): WorkEstimate {
  const runs = specs.map((spec) => runEvents(scenario, spec));
  let total = 0;
  let longest = 0;
  for (const r of runs) {
    total += r;
    longest = Math.max(longest, r);
  }
  return { runs, total, longest };
}

/** Wall seconds for `threads` workers sharing the runs out, each doing
 * `eventsPerSecond`: the runs spread evenly, but never shorter than the
 * longest run, which one worker does alone. */
export function estimateSeconds(work: WorkEstimate, threads: number, eventsPerSecond = DEFAULT_EVENTS_PER_SECOND): number {
  const workers = Math.max(1, Math.min(threads, work.runs.length));
  return Math.max(work.total / workers, work.longest) / eventsPerSecond;
}
