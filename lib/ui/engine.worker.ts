// The engine in a Web Worker, so a long run never blocks the page. The page
// starts one per core (runner.ts) and hands out runs; each worker runs
// exactly what `pcplab run FILE` runs on the same text (same scenario, same
// canonical text, same digest).
import { analyze, format, type Scenario } from "../dsl/index.ts";
import { estimateWork } from "../engine/estimate.ts";
import { assemble, longestFirst, Overloaded, plan, scenarioDigest, simulate, type RunSpec } from "../engine/index.ts";
import type { WorkerReply, WorkerRequest } from "./runner.ts";

const post = (m: WorkerReply) => (self as unknown as { postMessage(m: WorkerReply): void }).postMessage(m);

interface Analyzed {
  scenario: Scenario;
  digest: string;
  specs: RunSpec[];
}

// Every request carries the source; the analysis (and plan) of the last one is kept.
let analyzed: (Analyzed & { source: string }) | null = null;

function scenarioOf(source: string): Analyzed | string {
  if (analyzed?.source === source) return analyzed;
  const analysis = analyze(source);
  const formatted = format(source);
  if (!analysis.scenario || !formatted.ok) {
    const first = analysis.diagnostics.find((d) => d.severity === "error");
    return first ? `line ${first.start.line}: error ${first.code}: ${first.message}` : "the scenario has errors";
  }
  analyzed = { source, scenario: analysis.scenario, digest: scenarioDigest(formatted.text), specs: plan(analysis.scenario) };
  return analyzed;
}

self.onmessage = (e: MessageEvent<WorkerRequest>) => {
  const request = e.data;
  const s = scenarioOf(request.source);
  if (typeof s === "string") return post({ type: "error", message: s });
  try {
    if (request.type === "plan") {
      post({ type: "plan", order: longestFirst(s.scenario, s.specs), work: estimateWork(s.scenario, s.specs).runs });
    } else if (request.type === "run") {
      let lastPost = 0;
      const result = simulate(s.scenario, s.specs[request.index]!, {
        clock: () => performance.now(),
        onProgress: (ns) => {
          const now = performance.now();
          if (now - lastPost < 50) return;
          lastPost = now;
          // The engine's clock starts at 0 with the warmup.
          post({ type: "progress", fraction: Math.min(1, ns / (s.scenario.warmupNs + s.scenario.durationNs)) });
        },
      });
      post({ type: "run", index: request.index, result });
    } else {
      post({ type: "done", results: assemble(s.scenario, s.digest, request.runs) });
    }
  } catch (err) {
    // An overloaded CPU is the scenario's doing, and its message says what to change.
    post({ type: "error", message: err instanceof Overloaded ? err.message : `the engine failed: ${(err as Error).message}` });
  }
};
