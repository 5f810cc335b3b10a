// Runs a scenario in Web Workers, one per core (at most MAX_WORKERS): the
// first plans the runs, every worker takes the next run as it finishes one
// (longest first, as `pcplab run` does), and the first assembles the
// results in plan order, so they are the same as a serial run's, digest and
// all. Cancel terminates the workers: the engine never has to poll for it,
// and nothing of a cancelled run survives.
//
// Workers that finish are kept warm for the next run: a cold worker spends
// its first runs in V8's slower tiers (bench/app.ts prints Run to first
// chart on cold workers and Run again on warm ones), and a notebook is run
// again and again as it is edited. Unused for IDLE_MS, they go.
//
// How long: each run is weighed by its estimated engine events
// (lib/engine/estimate.ts), so the bar moves with the work done, not the
// runs; the speed measured on this machine during the run turns the work
// left into time left, and is kept for the next run's estimate beforehand.
import { analyze } from "../dsl/index.ts";
import { DEFAULT_EVENTS_PER_SECOND, estimateSeconds, estimateWork } from "../engine/estimate.ts";
import type { Results, RunResult } from "../engine/index.ts";

export type WorkerRequest =
  | { type: "plan"; source: string }
  | { type: "run"; source: string; index: number }
  | { type: "assemble"; source: string; runs: RunResult[] };

export type WorkerReply =
  /** `work`: each run's estimated engine events, in plan order. */
  | { type: "plan"; order: number[]; work: number[] }
  /** How far the worker's current run has got. */
  | { type: "progress"; fraction: number }
  | { type: "run"; index: number; result: RunResult }
  | { type: "done"; results: Results }
  | { type: "error"; message: string };

type RunOutcome = { ok: true; results: Results } | { ok: false; message: string; cancelled?: boolean };

export interface RunProgress {
  /** Of the estimated work, how much is done: 0 to 1. */
  fraction: number;
  /** Wall time left at the speed measured so far; null until measured. */
  secondsLeft: number | null;
}

export interface RunHandle {
  outcome: Promise<RunOutcome>;
  cancel(): void;
}

/** Where the server serves esbuild's bundle of engine.worker.ts (lib/server/assets.ts). */
export const ENGINE_WORKER_PATH = "/engine.worker.js";

/** Each worker holds its own copy of the engine and its run's memory. */
const MAX_WORKERS = 8;

function defaultThreads(): number {
  return Math.max(1, Math.min(MAX_WORKERS, navigator.hardwareConcurrency || 1));
}

/** Below this, a run is quick enough not to announce how long it takes. */
export const LONG_RUN_SECONDS = 10;
/** The speed is measured over at least this much of a run, so that the
 * workers' start-up does not stand for their speed. */
const MEASURE_MS = 1000;
/** One worker's engine events per second, last measured in this tab. */
let measuredEventsPerSecond: number | null = null;

/** About how many seconds running `source` will take here, or null when it
 * does not check (the editor shows why). */
export function estimateRun(source: string, threads = defaultThreads()): number | null {
  const scenario = analyze(source).scenario;
  if (!scenario) return null;
  return estimateSeconds(estimateWork(scenario), threads, measuredEventsPerSecond ?? DEFAULT_EVENTS_PER_SECOND);
}

/** "12 s", "4 min", "3 h": a figure to read at a glance, not a promise. */
export function formatSeconds(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/** How long finished workers wait for the next run before they go. */
const IDLE_MS = 120_000;
const idle: Worker[] = [];
let idleTimer: ReturnType<typeof setTimeout> | undefined;

function takeWorker(): Worker {
  return idle.pop() ?? new Worker(ENGINE_WORKER_PATH);
}

function keepWarm(workers: Worker[]): void {
  for (const w of workers) {
    w.onmessage = null;
    w.onerror = null;
    idle.push(w);
  }
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    for (const w of idle.splice(0)) w.terminate();
  }, IDLE_MS);
}

export function startRun(source: string, onProgress: (progress: RunProgress) => void, threads = defaultThreads()): RunHandle {
  const workers: Worker[] = [];
  const runs: RunResult[] = [];
  const current = new Map<Worker, { index: number; fraction: number }>(); // a worker's run and its progress
  let order: number[] = [];
  // Every run weighs something, so a scenario with no workloads still moves the bar.
  let work: number[] = [];
  let total = 0;
  let handedOut = 0;
  let done = 0;
  let doneWork = 0;
  let started = 0;
  let measured: number | null = null;

  let settle: (o: RunOutcome) => void = () => {};
  const outcome = new Promise<RunOutcome>((resolve) => {
    settle = (o) => {
      settle = () => {};
      // A worker that failed or was cancelled may be mid-run: it goes.
      if (o.ok) keepWarm(workers);
      else for (const w of workers) w.terminate();
      if (measured !== null) measuredEventsPerSecond = measured;
      resolve(o);
    };
  });

  const progress = () => {
    let workDone = doneWork;
    let longestLeft = 0;
    for (const { index, fraction } of current.values()) {
      workDone += fraction * work[index]!;
      longestLeft = Math.max(longestLeft, (1 - fraction) * work[index]!);
    }
    for (let i = handedOut; i < order.length; i++) longestLeft = Math.max(longestLeft, work[order[i]!]!);
    const elapsed = performance.now() - started;
    const active = Math.min(threads, order.length);
    if (elapsed >= MEASURE_MS && workDone > 0) measured = workDone / active / (elapsed / 1000);
    // As estimateSeconds: the work left spread over the workers, but no
    // sooner than the largest piece left, which one worker does alone.
    const secondsLeft = measured === null ? null : Math.max((total - workDone) / active, longestLeft) / measured;
    onProgress({ fraction: Math.min(1, workDone / total), secondsLeft });
  };

  const handOut = (w: Worker) => {
    if (handedOut >= order.length) return;
    current.set(w, { index: order[handedOut]!, fraction: 0 });
    w.postMessage({ type: "run", source, index: order[handedOut++]! } satisfies WorkerRequest);
  };

  const enlist = (): Worker => {
    const w = takeWorker();
    workers.push(w);
    // A script that never loaded (the server gone, say) fires an error with no message.
    w.onerror = (e) => settle({ ok: false, message: e.message ? `the engine worker failed: ${e.message}` : "the engine worker could not be loaded from the server" });
    w.onmessage = (e: MessageEvent<WorkerReply>) => {
      const m = e.data;
      if (m.type === "plan") {
        order = m.order;
        work = m.work.map((events) => Math.max(1, events));
        total = work.reduce((a, b) => a + b, 0);
        started = performance.now();
        handOut(w);
        for (let t = 1; t < Math.min(threads, order.length); t++) handOut(enlist());
      } else if (m.type === "progress") {
        const run = current.get(w);
        if (run) run.fraction = m.fraction;
        progress();
      } else if (m.type === "run") {
        runs[m.index] = m.result;
        done++;
        doneWork += work[m.index]!;
        current.delete(w);
        progress();
        if (done === order.length) first.postMessage({ type: "assemble", source, runs } satisfies WorkerRequest);
        else handOut(w);
      } else if (m.type === "done") settle({ ok: true, results: m.results });
      else settle({ ok: false, message: m.message });
    };
    return w;
  };

  const first = enlist();
  first.postMessage({ type: "plan", source } satisfies WorkerRequest);
  return { outcome, cancel: () => settle({ ok: false, message: "cancelled", cancelled: true }) };
}
