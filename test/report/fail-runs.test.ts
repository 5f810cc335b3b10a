// Crashed runs, reported as the kernel test robot reports them: a run that
// ends in an oops counts in the fail:runs block only, and every perf figure
// (means, stddev, %change, expectations) is taken over the complete runs.
import { describe, expect, it } from "vitest";
import { analyze, format } from "../../lib/dsl/index.ts";
import { runScenario, scenarioDigest, type Results } from "../../lib/engine/index.ts";
import { formatValue } from "../../lib/report/format.ts";
import { renderReport } from "../../lib/report/render.ts";
import { verify, type VerifyHooks } from "../../lib/report/verify.ts";
import { pcplab } from "../support/pcplab-cli.ts";
import { v2CrashScenario } from "../support/v2-crash.ts";

const scenario = v2CrashScenario;

function run(text: string): { results: Results; report: string } {
  const a = analyze(text);
  const f = format(text);
  if (!a.scenario || !f.ok) throw new Error(JSON.stringify(a.diagnostics));
  const results = runScenario(a.scenario, scenarioDigest(f.text));
  return { results, report: renderReport(a.scenario, f.text, results) };
}

const engine: VerifyHooks = { run: async (s, canonical) => runScenario(s, scenarioDigest(canonical)) };

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("a comparison where trylock-v2 crashes in some seeds", () => {
  const { results, report } = run(scenario("runs 5\n  compare trylock-v2, trylock", "expect alloc.requests > 1000 for trylock-v2"));
  const v2 = results.results.find((g) => g.variant === "trylock-v2")!;
  const complete = v2.runs.filter((r) => !r.violation);
  const lines = report.split("\n");

  it("crashes in 2 of 5 seeds (the premise)", () => {
    expect(v2.runs.map((r) => r.violation !== null)).toEqual([false, false, true, true, false]);
  });

  it("prints LKP's fail:runs block before the perf block, with the reproduction change in points", () => {
    const table = lines.indexOf("      trylock-v2                     trylock");
    expect(lines.slice(table + 1, table + 7)).toEqual([
      "---------------- ---------------------------",
      "       fail:runs  %reproduction    fail:runs",
      "           |             |             |",
      "          2:5          -40%            :5     dmesg.list_del_corruption",
      "perf means over complete runs only: trylock-v2 3 of 5",
      "         %stddev     %change         %stddev",
    ]);
  });

  it("takes every perf mean over the three complete runs only", () => {
    for (const metric of ["alloc.requests", "alloc.latency_ns.p99", "pcp.trylock_fail", "lock.zone.contentions"]) {
      expect(v2.summary[metric]!.mean).toBeCloseTo(mean(complete.map((r) => r.metrics[metric]!)), 9);
      expect(v2.summary[metric]!.runs).toBe(3);
    }
    const p99 = formatValue("alloc.latency_ns.p99", v2.summary["alloc.latency_ns.p99"]!.mean);
    expect(lines.find((l) => l.endsWith("  alloc.latency_ns.p99"))!.slice(0, 10).trim()).toBe(p99);
    // Truncated runs made alloc.requests look 40% lower; complete runs do not.
    const requests = lines.find((l) => l.endsWith("  alloc.requests"));
    if (requests) expect(requests).not.toMatch(/-[1-9]\d\.\d%/);
  });

  it("counts the failure metric over every run, and keeps it out of the perf rows", () => {
    expect(v2.summary["invariants.violations"]).toMatchObject({ mean: 0.4, runs: 5 });
    expect(lines.some((l) => l.endsWith("  invariants.violations"))).toBe(false);
  });

  it("compares an expectation on a perf metric with the complete runs' mean, and says over how many", () => {
    const e = results.expectations.find((x) => x.text.startsWith("expect alloc.requests"))!;
    expect(e.value).toBe(v2.summary["alloc.requests"]!.mean);
    expect(e.runs).toBe(3);
    const value = Number.isInteger(e.value) ? String(e.value) : e.value!.toFixed(2);
    expect(report.replace(/\n +/g, " ")).toContain(`PASS expect alloc.requests > 1000 for trylock-v2 (trylock-v2: ${value}, over 3 of 5 runs)`);
  });

  it("marks each run completed or crashed in the JSON, with the violation's class", () => {
    const json = JSON.parse(JSON.stringify(results)) as Results;
    const runs = json.results.find((g) => g.variant === "trylock-v2")!.runs;
    expect(runs.map((r) => [r.status, r.violation_class])).toEqual([
      ["completed", null],
      ["completed", null],
      ["crashed", "dmesg.list_del_corruption"],
      ["crashed", "dmesg.list_del_corruption"],
      ["completed", null],
    ]);
    expect(json.results.find((g) => g.variant === "trylock")!.summary["alloc.requests"]!.runs).toBe(5);
  });

  it("reproduces under pcplab verify, and names a damaged fail:runs header with its line", async () => {
    expect((await verify(report, engine)).status).toBe("reproduced");
    const damaged = report.replace("       fail:runs  %reproduction    fail:runs", "       fail:runs  %repro    fail:runs");
    const line = lines.indexOf("       fail:runs  %reproduction    fail:runs") + 1;
    const outcome = await verify(damaged, engine);
    expect(outcome.status).toBe("error");
    expect(outcome.status === "error" && outcome.message).toBe(
      `cannot verify: the report's layout is damaged (trylock-v2 vs trylock table: '       fail:runs  %reproduction    fail:runs' is missing or changed near mail line ${line})`,
    );
  });

  it("shows an edited fail:runs count as the line that differs", async () => {
    const row = "          2:5          -40%            :5     dmesg.list_del_corruption";
    const edited = report.replace(row, "          3:5          -60%            :5     dmesg.list_del_corruption");
    const outcome = await verify(edited, engine);
    expect(outcome.status).toBe("differs");
    if (outcome.status !== "differs") return;
    expect(outcome.differences).toContainEqual({ line: lines.indexOf(row) + 1, where: "trylock-v2 vs trylock table", expected: "          3:5          -60%            :5     dmesg.list_del_corruption", got: row });
  });
});

