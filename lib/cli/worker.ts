// A worker_threads worker: takes runs (in the pool's order) from the
// counter it shares with the other threads until none are left, posting
// each result.
import { parentPort, workerData } from "node:worker_threads";
import { Overloaded, simulate, type RunSpec } from "../engine/index.ts";
import type { Scenario } from "../dsl/index.ts";

const { scenario, specs, order, counter } = workerData as { scenario: Scenario; specs: RunSpec[]; order: number[]; counter: Int32Array };
try {
  for (let next = Atomics.add(counter, 0, 1); next < specs.length; next = Atomics.add(counter, 0, 1)) {
    const index = order[next]!;
    const result = simulate(scenario, specs[index]!, { clock: () => performance.now() });
    parentPort!.postMessage({ index, result });
  }
} catch (e) {
  // A thrown error reaches the pool without its class: say which it was.
  if (!(e instanceof Overloaded)) throw e;
  parentPort!.postMessage({ overloaded: e.message });
}
