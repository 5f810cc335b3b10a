import { describe, expect, it } from "vitest";
import { analyze, format } from "../../lib/dsl/index.ts";
import { runScenario, scenarioDigest } from "../../lib/engine/index.ts";
import { importFromMail, isStale, outputOf, reportFor } from "../../lib/notebook/outputs.ts";
import { renderReport } from "../../lib/report/render.ts";
import { compose, GOLDEN, mbox, reply } from "../support/mail-compose.ts";

const SOURCE = 'scenario "cell" {\n  cpus 2\n  memory 256MiB\n  duration 2ms\n\n  workload "w" on cpus all {\n    rate 100k/s\n    alloc order 0 gfp GFP_KERNEL\n    free after 20us\n  }\n}\n';

function run(source: string) {
  const f = format(source);
  if (!f.ok) throw new Error("does not format");
  return runScenario(analyze(source).scenario!, scenarioDigest(f.text));
}

describe("a scenario cell's output", () => {
  const results = run(SOURCE);
  const output = outputOf(results, new Date("2026-11-25T12:00:00Z"));

  it("is fresh until the source changes meaning, not when only spacing changes", () => {
    expect(isStale(SOURCE, output)).toBe(false);
    expect(isStale(SOURCE.replace("cpus 2", "cpus   2"), output)).toBe(false);
    expect(isStale(SOURCE.replace("cpus 2", "cpus 3"), output)).toBe(true);
    expect(isStale("scenario {", output)).toBe(true);
  });

  it("copies for mail exactly what pcplab run prints, and not once stale", () => {
    expect(reportFor(SOURCE, output)).toBe(renderReport(analyze(SOURCE).scenario!, SOURCE, results));
    expect(reportFor(SOURCE.replace("cpus 2", "cpus 3"), output)).toBeNull();
  });

  it("imports the scenario from a quoted mail", async () => {
    const mail = "On Tue someone wrote:\n" + reportFor(SOURCE, output)!.replace(/^/gm, "> ");
    expect(await importFromMail(mail)).toEqual({ ok: true, sources: [SOURCE] });
    expect(await importFromMail("no report here")).toMatchObject({ ok: false, message: expect.stringMatching(/^no pcplab scenario found/) });
  });

  it("imports from an .eml's raw text as pasted, quoted-printable and quoted twice, like pcplab verify decodes it", async () => {
    const scenario = GOLDEN.slice(GOLDEN.indexOf("\n", GOLDEN.indexOf("---8<--- pcplab scenario")) + 1, GOLDEN.indexOf("---8<--- pcplab results"));
    const eml = (await compose({ encoding: "quoted-printable", body: reply(GOLDEN, 2, "quoted-printable") })).toString("latin1");
    expect(eml).toContain("=3D=3D");
    expect(await importFromMail(eml)).toEqual({ ok: true, sources: [scenario] });
    // A thread quoting the report in two replies, and another report: one cell each.
    const thread = mbox([
      await compose({ encoding: "flowed", body: reply(GOLDEN, 1, "flowed") }),
      await compose({ encoding: "base64", body: reply(GOLDEN, 2, "base64") + reportFor(SOURCE, output) }),
    ]).toString("latin1");
    expect(await importFromMail(thread)).toEqual({ ok: true, sources: [scenario, SOURCE] });
  });

  it("says which report in the mail cannot be imported", async () => {
    const cut = GOLDEN.slice(0, GOLDEN.indexOf("---8<--- pcplab results"));
    const eml = (await compose({ encoding: "base64", body: cut, subject: "numbers" })).toString("latin1");
    expect(await importFromMail(eml)).toEqual({ ok: false, message: expect.stringMatching(/^the report at message 1 of 1, line 1 of its text \(Subject: numbers\): the scenario that starts on line \d+ has no closing/) });
  });
});
