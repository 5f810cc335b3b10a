// Runs a scenario's independent runs on this thread and worker threads, one
// per core, and puts the results back in plan order, so the output is the
// same as a serial run's, number for number.
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Scenario } from "../dsl/index.ts";
import { plan, simulate, type RunResult } from "../engine/index.ts";

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
  // threads - 1 workers, and this thread takes runs from the same queue
  // between handling their messages: one isolate fewer to start and warm.
  const workerCount = workerAvailable() ? threads - 1 : 0;
  const results: RunResult[] = new Array(specs.length);
  let next = 0;
  let done = 0;
  let allDone = () => {};
  const everything = new Promise<void>((r) => (allDone = r));
  const finished = () => {
    done++;
    opts.onRunDone?.(done, specs.length);
    if (done === specs.length) allDone();
  };
  const workers: Worker[] = [];
  try {
    const failed = new Promise<never>((_, reject) => {
      for (let t = 0; t < workerCount; t++) {
        const w = new Worker(WORKER);
        workers.push(w);
        const feed = () => {
          if (next < specs.length) {
            const index = next++;
            w.postMessage({ scenario, index, spec: specs[index] });
          }
        };
        w.on("message", (msg: { index: number; result: RunResult }) => {
          results[msg.index] = msg.result;
          finished();
          feed();
        });
        w.on("error", reject);
        feed();
      }
    });
    failed.catch(() => {});
    while (next < specs.length) {
      const index = next++;
      results[index] = simulate(scenario, specs[index]!, { clock: () => performance.now() });
      finished();
      // Let worker messages in before taking the next run.
      await Promise.race([new Promise((r) => setImmediate(r)), failed]);
    }
    await Promise.race([everything, failed]);
  } finally {
    for (const w of workers) void w.terminate();
  }
  return results;
}
