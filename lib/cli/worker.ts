// A worker_threads worker: runs the specs it is sent and posts the results.
import { parentPort } from "node:worker_threads";
import { simulate, type RunSpec } from "../engine/index.ts";
import type { Scenario } from "../dsl/index.ts";

parentPort!.on("message", (msg: { scenario: Scenario; index: number; spec: RunSpec }) => {
  const result = simulate(msg.scenario, msg.spec, { clock: () => performance.now() });
  parentPort!.postMessage({ index: msg.index, result });
});
