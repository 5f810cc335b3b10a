// verify against shipped reports mangled at random: every
// change to a digit, a sign or a word anywhere a report prints a result is
// caught, never "reproduced". The scenario between the markers is left
// alone here: its sha256 covers it (verify.test.ts edits it).
// thp-compaction-stress is left out for its run time; the others cover
// every layout (one comparison or several, sweep, violations of one kind
// and of two, expectations).
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyze, format } from "../../lib/dsl/index.ts";
import { runScenario, scenarioDigest, type Results } from "../../lib/engine/index.ts";
import { verify, type VerifyHooks } from "../../lib/report/verify.ts";

const root = new URL("../..", import.meta.url).pathname;
const GOLDENS = ["v2-list-corruption", "hugh-gpf", "irq-rate-sweep", "nic-rx-irq-alloc", "io-completion-softirq", "irq-bypass-2017", "remote-drain"];

interface Site {
  /** Index in the report's text. */
  at: number;
  kind: "digit" | "sign" | "word";
  length: number;
}

/** Every digit, sign before a digit and word outside the scenario's text. */
function sites(report: string): Site[] {
  const scenarioStart = report.indexOf("\n---8<--- pcplab scenario") + 1;
  const resultsMarker = report.indexOf("---8<--- pcplab results");
  const out: Site[] = [];
  const inReport = (i: number) => i < report.indexOf("\n", scenarioStart) || i >= resultsMarker;
  for (const m of report.matchAll(/\d/g)) if (inReport(m.index)) out.push({ at: m.index, kind: "digit", length: 1 });
  for (const m of report.matchAll(/[+-](?=\d)/g)) if (inReport(m.index)) out.push({ at: m.index, kind: "sign", length: 1 });
  for (const m of report.matchAll(/[A-Za-z][A-Za-z_]*/g)) if (inReport(m.index)) out.push({ at: m.index, kind: "word", length: m[0].length });
  return out;
}

/** The report with one site changed; `pick` chooses the replacement. */
function mangle(report: string, site: Site, pick: number): string {
  const old = report.slice(site.at, site.at + site.length);
  let by: string;
  if (site.kind === "digit") by = String((Number(old) + 1 + (pick % 9)) % 10);
  else if (site.kind === "sign") by = old === "+" ? "-" : "+";
  else {
    // One letter of the word becomes another letter.
    const i = pick % old.length;
    const c = old[i]!;
    const next = c === "z" ? "a" : c === "Z" ? "A" : String.fromCharCode(c.charCodeAt(0) + 1);
    by = old.slice(0, i) + next + old.slice(i + 1);
  }
  return report.slice(0, site.at) + by + report.slice(site.at + site.length);
}

const VERSION = /simulated by (pcplab \S+) \(/;

describe.each(GOLDENS)("%s, mangled", (name) => {
  const golden = readFileSync(join(root, "test/golden", `${name}.txt`), "utf8");
  const source = readFileSync(join(root, "scenarios", `${name}.scn`), "utf8");
  const f = format(source);
  if (!f.ok) throw new Error(`${name} does not format`);
  let results: Results | null = null;
  // The scenario's runs once; every mangled report re-runs the same text.
  const engine: VerifyHooks = {
    run: async (s, canonical) => {
      if (canonical !== f.text) return runScenario(s, scenarioDigest(canonical));
      results ??= runScenario(analyze(source).scenario!, scenarioDigest(f.text));
      return results;
    },
  };

  it("is reproduced as shipped, and never once a digit, sign or word changes", async () => {
    expect((await verify(golden, engine)).status).toBe("reproduced");
    const all = sites(golden);
    expect(all.filter((s) => s.kind === "sign").length).toBeGreaterThan(0);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: all.length - 1 }), fc.nat(), fc.boolean(), async (which, pick, quote) => {
        const mangled = mangle(golden, all[which]!, pick);
        const mailed = quote ? mangled.replace(/^/gm, "> ") : mangled;
        const outcome = await verify(mailed, engine);
        const version = VERSION.exec(mangled)?.[1];
        if (version !== undefined && version !== VERSION.exec(golden)![1]) {
          // Another engine version is not a result: verify says so in a note.
          if (outcome.status !== "error") expect(outcome.notes.join("\n")).toContain(`made by ${version}`);
        } else {
          expect(outcome.status, `site ${JSON.stringify(all[which])}: ${mangled.slice(all[which]!.at - 30, all[which]!.at + 30)}`).not.toBe("reproduced");
        }
      }),
      { seed: 18, numRuns: 150 },
    );
  });
});
