import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// lib/engine must run identically in Node, worker_threads and a Web Worker,
// so it may import only its own files and may not use engine-dependent or
// nondeterministic globals.
const dir = fileURLToPath(new URL("../../lib/engine", import.meta.url));
const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));

// Math functions and ** that ECMAScript leaves implementation-approximated,
// plus clocks, randomness and Node globals.
const banned =
  /\bMath\.(random|log|log1p|log2|log10|exp|expm1|pow|cbrt|hypot|sin|cos|tan|asin|acos|atan|atan2|sinh|cosh|tanh|asinh|acosh|atanh)\b|\bDate\b|\bperformance\b|\bprocess\b|\brequire\(|\*\*/;

describe("lib/engine purity", () => {
  it("has source files", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(`${file} imports only relative .ts files and uses no nondeterministic globals`, () => {
      const code = readFileSync(join(dir, file), "utf8").replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, "");
      for (const m of code.matchAll(/\bfrom\s+["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']/g)) {
        expect(m[1] ?? m[2]).toMatch(/^\.\.?\/.*\.ts$/);
      }
      expect(code.match(banned)).toBeNull();
    });
  }
});
