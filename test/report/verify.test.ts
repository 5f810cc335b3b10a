// pcplab verify from the reviewer's side: a report as it arrives in a mail
// reader is re-run and either reproduced or shown to differ, exactly where.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyze, format } from "../../lib/dsl/index.ts";
import { assemble, ENGINE_VERSION, plan, runScenario, scenarioDigest, simulate } from "../../lib/engine/index.ts";
import { renderReport } from "../../lib/report/render.ts";
import { extractReport, verify, type VerifyHooks } from "../../lib/report/verify.ts";

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
}
`;

const engine: VerifyHooks = { run: async (s, canonical) => runScenario(s, scenarioDigest(canonical)) };

function report(text = SCENARIO): string {
  const a = analyze(text);
  const f = format(text);
  if (!a.scenario || !f.ok) throw new Error("does not check");
  return renderReport(a.scenario, f.text, runScenario(a.scenario, scenarioDigest(f.text)));
}

const original = report();
/** The 1-based line of a report that holds `line`. */
const lineOf = (text: string, line: string) => text.split("\n").indexOf(line) + 1;
const mail = (body: string) =>
  `From: Reviewer <r@example.org>\r\nTo: linux-mm@kvack.org\r\nSubject: Re: [PATCH v2] mm/page_alloc: Leave IRQs enabled\r\n\r\nOn Fri, Mel Gorman wrote:\r\n${body}\r\nThanks,\r\nR.\r\n`;

describe("verify reproduces a report", () => {
  it.each([
    ["as sent", original],
    ["quoted once with '> '", original.replace(/^/gm, "> ")],
    ["quoted twice with '>' and '> '", original.replace(/^/gm, "> ").replace(/^/gm, ">")],
    ["with CRLF line ends", original.replace(/\n/g, "\r\n")],
    ["with trailing spaces added", original.replace(/\n/g, "   \n")],
    ["with the table's trailing spaces removed and lines quoted without a space", original.replace(/^/gm, ">")],
    ["inside a whole mail, quoted", mail(original.replace(/^/gm, "> ").replace(/\n/g, "\r\n"))],
  ])("%s", async (_, text) => {
    const outcome = await verify(text, engine);
    expect(outcome.status).toBe("reproduced");
  });
});

describe("verify finds what differs", () => {
  it("names a tampered number by its line: where, the mailed line and the re-run's", async () => {
    const row = original.split("\n").find((l) => /lock_stat\.zone\.acquisitions$/.test(l))!;
    // The trylock column's value is the last number before the name.
    const value = row.replace(/\+(?:-\s*\d+|>99)%/g, " ").trim().split(/\s+/).at(-2)!;
    const changed = (Number(value) + 1).toFixed(value.includes(".") ? 2 : 0);
    const at = row.lastIndexOf(value);
    const tamperedRow = row.slice(0, at) + changed + row.slice(at + value.length);
    const tampered = original.replace(row, tamperedRow);
    const outcome = await verify(tampered, engine);
    expect(outcome.status).toBe("differs");
    if (outcome.status !== "differs") return;
    expect(outcome.differences).toEqual([{ line: lineOf(original, row), where: "irqsave vs trylock table", expected: tamperedRow, got: row }]);
  });

  it("says the scenario was edited when its text no longer matches its digest", async () => {
    const outcome = await verify(original.replace("rate 50k/s", "rate 60k/s"), engine);
    expect(outcome.status).toBe("differs");
    if (outcome.status !== "differs") return;
    expect(outcome.differences.map((d) => d.where)).toContain("scenario digest");
    expect(outcome.differences.map((d) => d.where)).toContain("results digest");
    expect(outcome.notes.join(" ")).toMatch(/changed after the report was made/);
  });

  it("names the run whose numbers differ by its fingerprint line", async () => {
    const runsLine = original.split("\n").find((l) => l.startsWith("runs trylock:"))!;
    const tampered = original.replace(runsLine, runsLine.replace(/2:[0-9a-f]{6}/, "2:000000"));
    const outcome = await verify(tampered, engine);
    expect(outcome.status === "differs" && outcome.differences).toEqual([
      { line: lineOf(original, runsLine), where: "runs", expected: runsLine.replace(/2:[0-9a-f]{6}/, "2:000000"), got: runsLine },
    ]);
  });

  it("says so when the report comes from another engine version", async () => {
    const outcome = await verify(original.replace(`simulated by ${ENGINE_VERSION}`, "simulated by pcplab 0.0.9"), engine);
    expect(outcome.status).toBe("reproduced");
    expect(outcome.status !== "error" && outcome.notes[0]).toContain(`made by pcplab 0.0.9; this is ${ENGINE_VERSION}`);
  });

  it("refuses text with no scenario, or a scenario that does not parse", async () => {
    expect(await verify("just a mail\nwith no report\n", engine)).toEqual({ status: "error", message: expect.stringMatching(/^no pcplab scenario found/) });
    const broken = original.replace("cpus 2", "cpus two");
    expect(await verify(broken, engine)).toEqual({ status: "error", message: expect.stringMatching(/^the scenario in the report does not parse \(scenario line \d+: E\d+ /) });
    const unclosed = original.replace(/---8<--- pcplab results.*\n/, "");
    expect(await verify(unclosed, engine)).toEqual({ status: "error", message: expect.stringMatching(/has no closing/) });
  });
});

describe("verify never throws", () => {
  it("on arbitrary text, mangled reports included", async () => {
    const pieces = original.split("\n");
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: "binary", maxLength: 500 }),
          fc.array(fc.constantFrom(...pieces, "> ", ">>", "\r", "---8<--- pcplab scenario sha256:000000000000 ---8<---"), { maxLength: 40 }).map((xs) => xs.join("\n")),
        ),
        async (text) => {
          const outcome = await verify(text, engine);
          expect(["reproduced", "differs", "error"]).toContain(outcome.status);
        },
      ),
      { numRuns: 100 },
    );
    expect(extractReport("").ok).toBe(false);
  });
});

it("the results in a report are the results of the runs it lists", () => {
  const a = analyze(SCENARIO).scenario!;
  const runs = plan(a).map((spec) => simulate(a, spec));
  expect(assemble(a, "sha256:x", runs).digest).toBe(runScenario(a, "sha256:x").digest);
});

describe("a one-variant report", () => {
  const one = report(SCENARIO.replace("compare irqsave, trylock", "lock trylock"));

  it("shows the variant's values alone, no change column", () => {
    expect(one).toMatch(/^ {9}trylock\n-{16}\n {9}%stddev\n {13}\\\n/m);
    expect(one).not.toMatch(/%change/);
  });

  it("is reproduced, and a tampered value is named", async () => {
    expect((await verify(one, engine)).status).toBe("reproduced");
    const row = one.split("\n").find((l) => / alloc\.requests$/.test(l))!;
    const value = row.trim().split(/\s+/)[0]!;
    const tamperedRow = row.replace(value, (Number(value) + 1).toFixed(2));
    const outcome = await verify(one.replace(row, tamperedRow), engine);
    expect(outcome.status === "differs" && outcome.differences).toEqual([{ line: lineOf(one, row), where: "trylock table", expected: tamperedRow, got: row }]);
  });
});
