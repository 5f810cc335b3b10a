import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The notebook's session hook owns the Yjs document and its providers, and
// the editor binding is where a cell's text meets y-monaco; every other
// module in lib/ui renders plain state and must not depend on Yjs.
const dir = fileURLToPath(new URL("../../lib/ui", import.meta.url));
const owners = new Set(["useNotebookSession.ts", "monaco.ts"]);
const files = readdirSync(dir).filter((f) => /\.tsx?$/.test(f) && !owners.has(f));
const yjs = /^(yjs|y-[a-z-]+|@hocuspocus\/.*)(\/.*)?$/;

describe("lib/ui Yjs boundary", () => {
  it("has components", () => {
    expect(files).toContain("NotebookPage.tsx");
  });

  for (const file of files) {
    it(`${file} imports no Yjs package`, () => {
      const code = readFileSync(join(dir, file), "utf8").replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, "");
      const imported = [...code.matchAll(/\bfrom\s+["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']/g)].map((m) => m[1] ?? m[2]!);
      expect(imported.filter((m) => yjs.test(m))).toEqual([]);
    });
  }
});
