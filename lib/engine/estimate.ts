// How much work a scenario asks of the engine, before it runs: in engine
// events, the unit a run's progress and speed are measured in, so the
// notebook can say how long a run will take and, once it has measured this
// machine's speed, how long is left. Wall time is never part of results:
// only the caller turns events into seconds.
import type { Dist, Scenario } from "../dsl/scenario.ts";
import { MAX_TOUCHED_PAGES } from "./limits.ts";
import { arrivalsPerSecond, plan } from "./results.ts";
import { applySweep, type RunSpec } from "./run.ts";

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

// Memory. What a run holds grows with the page frames it touches (its
// memmap chunks, free-list links and the handles of pages held), and with
// its CPUs (their contexts, queues and statistics). The figures are peak
// RSS of `pcplab run` on this project's 2-vCPU test VMs, measured once by
// hand with /usr/bin/time (one-off; no benchmark prints them):
//   - a 2-CPU, 1 GiB run of 1 ms: 101 MB, the process and one run;
//   - 64 GiB at fragmentation 100% (16.8 M frames touched): 987 MB with
//     one thread, 1.70 GB with two; 1 M order-0 pages held at once:
//     154 MB. Both are about 53 bytes a page;
//   - io-completion-softirq at 256 CPUs for 100 ms: 308 MB, against 73 MB
//     at 4 CPUs, 0.93 MB a CPU.
// An estimate errs high: an overloaded CPU's queues can hold more (up to
// MAX_BACKLOG items a context), and MAX_TOUCHED_PAGES stops a run that
// touches more frames than it allows.

/** The process and its first run, before any page is touched. */
export const PROCESS_BYTES = 100 << 20;
/** A touched page frame, or a page held. */
export const PAGE_BYTES = 56;
/** A simulated CPU. */
export const CPU_BYTES = 1 << 20;

function meanNs(d: Dist): number {
  switch (d.kind) {
    case "const":
      return d.ns;
    case "exp":
      return d.meanNs;
    case "uniform":
      return (d.minNs + d.maxNs) / 2;
  }
}

/** Estimated peak bytes of one run: its CPUs and the pages it touches,
 * which are the pages held at once (Little's law: arrival rate times mean
 * holding time, at most what the run allocates), each CPU's pcp list at its
 * high mark, and the fragmented part of the zone, never more than the
 * zone or the engine's frame limit. */
export function runBytes(scenario: Scenario, spec: RunSpec): number {
  const s = applySweep(scenario, spec.sweepValue);
  const runNs = s.warmupNs + s.durationNs;
  const zonePages = Math.floor(s.memoryBytes / 4096);
  let pages = s.fragmentation * zonePages;
  for (const w of s.workloads) {
    if (!w.alloc) continue;
    const cpus = w.cpus === "all" ? s.cpus : w.cpus.length;
    const perSecond = w.arrival.kind === "rate" ? w.arrival.perSecond : 1e9 / w.arrival.ns;
    const pagesPerArrival = w.alloc.count * (1 << w.alloc.order);
    const holdNs = w.free === null || w.free.after === "last" ? runNs : w.free.after === "immediately" ? 0 : Math.min(runNs, meanNs(w.free.after));
    // `arrivals N` bounds what a CPU ever holds.
    pages += cpus * Math.min((perSecond * holdNs) / 1e9, w.arrivals ?? Infinity) * pagesPerArrival;
    if (w.free?.batch) pages += cpus * w.free.batch * pagesPerArrival;
  }
  // zone_highsize() gives each CPU at least four batches, a batch at most 63 pages.
  pages += s.cpus * (s.pcp.high ?? 4 * 63);
  pages = Math.min(pages, zonePages, MAX_TOUCHED_PAGES);
  return s.cpus * CPU_BYTES + pages * PAGE_BYTES;
}

/** Estimated peak bytes of running every run with `threads` at once: the
 * process, and the largest runs side by side. */
export function estimateBytes(scenario: Scenario, threads: number, specs: RunSpec[] = plan(scenario)): number {
  const sizes = specs.map((spec) => runBytes(scenario, spec)).sort((a, b) => b - a);
  let bytes = PROCESS_BYTES;
  for (const b of sizes.slice(0, Math.max(1, threads))) bytes += b;
  return bytes;
}
