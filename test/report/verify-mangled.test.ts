// verify checks everything a report prints: each mangling a
// user tried on a mailed report is caught and the line named, a report
// whose layout is damaged cannot be verified, and a digest that differs is
// explained by the lines that differ.
import { describe, expect, it } from "vitest";
import { analyze, format } from "../../lib/dsl/index.ts";
import { runScenario, scenarioDigest } from "../../lib/engine/index.ts";
import { renderReport } from "../../lib/report/render.ts";
import { formatDifferences, verify, type VerifyHooks, type VerifyOutcome } from "../../lib/report/verify.ts";
import { v2CrashScenario } from "../support/v2-crash.ts";

const SCENARIO = `scenario "small" {
  description "a quick one"
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

  expect pcp.trylock_fail.hardirq == 0 for irqsave
}
`;

const engine: VerifyHooks = { run: async (s, canonical) => runScenario(s, scenarioDigest(canonical)) };

function report(text: string): string {
  const a = analyze(text);
  const f = format(text);
  if (!a.scenario || !f.ok) throw new Error("does not check");
  return renderReport(a.scenario, f.text, runScenario(a.scenario, scenarioDigest(f.text)));
}

const original = report(SCENARIO);
const lines = original.split("\n");
const lineOf = (line: string) => lines.indexOf(line) + 1;
const find = (re: RegExp) => {
  const line = lines.find((l) => re.test(l));
  if (line === undefined) throw new Error(`no line matches ${re}`);
  return line;
};

/** Replaces one line of the report by another. */
function edit(line: string, by: string): string {
  return lines.map((l) => (l === line ? by : l)).join("\n");
}

function differences(outcome: VerifyOutcome) {
  if (outcome.status === "reproduced") throw new Error("the mangled report was reproduced");
  return outcome.differences ?? [];
}

