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
import type { Results, RunResult } from "../engine/index.ts";

export type WorkerRequest =
  | { type: "plan"; source: string }
  | { type: "run"; source: string; index: number }
  | { type: "assemble"; source: string; runs: RunResult[] };

export type WorkerReply =
  | { type: "plan"; order: number[] }
  /** How far the worker's current run has got. */
  | { type: "progress"; fraction: number }
  | { type: "run"; index: number; result: RunResult }
  | { type: "done"; results: Results }
  | { type: "error"; message: string };

export type RunOutcome = { ok: true; results: Results } | { ok: false; message: string; cancelled?: boolean };

export interface RunHandle {
  outcome: Promise<RunOutcome>;
  cancel(): void;
}

/** Where the server serves esbuild's bundle of engine.worker.ts (lib/server/assets.ts). */
export const ENGINE_WORKER_PATH = "/engine.worker.js";

/** Each worker holds its own copy of the engine and its run's memory. */
const MAX_WORKERS = 8;

export function defaultThreads(): number {
  return Math.max(1, Math.min(MAX_WORKERS, navigator.hardwareConcurrency || 1));
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

export function startRun(source: string, onProgress: (fraction: number) => void, threads = defaultThreads()): RunHandle {
  const workers: Worker[] = [];
  const runs: RunResult[] = [];
  const current = new Map<Worker, number>(); // a worker's run's progress
  let order: number[] = [];
  let handedOut = 0;
  let done = 0;

  let settle: (o: RunOutcome) => void = () => {};
  const outcome = new Promise<RunOutcome>((resolve) => {
    settle = (o) => {
      settle = () => {};
      // A worker that failed or was cancelled may be mid-run: it goes.
      if (o.ok) keepWarm(workers);
      else for (const w of workers) w.terminate();
      resolve(o);
    };
  });

  const progress = () => {
    let fraction = done;
    for (const f of current.values()) fraction += f;
    onProgress(Math.min(1, fraction / order.length));
  };

  const handOut = (w: Worker) => {
    if (handedOut >= order.length) return;
    current.set(w, 0);
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
        handOut(w);
        for (let t = 1; t < Math.min(threads, order.length); t++) handOut(enlist());
      } else if (m.type === "progress") {
        current.set(w, m.fraction);
        progress();
      } else if (m.type === "run") {
        runs[m.index] = m.result;
        done++;
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
