// The docs' tables of names must not drift from the tables the code reads:
// docs/results.md lists every metric an `expect` may name, and nothing
// else; docs/model.md lists every cost with its default.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COSTS, METRICS } from "../../lib/dsl/index.ts";
import { formatTime } from "../../lib/dsl/units.ts";

const doc = (name: string) => readFileSync(new URL(`../../docs/${name}`, import.meta.url), "utf8");

/** Rows of the first markdown table under `heading`, as arrays of cells. */
function table(markdown: string, heading: string): string[][] {
  const from = markdown.indexOf(`\n${heading}\n`);
  if (from < 0) throw new Error(`no heading ${heading}`);
  const lines = markdown.slice(from).split("\n");
  const start = lines.findIndex((l) => l.startsWith("|"));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(line.split("|").slice(1, -1).map((c) => c.trim()));
  }
  return rows;
}

function expandBraces(name: string): string[] {
  const m = /\{([^}]*)\}/.exec(name);
  if (!m) return [name];
  return m[1]!.split(",").flatMap((alt) => expandBraces(name.slice(0, m.index) + alt + name.slice(m.index + m[0].length)));
}

/** `a.b.c`, `.d` in one cell: `.d` stands for a.b.d. */
function namesIn(cell: string): string[] {
  const out: string[] = [];
  let last = "";
  for (const [, code] of cell.matchAll(/`([^`]+)`/g)) {
    const full = code!.startsWith(".") ? last.slice(0, last.lastIndexOf(".")) + code : code!;
    last = full;
    out.push(...expandBraces(full));
  }
  return out;
}

describe("docs tables against the code", () => {
  it("docs/results.md names every metric once, and only metrics", () => {
    const documented = table(doc("results.md"), "## Metrics").flatMap((row) => namesIn(row[0]!));
    expect([...documented].sort()).toEqual(METRICS.map((m) => m.name).sort());
  });

  it("docs/results.md gives each metric the unit the checker reads it in", () => {
    const unitOf = new Map(METRICS.map((m) => [m.name, m.unit as string]));
    const words: Record<string, string> = { count: "count", ns: "ns", fraction: "fraction", pages: "pages", ms: "ms" };
    for (const row of table(doc("results.md"), "## Metrics")) {
      for (const name of namesIn(row[0]!)) expect([name, row[1]]).toEqual([name, words[unitOf.get(name)!]]);
    }
  });

  it("docs/model.md lists every cost with its default", () => {
    const rows = table(doc("model.md"), "## Costs").map((row) => [row[0]!.replaceAll("`", ""), row[1]!]);
    expect(rows).toEqual(COSTS.map((c) => [c.name, formatTime(c.defaultNs)]));
  });
});
