// A worker_threads worker: takes runs (in the pool's order) from the
// counter it shares with the other threads until none are left, posting
// each result.
import { parentPort, workerData } from "node:worker_threads";
import { Overloaded, type RunSpec } from "../engine/index.ts";
import type { Scenario } from "../dsl/index.ts";
import { EngineFailure } from "./engine-failure.ts";
import { simulateOne, type WorkerMessage } from "./pool.ts";

const { scenario, specs, order, counter } = workerData as { scenario: Scenario; specs: RunSpec[]; order: number[]; counter: Int32Array };
const post = (msg: WorkerMessage) => parentPort!.postMessage(msg);
let index = -1;
try {
  for (let next = Atomics.add(counter, 0, 1); next < order.length; next = Atomics.add(counter, 0, 1)) {
    index = order[next]!;
    post({ index, result: simulateOne(scenario, specs[index]!) });
  }
} catch (e) {
  // A thrown error reaches the pool without its class: say which it was.
  if (e instanceof Overloaded) post({ overloaded: e.message });
  else if (e instanceof EngineFailure) post({ index, engineError: e.reason });
  else throw e;
}
