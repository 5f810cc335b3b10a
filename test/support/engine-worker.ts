// The notebook's engine Web Worker, the very script the server hands to pages
// (scripts/build.js, lib/server/assets.ts: esbuild's minified bundle), run on
// worker threads dressed as Web Workers: `self`, onmessage, postMessage.
import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { buildEngineWorker } from "../../scripts/build.js";
import type { Results, RunResult } from "../../lib/engine/index.ts";
import type { WorkerReply, WorkerRequest } from "../../lib/ui/runner.ts";

export interface EngineWorkers {
  workers: Worker[];
  /** One request to one worker; resolves with its answer (progress skipped). */
  ask(w: Worker, request: WorkerRequest): Promise<WorkerReply>;
  /** A source's runs shared out as the notebook does: plan, runs two at a
   * time stored at their plan index, then assemble on another worker. */
  run(source: string): Promise<Results>;
  terminate(): Promise<void>;
}

export async function engineWorkers(count = 2): Promise<EngineWorkers> {
  const script = readFileSync((await buildEngineWorker())["engine.worker"], "utf8");
  const shim = `const { parentPort } = require("node:worker_threads");
const self = { onmessage: null, postMessage: (m) => parentPort.postMessage(m) };
parentPort.on("message", (data) => self.onmessage({ data }));
${script}`;
  const workers = Array.from({ length: count }, () => new Worker(shim, { eval: true }));
  const ask = (w: Worker, request: WorkerRequest) =>
    new Promise<WorkerReply>((resolve, reject) => {
      const listen = (m: WorkerReply) => {
        if (m.type === "progress") return;
        w.off("message", listen);
        resolve(m);
      };
      w.on("message", listen);
      w.once("error", reject);
      w.postMessage(request);
    });
  const run = async (source: string): Promise<Results> => {
    const planned = await ask(workers[0]!, { type: "plan", source });
    if (planned.type !== "plan") throw new Error(JSON.stringify(planned));
    const runs: RunResult[] = [];
    for (let i = 0; i < planned.order.length; i += count) {
      const replies = await Promise.all(planned.order.slice(i, i + count).map((index, t) => ask(workers[t]!, { type: "run", source, index })));
      for (const r of replies) {
        if (r.type !== "run") throw new Error(JSON.stringify(r));
        runs[r.index] = r.result;
      }
    }
    const done = await ask(workers[count - 1]!, { type: "assemble", source, runs });
    if (done.type !== "done") throw new Error(JSON.stringify(done));
    return done.results;
  };
  return {
    workers,
    ask,
    run,
    terminate: async () => {
      for (const w of workers) await w.terminate();
    },
  };
}