describe("a variant whose every run crashed", () => {
  const { results, report } = run(scenario("seed 3\n  runs 1\n  lock trylock-v2", "expect alloc.requests > 0 for trylock-v2"));

  it("has no perf summary to show, and its perf expectation fails with a message, not NaN", () => {
    const g = results.results[0]!;
    expect(g.summary["alloc.requests"]).toBeUndefined();
    expect(g.summary["invariants.violations"]).toMatchObject({ mean: 1, runs: 1 });
    const e = results.expectations.find((x) => x.text.startsWith("expect alloc.requests"))!;
    expect(e).toMatchObject({ value: null, runs: 0, passed: false, note: "no run completed (1 of 1 crashed)" });
    expect(report.replace(/\n +/g, " ")).toContain("FAIL expect alloc.requests > 0 for trylock-v2 (trylock-v2: no run completed (1 of 1 crashed))");
    expect(report).not.toContain("NaN");
  });

  it("prints the single column's fail:runs block, and no perf block", () => {
    const lines = report.split("\n");
    const at = lines.indexOf("       fail:runs");
    expect(lines.slice(at - 2, at + 5)).toEqual([
      "      trylock-v2",
      "----------------",
      "       fail:runs",
      "           |",
      "          1:1     dmesg.list_del_corruption",
      "perf means over complete runs only: trylock-v2 0 of 1",
      "",
    ]);
    expect(lines.some((l) => l.endsWith("  alloc.latency_ns.p99"))).toBe(false);
  });
});

