// Runs a scenario's independent runs on this thread and worker threads, one
// per core, and puts the results back in plan order, so the output is the
// same as a serial run's, number for number.
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Scenario } from "../dsl/index.ts";
import { longestFirst, plan, simulate, type RunResult } from "../engine/index.ts";

/** The bundled worker sits beside the bundled CLI (see bin/pcplab). */
const WORKER = new URL("./worker.mjs", import.meta.url);

export function workerAvailable(): boolean {
  return WORKER.protocol === "file:" && existsSync(fileURLToPath(WORKER));
}

export interface PoolOptions {
  threads?: number;
  onRunDone?: (done: number, total: number) => void;
}

export async function runAll(scenario: Scenario, opts: PoolOptions = {}): Promise<RunResult[]> {
  const specs = plan(scenario);
  const threads = Math.min(opts.threads ?? availableParallelism(), specs.length);
  // threads - 1 workers, and this thread runs too: one isolate fewer to
  // start and warm. Every thread takes the next run from a shared counter,
  // so a worker never waits for this thread to finish a run before it gets
  // its next one.
  const workerCount = workerAvailable() ? threads - 1 : 0;
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const order = longestFirst(scenario, specs);
  const take = () => Atomics.add(counter, 0, 1);
  const results: RunResult[] = new Array(specs.length);
  let done = 0;
  let allDone = () => {};
  const everything = new Promise<void>((r) => (allDone = r));
  const finished = (index: number, result: RunResult) => {
    results[index] = result;
    done++;
    opts.onRunDone?.(done, specs.length);
    if (done === specs.length) allDone();
  };
  const workers: Worker[] = [];
  try {
    const failed = new Promise<never>((_, reject) => {
      for (let t = 0; t < workerCount; t++) {
        const w = new Worker(WORKER, { workerData: { scenario, specs, order, counter } });
        workers.push(w);
        w.on("message", (msg: { index: number; result: RunResult }) => finished(msg.index, msg.result));
        w.on("error", reject);
      }
    });
    failed.catch(() => {});
    for (let next = take(); next < specs.length; next = take()) {
      const index = order[next]!;
      finished(index, simulate(scenario, specs[index]!, { clock: () => performance.now() }));
      // Let worker messages in (and their progress out) between runs.
      await Promise.race([new Promise((r) => setImmediate(r)), failed]);
    }
    await Promise.race([everything, failed]);
  } finally {
    for (const w of workers) void w.terminate();
  }
  return results;
}
