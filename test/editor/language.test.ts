// The editor's view of the language: what Monaco will be handed.
import { describe, expect, it } from "vitest";
import { completionsAt, formatted, hoverAt, lineTokens, markersFor } from "../../lib/editor/language.ts";

const SEVERITY = { Error: 8, Warning: 4 };
const KINDS = { Keyword: 17, Constant: 14, EnumMember: 16, Field: 3, Property: 9, Unit: 12, Variable: 4 };

describe("the editor's language", () => {
  it("turns diagnostics into markers with codes and 1-based ranges", () => {
    const text = 'scenario "x" {\n  cpus 0\n  workload "w" on cpus all {\n    rate 1k/s\n    alloc order 0 gfp GFP_DMA32\n  }\n}\n';
    expect(markersFor(text, SEVERITY)).toEqual([
      { severity: 8, code: "E201", message: "cpus must be between 1 and 1024, got 0", startLineNumber: 2, startColumn: 8, endLineNumber: 2, endColumn: 9 },
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
});
