// A report copied from the notebook must verify: the browser's engine worker
// (minified by esbuild, as the app serves it) and `pcplab run` must give the
// same report, byte for byte, for every shipped scenario that ends in a
// violation, whose call trace once came from the JavaScript stack and lost
// its frame names in the minified worker.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { reportFor, outputOf } from "../../lib/notebook/outputs.ts";
import { engineWorkers } from "../support/engine-worker.ts";

const root = new URL("../..", import.meta.url).pathname;
const bin = `${root}bin/pcplab`;
// The shipped scenarios whose reviewed report shows a violation.
const violating = readdirSync(`${root}scenarios`)
  .filter((f) => f.endsWith(".scn"))
  .filter((f) => readFileSync(`${root}test/golden/${f.replace(/\.scn$/, ".txt")}`, "utf8").includes("\nkernel log, first run per variant"));

describe("the notebook's engine worker", () => {
  it("has shipped scenarios that end in a violation to compare", () => {
    expect(violating).toEqual(expect.arrayContaining(["thp-compaction-stress.scn", "v2-list-corruption.scn"]));
  });

  // thp-compaction-stress runs 15 runs twice (about 10 s of CPU each time).
  it.each(violating)("copies for mail %s exactly as `pcplab run` prints it", { timeout: 300_000 }, async (file) => {
    const source = readFileSync(`${root}scenarios/${file}`, "utf8");
    const cli = spawnSync(process.execPath, [bin, "run", `${root}scenarios/${file}`], { encoding: "utf8", maxBuffer: 1 << 26 });
    expect(cli.stderr).toBe("");
    const pool = await engineWorkers(2);
    try {
      const report = reportFor(source, outputOf(await pool.run(source), new Date(0)));
      expect(report).toContain("Call Trace:\n");
      expect(report).toBe(cli.stdout);
    } finally {
      await pool.terminate();
    }
  });
});
