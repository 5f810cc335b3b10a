// `pcplab run --shard K/N --json` and `pcplab merge`: a sweep split over
// machines comes back as the report and results one machine would print,
// and a part that does not belong is refused with a sentence naming it.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { shardIndices } from "../../lib/engine/index.ts";
import { pcplab } from "../support/pcplab-cli.ts";
import { v2CrashScenario } from "../support/v2-crash.ts";

const dir = mkdtempSync(join(tmpdir(), "pcplab-shard-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

// 2 variants x 2 rates x 3 seeds = 12 runs, trylock-v2 crashing in some:
// the merged report must carry the crashes, fail:runs and kernel log too.
const sweep = file(
  "sweep.scn",
  v2CrashScenario('runs 3\n  compare trylock-v2, trylock\n  sweep "io".rate in 20k/s, 50k/s', "expect alloc.requests > 100 for trylock"),
);
const N = 5;
const parts = Array.from({ length: N }, (_, i) => {
  const r = pcplab(["run", sweep, "--shard", `${i + 1}/${N}`, "--json"]);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return file(`part${i + 1}.json`, r.stdout);
});
const single = pcplab(["run", sweep]);
const singleJson = pcplab(["run", sweep, "--json"]);

/** Results JSON without the wall clock, the one field two runs never share. */
function withoutWallClock(json: string): unknown {
  const results = JSON.parse(json);
  for (const group of results.results) {
    delete group.summary["engine.wall_ms"];
    for (const run of group.runs) delete run.metrics["engine.wall_ms"];
  }
  return results;
}

describe("pcplab merge of every shard", () => {
  it("prints the report one machine prints, byte for byte, whatever order the parts come in", () => {
    expect(single.stdout).toContain("kernel log, first run per variant");
    const merged = pcplab(["merge", ...[...parts].reverse()]);
    expect(merged.stderr).toBe("");
    expect(merged.stdout).toBe(single.stdout);
    expect(merged.status).toBe(single.status);
  });

  it("with --json gives the same results and digest", () => {
    const merged = pcplab(["merge", "--json", ...parts]);
    expect(merged.status).toBe(singleJson.status);
    expect(withoutWallClock(merged.stdout)).toEqual(withoutWallClock(singleJson.stdout));
    expect(JSON.parse(merged.stdout).digest).toBe(JSON.parse(singleJson.stdout).digest);
  });

  it("splits by arithmetic: shard K of N runs every Nth run of the plan from the Kth", () => {
    const got = parts.map((p) => JSON.parse(readFileSync(p, "utf8")).runs.map((r: { index: number }) => r.index));
    expect(got).toEqual(Array.from({ length: N }, (_, k) => shardIndices(12, { index: k + 1, count: N })));
    expect(got.flat().sort((a: number, b: number) => a - b)).toEqual([...Array(12).keys()]);
  });
});

describe("pcplab merge refuses", () => {
  const edit = (name: string, from: string, change: (part: Record<string, any>) => void) => {
    const part = JSON.parse(readFileSync(from, "utf8"));
    change(part);
    return file(name, JSON.stringify(part));
  };
  const refusal = (args: string[]) => {
    const r = pcplab(["merge", ...args]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    return r.stderr;
  };

  it("a shard of another scenario", () => {
    const other = pcplab(["run", sweep, "--seed", "7", "--shard", `2/${N}`, "--json"]);
    const path = file("other.json", other.stdout);
    expect(refusal([parts[0]!, path, ...parts.slice(2)])).toMatch(/^pcplab merge: .*other\.json is a shard of another scenario \("v2-crash", sha256:[0-9a-f]{12}\) than .*part1\.json/);
  });

  it("a part from another engine version", () => {
    const path = edit("old.json", parts[1]!, (p) => (p.engine = "pcplab 0.0.1"));
    expect(refusal([parts[0]!, path, ...parts.slice(2)])).toContain("old.json was made by pcplab 0.0.1; this is pcplab ");
  });

  it("overlapping shards, and missing ones", () => {
    expect(refusal([...parts, parts[1]!])).toMatch(/part2\.json and .*part2\.json are both shard 2\/5: each shard goes in once/);
    expect(refusal([parts[0]!, parts[1]!, parts[3]!])).toBe("pcplab merge: shards 3/5, 5/5 missing: merge needs all 5\n");
  });

  it("parts that split the runs differently", () => {
    const four = file("four.json", pcplab(["run", sweep, "--shard", "1/4", "--json"]).stdout);
    expect(refusal([...parts, four])).toMatch(/four\.json is shard 1\/4 and .*part1\.json shard 1\/5: the parts split the runs differently/);
  });

  it("whole results, text that is not JSON, and a damaged part, naming the field", () => {
    const whole = file("whole.json", singleJson.stdout);
    expect(refusal([whole])).toContain("whole.json: it holds whole results (pcplab run --json), not a shard");
    expect(refusal([file("mail.txt", "pcplab: trylock vs irqsave\n")])).toMatch(/mail\.txt: not JSON \(/);
    const damaged = edit("damaged.json", parts[0]!, (p) => (p.runs[1].result.metrics["alloc.requests"] = "lots"));
    expect(refusal([damaged, ...parts.slice(1)])).toContain('damaged.json: it is damaged: runs[1].result.metrics["alloc.requests"] is not a finite number');
  });

  it("a scenario text that does not match its digest, and a run that is not the plan's", () => {
    const text = edit("text.json", parts[0]!, (p) => (p.scenario.canonical = p.scenario.canonical.replace("duration 20ms", "duration 1s")));
    expect(refusal([text, ...parts.slice(1)])).toMatch(/text\.json: its scenario text does not match its digest sha256:/);
    const swapped = edit("swapped.json", parts[0]!, (p) => (p.runs[0].result.seed = 99));
    expect(refusal([swapped, ...parts.slice(1)])).toContain("swapped.json's run 1 is not run 1 of the plan (trylock-v2, seed 1, sweep 20000)");
    const short = edit("short.json", parts[1]!, (p) => delete p.runs[1].result.metrics["alloc.requests"]);
    expect(refusal([parts[0]!, short, ...parts.slice(2)])).toContain("short.json's run 2 reports other metrics than the other parts' runs");
  });
});

describe("pcplab run --shard", () => {
  it("wants K/N with 1 <= K <= N, and --json", () => {
    for (const [shard, message] of [
      ["0/3", "K must be between 1 and N (3)"],
      ["4/3", "K must be between 1 and N (3)"],
      ["2/0", "N must be between 1 and 100000"],
      ["two", "--shard takes K/N"],
    ]) {
      const r = pcplab(["run", sweep, "--shard", shard!, "--json"]);
      expect(r.status, shard).toBe(2);
      expect(r.stderr, shard).toContain(message);
    }
    const r = pcplab(["run", sweep, "--shard", "1/2"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("pcplab run: --shard makes one part of the results, for pcplab merge: add --json\n");
  });

  it("makes an empty part when there are more shards than runs, and merge takes it", () => {
    const one = file("one.scn", 'scenario "one" {\n  duration 2ms\n  lock trylock\n\n  workload "w" on cpus all in task {\n    rate 10k/s\n    alloc order 0 gfp GFP_KERNEL\n    free after 10us\n  }\n}\n');
    const a = file("one-1.json", pcplab(["run", one, "--shard", "1/2", "--json"]).stdout);
    const b = file("one-2.json", pcplab(["run", one, "--shard", "2/2", "--json"]).stdout);
    expect(JSON.parse(readFileSync(b, "utf8")).runs).toEqual([]);
    expect(pcplab(["merge", a, b]).stdout).toBe(pcplab(["run", one]).stdout);
  });
});
