// Every build output pcplab has, in one place. `npm run build` builds them
// all; `npm start`, `bin/pcplab` and the tests build the ones they need,
// each only when one of its sources is newer than it, so a checkout needs
// no separate build step.
//
//   app            .next/               next build of app/ and lib/
//   server         server.mjs           lib/server/main.ts, packages left external
//   cli            cli.mjs, worker.mjs  lib/cli/entry.ts and the worker_threads worker it starts
//   engine-worker  engine.worker.js     lib/ui/engine.worker.ts, minified, for pages
//
// Bundles go to node_modules/.cache/pcplab, so `npm ci` starts them afresh.
// package.json and package-lock.json count as sources of every output: a
// dependency upgrade rebuilds.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cache = join(root, "node_modules", ".cache", "pcplab");

/** Latest modification time of the files under `dir` whose names pass `pick`. */
function newestSource(dir, pick) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path, pick));
    else if (pick(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

// What each output is built from: directories (with the file names that
// count) and single files.
const DEPENDENCIES = ["package.json", "package-lock.json"];
const LIB_TS = { dir: "lib", pick: (n) => n.endsWith(".ts") };
export const INPUTS = {
  app: [{ dir: "app", pick: () => true }, { dir: "lib", pick: (n) => /\.(ts|tsx|css)$/.test(n) }, "next.config.js", ...DEPENDENCIES],
  bundle: [LIB_TS, ...DEPENDENCIES],
};

/** The newest modification time among `inputs`. */
export function newestInput(inputs) {
  let newest = -1;
  for (const input of inputs) {
    newest = Math.max(newest, typeof input === "string" ? mtime(join(root, input)) : newestSource(join(root, input.dir), input.pick));
  }
  return newest;
}

/**
 * Bundles `entries` ({name: path under root}) with esbuild and returns the
 * path of each output. The first entry is written last: its presence says
 * the build is done. `external` bundles no package from node_modules.
 * `browser` makes minified classic scripts (`<name>.js`) for pages.
 */
export async function bundle(entries, { external = false, browser = false } = {}) {
  const names = Object.keys(entries);
  const extension = browser ? ".js" : ".mjs";
  const out = Object.fromEntries(names.map((n) => [n, join(cache, `${n}${extension}`)]));
  const first = out[names[0]];
  if (mtime(first) >= newestInput(INPUTS.bundle)) return out;
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

/** Runs `next build` unless .next holds a build newer than every source. */
export function buildApp({ quiet = false } = {}) {
  if (mtime(join(root, ".next", "BUILD_ID")) >= newestInput(INPUTS.app)) return;
  if (!quiet) console.log("pcplab: building the app (about a minute, once)...");
  const r = spawnSync(process.execPath, [join(root, "node_modules", "next", "dist", "bin", "next"), "build"], {
    cwd: root,
    stdio: quiet ? "pipe" : "inherit",
    encoding: "utf8",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (r.status !== 0) throw new Error(`next build failed\n${r.stdout ?? ""}${r.stderr ?? ""}`);
}

export const buildServer = () => bundle({ server: "lib/server/main.ts" }, { external: true });
export const buildCli = () => bundle({ cli: "lib/cli/entry.ts", worker: "lib/cli/worker.ts" });
export const buildEngineWorker = () => bundle({ "engine.worker": "lib/ui/engine.worker.ts" }, { browser: true });

/** Every output, by name, as `npm run build` lists and builds them. */
export const OUTPUTS = {
  app: async () => buildApp(),
  server: buildServer,
  cli: buildCli,
  "engine-worker": buildEngineWorker,
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const [name, build] of Object.entries(OUTPUTS)) {
    const started = Date.now();
    await build();
    console.log(`pcplab build: ${name} ready (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
}
