// Bundles TypeScript entry points from lib/ with esbuild into
// node_modules/.cache/pcplab, again whenever a source file (or package.json)
// is newer than the bundle, so a checkout needs no build step.
import { mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cache = join(root, "node_modules", ".cache", "pcplab");

/** Latest modification time of the files under `dir` whose names pass `pick`. */
export function newestSource(dir, pick = (name) => name.endsWith(".ts")) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path, pick));
    else if (pick(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

export function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

/**
 * Bundles `entries` ({name: path under root}) and returns the path of each
 * output. The first entry is written last: its presence says the build is
 * done. `external` bundles no package from node_modules. `browser` makes
 * minified classic scripts (`<name>.js`) for the browser instead.
 */
export async function bundle(entries, { external = false, browser = false } = {}) {
  const names = Object.keys(entries);
  const extension = browser ? ".js" : ".mjs";
  const out = Object.fromEntries(names.map((n) => [n, join(cache, `${n}${extension}`)]));
  const first = out[names[0]];
  if (mtime(first) >= Math.max(newestSource(join(root, "lib")), mtime(join(root, "package.json")))) return out;
  const { build } = await import("esbuild");
  mkdirSync(cache, { recursive: true });
  // Built in memory and renamed into place, so a concurrent run never
  // imports a half-written bundle.
  const result = await build({
    entryPoints: Object.fromEntries(names.map((n) => [n, join(root, entries[n])])),
    bundle: true,
    outdir: cache,
    outExtension: { ".js": extension },
    write: false,
    logLevel: "warning",
    ...(browser
      ? { platform: "browser", format: "iife", target: "es2022", minify: true }
      : {
          platform: "node",
          format: "esm",
          target: "node20",
          packages: external ? "external" : undefined,
          banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
        }),
  });
  for (const file of [...result.outputFiles].sort((a, b) => (a.path === first) - (b.path === first))) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
  return out;
}
