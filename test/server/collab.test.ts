// The real collaboration server on a real HTTP server and SQLite file, with
// Node clients over real WebSockets: edits meet, survive a restart, and a
// hostile client only loses its own connection.
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import * as Y from "yjs";
import { Notebook } from "../../lib/notebook/notebook.ts";
import { eventually } from "../eventually.ts";
import { createCollab } from "../../lib/server/collab.ts";
import { NotebookStore } from "../../lib/server/store.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

async function startServer(dir: string, maxMessageBytes?: number) {
  const store = new NotebookStore(dir);
  const collab = createCollab(store, { storeDebounceMs: 20, maxMessageBytes });
  const http: Server = createServer((_, res) => res.end("pcplab"));
  collab.attach(http);
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  const port = (http.address() as AddressInfo).port;
  const stop = async () => {
    await collab.close();
    http.closeAllConnections();
    await new Promise<void>((r) => http.close(() => r()));
    store.close();
  };
  return { store, port, stop };
}

function client(port: number, name: string) {
  // Node 20 has no global WebSocket: hand the provider the ws package's.
  const websocketProvider = new HocuspocusProviderWebsocket({ url: `ws://127.0.0.1:${port}/collab`, WebSocketPolyfill: WebSocket });
  const provider = new HocuspocusProvider({ websocketProvider, name });
  provider.attach();
  cleanups.push(() => {
    provider.destroy();
    websocketProvider.destroy();
  });
  const synced = new Promise<void>((resolve) => provider.on("synced", () => resolve()));
  return { provider, notebook: new Notebook(provider.document), synced };
}


describe("collaboration server", () => {
  it("relays edits between two clients and keeps them across a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pcplab-collab-"));
    let server = await startServer(dir);
    server.store.create("nb1", "first");
    const a = client(server.port, "nb1");
    const b = client(server.port, "nb1");
    await Promise.all([a.synced, b.synced]);
    a.notebook.setTitle("NIC study");
    const id = a.notebook.insertCell("scenario", 0, 'scenario "x" {}');
    await eventually(() => b.notebook.cells().length === 1);
    b.notebook.insertCell("markdown", 1, "notes");
    await eventually(() => a.notebook.cells().length === 2);
    expect(a.notebook.cells().map((c) => c.id)).toEqual(b.notebook.cells().map((c) => c.id));

    await server.stop();

    server = await startServer(dir);
    cleanups.push(() => server.stop());
    expect(server.store.list()).toEqual([expect.objectContaining({ id: "nb1", title: "NIC study" })]);
    const c = client(server.port, "nb1");
    await c.synced;
    expect(c.notebook.cells().map((x) => [x.id, x.source])).toEqual([[id, 'scenario "x" {}'], [expect.any(String), "notes"]]);
  });

  it("survives garbage and oversized messages: only that connection closes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pcplab-collab-"));
    const server = await startServer(dir, 64 * 1024);
    cleanups.push(() => server.stop());
    server.store.create("nb2", "");
    const good = client(server.port, "nb2");
    await good.synced;

    for (const payload of [Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.from("hello"), Buffer.alloc(0), Buffer.alloc(200 * 1024, 7)]) {
      const raw = new WebSocket(`ws://127.0.0.1:${server.port}/collab`);
      await new Promise((r) => raw.on("open", r));
      const closed = new Promise((r) => raw.on("close", r));
      raw.on("error", () => {});
      raw.send(payload);
      raw.send(Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37) & 255)));
      await Promise.race([closed, new Promise((r) => setTimeout(r, 300))]);
      raw.terminate();
    }
    good.notebook.insertCell("markdown", 0, "still here");
    const other = client(server.port, "nb2");
    await other.synced;
    await eventually(() => other.notebook.cells().some((c) => c.source === "still here"));
  });

  it("refuses a notebook that does not exist", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pcplab-collab-"));
    const server = await startServer(dir);
    cleanups.push(() => server.stop());
    const ghost = client(server.port, "../etc/passwd");
    const outcome = await Promise.race([ghost.synced.then(() => "synced"), new Promise((r) => setTimeout(() => r("refused"), 500))]);
    expect(outcome).toBe("refused");
    expect(Y.encodeStateAsUpdate(ghost.provider.document).length).toBeLessThan(10);
  });
});
