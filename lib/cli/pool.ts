// Runs a scenario's independent runs on this thread and worker threads, one
// per core, and puts the results back in plan order, so the output is the
// same as a serial run's, number for number.
//
// A worker pays for itself only on enough work. Its isolate compiles the
// engine again, and on a serial run V8 does that compiling on an idle core
// for free. Timed by hand on this project's 2-core VMs, every shipped
// example but thp-compaction-stress ran no faster, or slower, on two
// threads (`npm run bench` prints the examples' wall time in each mode). So by default this thread starts alone and
// starts the workers once it has measured that the runs left would take
// long enough serially. `--threads N` asks for N threads from the start.
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Scenario } from "../dsl/index.ts";
import { arrivalsPerSecond, longestFirst, Overloaded, plan, simulate, type RunResult, type RunSpec } from "../engine/index.ts";
import { EngineFailure, reasonOf, runName } from "./engine-failure.ts";

/** The bundled worker sits beside the bundled CLI (see bin/pcplab). */
const WORKER = new URL("./worker.mjs", import.meta.url);

/** Workers start when the runs not yet taken would take this long on this
 * thread alone. Timed by hand: a second thread made remote-drain's runs
 * take 1.6 s more in all (two isolates compiling, no idle core), so it
 * pays from about 1.6 s of serial work left; and the estimate below errs
 * long by up to 2x while the engine is still warming. */
const WORKERS_PAY_AFTER_MS = 3000;

function workerAvailable(): boolean {
  return WORKER.protocol === "file:" && existsSync(fileURLToPath(WORKER));
}

export interface PoolOptions {
  /** Threads to use from the start; by default, every core once it pays. */
  threads?: number;
  onRunDone?: (done: number, total: number) => void;
  /** Plan indices to run (a shard); every run by default. The results
   * come back in this order. */
  indices?: number[];
  /** Tests: start the workers when this much serial time is left (ms). */
  workersPayAfterMs?: number;
}

export interface PoolStats {
  /** Worker threads started (this thread runs too). */
  workers: number;
}

/** What a worker posts: a result, or why its run stopped. */
export type WorkerMessage =
  | { index: number; result: RunResult }
  | { overloaded: string }
  | { index: number; engineError: string };

/** One run; anything it throws but Overloaded (the scenario's fault) is an
 * EngineFailure naming the run. */
export function simulateOne(scenario: Scenario, spec: RunSpec): RunResult {
  try {
    return simulate(scenario, spec, { clock: () => performance.now() });
  } catch (e) {
    if (e instanceof Overloaded) throw e;
    throw new EngineFailure(runName(scenario, spec), reasonOf(e));
  }
}

export async function runAll(scenario: Scenario, opts: PoolOptions = {}, stats: PoolStats = { workers: 0 }): Promise<RunResult[]> {
  const specs = plan(scenario);
  const indices = opts.indices ?? specs.map((_, i) => i);
  const threads = Math.max(1, Math.min(opts.threads ?? availableParallelism(), indices.length));
  const workerCount = workerAvailable() ? threads - 1 : 0;
  // Every thread takes the next run from a shared counter, so a worker never
  // waits for this thread to finish a run before it gets its next one.
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const arrivals = specs.map((spec) => arrivalsPerSecond(scenario, spec));
  const chosen = new Set(indices);
  const order = longestFirst(scenario, specs, arrivals).filter((i) => chosen.has(i));
  // + 1: a scenario without workloads still has runs to count.
  const weight = arrivals.map((a) => a + 1);
  const totalWeight = order.reduce((a, i) => a + weight[i]!, 0);
  const take = () => Atomics.add(counter, 0, 1);
  const results: RunResult[] = new Array(specs.length);
  let done = 0;
  let allDone = () => {};
  const everything = new Promise<void>((r) => (allDone = r));
  const finished = (index: number, result: RunResult) => {
    results[index] = result;
    done++;
    opts.onRunDone?.(done, order.length);
    if (done === order.length) allDone();
  };
  const workers: Worker[] = [];
  let fail = (_: unknown) => {};
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => {});
  const startWorkers = () => {
    for (let t = 0; t < workerCount; t++) {
      const w = new Worker(WORKER, { workerData: { scenario, specs, order, counter } });
      workers.push(w);
      w.on("message", (msg: WorkerMessage) => {
        if ("overloaded" in msg) fail(new Overloaded(msg.overloaded));
        else if ("engineError" in msg) fail(new EngineFailure(runName(scenario, specs[msg.index]!), msg.engineError));
        else finished(msg.index, msg.result);
      });
      w.on("error", fail);
    }
    stats.workers = workers.length;
  };
  try {
    if (opts.threads !== undefined) startWorkers();
    const payAfter = opts.workersPayAfterMs ?? WORKERS_PAY_AFTER_MS;
    const started = performance.now();
    let firstMs = -1;
    let weightDone = 0;
    if (order.length === 0) allDone();
    for (let next = take(); next < order.length; next = take()) {
      const index = order[next]!;
      finished(index, simulateOne(scenario, specs[index]!));
      weightDone += weight[index]!;
      if (firstMs < 0) firstMs = performance.now() - started;
      if (workers.length === 0 && workerCount > 0) {
        // The runs left (until workers start, every run taken is one this
        // thread has done), at its pace so far. The first run also compiles
        // the engine and took 2-3x as long as the next ones here, so it
        // counts half.
        const msLeft = ((performance.now() - started - firstMs / 2) * (totalWeight - weightDone)) / weightDone;
        if (msLeft >= payAfter) startWorkers();
      }
      // Let worker messages in (and their progress out) between runs.
      await Promise.race([new Promise((r) => setImmediate(r)), failed]);
    }
    await Promise.race([everything, failed]);
  } finally {
    for (const w of workers) void w.terminate();
  }
  return indices.map((i) => results[i]!);
}
