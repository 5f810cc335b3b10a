// Same scenario + same engine = same digest: in two processes, serial and
// parallel, and in the notebook's Web Workers.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyze, format } from "../../lib/dsl/index.ts";
import { runScenario, scenarioDigest, type Results } from "../../lib/engine/index.ts";
import { engineWorkers } from "../support/engine-worker.ts";

const bin = new URL("../../bin/pcplab", import.meta.url).pathname;
const file = new URL("../../scenarios/nic-rx-irq-alloc.scn", import.meta.url).pathname;
const text = readFileSync(file, "utf8");

function cli(args: string[]): Results {
  const r = spawnSync(process.execPath, [bin, "run", file, "--json", "--runs", "2", ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout) as Results;
}

function inProcess(): Results {
  const a = analyze(text);
  const f = format(text);
  if (!a.scenario || !f.ok) throw new Error("scenario does not check");
  return runScenario({ ...a.scenario, runs: 2 }, scenarioDigest(f.text));
}

describe("determinism", () => {
  const reference = inProcess();

  it("gives the same digest in two processes, serial and parallel", () => {
    const serial = cli(["--threads", "1"]);
    const parallel = cli(["--threads", "2"]);
    expect(serial.digest).toBe(reference.digest);
    expect(parallel.digest).toBe(reference.digest);
    expect(parallel.results.map((r) => r.runs.map((x) => x.metrics["engine.events"]))).toEqual(
      reference.results.map((r) => r.runs.map((x) => x.metrics["engine.events"])),
    );
  });

  it("gives the same digest from the notebook's Web Workers, runs handed out longest first", async () => {
    const { workers, ask, run, terminate } = await engineWorkers(2);
    const source = text.replace("runs 3", "runs 2");
    try {
      const results = await run(source);
      // The digest is over results only; the scenario digest differs with the text.
      expect(results.digest).toBe(reference.digest);
      const broken = await ask(workers[0]!, { type: "plan", source: source.replace("memory", "memroy") });
      expect(broken).toMatchObject({ type: "error", message: expect.stringMatching(/^line \d+: error E1\d\d: /) });
      // A CPU that cannot keep up is the scenario's doing, not an engine failure.
      const overloaded = 'scenario "o" {\n  cpus 1\n  memory 256MiB\n  duration 100ms\n  workload "w" on cpus all {\n    every 10ns\n    alloc order 0 gfp GFP_KERNEL\n    free immediately\n  }\n}\n';
      expect(await ask(workers[1]!, { type: "run", source: overloaded, index: 0 })).toMatchObject({
        type: "error",
        message: expect.stringMatching(/^run irqsave, seed 1: CPU 0's task context has 100000 pieces of work waiting at [\d.]+ ms: /),
      });
    } finally {
      await terminate();
    }
  });

  it("gives the same results serial and parallel when the pool reorders runs (a sweep, longest first)", () => {
    const dir = mkdtempSync(join(tmpdir(), "pcplab-sweep-"));
    const sweep = join(dir, "sweep.scn");
    writeFileSync(sweep, readFileSync(new URL("../../scenarios/irq-rate-sweep.scn", import.meta.url), "utf8").replace("duration 50ms", "duration 5ms"));
    const run = (threads: string) => {
      const r = spawnSync(process.execPath, [bin, "run", sweep, "--json", "--threads", threads], { encoding: "utf8", maxBuffer: 1 << 28 });
      expect(r.stderr).toBe("");
      return JSON.parse(r.stdout) as Results;
    };
    const serial = run("1");
    const parallel = run("2");
    expect(parallel.digest).toBe(serial.digest);
    expect(parallel.results.map((v) => [v.variant, v.sweep_value])).toEqual(serial.results.map((v) => [v.variant, v.sweep_value]));
  });

  it("changes the digest when a seed changes", () => {
    expect(cli(["--seed", "7", "--threads", "1"]).digest).not.toBe(reference.digest);
  });
});
