// The pool that spreads a scenario's runs over threads, driven from the
// bundle bin/pcplab runs (its worker script sits beside it).
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { buildCli } from "../../scripts/build.js";
import { analyze, type Scenario } from "../../lib/dsl/index.ts";
import { assemble, type RunResult } from "../../lib/engine/index.ts";
import type { PoolOptions, PoolStats } from "../../lib/cli/pool.ts";

type RunAll = (s: Scenario, opts?: PoolOptions, stats?: PoolStats) => Promise<RunResult[]>;
const out = await buildCli();
const { runAll } = (await import(pathToFileURL(out.cli).href)) as { runAll: RunAll };

// Eight short runs: well under a second on one thread.
const short = analyze(`scenario "short" {
  cpus 2
  memory 256MiB
  duration 5ms
  runs 4
  compare irqsave, trylock
  workload "nic-rx" on cpus all in hardirq {
    rate 50k/s
    alloc order 0 gfp GFP_ATOMIC
    free after 20us
  }
}
`).scenario!;

async function run(opts: PoolOptions): Promise<{ workers: number; digest: string }> {
  const stats = { workers: 0 };
  const runs = await runAll(short, opts, stats);
  return { workers: stats.workers, digest: assemble(short, "sha256:x", runs).digest };
}

describe.skipIf(availableParallelism() < 2)("runAll on a machine with cores to spare", () => {
  it("keeps short runs on this thread: a worker would spend longer compiling the engine", async () => {
    expect((await run({})).workers).toBe(0);
  });

  it("starts a worker per spare core once the serial time left pays for them, with the same results", async () => {
    const serial = await run({ threads: 1 });
    const adaptive = await run({ workersPayAfterMs: 0 });
    expect(serial.workers).toBe(0);
    expect(adaptive.workers).toBe(Math.min(availableParallelism(), 8) - 1);
    expect(adaptive.digest).toBe(serial.digest);
  });

  it("starts the workers at once when --threads asks for them", async () => {
    const two = await run({ threads: 2 });
    expect(two.workers).toBe(1);
    expect(two.digest).toBe((await run({ threads: 1 })).digest);
  });
});

describe("runAll when the engine throws", () => {
  // No checked scenario makes the engine throw, so the runs name a variant
  // the checker would have refused; on two threads the worker meets it too.
  it("rejects with one line naming the run, on one thread or two", async () => {
    const broken = { ...short, variants: ["no-such-variant"] };
    for (const threads of [1, 2]) {
      const e = await runAll(broken, { threads }).then(() => null, (x: unknown) => x as Error);
      expect(e?.name).toBe("EngineFailure");
      expect(e?.message).toMatch(/^run no-such-variant, seed [1-4]: engine error: unknown variant no-such-variant$/);
    }
  });
});
