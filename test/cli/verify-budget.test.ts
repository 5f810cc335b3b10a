// pcplab verify on a mailed scenario that asks for hours of work: it says
// the estimated cost and stops, exit 2, before running anything, unless
// told --yes; --budget-seconds sets where it stops.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pcplab } from "../support/pcplab-cli.ts";

const SCENARIO = `scenario "small" {
  cpus 2
  memory 256MiB
  duration 5ms
  compare irqsave, trylock

  workload "nic-rx" on cpus all in hardirq {
    rate 50k/s
    alloc order 0 gfp GFP_ATOMIC
    free after 20us
  }
}
`;

describe("pcplab verify's budget", () => {
  const file = join(mkdtempSync(join(tmpdir(), "pcplab-")), "small.scn");
  writeFileSync(file, SCENARIO);
  const report = pcplab(["run", file]).stdout;

  it("stops a report whose scenario asks for 64 CPUs for an hour, exit 2, with the estimate, running nothing", () => {
    const huge = report.replace(/^ {2}cpus 2$/m, "  cpus 64").replace(/^ {2}duration 5ms$/m, "  duration 3600s");
    expect(huge).not.toBe(report);
    const v = pcplab(["verify", "-"], huge.replace(/^/gm, "> "));
    expect(v.status).toBe(2);
    expect(v.stdout).toBe("");
    expect(v.stderr).toMatch(/^pcplab verify: estimated cost: 2 run\(s\) of 1 scenario\(s\), about [0-9.]+ M engine events, about \d+ s, about \d+ MiB at the peak\n/);
    expect(v.stderr).toContain("over the budget of 120 s (--budget-seconds N), so nothing was run; add --yes to run it anyway, or raise the budget");
    expect(v.stderr).not.toMatch(/reproduced|differs/);
  });

  it("stops a cheap report over --budget-seconds 0, and runs it with --yes", () => {
    const stopped = pcplab(["verify", "-", "--budget-seconds", "0"], report);
    expect(stopped.status).toBe(2);
    expect(stopped.stdout).toBe("");
    expect(stopped.stderr).toContain("over the budget of 0 s (--budget-seconds N), so nothing was run");
    const ran = pcplab(["verify", "-", "--budget-seconds", "0", "--yes"], report);
    expect(ran.status).toBe(0);
    expect(ran.stdout).toMatch(/^reproduced: results sha256:/);
    expect(ran.stderr).toMatch(/^pcplab verify: estimated cost: 2 run\(s\) of 1 scenario\(s\)/);
  });

  it("stops a report whose scenario would hold 64 GiB of fragmented frames on 256 CPUs, two runs at once", () => {
    const huge = report
      .replace(/^ {2}cpus 2$/m, "  cpus 256")
      .replace(/^ {2}memory 256MiB$/m, "  memory 64GiB\n  fragmentation 100%");
    expect(huge).not.toBe(report);
    const v = pcplab(["verify", "-", "--threads", "2"], huge);
    expect(v.status).toBe(2);
    expect(v.stdout).toBe("");
    const peak = Number(/about (\d+) MiB at the peak\n/.exec(v.stderr)?.[1]);
    expect(peak).toBeGreaterThan(2048);
    expect(v.stderr).toContain("over the budget of 2048 MiB (--budget-mib N), so nothing was run");
    expect(v.stderr).not.toContain("--budget-seconds");
  });

  it("stops a cheap report over --budget-mib 1, and runs it with --yes", () => {
    const stopped = pcplab(["verify", "-", "--budget-mib", "1"], report);
    expect(stopped.status).toBe(2);
    expect(stopped.stderr).toContain("over the budget of 1 MiB (--budget-mib N), so nothing was run");
    const ran = pcplab(["verify", "-", "--budget-mib", "1", "--yes"], report);
    expect(ran.status).toBe(0);
    expect(ran.stdout).toMatch(/^reproduced: results sha256:/);
  });

  it("runs a cheap report within the default budget, printing what it always did", () => {
    const v = pcplab(["verify", "-"], report);
    expect(v.status).toBe(0);
    expect(v.stderr).toBe("");
  });

  it("reads 10 MB of '>' as text with no report", () => {
    const v = pcplab(["verify", "-"], ">".repeat(10 * 1024 * 1024));
    expect(v.status).toBe(2);
    expect(v.stderr).toBe("pcplab verify: no pcplab scenario found: expected a line '---8<--- pcplab scenario sha256:<12 hex> ---8<---'\n");
  });
});
