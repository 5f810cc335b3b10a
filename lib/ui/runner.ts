// Runs a scenario in a fresh Web Worker. Cancel terminates the worker: the
// engine never has to poll for it, and nothing of a cancelled run survives.
import type { Results } from "../engine/index.ts";

export interface WorkerRequest {
  source: string;
}

export type WorkerReply =
  | { type: "progress"; fraction: number }
  | { type: "done"; results: Results }
  | { type: "error"; message: string };

export type RunOutcome = { ok: true; results: Results } | { ok: false; message: string; cancelled?: boolean };

export interface RunHandle {
  outcome: Promise<RunOutcome>;
  cancel(): void;
}

export function startRun(source: string, onProgress: (fraction: number) => void): RunHandle {
  const worker = new Worker(new URL("./engine.worker.ts", import.meta.url), { type: "module" });
  let settle: (o: RunOutcome) => void = () => {};
  const outcome = new Promise<RunOutcome>((resolve) => {
    settle = (o) => {
      worker.terminate();
      resolve(o);
    };
  });
  worker.onmessage = (e: MessageEvent<WorkerReply>) => {
    const m = e.data;
    if (m.type === "progress") onProgress(m.fraction);
    else if (m.type === "done") settle({ ok: true, results: m.results });
    else settle({ ok: false, message: m.message });
  };
  worker.onerror = (e) => settle({ ok: false, message: `the engine worker failed: ${e.message || "unknown error"}` });
  worker.postMessage({ source } satisfies WorkerRequest);
  return { outcome, cancel: () => settle({ ok: false, message: "cancelled", cancelled: true }) };
}
