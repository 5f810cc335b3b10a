// The real collaboration server on a real HTTP server and SQLite file, with
// Node clients over real WebSockets: edits meet and survive a restart;
// roles hold against a crafted client; revoking a link closes its
// connections; limits and garbage cost only the offending connection.
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import fc from "fast-check";
import * as encoding from "lib0/encoding";
import { afterEach, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import * as Y from "yjs";
import { Notebook, yText } from "../../lib/notebook/notebook.ts";
import { Access, type Role } from "../../lib/server/access.ts";
import { createCollab, storedDoc, type CollabLimits } from "../../lib/server/collab.ts";
import { Notebooks } from "../../lib/server/notebooks.ts";
import { NotebookStore } from "../../lib/server/store.ts";
import { eventually } from "../support/eventually.ts";
import { authMessage, frame, step1Message, updateMessage } from "../support/hocuspocus-wire.ts";
import { openRawSocket } from "../support/raw-socket.ts";

const root = new URL("../..", import.meta.url).pathname;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

async function startServer(dir: string, limits: Partial<CollabLimits> = {}, checkpointEveryMs?: number) {
  const store = new NotebookStore(dir);
  const access = new Access(store);
  const collab = createCollab(store, access, { storeDebounceMs: 20, limits, expirySweepMs: 50, checkpointEveryMs });
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
  /** A notebook and a token for each role. */
  const notebook = (id: string, title = "") => {
    store.create(id, title);
    const tokens = {} as Record<Role, string>;
    for (const role of ["owner", "editor", "commenter", "viewer"] as const) tokens[role] = access.grant(id, role).token;
    return tokens;
  };
  return { store, access, collab, port, stop, notebook };
}

/** A server on a fresh data directory, stopped after the test. */
async function freshServer(limits: Partial<CollabLimits> = {}, checkpointEveryMs?: number) {
  const server = await startServer(mkdtempSync(join(tmpdir(), "pcplab-collab-")), limits, checkpointEveryMs);
  cleanups.push(() => server.stop());
  return server;
}

function client(port: number, name: string, token: string) {
  // Node 20 has no global WebSocket: hand the provider the ws package's.
  const websocketProvider = new HocuspocusProviderWebsocket({ url: `ws://127.0.0.1:${port}/collab`, WebSocketPolyfill: WebSocket });
  const provider = new HocuspocusProvider({ websocketProvider, name, token });
  provider.attach();
  let denied = false;
  let status = "connecting";
  provider.on("authenticationFailed", () => (denied = true));
  provider.on("status", (e: { status: string }) => (status = e.status));
  cleanups.push(() => {
    provider.destroy();
    websocketProvider.destroy();
  });
  const synced = new Promise<void>((resolve) => provider.on("synced", () => resolve()));
  return { provider, notebook: new Notebook(provider.document), synced, denied: () => denied, status: () => status };
}

const within = <T>(p: Promise<T>, ms: number) => Promise.race([p.then(() => "done"), new Promise((r) => setTimeout(() => r("timeout"), ms))]);


const raw = (port: number) => openRawSocket(port, (f) => cleanups.push(f));

function serverDoc(server: Awaited<ReturnType<typeof startServer>>, id: string): Notebook {
  return new Notebook(storedDoc(server.store, id));
}

describe("collaboration server", () => {
  it("relays edits between two clients and keeps them across a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pcplab-collab-"));
    let server = await startServer(dir);
    const t = server.notebook("nb1", "first");
    const a = client(server.port, "nb1", t.owner);
    const b = client(server.port, "nb1", t.editor);
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
    expect(server.store.get("nb1")).toEqual(expect.objectContaining({ id: "nb1", title: "NIC study" }));
    const c = client(server.port, "nb1", t.viewer);
    await c.synced;
    expect(c.notebook.cells().map((x) => [x.id, x.source])).toEqual([[id, 'scenario "x" {}'], [expect.any(String), "notes"]]);
  });

  it("keeps automatic checkpoints as the notebook is stored, at most as often as configured", async () => {
    const server = await freshServer({}, 150);
    const t = server.notebook("nb9");
    const a = client(server.port, "nb9", t.editor);
    await a.synced;
    for (let i = 0; i < 6; i++) {
      a.notebook.insertCell("markdown", i, `edit ${i}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await eventually(() => server.store.versions("nb9").length >= 2);
    const versions = server.store.versions("nb9");
    expect(versions.every((v) => v.name === null)).toBe(true);
    expect(versions.length).toBeLessThanOrEqual(5);
    for (let i = 1; i < versions.length; i++) expect(versions[i - 1]!.createdAt - versions[i]!.createdAt).toBeGreaterThanOrEqual(150);
  });

  it("stores an update before anyone else receives it", async () => {
    const server = await freshServer();
    const t = server.notebook("nb3");
    const a = client(server.port, "nb3", t.editor);
    const b = client(server.port, "nb3", t.viewer);
    await Promise.all([a.synced, b.synced]);
    // At the moment b's document changes, the server's SQLite file already has it.
    const seen: string[] = [];
    b.provider.document.on("update", () => seen.push(serverDoc(server, "nb3").cells().map((c) => c.source).join("|")));
    a.notebook.insertCell("markdown", 0, "durable");
    await eventually(() => b.notebook.cells().length === 1);
    expect(seen.every((s) => s === "durable")).toBe(true);
    expect(seen.length).toBeGreaterThan(0);
  });

  it("restores a version as an edit of the cells a client has open, stored before the client receives it", async () => {
    const server = await freshServer();
    const t = server.notebook("nb10");
    const notebooks = new Notebooks(server.store, server.collab, server.access, join(root, "scenarios"));
    const a = client(server.port, "nb10", t.editor);
    await a.synced;
    const id = a.notebook.insertCell("scenario", 0, "cpus 4\n");
    await eventually(() => serverDoc(server, "nb10").cells().length === 1);
    const v1 = notebooks.saveVersion("nb10", "v1");
    const bound = yText(a.notebook, id)!;
    bound.insert(0, "# edited\n");
    await eventually(() => serverDoc(server, "nb10").cells()[0]!.source === "# edited\ncpus 4\n");

    const seen: string[] = [];
    a.provider.document.on("update", () => seen.push(serverDoc(server, "nb10").cells().map((c) => c.source).join("|")));
    expect(await notebooks.restore("nb10", v1.id)).toMatchObject({ name: "before restoring v1" });
    await eventually(() => a.notebook.cells()[0]?.source === "cpus 4\n");
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((s) => s === "cpus 4\n")).toBe(true);
    // The client's editor stays bound to the same cell and text.
    expect(a.notebook.cells().map((c) => c.id)).toEqual([id]);
    expect(yText(a.notebook, id)).toBe(bound);
  });

  it("refuses a viewer's update from a crafted client, and leaves the document unchanged", async () => {
    const server = await freshServer();
    const t = server.notebook("nb4");
    const watcher = client(server.port, "nb4", t.owner);
    await watcher.synced;
    watcher.notebook.insertCell("markdown", 0, "original");
    await eventually(() => serverDoc(server, "nb4").cells().length === 1);

    for (const role of ["viewer", "commenter"] as const) {
      const r = await raw(server.port);
      r.ws.send(authMessage("nb4", t[role]));
      r.ws.send(step1Message("nb4"));
      // A valid update: a cell, written by a local copy of the notebook.
      const forged = new Notebook(new Y.Doc());
      Y.applyUpdate(forged.doc, Y.encodeStateAsUpdate(watcher.provider.document));
      const before = Y.encodeStateVector(forged.doc);
      forged.insertCell("markdown", 1, `forged by a ${role}`);
      r.ws.send(updateMessage("nb4", Y.encodeStateAsUpdate(forged.doc, before)));
      // The server answers with SyncStatus(false): type 8, then 0.
      await eventually(() => r.received.some((m) => m.includes(Buffer.from([8, 0]))));
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(serverDoc(server, "nb4").cells().map((c) => c.source)).toEqual(["original"]);
    expect(watcher.notebook.cells().map((c) => c.source)).toEqual(["original"]);

    // Through the real provider too: a viewer's local edit never leaves its tab.
    const v = client(server.port, "nb4", t.viewer);
    await v.synced;
    v.notebook.insertCell("markdown", 0, "viewer typed this");
    await new Promise((r) => setTimeout(r, 200));
    expect(serverDoc(server, "nb4").cells().map((c) => c.source)).toEqual(["original"]);
  });

  it("lets commenters write the comments document but not the notebook", async () => {
    const server = await freshServer();
    const t = server.notebook("nb5");
    const commenter = client(server.port, "nb5/comments", t.commenter);
    const viewer = client(server.port, "nb5/comments", t.viewer);
    await Promise.all([commenter.synced, viewer.synced]);
    commenter.provider.document.getArray("threads").push(["a comment"]);
    viewer.provider.document.getArray("threads").push(["a viewer's comment"]);
    await eventually(() => viewer.provider.document.getArray("threads").toArray().includes("a comment"));
    await new Promise((r) => setTimeout(r, 100));
    expect(storedDoc(server.store, "nb5/comments").getArray("threads").toArray()).toEqual(["a comment"]);
  });

  it("refuses missing, wrong and other notebooks' tokens, and unknown documents", async () => {
    const server = await freshServer();
    const a = server.notebook("nbA", "secret title");
    server.notebook("nbB");
    for (const [name, token] of [["nbA", "x".repeat(43)], ["nbB", a.owner], ["nbA/other", a.owner], ["../etc/passwd", a.owner], ["nbA", ""]] as const) {
      const c = client(server.port, name, token);
      expect(await within(c.synced, 400)).toBe("timeout");
      expect(c.notebook.title).toBe("");
    }
  });

  it("closes a revoked link's live connections at once, and an expired one's soon after", async () => {
    const server = await freshServer();
    server.notebook("nb6");
    const { token, share } = server.access.grant("nb6", "editor");
    const owner = server.access.grant("nb6", "owner").token;
    const e = client(server.port, "nb6", token);
    const o = client(server.port, "nb6", owner);
    await Promise.all([e.synced, o.synced]);
    server.store.revokeShare("nb6", share.id);
    server.collab.revoked(share.id);
    await eventually(() => e.status() !== "connected" || e.denied());
    o.notebook.insertCell("markdown", 0, "after revocation");
    await new Promise((r) => setTimeout(r, 300));
    expect(e.notebook.cells()).toEqual([]);
    await eventually(() => e.denied());
    // The owner's connection is untouched.
    expect(o.status()).toBe("connected");

    const soon = server.access.grant("nb6", "viewer", Date.now() + 300);
    const v = client(server.port, "nb6", soon.token);
    await v.synced;
    await eventually(() => v.denied());
  });

  it("limits document size, connections per notebook and per address, closing only the offender", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    cleanups.push(() => logged.mockRestore());
    const server = await freshServer({
      maxDocumentBytes: 20_000,
      maxConnectionsPerNotebook: 3,
      maxConnectionsPerAddress: 6,
    });
    const t = server.notebook("nb7");
    const a = client(server.port, "nb7", t.editor);
    const b = client(server.port, "nb7", t.editor);
    const third = client(server.port, "nb7", t.viewer);
    await Promise.all([a.synced, b.synced, third.synced]);
    const fourth = client(server.port, "nb7", t.viewer);
    expect(await within(fourth.synced, 400)).toBe("timeout");
    fourth.provider.destroy();

    a.notebook.insertCell("markdown", 0, "x".repeat(30_000));
    await new Promise((r) => setTimeout(r, 300));
    expect(serverDoc(server, "nb7").cells()).toEqual([]);
    b.notebook.insertCell("markdown", 0, "small");
    await eventually(() => serverDoc(server, "nb7").cells().length === 1);
    await eventually(() => third.notebook.cells().length === 1);

    const sockets = await Promise.all(Array.from({ length: 3 }, () => raw(server.port).catch(() => null)));
    expect(sockets.filter(Boolean).length).toBeLessThan(3);
  });

  it("never falls over on fuzzed messages: the next client is served", async () => {
    const server = await freshServer({ maxMessageBytes: 64 * 1024 });
    // Hocuspocus logs each connection it closes for a bad message; hundreds here.
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    cleanups.push(() => logged.mockRestore());
    const t = server.notebook("nb8");
    const good = client(server.port, "nb8", t.editor);
    await good.synced;
    const message = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.uint8Array({ maxLength: 100 }).map((tail) => new Uint8Array([...authMessage("nb8", t.editor), ...tail])),
      fc.uint8Array({ maxLength: 100 }).map((tail) => new Uint8Array([...frame("nb8", (e) => encoding.writeVarUint(e, 0)), ...tail])),
      fc.uint8Array({ maxLength: 100 }).map((tail) => new Uint8Array([...frame("nb8", (e) => encoding.writeVarUint(e, 1)), ...tail])),
      fc.constant(new Uint8Array(100 * 1024)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 5 }), async (messages) => {
        const r = await raw(server.port);
        for (const m of messages) r.ws.send(m);
        await within(r.closed, 30);
        r.ws.terminate();
      }),
      { numRuns: 60, seed: 7 },
    );
    good.notebook.insertCell("markdown", 0, "still here");
    const other = client(server.port, "nb8", t.viewer);
    await other.synced;
    await eventually(() => other.notebook.cells().some((c) => c.source === "still here"));
  });
});

/** A raw socket that records how the server closed it. */
async function rawClosing(port: number) {
  const r = await raw(port);
  const closing = new Promise<{ code: number; reason: string }>((resolve) => r.ws.on("close", (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));
  return { ...r, closing };
}

/** Sends `frames` and waits until the client has handed them to the kernel or the socket closed. */
async function sendAll(ws: WebSocket, frames: Uint8Array[]): Promise<void> {
  await Promise.all(frames.map((f) => new Promise<void>((r) => ws.send(f, () => r()))));
}

describe("before authentication", () => {
  it("closes a socket that sends more than the bounds before authenticating, and holds no more than them", async () => {
    const maxPendingBytes = 256 * 1024;
    const server = await freshServer({ maxPendingBytes, maxPendingMessages: 64, authTimeoutMs: 60_000 });
    server.notebook("nb11");
    let peak = 0;
    const sample = setInterval(() => (peak = Math.max(peak, server.collab.pendingBytes())), 1);
    cleanups.push(() => clearInterval(sample));

    // Big frames, never an auth: 6.4 MB sent against a 256 KB bound.
    const big = await rawClosing(server.port);
    await sendAll(big.ws, Array.from({ length: 100 }, () => updateMessage("nb11", new Uint8Array(64 * 1024))));
    expect(await within(big.closing, 5000)).toBe("done");
    expect(await big.closing).toEqual({ code: 4429, reason: "too much sent before authentication" });
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(maxPendingBytes);

    // Many small frames, for many documents: the count is bounded too.
    const many = await rawClosing(server.port);
    await sendAll(many.ws, Array.from({ length: 200 }, (_, i) => step1Message(`nb${i}`)));
    expect(await within(many.closing, 5000)).toBe("done");
    expect((await many.closing).code).toBe(4429);
    await eventually(() => server.collab.pendingBytes() === 0);
  });

  it("drops what a socket sends for a document after its authentication was refused", async () => {
    const server = await freshServer({ maxPendingBytes: 256 * 1024, authTimeoutMs: 60_000 });
    const t = server.notebook("nb12");
    const r = await rawClosing(server.port);
    r.ws.send(authMessage("nb12", "x".repeat(43)));
    // The server answers PermissionDenied: auth (2), then 1.
    await eventually(() => r.received.some((m) => m.includes(Buffer.from([2, 1]))));
    const afterRefusal = server.collab.pendingBytes();
    await sendAll(r.ws, Array.from({ length: 100 }, () => updateMessage("nb12", new Uint8Array(64 * 1024))));
    // A later, valid auth on the same socket is answered after those frames were read.
    r.ws.send(authMessage("nb12/comments", t.viewer));
    await eventually(() => r.received.some((m) => m.includes(Buffer.from([2, 2]))));
    expect(server.collab.pendingBytes()).toBeLessThan(afterRefusal + 1024);
    expect(r.ws.readyState).toBe(WebSocket.OPEN);
  });

  it("closes a socket not authenticated in time, and keeps serving one that was", async () => {
    const server = await freshServer({ authTimeoutMs: 300 });
    const t = server.notebook("nb13");
    const a = client(server.port, "nb13", t.editor);
    const b = client(server.port, "nb13", t.viewer);
    await Promise.all([a.synced, b.synced]);
    const idle = await rawClosing(server.port);
    const refused = await rawClosing(server.port);
    refused.ws.send(authMessage("nb13", "x".repeat(43)));
    expect(await within(idle.closing, 5000)).toBe("done");
    expect(await idle.closing).toEqual({ code: 4408, reason: "not authenticated in time" });
    expect(await within(refused.closing, 5000)).toBe("done");
    expect((await refused.closing).code).toBe(4408);
    // Well past the timeout, the authenticated clients are still connected and in sync.
    a.notebook.insertCell("markdown", 0, "after the timeout");
    await eventually(() => b.notebook.cells().some((c) => c.source === "after the timeout"));
    expect([a.status(), b.status()]).toEqual(["connected", "connected"]);
  });
});
