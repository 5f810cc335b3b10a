// pcplab verify's exit codes and output, spawned as a user runs it: 0
// reproduced, 1 with every differing line named, 2 when the report cannot
// be verified (its layout damaged, its title gone).
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

  expect pcp.trylock_fail.hardirq == 0 for irqsave
}
`;

describe("pcplab verify", () => {
  const file = join(mkdtempSync(join(tmpdir(), "pcplab-")), "small.scn");
  writeFileSync(file, SCENARIO);
  const report = pcplab(["run", file]).stdout;
  const lines = report.split("\n");

  it("exits 1 on a changed expectation, printing the line's number, the mailed line and the re-run's", () => {
    const pass = lines.find((l) => l.startsWith("PASS "))!;
    const v = pcplab(["verify", "-"], report.replace(pass, pass.replace("PASS", "FAIL")).replace(/^/gm, "> "));
    expect(v.status).toBe(1);
    expect(v.stdout).toBe(
      "differs: 1 line of the report does not match the re-run (expected: the mail's line, got: the re-run's)\n" +
        `mail line ${lines.indexOf(pass) + 1} (expectations):\n  expected: ${pass.replace("PASS", "FAIL")}\n  got:      ${pass}\n`,
    );
  });

  it("exits 2, cannot verify, when a table's rule is damaged, and lists what differs", () => {
    const rule = lines.find((l) => /^-{16} -{27}$/.test(l))!;
    const v = pcplab(["verify", "-"], report.replace(rule, rule.slice(1)));
    expect(v.status).toBe(2);
    expect(v.stdout).toBe("");
    expect(v.stderr).toBe(
      `pcplab verify: cannot verify: the report's layout is damaged (irqsave vs trylock table: '${rule}' is missing or changed near mail line ${lines.indexOf(rule) + 1})\n` +
        `mail line ${lines.indexOf(rule) + 1} (irqsave vs trylock table):\n  expected: ${rule.slice(1)}\n  got:      ${rule}\n`,
    );
  });

  it("exits 2 when the report has lost its title", () => {
    const v = pcplab(["verify", "-"], report.replace(/^pcplab: .*\n/, ""));
    expect(v).toMatchObject({ status: 2, stderr: expect.stringMatching(/^pcplab verify: cannot verify: no report title/) });
  });
});
