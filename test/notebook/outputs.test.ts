import { describe, expect, it } from "vitest";
import { analyze, format } from "../../lib/dsl/index.ts";
import { runScenario, scenarioDigest } from "../../lib/engine/index.ts";
import { importFromMail, isStale, outputOf, reportFor } from "../../lib/notebook/outputs.ts";
import { renderReport } from "../../lib/report/render.ts";

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

  it("imports the scenario from a quoted mail", () => {
    const mail = "On Tue someone wrote:\n" + reportFor(SOURCE, output)!.replace(/^/gm, "> ");
    expect(importFromMail(mail)).toEqual({ ok: true, source: SOURCE });
    expect(importFromMail("no report here")).toMatchObject({ ok: false });
  });
});
