// The engine in a Web Worker, so a long run never blocks the page. It runs
// exactly what `pcplab run FILE` runs on the same text (same scenario, same
// canonical text, same digest) and posts progress now and then.
import { analyze, format } from "../dsl/index.ts";
import { runScenario, scenarioDigest } from "../engine/index.ts";
import type { WorkerReply, WorkerRequest } from "./runner.ts";

const post = (m: WorkerReply) => (self as unknown as { postMessage(m: WorkerReply): void }).postMessage(m);

self.onmessage = (e: MessageEvent<WorkerRequest>) => {
  const analysis = analyze(e.data.source);
  const formatted = format(e.data.source);
  if (!analysis.scenario || !formatted.ok) {
    const first = analysis.diagnostics.find((d) => d.severity === "error");
    post({ type: "error", message: first ? `line ${first.start.line}: error ${first.code}: ${first.message}` : "the scenario has errors" });
    return;
  }
  const s = analysis.scenario;
  const total = s.variants.length * (s.sweep?.values.length ?? 1) * s.runs;
  let done = 0;
  let lastPost = 0;
  try {
    const results = runScenario(s, scenarioDigest(formatted.text), {
      clock: () => performance.now(),
      onProgress: (ns) => {
        const now = performance.now();
        if (now - lastPost < 50) return;
        lastPost = now;
        post({ type: "progress", fraction: Math.min(1, (done + ns / s.durationNs) / total) });
      },
      onRunDone: (d) => {
        done = d;
        post({ type: "progress", fraction: d / total });
      },
    });
    post({ type: "done", results });
  } catch (err) {
    post({ type: "error", message: `the engine failed: ${(err as Error).message}` });
  }
};
