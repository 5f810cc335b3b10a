// The real command line, spawned as a user runs it.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pcplab } from "../support/pcplab-cli.ts";
import { analyze } from "../../lib/dsl/index.ts";
import { EngineFailure, engineFailureLine, reasonOf } from "../../lib/cli/engine-failure.ts";
import { runAll } from "../../lib/cli/pool.ts";

const scenarios = new URL("../../scenarios/", import.meta.url).pathname;

function temp(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "pcplab-")), name);
  writeFileSync(path, text);
  return path;
}

describe("pcplab check", () => {
  it("exits 0 and prints nothing for a clean scenario", () => {
    expect(pcplab(["check", join(scenarios, "thp-compaction-stress.scn")])).toEqual({ status: 0, stdout: "", stderr: "" });
  });

  it("prints FILE:LINE:COL: error CODE: message and exits 2", () => {
    const file = temp("bad.scn", 'scenario "x" {\n  cpus 0\n  workload "w" on cpus all in hardirq {\n    rate 1k/s\n    alloc order 9 gfp GFP_TRANSHUGE_LIGHT | __GFP_NORETY\n  }\n}\n');
    const r = pcplab(["check", file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `${file}:2:8: error E201: cpus must be between 1 and 256, got 0\n` +
        `${file}:5:45: error E104: unknown gfp flag __GFP_NORETY; did you mean __GFP_NORETRY?\n`,
    );
  });

  it("reads stdin as -", () => {
    const r = pcplab(["check", "-"], 'scenario "x" {\n  lock trylok\n}\n');
    expect(r).toMatchObject({ status: 2, stderr: "<stdin>:2:8: error E206: unknown lock variant 'trylok'; did you mean trylock? (variants: irqsave, trylock, trylock-v2, irq-bypass, trylock-2026)\n" });
  });

  it("prints warnings but exits 0", () => {
    const r = pcplab(["check", "-"], 'scenario "x" {\n  workload "w" on cpus all {\n    rate 1k/s\n    alloc order 0 gfp GFP_DMA\n  }\n}\n');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^<stdin>:4:23: warning W302: /);
  });

  it("exits 2 with a message for a missing file, an unknown command or option", () => {
    expect(pcplab(["check", "/nonexistent.scn"])).toMatchObject({ status: 2, stderr: "pcplab: cannot read /nonexistent.scn: ENOENT\n" });
    expect(pcplab(["chek"])).toMatchObject({ status: 2, stderr: expect.stringMatching(/^pcplab: unknown command 'chek'/) });
    expect(pcplab(["check", "--fast", "x.scn"])).toMatchObject({ status: 2, stderr: expect.stringMatching(/unknown option --fast/) });
    expect(pcplab([])).toMatchObject({ status: 2, stderr: expect.stringMatching(/^usage: pcplab/) });
  });
});

describe("pcplab fmt", () => {
  const messy = 'scenario "x" { cpus 8 memory 2048MiB\n workload "w" on cpus 0-1 { rate 20000/s alloc order 0 gfp GFP_KERNEL } }';
  const canonical = 'scenario "x" {\n  cpus 8\n  memory 2GiB\n\n  workload "w" on cpus 0-1 {\n    rate 20k/s\n    alloc order 0 gfp GFP_KERNEL\n  }\n}\n';

  it("prints the canonical form", () => {
    expect(pcplab(["fmt", "-"], messy)).toEqual({ status: 0, stdout: canonical, stderr: "" });
  });

  it("rewrites the file with --write, and leaves a broken file alone", () => {
    const file = temp("w.scn", messy);
    expect(pcplab(["fmt", file, "--write"])).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(readFileSync(file, "utf8")).toBe(canonical);
    const broken = temp("b.scn", 'scenario "x" {\n  cpus 8 8\n');
    const r = pcplab(["fmt", "--write", broken]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/b\.scn:2:10: error E106/);
    expect(readFileSync(broken, "utf8")).toBe('scenario "x" {\n  cpus 8 8\n');
  });

  it("keeps shipped scenarios as they are", () => {
    const copy = temp("copy.scn", "");
    copyFileSync(join(scenarios, "nic-rx-irq-alloc.scn"), copy);
    expect(pcplab(["fmt", copy]).stdout).toBe(readFileSync(copy, "utf8"));
  });
});