describe("every changed line of a report is caught and named", () => {
  it.each([
    ["a %change turned from minus to plus", /^\s+\S+(?: \+-\s*\d+%)?\s+-\d+\.\d%\s/, (l: string) => l.replace(/(\s)-(\d+\.\d%)/, "$1+$2")],
    ["a changed %stddev", /\+-\s*\d+%/, (l: string) => l.replace(/\+-(\s*\d*)(\d)%/, (_, head: string, d: string) => `+-${head}${(Number(d) + 1) % 10}%`)],
    ["an expectation turned from PASS to FAIL", /^PASS /, (l: string) => l.replace(/^PASS/, "FAIL")],
    ["an expectation's value changed", /\(irqsave: 0\)$/, (l: string) => l.replace("(irqsave: 0)", "(irqsave: 9)")],
    ["the cpus/memory/duration/runs line", /^cpus\/memory\/duration\/runs: /, (l: string) => l.replace(/\/2$/, "/3")],
    ["the title", /^pcplab: /, (l: string) => l.replace("trylock vs irqsave", "irqsave vs trylock")],
    ["the description", /^a quick one$/, () => "a slow one"],
    ["a mean in the table", /alloc\.requests$/, (l: string) => l.replace(/^(\s*\d*)(\d)/, (_, head: string, d: string) => `${head}${(Number(d) + 1) % 10}`)],
    ["a chart's peak", /^\s+# trylock \(peak /, (l: string) => l.replace(/peak (\d)/, (_, d: string) => `peak ${(Number(d) + 1) % 10}`)],
    ["a chart's tick", /^\s+\d+(?:\.\d+)? \+/, (l: string) => l.replace(/^(\s*)(\d)/, (_, sp: string, d: string) => `${sp}${(Number(d) + 1) % 10}`)],
  ])("%s", async (_, which, change) => {
    const line = find(which);
    const changed = change(line);
    expect(changed).not.toBe(line);
    const outcome = await verify(edit(line, changed), engine);
    expect(outcome.status).toBe("differs");
    expect(differences(outcome)).toContainEqual({ line: lineOf(line), where: expect.any(String), expected: changed, got: line });
  });

  it("a deleted table row: the mail lacks the re-run's line", async () => {
    const row = find(/pcp\.fallback%$/);
    const outcome = await verify(original.replace(row + "\n", ""), engine);
    expect(outcome.status).toBe("differs");
    expect(differences(outcome)).toEqual([{ line: lineOf(row) - 1, where: "irqsave vs trylock table", expected: null, got: row }]);
  });

  it("a deleted runs line", async () => {
    const runs = find(/^runs trylock: /);
    const outcome = await verify(original.replace(runs + "\n", ""), engine);
    expect(differences(outcome)).toEqual([{ line: lineOf(runs) - 1, where: "runs", expected: null, got: runs }]);
  });

  it("an added line", async () => {
    const row = find(/alloc\.requests$/);
    const outcome = await verify(original.replace(row, row + "\n    999999            +99.9%    999999        alloc.made_up"), engine);
    expect(differences(outcome)).toEqual([{ line: lineOf(row) + 1, where: "irqsave vs trylock table", expected: "    999999            +99.9%    999999        alloc.made_up", got: null }]);
  });

  it("the results digest changed alone: the note says every printed line agrees", async () => {
    const marker = find(/^---8<--- pcplab results sha256:/);
    const outcome = await verify(edit(marker, marker.replace(/[0-9a-f]{12}/, "000000000000")), engine);
    expect(outcome.status).toBe("differs");
    if (outcome.status !== "differs") return;
    expect(outcome.differences).toEqual([{ line: lineOf(marker), where: "results digest", expected: expect.stringContaining("000000000000"), got: marker }]);
    expect(outcome.notes.join("\n")).toMatch(/every line the report prints agrees, but the results digest differs/);
  });
});

describe("a report whose layout is damaged cannot be verified (exit 2)", () => {
  it("a table rule one dash shorter, with changed means under it", async () => {
    const rule = find(/^-{16} -{27}$/);
    const row = find(/alloc\.requests$/);
    const fake = "   9999999            -99.9%     99999        alloc.requests";
    const outcome = await verify(edit(rule, rule.slice(1)).replace(row, fake), engine);
    expect(outcome.status).toBe("error");
    if (outcome.status !== "error") return;
    expect(outcome.message).toMatch(/^cannot verify: the report's layout is damaged \(irqsave vs trylock table: '-{16} -{27}'/);
    expect(outcome.differences).toContainEqual({ line: lineOf(rule), where: "irqsave vs trylock table", expected: rule.slice(1), got: rule });
    expect(outcome.differences).toContainEqual({ line: lineOf(row), where: "irqsave vs trylock table", expected: fake, got: row });
  });

  it("a report without its title", async () => {
    const outcome = await verify(original.replace(/^pcplab: .*\n/, ""), engine);
    expect(outcome).toEqual({ status: "error", message: expect.stringMatching(/^cannot verify: no report title/) });
  });

  it("a chart's frame", async () => {
    const at = lines.findIndex((l) => /^ +\+-+\+$/.test(l));
    const frame = lines[at]!;
    const outcome = await verify(lines.map((l, i) => (i === at ? frame.replace("+-", "--") : l)).join("\n"), engine);
    expect(outcome.status).toBe("error");
    expect(outcome.status === "error" && outcome.differences).toEqual([{ line: at + 1, where: expect.stringMatching(/^chart: pcp fallbacks per ms/), expected: frame.replace("+-", "--"), got: frame }]);
  });
});

describe("verify forgives what mail does to a report, and nothing else", () => {
  it("lines a mail client hard-wrapped at 72 columns, quoted", async () => {
    const wrapped = original
      .split("\n")
      .flatMap((l) => {
        const quoted = "> " + l;
        if (quoted.length <= 72) return [quoted];
        const cut = quoted.lastIndexOf(" ", 72);
        return [quoted.slice(0, cut), "> " + quoted.slice(cut + 1)];
      })
      .join("\n");
    expect(wrapped.split("\n").length).toBeGreaterThan(original.split("\n").length);
    expect((await verify(wrapped, engine)).status).toBe("reproduced");
    // The continuation without its quote marks, as some clients leave it.
    expect((await verify(wrapped.replace(/^> (\S.*alloc\.requests)$/m, "$1"), engine)).status).toBe("reproduced");
  });

  it("a wrapped line whose pieces do not make the re-run's line is a difference", async () => {
    const row = find(/alloc\.requests$/);
    const cut = row.lastIndexOf(" ");
    const outcome = await verify(original.replace(row, row.slice(0, cut) + "\nalloc.frees"), engine);
    expect(outcome.status).toBe("differs");
    expect(differences(outcome)).toEqual([
      { line: lineOf(row), where: "irqsave vs trylock table", expected: row.slice(0, cut).trimEnd(), got: row },
      { line: lineOf(row) + 1, where: "irqsave vs trylock table", expected: "alloc.frees", got: null },
    ]);
  });

  it("a reply written between the quoted lines", async () => {
    const quoted = original.replace(/^/gm, "> ");
    const row = "> " + find(/pcp\.fallback%$/);
    const reply = quoted.replace(row, row + "\n\nThis one worries me.\n");
    expect((await verify(reply, engine)).status).toBe("reproduced");
    // But a quoted line whose quote marks were removed is missing from the report.
    expect((await verify(quoted.replace(row, row.slice(2)), engine)).status).toBe("differs");
  });

  it("the charts cut from the mail (or a report from before there were charts)", async () => {
    const cut = original.replace(/\npcp fallbacks per ms[\s\S]*?\n\n(?=expectations:)/, "\n");
    expect(cut).not.toMatch(/per ms/);
    const outcome = await verify(cut, engine);
    expect(outcome.status).toBe("reproduced");
    expect(outcome.status === "reproduced" && outcome.notes.join("\n")).toMatch(/has no charts/);
  });

  it("a chart's drawing is not compared, its numbers are", async () => {
    const row = find(/^ {9}\|.*[*#].*\|$/);
    const redrawn = row.replace(/[*#]/, (g) => (g === "*" ? "#" : "*"));
    expect((await verify(edit(row, redrawn), engine)).status).toBe("reproduced");
    const scribbled = row.replace(/[*#]/, "7");
    expect((await verify(edit(row, scribbled), engine)).status).toBe("differs");
  });
});

describe("a results digest that differs is explained by the lines that differ", () => {
  // v2's list corruption in one cheap run: a violation to print.
  const V2 = v2CrashScenario("seed 3\n  compare trylock-v2, irqsave");
  const v2 = report(V2);

  it("the call trace, quoted both ways", async () => {
    const v2lines = v2.split("\n");
    const trace = v2lines.find((l) => l === "   free_unref_page_list")!;
    expect(trace).toBeDefined();
    const other = trace.replace("free_unref_page_list", "free_pcppages_bulk");
    const marker = v2lines.find((l) => l.startsWith("---8<--- pcplab results"))!;
    const mailed = v2.replace(trace, other).replace(marker, marker.replace(/[0-9a-f]{12}/, "0123456789ab"));
    const outcome = await verify(mailed, engine);
    expect(outcome.status).toBe("differs");
    if (outcome.status !== "differs") return;
    expect(outcome.differences).toEqual([
      { line: v2lines.indexOf(trace) + 1, where: "violations", expected: other, got: trace },
      { line: v2lines.indexOf(marker) + 1, where: "results digest", expected: marker.replace(/[0-9a-f]{12}/, "0123456789ab"), got: marker },
    ]);
    expect(formatDifferences(outcome.differences)).toContain(`  expected: ${other}\n  got:      ${trace}\n`);
  });
});
