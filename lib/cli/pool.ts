// Runs a scenario's independent runs on worker threads, one per core, and
// puts the results back in plan order, so the output is the same as a
// serial run's, number for number.
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
  if (threads <= 1 || !workerAvailable()) {
    return specs.map((spec, i) => {
      const r = simulate(scenario, spec, { clock: () => performance.now() });
      opts.onRunDone?.(i + 1, specs.length);
      return r;
    });
  }
  const results: RunResult[] = new Array(specs.length);
  let next = 0;
  let done = 0;
  await new Promise<void>((resolve, reject) => {
    const workers: Worker[] = [];
    const finish = (e?: unknown) => {
      for (const w of workers) void w.terminate();
      if (e) reject(e);
      else resolve();
    };
    for (let t = 0; t < threads; t++) {
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
        done++;
        opts.onRunDone?.(done, specs.length);
        if (done === specs.length) finish();
        else feed();
      });
      w.on("error", finish);
      feed();
    }
  });
  return results;
}