describe("a sweep where trylock-v2 crashes at one value", () => {
  const { results, report } = run(scenario('seed 2\n  runs 2\n  compare trylock-v2, trylock\n  sweep "io".rate in 20k/s, 50k/s'));
  const lines = report.split("\n");

  it("prints a fail:runs table per class, then perf tables over complete runs", () => {
    const at = lines.indexOf("dmesg.list_del_corruption (fail:runs)");
    expect(lines.slice(at, at + 4)).toEqual([
      "dmesg.list_del_corruption (fail:runs)",
      '       "io".rate  trylock-v2     trylock',
      "           20k/s          :2          :2",
      "           50k/s         1:2          :2",
    ]);
    expect(at).toBeLessThan(lines.indexOf("pcp.fallback% (mean over complete runs)"));
    const v2 = results.results.find((g) => g.variant === "trylock-v2" && g.sweep_value === 50000)!;
    const complete = v2.runs.filter((r) => !r.violation);
    expect(complete.map((r) => r.seed)).toEqual([2]);
    const row = lines[lines.indexOf("alloc.latency_ns.p99 (mean over complete runs)") + 3]!;
    expect(row.trim().split(/\s+/)).toEqual(["50k/s", formatValue("alloc.latency_ns.p99", complete[0]!.metrics["alloc.latency_ns.p99"]!), expect.any(String)]);
    expect(lines).toContain("invariants.violations (mean over seeds)");
  });
});

describe("a sweep point whose every run crashed", () => {
  it("prints - for its perf means and leaves it out of the charts, instead of failing", () => {
    const { report } = run(scenario('seed 3\n  runs 1\n  compare trylock-v2, trylock\n  sweep "io".rate in 20k/s, 50k/s'));
    const lines = report.split("\n");
    const at = lines.indexOf("lock_stat.zone.contentions (mean over complete runs)");
    expect(lines[at + 3]).toMatch(/^ {11}50k\/s {11}- +\d+(\.\d\d)?$/);
    expect(report).toContain("pcp.fallback% against \"io\".rate (mean over complete runs)");
    expect(report).not.toContain("NaN");
  });
});

describe("pcplab run --json", () => {
  it("marks runs completed or crashed and says over how many runs each summary is", () => {
    const text = scenario("runs 5\n  compare trylock-v2, trylock");
    const r = pcplab(["run", "--json", "-"], text);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout) as Results;
    const v2 = json.results.find((g) => g.variant === "trylock-v2")!;
    expect(v2.runs.map((x) => x.status)).toEqual(["completed", "completed", "crashed", "crashed", "completed"]);
    expect(v2.runs.map((x) => x.violation_class)).toEqual([null, null, "dmesg.list_del_corruption", "dmesg.list_del_corruption", null]);
    expect(v2.summary["alloc.requests"]!.runs).toBe(3);
    expect(v2.summary["invariants.violations"]!.runs).toBe(5);
    expect(json.expectations.find((e) => e.variant === "trylock-v2")).toMatchObject({ value: 0.4, runs: 5, passed: true });
  });
});

describe("a fail:runs key too long for the mail's width", () => {
  it("goes under its counts, cut to 76 columns, and reads whole when joined", () => {
    const text = scenario("runs 5\n  compare trylock-v2, trylock");
    const a = analyze(text);
    const f = format(text);
    if (!a.scenario || !f.ok) throw new Error(JSON.stringify(a.diagnostics));
    const results = runScenario(a.scenario, scenarioDigest(f.text));
    // Nothing cuts this head short (no ". ", ", " or ": "): an 89-character key.
    const message = "a list walk reached another list head at ffff888100000000 and would take it for a page";
    for (const g of results.results) for (const r of g.runs) if (r.violation) r.violation = { ...r.violation, message };
    const lines = renderReport(a.scenario, f.text, results).split("\n");
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(76);
    const at = lines.indexOf("          2:5          -40%            :5");
    expect(at).toBeGreaterThan(0);
    const key = "dmesg.a_list_walk_reached_another_list_head_at_ffff888100000000_and_would_take_it_for_a_page";
    expect(lines[at + 1]! + lines[at + 2]!.trimStart()).toBe(`    ${key}`);
  });
});
