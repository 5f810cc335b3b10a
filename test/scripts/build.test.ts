// What the build treats as a source of each output: a change to any of
// them must rebuild it, a dependency upgrade (the lock file) included.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { INPUTS, newestInput, OUTPUTS, root } from "../../scripts/build.js";

const named = (inputs: (string | { dir: string })[]) => inputs.map((i) => (typeof i === "string" ? i : `${i.dir}/`));

describe("scripts/build.js", () => {
  it("lists every output: the app, the server, the CLI with its worker, the engine's Web Worker", () => {
    expect(Object.keys(OUTPUTS)).toEqual(["app", "server", "cli", "engine-worker"]);
  });

  it("rebuilds the app when its pages, lib, the Next config or a dependency change", () => {
    expect(named(INPUTS.app)).toEqual(["app/", "lib/", "next.config.js", "package.json", "package-lock.json"]);
  });

  it("rebuilds the bundles when lib or a dependency changes", () => {
    expect(named(INPUTS.bundle)).toEqual(["lib/", "package.json", "package-lock.json"]);
  });

  it("takes the newest time among directories and files, and ignores files a directory's filter leaves out", () => {
    const dir = mkdtempSync(join(root, "node_modules", ".cache", "build-test-"));
    const rel = dir.slice(root.length + 1);
    mkdirSync(join(dir, "sub"));
    for (const [name, seconds] of [["a.ts", 1000], ["sub/b.ts", 3000], ["c.css", 9000], ["lock", 2000]] as const) {
      writeFileSync(join(dir, name), "");
      utimesSync(join(dir, name), seconds, seconds);
    }
    const ts = { dir: rel, pick: (n: string) => n.endsWith(".ts") };
    expect(newestInput([ts])).toBe(3_000_000);
    expect(newestInput([ts, `${rel}/c.css`])).toBe(9_000_000);
    expect(newestInput([`${rel}/lock`])).toBe(2_000_000);
    expect(newestInput([`${rel}/missing`])).toBe(-1);
    rmSync(dir, { recursive: true });
  });
});
