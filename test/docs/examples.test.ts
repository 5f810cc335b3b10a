// Every scenario the docs show is one a reader can paste: each ```scenario
// block of docs/*.md goes through `pcplab check` as a user would run it,
// and must come out without a single diagnostic.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { pcplab } from "../support/pcplab-cli.ts";

const docs = new URL("../../docs/", import.meta.url);

function examples(): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  for (const file of readdirSync(docs).filter((f) => f.endsWith(".md")).sort()) {
    const text = readFileSync(new URL(file, docs), "utf8");
    const fence = /^```scenario\n([\s\S]*?)^```$/gm;
    for (let m = fence.exec(text); m; m = fence.exec(text)) {
      const line = text.slice(0, m.index).split("\n").length;
      out.push({ where: `docs/${file}:${line}`, text: m[1]! });
    }
  }
  return out;
}

describe("the docs' scenario examples", () => {
  const all = examples();

  it("are there to check", () => {
    expect(all.length).toBeGreaterThanOrEqual(5);
  });

  it.each(all)("$where passes pcplab check with no diagnostics", ({ text }) => {
    const r = pcplab(["check", "-"], text);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
