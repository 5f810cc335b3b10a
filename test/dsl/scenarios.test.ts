import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyze, format } from "../../lib/dsl/index.ts";

const dir = new URL("../../scenarios/", import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith(".scn"));

describe("shipped scenarios", () => {
  it("include the ones the seed thread and its history call for", () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
    const all = files.map((f) => readFileSync(new URL(f, dir), "utf8")).join("\n");
    expect(all).toContain("GFP_TRANSHUGE_LIGHT | __GFP_RECLAIM | __GFP_NORETRY");
    expect(all).toMatch(/in hardirq \{[^}]*GFP_ATOMIC/);
    expect(all).toMatch(/free batch \d+ after [^\n]* in softirq/);
    expect(all).toContain("irq-bypass");
    expect(all).toMatch(/sweep "[^"]+"\.rate in/);
  });

  it.each(files)("%s checks clean, has a description and is in canonical form", (file) => {
    const text = readFileSync(new URL(file, dir), "utf8");
    const a = analyze(text);
    expect(a.diagnostics).toEqual([]);
    expect(a.scenario!.description).toBeTruthy();
    expect(format(text)).toEqual({ ok: true, text });
  });
});
