// The editor's view of the language: what Monaco will be handed.
import { describe, expect, it } from "vitest";
import { completionsAt, formatted, hoverAt, lineTokens, markersFor, quickFixesFor, type QuickFixEdit } from "../../lib/editor/language.ts";

const SEVERITY = { Error: 8, Warning: 4 };
const KINDS = { Keyword: 17, Constant: 14, EnumMember: 16, Field: 3, Property: 9, Unit: 12, Variable: 4 };

describe("the editor's language", () => {
  it("turns diagnostics into markers with codes and 1-based ranges", () => {
    const text = 'scenario "x" {\n  cpus 0\n  workload "w" on cpus all {\n    rate 1k/s\n    alloc order 0 gfp GFP_DMA\n  }\n}\n';
    expect(markersFor(text, SEVERITY)).toEqual([
      { severity: 8, code: "E201", message: "cpus must be between 1 and 256, got 0", startLineNumber: 2, startColumn: 8, endLineNumber: 2, endColumn: 9 },
      expect.objectContaining({ severity: 4, code: "W302", startLineNumber: 5, startColumn: 23 }),
    ]);
  });

  it("gives a missing brace at the end of the file a visible squiggle", () => {
    const [m] = markersFor('scenario "x" {\n', SEVERITY);
    expect(m).toMatchObject({ code: "E105", startLineNumber: 2, startColumn: 1, endColumn: 2 });
  });

  it("tokenizes a line into scopes", () => {
    expect(lineTokens("  alloc 4 x order 0 gfp GFP_ATOMIC | __GFP_ZERO  # rx")).toEqual([
      { startIndex: 0, scopes: "" },
      { startIndex: 2, scopes: "keyword" },
      { startIndex: 7, scopes: "" },
      { startIndex: 8, scopes: "number" },
      { startIndex: 9, scopes: "" },
      { startIndex: 10, scopes: "keyword" },
      { startIndex: 11, scopes: "" },
      { startIndex: 12, scopes: "keyword" },
      { startIndex: 17, scopes: "" },
      { startIndex: 18, scopes: "number" },
      { startIndex: 19, scopes: "" },
      { startIndex: 20, scopes: "keyword" },
      { startIndex: 23, scopes: "" },
      { startIndex: 24, scopes: "constant" },
      { startIndex: 34, scopes: "" },
      { startIndex: 35, scopes: "operator" },
      { startIndex: 36, scopes: "" },
      { startIndex: 37, scopes: "constant" },
      { startIndex: 47, scopes: "" },
      { startIndex: 49, scopes: "comment" },
    ]);
  });

  it("completes __GFP_NOR with its value, replacing what was typed", () => {
    const text = 'scenario "x" {\n  workload "w" on cpus all {\n    alloc order 0 gfp GFP_KERNEL | __GFP_NOR';
    const line = text.split("\n")[2]!;
    const items = completionsAt(text, 3, line.length + 1, KINDS);
    expect(items).toEqual([
      expect.objectContaining({
        label: "__GFP_NORETRY", kind: 14, detail: "0x10000",
        range: { startLineNumber: 3, startColumn: line.indexOf("__GFP_NOR") + 1, endLineNumber: 3, endColumn: line.length + 1 },
      }),
    ]);
  });

  it("hovers a mask with its decoding, as plain text", () => {
    const text = 'scenario "x" {\n  workload "w" on cpus all {\n    alloc order 0 gfp GFP_ATOMIC\n  }\n}\n';
    const h = hoverAt(text, 3, 25)!;
    expect(h.contents[0]!.value).toMatch(/^```\nGFP_ATOMIC = 0xa20/);
    expect(h.range).toEqual({ startLineNumber: 3, startColumn: 23, endLineNumber: 3, endColumn: 33 });
  });

  it("formats a clean document and declines one with errors", () => {
    expect(formatted('scenario "x" { cpus 2 }')).toBe('scenario "x" {\n  cpus 2\n}\n');
    expect(formatted('scenario "x" { cpus }')).toBeNull();
  });

  it("hovers a mask with an unknown flag: the rest decoded, the unknown one named", () => {
    const text = 'scenario "x" {\n  workload "w" on cpus all {\n    alloc order 0 gfp GFP_KERNEL | __GFP_NORETY\n  }\n}\n';
    const value = hoverAt(text, 3, 25)!.contents[0]!.value;
    expect(value).toContain("__GFP_NORETY: unknown gfp flag; did you mean __GFP_NORETRY?");
    expect(value).toContain("without it:\n0xcc0 = GFP_KERNEL\n");
    expect(value).toContain("migratetype: MIGRATE_UNMOVABLE");
    expect(hoverAt(text, 3, 40)!.range).toEqual({ startLineNumber: 3, startColumn: 23, endLineNumber: 3, endColumn: 48 });
  });
});

describe("quick fixes", () => {
  /** The text after each quick fix the first marker offers. */
  function fixed(text: string): string[] {
    const [marker] = markersFor(text, SEVERITY);
    return quickFixesFor(text, marker!).map((f: QuickFixEdit) => apply(text, f));
  }

  function apply(text: string, f: QuickFixEdit): string {
    const lines = text.split("\n");
    const offset = (line: number, column: number) => lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + column - 1;
    return text.slice(0, offset(f.range.startLineNumber, f.range.startColumn)) + f.text + text.slice(offset(f.range.endLineNumber, f.range.endColumn));
  }

  const s = (body: string) => `scenario "x" {\n${body}\n}\n`;

  it("apply what a did-you-mean suggests", () => {
    const w = (line: string) => s(`  workload "nic" on cpus all {\n    rate 1k/s\n    ${line}\n  }`);
    expect(fixed(w("alloc order 0 gfp GFP_ATOMIC | __GFP_NORETY"))).toEqual([w("alloc order 0 gfp GFP_ATOMIC | __GFP_NORETRY")]);
    expect(fixed(s("  cpu 8"))).toEqual([s("  cpus 8")]);
    expect(fixed(s("  lock trylok"))).toEqual([s("  lock trylock")]);
    expect(fixed(s("  memory 2GB"))).toEqual([s("  memory 2GiB")]);
    expect(fixed(s("  duration 500"))).toEqual([s("  duration 500ms")]);
    expect(fixed(s("  memory 512"))).toEqual([s("  memory 512MiB"), s("  memory 512 pages")]);
    expect(fixed(s("  expect pcp.fallback_rat < 5%"))).toEqual([s("  expect pcp.fallback_rate < 5%")]);
    expect(fixed(s("  sweep pcp.hihg in 1, 2"))).toEqual([s("  sweep pcp.high in 1, 2")]);
    expect(fixed(w("free aftr 5ms"))).toEqual([w("free after 5ms")]);
    const sweep = (name: string) => s(`  sweep "${name}".rate in 1k/s, 2k/s\n  workload "nic" on cpus all {\n    rate 1k/s\n    drain\n  }`);
    expect(fixed(sweep("nci"))).toEqual([sweep("nic")]);
  });

  it("offer nothing where there is no suggestion", () => {
    expect(fixed(s("  cpus 0"))).toEqual([]);
    expect(fixed(s("  frobnicate 3"))).toEqual([]);
  });
});
