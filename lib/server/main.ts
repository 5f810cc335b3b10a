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
import { Notebooks } from "./notebooks.ts";
import { CreateQuota, DEFAULT_CREATES_PER_MINUTE } from "./quota.ts";
import { NotebookStore } from "./store.ts";

/** Limits on what anyone may add, with or without a link. */
export interface ServerLimits {
  /** Notebooks one client address may create per minute. */
  maxCreatesPerMinute: number;
  /** The SQLite file's bound (default in store.ts). */
  maxDatabaseBytes: number;
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
  const { maxCreatesPerMinute, maxDatabaseBytes, ...collabLimits } = opts.limits ?? {};
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

  const http = createServer((req, res) => {
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
