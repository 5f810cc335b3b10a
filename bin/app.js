// The notebook app: `npm start` lands here. Builds the Next.js app when a
// source is newer than the last build, bundles the server, and serves
// pages, the API and the collaboration WebSocket on one port.
//   PORT      port to listen on (default 3000)
//   HOST      address to bind (default all; 127.0.0.1 keeps it local)
//   DATA_DIR  where the SQLite file lives (default data/)
//   PCPLAB_MAX_MESSAGE_BYTES, PCPLAB_MAX_DOCUMENT_BYTES,
//   PCPLAB_MAX_CONNECTIONS_PER_NOTEBOOK, PCPLAB_MAX_CONNECTIONS_PER_ADDRESS
//             the collaboration server's limits (defaults in lib/server/collab.ts)
//   PCPLAB_MAX_READONLY_CONNECTIONS_PER_NOTEBOOK, PCPLAB_MAX_CONNECTIONS_PER_LINK,
//   PCPLAB_MAX_AWARENESS_STATE_BYTES, PCPLAB_MAX_BUFFERED_BYTES
//             what one participant may take from the others (lib/server/peers.ts)
//   PCPLAB_MAX_CREATES_PER_MINUTE  notebooks one address may create a minute
//   PCPLAB_MAX_DATABASE_BYTES      the SQLite file's bound (lib/server/store.ts)
//   PCPLAB_REQUEST_TIMEOUT_MS      time a request's headers and body may take (lib/server/main.ts)
//   PCPLAB_MAX_PENDING_MESSAGES, PCPLAB_MAX_PENDING_BYTES, PCPLAB_AUTH_TIMEOUT_MS
//             what a socket may send, and how long it may take, before it
//             authenticates (lib/server/preauth.ts)
// Everything the process prints goes through a rate-limited log
// (lib/server/log.ts): a flood of refused connections cannot flood it.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { bundle, mtime, newestSource, root } from "./bundle.js";

process.env.NEXT_TELEMETRY_DISABLED = "1";

/** Runs `next build` unless .next holds a build newer than every source. */
export function ensureAppBuilt({ quiet = false } = {}) {
  const sources = Math.max(
    newestSource(join(root, "app"), () => true),
    newestSource(join(root, "lib"), (n) => /\.(ts|tsx|css)$/.test(n)),
    mtime(join(root, "next.config.mjs")),
    mtime(join(root, "package.json")),
  );
  if (mtime(join(root, ".next", "BUILD_ID")) >= sources) return;
  if (!quiet) console.log("pcplab: building the app (about a minute, once)...");
  const r = spawnSync(process.execPath, [join(root, "node_modules", "next", "dist", "bin", "next"), "build"], {
    cwd: root,
    stdio: quiet ? "pipe" : "inherit",
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`next build failed\n${r.stdout ?? ""}${r.stderr ?? ""}`);
}

export async function loadServer() {
  const out = await bundle({ server: "lib/server/main.ts" }, { external: true });
  return import(pathToFileURL(out.server).href);
}

/** The engine's Web Worker, for the server to hand to pages. */
export async function engineWorkerScript() {
  return (await bundle({ "engine.worker": "lib/ui/engine.worker.ts" }, { browser: true }))["engine.worker"];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  ensureAppBuilt();
  const { startServer, RateLimitedLog, routeConsole } = await loadServer();
  const log = new RateLimitedLog();
  routeConsole(log);
  const server = await startServer({
    root,
    port: Number(process.env.PORT ?? 3000),
    host: process.env.HOST,
    dataDir: process.env.DATA_DIR ?? join(root, "data"),
    limits: limitsFromEnv(),
    engineWorker: await engineWorkerScript(),
  });
  console.log(`pcplab: serving on ${server.url} (notebooks in ${server.dataDir})`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.close();
    log.flush();
    console.log("pcplab: every notebook saved; stopped");
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

/** The server's limits set in the environment; a value that is not a
 * positive whole number stops the start with a clear message. */
function limitsFromEnv() {
  const names = {
    maxMessageBytes: "PCPLAB_MAX_MESSAGE_BYTES",
    maxDocumentBytes: "PCPLAB_MAX_DOCUMENT_BYTES",
    maxConnectionsPerNotebook: "PCPLAB_MAX_CONNECTIONS_PER_NOTEBOOK",
    maxConnectionsPerAddress: "PCPLAB_MAX_CONNECTIONS_PER_ADDRESS",
    maxReadOnlyConnectionsPerNotebook: "PCPLAB_MAX_READONLY_CONNECTIONS_PER_NOTEBOOK",
    maxConnectionsPerLink: "PCPLAB_MAX_CONNECTIONS_PER_LINK",
    maxAwarenessStateBytes: "PCPLAB_MAX_AWARENESS_STATE_BYTES",
    maxBufferedBytes: "PCPLAB_MAX_BUFFERED_BYTES",
    maxCreatesPerMinute: "PCPLAB_MAX_CREATES_PER_MINUTE",
    maxDatabaseBytes: "PCPLAB_MAX_DATABASE_BYTES",
    requestTimeoutMs: "PCPLAB_REQUEST_TIMEOUT_MS",
    maxPendingMessages: "PCPLAB_MAX_PENDING_MESSAGES",
    maxPendingBytes: "PCPLAB_MAX_PENDING_BYTES",
    authTimeoutMs: "PCPLAB_AUTH_TIMEOUT_MS",
  };
  const limits = {};
  for (const [key, env] of Object.entries(names)) {
    const v = process.env[env];
    if (v === undefined || v === "") continue;
    if (!/^[1-9][0-9]*$/.test(v)) {
      console.error(`pcplab: ${env} must be a positive whole number, not ${JSON.stringify(v)}`);
      process.exit(2);
    }
    limits[key] = Number(v);
  }
  return limits;
}