describe("pcplab run", () => {
  it("prints the mail report, exit 0 when expectations hold; verify reproduces it from stdin", () => {
    const r = pcplab(["run", join(scenarios, "nic-rx-irq-alloc.scn"), "--runs", "1"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^pcplab: trylock vs irqsave on "nic-rx-irq-alloc"$/m);
    expect(r.stdout).toMatch(/^\s+0\.00\s+\+\d+\.\d+\s+\d+\.\d+.*pcp\.fallback%$/m);
    expect(r.stdout).toMatch(/^  runs 1$/m);
    const v = pcplab(["verify", "-"], r.stdout.replace(/^/gm, "> "));
    expect(v).toMatchObject({ status: 0, stdout: expect.stringMatching(/^reproduced: results sha256:[0-9a-f]{64}\n$/) });
  });

  it("verify exits 1 naming what differs, 2 when there is no scenario", () => {
    const r = pcplab(["run", join(scenarios, "nic-rx-irq-alloc.scn"), "--runs", "1"]);
    const v = pcplab(["verify", "-"], r.stdout.replace(/runs trylock: 1:[0-9a-f]{6}/, "runs trylock: 1:abcdef"));
    expect(v.status).toBe(1);
    expect(v.stdout).toMatch(/^differs: 1 line of the report does not match the re-run \(expected: the mail's line, got: the re-run's\)\nmail line \d+ \(runs\):\n  expected: runs trylock: 1:abcdef\n  got:      runs trylock: 1:[0-9a-f]{6}\n$/);
    expect(pcplab(["verify", "-"], "hello\n")).toMatchObject({ status: 2, stderr: expect.stringMatching(/^pcplab verify: no pcplab scenario found/) });
  });

  it("exits 1 when an expectation fails, naming it", () => {
    const file = temp("fail.scn", 'scenario "f" {\n  duration 1ms\n  workload "w" on cpus all {\n    rate 100k/s\n    alloc order 0 gfp GFP_KERNEL\n  }\n  expect alloc.requests == 0\n}\n');
    const r = pcplab(["run", file]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL expect alloc\.requests == 0 \(irqsave: \d+\)/);
  });

  it("exits 1 on a violation that no expectation allows, and lists it", () => {
    const text = readFileSync(join(scenarios, "v2-list-corruption.scn"), "utf8").replace(/\n  expect[^\n]*/g, "").replace("runs 5", "runs 1").replace("compare trylock-v2, trylock, irqsave", "lock trylock-v2").replace("duration 50ms", "duration 50ms\n  seed 2");
    const r = pcplab(["run", temp("v2.scn", text)]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/trylock-v2, seed 2, crashed at [\d.]+ ms:\n  list_del corruption/);
  });

  it("exits 2 when a run asks more of a CPU than it can do, saying which run and CPU, on one thread or two", () => {
    // An arrival every 10 ns, each needing well over 10 ns of the CPU.
    const file = temp("over.scn", 'scenario "o" {\n  cpus 1\n  memory 256MiB\n  duration 100ms\n  runs 2\n  workload "w" on cpus all {\n    every 10ns\n    alloc order 0 gfp GFP_KERNEL\n    free immediately\n  }\n}\n');
    for (const threads of ["1", "2"]) {
      const r = pcplab(["run", file, "--threads", threads]);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(new RegExp(`^pcplab run: ${file}: run irqsave, seed [12]: CPU 0's task context has 100000 pieces of work waiting at [\\d.]+ ms: .*Lower their rates`));
    }
  });

  it("runs a uniform() range wider than 2^32 ns, exit 0", () => {
    const file = temp("wide.scn", 'scenario "u" {\n  duration 100ms\n  workload "w" on cpus all {\n    rate 10k/s\n    alloc order 0 gfp GFP_KERNEL\n    free after uniform(0ns, 5s)\n  }\n}\n');
    const r = pcplab(["run", file, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const metrics = JSON.parse(r.stdout).results[0].runs[0].metrics;
    // A free lands inside the 100 ms run only when its delay is shorter than
    // the time left: about 1% of 4000 allocations over 0-5 s.
    expect(metrics["alloc.requests"]).toBeGreaterThan(3500);
    expect(metrics["free.requests"]).toBeGreaterThan(10);
    expect(metrics["free.requests"]).toBeLessThan(100);
  });

  it("exits 2 on a scenario with errors, and on bad options", () => {
    expect(pcplab(["run", "-"], 'scenario "x" {\n  cpus 0\n}\n').status).toBe(2);
    expect(pcplab(["run", join(scenarios, "nic-rx-irq-alloc.scn"), "--runs", "x"])).toMatchObject({ status: 2, stderr: "pcplab run: --runs needs a whole number, got x\n" });
    expect(pcplab(["run", join(scenarios, "nic-rx-irq-alloc.scn"), "--runs", "201"])).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/^pcplab run: --runs must be between 1 and 200: every run's results stay in memory/),
    });
  });
});

describe("an engine failure", () => {
  // No checked scenario makes the engine throw (that is the point), so the
  // run names a variant the checker would have refused.
  it("is one line naming the run, never a stack trace", async () => {
    const { scenario } = analyze('scenario "e" {\n  seed 7\n  duration 1ms\n}\n');
    const broken = { ...scenario!, variants: ["no-such-variant"] };
    const failure = await runAll(broken, { threads: 1 }).then(() => null, (e: unknown) => e);
    expect(failure).toBeInstanceOf(EngineFailure);
    const line = engineFailureLine("run", failure as EngineFailure);
    expect(line).toBe("pcplab run: run no-such-variant, seed 7: engine error: unknown variant no-such-variant");
  });

  it("keeps the first line of a multi-line message", () => {
    expect(reasonOf(new RangeError("first\n    at somewhere (file.ts:1:1)"))).toBe("first");
    expect(reasonOf("thrown text")).toBe("thrown text");
  });
});
