// The notebook app: `npm start` lands here. Builds what is out of date
// (scripts/build.js: the Next.js app, the server bundle, the engine's Web
// Worker) and serves pages, the API and the collaboration WebSocket on one
// port.
// PORT, HOST, DATA_DIR and every PCPLAB_* limit are read from the
// environment; docs/server.md lists them with their defaults.
// Everything the process prints goes through a rate-limited log
// (lib/server/log.ts): a flood of refused connections cannot flood it.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildApp, buildEngineWorker, buildServer, root } from "../scripts/build.js";

process.env.NEXT_TELEMETRY_DISABLED = "1";

buildApp();
const { startServer, RateLimitedLog, routeConsole } = await import(pathToFileURL((await buildServer()).server).href);
const log = new RateLimitedLog();
routeConsole(log);
const server = await startServer({
  root,
  port: Number(process.env.PORT ?? 3000),
  host: process.env.HOST,
  dataDir: process.env.DATA_DIR ?? join(root, "data"),
  limits: limitsFromEnv(),
  engineWorker: (await buildEngineWorker())["engine.worker"],
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
