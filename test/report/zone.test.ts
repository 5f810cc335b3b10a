// The report header says which zone the runs simulated and how the kernel
// would have set it up (docs/model.md "Zones and watermarks").
import { describe, expect, it } from "vitest";
import { analyze, format } from "../../lib/dsl/index.ts";
import { runScenario, scenarioDigest } from "../../lib/engine/index.ts";
import { renderReport } from "../../lib/report/render.ts";

/** The header's lines after cpus/memory/duration/runs, unwrapped. */
function report(text: string): string {
  const a = analyze(text);
  const f = format(text);
  if (!a.scenario || !f.ok) throw new Error("does not check");
  const lines = renderReport(a.scenario, f.text, runScenario(a.scenario, scenarioDigest(f.text))).split("\n");
  const at = lines.findIndex((l) => l.startsWith("cpus/memory/duration/runs:"));
  return lines.slice(at + 1, lines.indexOf("", at)).join(" ");
}

const scenario = (settings: string) => `scenario "zones" {
  ${settings}
  duration 1ms
  workload "w" on cpus all {
    every 500us
    alloc order 0 gfp GFP_KERNEL
    free immediately
  }
}`;

describe("the report header's zone", () => {
  it("memory 1GiB on 4 CPUs: DMA32 with the kernel's watermarks and pcp high", () => {
    expect(report(scenario("cpus 4\n  memory 1GiB"))).toBe(
      "zone DMA32: 241908 pages, min/low/high 11086/13857/16628, pcp high/batch 3464/63, min_free_kbytes 45056",
    );
  });

  it("a sweep of memory names the zones at each value, in zonelist order", () => {
    expect(report(scenario("cpus 8\n  memory 1GiB\n  sweep memory in 1GiB, 8GiB"))).toBe(
      "memory 1GiB: zone DMA32: 241660 pages, min/low/high 11086/13857/16628, pcp high/batch 1732/63, min_free_kbytes 45056 " +
        "memory 8GiB: zone Normal: 1274130 pages, min/low/high 10603/13253/15903, pcp high/batch 1656/63; " +
        "zone DMA32: 754602 pages, min/low/high 6260/7825/9390, pcp high/batch 978/63, min_free_kbytes 67584",
    );
  });
});
