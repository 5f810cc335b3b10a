// The app's one process: Next.js pages, the notebook API and the
// collaboration WebSocket on one HTTP server and port.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import next from "next";
import { Access } from "./access.ts";
import { engineWorkerRoute } from "./assets.ts";
import { handleNotebookApi } from "./api.ts";
import { createCollab, type CollabLimits } from "./collab.ts";
import { applySecurityHeaders } from "./headers.ts";
import { Notebooks } from "./notebooks.ts";
import { CreateQuota, DEFAULT_CREATES_PER_MINUTE } from "./quota.ts";
import { NotebookStore } from "./store.ts";

export { RateLimitedLog, routeConsole } from "./log.ts";

// A request's headers and body must arrive within this; the largest body
// the API takes is 16 KiB, seconds even on a poor link. Past it Node answers
// 408 and closes, so a client that declares a body and never sends it holds
// a socket for this long, not Node's default five minutes.
const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;

/** Limits on what anyone may add, with or without a link. */
export interface ServerLimits {
  /** Notebooks one client address may create per minute. */
  maxCreatesPerMinute: number;
  /** The SQLite file's bound (default in store.ts). */
  maxDatabaseBytes: number;
  /** Milliseconds a request's headers and body may take to arrive. */
  requestTimeoutMs: number;
}

export interface ServerOptions {
  root: string;
  port: number;
  host?: string;
  dataDir: string;
  dev?: boolean;
  limits?: Partial<CollabLimits & ServerLimits>;
  /** The engine Web Worker's script, bundled for the browser (bin/app.js). */
  engineWorker: string;
}

export async function startServer(opts: ServerOptions) {
  const dataDir = resolve(opts.dataDir);
  const { maxCreatesPerMinute, maxDatabaseBytes, requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS, ...collabLimits } = opts.limits ?? {};
  const store = new NotebookStore(dataDir, { maxDatabaseBytes });
  const access = new Access(store);
  const collab = createCollab(store, access, { otherUpgrades: opts.dev, limits: collabLimits });
  const createLimits = {
    quota: new CreateQuota({ perMinute: maxCreatesPerMinute ?? DEFAULT_CREATES_PER_MINUTE }),
    hasRoomFor: (bytes: number) => store.hasRoomFor(bytes),
  };
  const notebooks = new Notebooks(store, collab, access, join(opts.root, "scenarios"));
  const app = next({ dev: opts.dev ?? false, dir: opts.root, quiet: true });
  await app.prepare();
  const handle = app.getRequestHandler();
  const engineWorker = engineWorkerRoute(opts.engineWorker);

  const timeouts = {
    requestTimeout: requestTimeoutMs,
    headersTimeout: requestTimeoutMs,
    // How often Node looks for requests past their time: a tenth of it, so
    // one is closed at most 10% late.
    connectionsCheckingInterval: Math.max(100, Math.floor(requestTimeoutMs / 10)),
  };
  const http = createServer(timeouts, (req, res) => {
    applySecurityHeaders(req, res, opts.dev);
    if (engineWorker(req, res)) return;
    handleNotebookApi(notebooks, collab, req, res, createLimits)
      .then((handled) => (handled ? undefined : handle(req, res)))
      .catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
  });
  collab.attach(http);
  await new Promise<void>((ok, fail) => {
    http.once("error", fail);
    http.listen(opts.port, opts.host, ok);
  });
  const address = http.address() as AddressInfo;
  const host = address.family === "IPv6" ? (address.address === "::" ? "localhost" : `[${address.address}]`) : address.address === "0.0.0.0" ? "localhost" : address.address;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    dataDir,
    store,
    collab,
    /** Saves every open notebook, then stops serving. */
    async close(): Promise<void> {
      await collab.close();
      http.closeAllConnections();
      await new Promise<void>((ok) => http.close(() => ok()));
      await app.close?.();
      store.close();
    },
  };
}
