// The mail report's pictures: the headline over time and
// against a sweep, as ASCII charts within 76 columns, from the same results
// as the tables, and in what the notebook copies for mail.
import { describe, expect, it } from "vitest";
import { analyze, format } from "../../lib/dsl/index.ts";
import { runScenario, scenarioDigest, type Results } from "../../lib/engine/index.ts";
import { outputOf, reportFor } from "../../lib/notebook/outputs.ts";
import { renderReport } from "../../lib/report/render.ts";
import { v2CrashScenario } from "../support/v2-crash.ts";

const SCENARIO = `scenario "small" {
  cpus 2
  memory 256MiB
  duration 5ms
  runs 2
  compare irqsave, trylock

  workload "nic-rx" on cpus all in hardirq {
    rate 50k/s
    alloc order 0 gfp GFP_ATOMIC
    free after 20us
  }

  workload "faults" on cpus all {
    rate 200k/s
    alloc order 0 gfp GFP_HIGHUSER_MOVABLE
    free batch 16 after exp(100us) in softirq
  }
}
`;

function run(text: string): { report: string; results: Results } {
  const a = analyze(text);
  const f = format(text);
  if (!a.scenario || !f.ok) throw new Error("does not check");
  const results = runScenario(a.scenario, scenarioDigest(f.text));
  return { report: renderReport(a.scenario, f.text, results), results };
}

/** A chart of the report by the start of its title: its lines up to the blank one. */
function chart(report: string, title: string): string[] {
  const lines = report.split("\n");
  const start = lines.findIndex((l) => l.startsWith(title));
  expect(start, `no chart titled ${title}`).toBeGreaterThanOrEqual(0);
  return lines.slice(start, lines.indexOf("", start));
}

/** The plot rows of a chart, top first, as the characters inside the frame. */
function plotRows(lines: string[]): string[] {
  return lines.filter((l) => /^ *(?:\S+ \+|\|).*\|$/.test(l) && !/^ *\+-+\+$/.test(l)).map((l) => l.slice(l.search(/[+|]/) + 1, -1));
}

function checkColumns(report: string) {
  for (const [i, line] of report.split("\n").entries()) {
    expect(line.length, `line ${i + 1}: ${line}`).toBeLessThanOrEqual(76);
    expect(line, `line ${i + 1}`).toMatch(/^[ -~]*$/);
  }
}

describe("a comparison report draws the headline over time", () => {
  const { report, results } = run(SCENARIO);

  it("fallbacks and zone->lock contentions per ms, one line per variant, under the table, within 76 columns", () => {
    const fallbacks = chart(report, "pcp fallbacks per ms of simulated time (mean over seeds)");
    const contentions = chart(report, "zone->lock contentions per ms of simulated time (mean over seeds)");
    for (const c of [fallbacks, contentions]) {
      expect(plotRows(c)).toHaveLength(9);
      expect(c.some((l) => /^ +\* irqsave \(peak \d+\.\d\d per ms\)$/.test(l))).toBe(true);
      expect(c.some((l) => /^ +# trylock \(peak \d+\.\d\d per ms\)$/.test(l))).toBe(true);
      expect(c).toContain("          0                       2.5                      5 ms");
    }
    expect(report.indexOf("pcp fallbacks per ms")).toBeGreaterThan(report.indexOf("lock_stat.zone.contentions"));
    checkColumns(report);
  });

  it("irqsave never falls back, so its line lies on zero; trylock's peak is at least its mean rate", () => {
    const fallbacks = chart(report, "pcp fallbacks per ms");
    expect(fallbacks).toContainEqual(expect.stringMatching(/\* irqsave \(peak 0\.00 per ms\)$/));
    const rows = plotRows(fallbacks);
    expect(rows.slice(0, -1).join("")).not.toContain("*");
    expect(rows.slice(0, -1).join("")).toContain("#");
    const trylock = results.results.find((g) => g.variant === "trylock")!;
    const perRun = trylock.runs.map((r) => r.series.fallbacks.reduce((a, b) => a + b, 0));
    const meanPerMs = perRun.reduce((a, b) => a + b, 0) / perRun.length / 5;
    const peak = Number(/# trylock \(peak (\S+) per ms\)/.exec(fallbacks.join("\n"))![1]);
    expect(meanPerMs).toBeGreaterThan(0);
    expect(peak).toBeGreaterThanOrEqual(Math.floor(meanPerMs * 100) / 100);
    // The top tick is a round number at or above the peak.
    const top = Number(/^ *(\S+) \+/m.exec(fallbacks.slice(2).join("\n"))![1]);
    expect(top).toBeGreaterThanOrEqual(peak);
    expect(String(top)).toMatch(/^(?:1|2|5)0*$|^0\.0*(?:1|2|5)$/);
  });

  it("a run stopped by a violation draws nothing after it", () => {
    const v2 = run(v2CrashScenario("seed 3\n  lock trylock-v2"));
    const violation = v2.results.results[0]!.runs[0]!.violation!;
    expect(violation).not.toBeNull();
    const rows = plotRows(chart(v2.report, "zone->lock contentions per ms"));
    const lastColumn = Math.max(...rows.map((r) => r.lastIndexOf("*")));
    // Each column is 1/50 of the run: the last drawn is the one the
    // violation falls in (if a whole bucket of it came before) or the one before.
    const at = Math.floor((violation.time_ns / 20e6) * 50);
    expect(at).toBeLessThan(45);
    expect([at - 1, at]).toContain(lastColumn);
  });
});

describe("a sweep report draws the headline against the swept value", () => {
  const { report } = run(SCENARIO.replace("compare irqsave, trylock", 'compare irqsave, trylock\n  sweep "nic-rx".rate in 10k/s, 50k/s, 100k/s'));

  it("fallback% and zone->lock contentions against the rate, each value labelled, and the time charts at the largest", () => {
    const fallback = chart(report, 'pcp.fallback% against "nic-rx".rate (mean over seeds)');
    chart(report, 'lock_stat.zone.contentions against "nic-rx".rate (mean over seeds)');
    expect(fallback).toContainEqual(expect.stringMatching(/^ +10k\/s +50k\/s +100k\/s$/));
    expect(fallback).toContainEqual("         * irqsave");
    expect(fallback).toContainEqual("         # trylock");
    // The top tick covers the largest value in the sweep table.
    const table = report.slice(report.indexOf("pcp.fallback% (mean over seeds)"));
    const largest = Math.max(...[...table.slice(0, table.indexOf("\n\n")).matchAll(/ (\d+\.\d\d)/g)].map((m) => Number(m[1])));
    const top = Number(/^ *(\S+) \+/m.exec(fallback.slice(2).join("\n"))![1]);
    expect(top).toBeGreaterThanOrEqual(largest);
    chart(report, 'pcp fallbacks per ms of simulated time at "nic-rx".rate 100k/s');
    checkColumns(report);
  });
});

it("the notebook's Copy for mail has the charts", () => {
  const { report, results } = run(SCENARIO);
  const copied = reportFor(SCENARIO, outputOf(results, new Date("2026-12-07T00:00:00Z")));
  expect(copied).toBe(report);
  expect(copied).toContain("pcp fallbacks per ms of simulated time (mean over seeds)");
  expect(copied).toContain("zone->lock contentions per ms of simulated time (mean over seeds)");
});
