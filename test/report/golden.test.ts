// The regression suite: every shipped scenario runs with its expectations,
// and its report must equal the reviewed golden file (npm run golden
// rewrites them; the diff shows every number an engine change moved).
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = new URL("../..", import.meta.url).pathname;
const files = readdirSync(join(root, "scenarios")).filter((f) => f.endsWith(".scn")).sort();

describe.each(files)("%s", (file) => {
  const run = spawnSync(process.execPath, [join(root, "bin/pcplab"), "run", join(root, "scenarios", file)], { encoding: "utf8" });
  const report = run.stdout;

  it("meets its expectations (exit 0)", () => {
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it("reports what the golden file says", () => {
    expect(report).toBe(readFileSync(join(root, "test/golden", file.replace(/\.scn$/, ".txt")), "utf8"));
  });

  it("is plain ASCII, at most 76 columns, no tabs or trailing spaces", () => {
    for (const [i, line] of report.split("\n").entries()) {
      expect(line.length, `line ${i + 1}: ${line}`).toBeLessThanOrEqual(76);
      expect(line, `line ${i + 1}`).toMatch(/^[ -~]*$/);
      expect(line, `line ${i + 1}`).not.toMatch(/\s$/);
    }
  });

  it("says it is a model, names the model version and ends with the scenario between markers", () => {
    expect(report).toMatch(/^pcplab: .* on ".*"\nsimulated by pcplab \d+\.\d+\.\d+ \(model: linux 6\.1 page allocator\); a model, not a\nmeasurement\./);
    expect(report).toMatch(/---8<--- pcplab scenario sha256:[0-9a-f]{12} ---8<---\n[\s\S]*\n---8<--- pcplab results sha256:[0-9a-f]{12} ---8<---\n$/);
    const scenario = readFileSync(join(root, "scenarios", file), "utf8");
    expect(report).toContain(scenario);
  });
});
