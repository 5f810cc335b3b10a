// The collaboration server's write path against real SQLite and real
// sockets: an update that cannot be stored (full filesystem, the database
// bound, a failing write) is neither acknowledged nor relayed and the
// writer's provider sends it again later; a malformed update is refused;
// a large deletion leaves a version in History that holds what it deleted.
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import * as decoding from "lib0/decoding";
import { afterEach, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import * as Y from "yjs";
import { Notebook } from "../../lib/notebook/notebook.ts";
import { Access, type Role } from "../../lib/server/access.ts";
import { createCollab, storedDoc } from "../../lib/server/collab.ts";
import { Notebooks } from "../../lib/server/notebooks.ts";
import { NotebookStore } from "../../lib/server/store.ts";
import { eventually } from "../support/eventually.ts";
import { authMessage, step1Message, updateMessage } from "../support/hocuspocus-wire.ts";

const root = new URL("../..", import.meta.url).pathname;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

/** A store whose next `failures` appends fail the way a dying disk makes them. */
class FlakyStore extends NotebookStore {
  failures = 0;
  override appendUpdate(...args: Parameters<NotebookStore["appendUpdate"]>): number {
    if (this.failures > 0) {
      this.failures--;
      throw Object.assign(new Error("disk I/O error"), { code: "SQLITE_IOERR" });
    }
    return super.appendUpdate(...args);
  }
}

async function startServer(dir: string, store: NotebookStore = new NotebookStore(dir)) {
  const access = new Access(store);
  const collab = createCollab(store, access, { storeDebounceMs: 20 });
  const http: Server = createServer((_, res) => res.end("pcplab"));
  collab.attach(http);
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  const port = (http.address() as AddressInfo).port;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await collab.close();
    http.closeAllConnections();
    await new Promise<void>((r) => http.close(() => r()));
    store.close();
  };
  cleanups.push(stop);
  const notebook = (id: string) => {
    store.create(id, "");
    const tokens = {} as Record<Role, string>;
    for (const role of ["owner", "editor", "commenter", "viewer"] as const) tokens[role] = access.grant(id, role).token;
    return tokens;
  };
  return { store, access, collab, port, stop, notebook };
}

function client(port: number, name: string, token: string) {
  // Retries quickly, so a test sees the provider send its change again.
  const websocketProvider = new HocuspocusProviderWebsocket({
    url: `ws://127.0.0.1:${port}/collab`,
    WebSocketPolyfill: WebSocket,
    delay: 100,
    factor: 1,
    minDelay: 100,
    maxDelay: 100,
    jitter: false,
  });
  const provider = new HocuspocusProvider({ websocketProvider, name, token });
  provider.attach();
  cleanups.push(() => {
    provider.destroy();
    websocketProvider.destroy();
  });
  const synced = new Promise<void>((resolve) => provider.on("synced", () => resolve()));
  return { provider, notebook: new Notebook(provider.document), synced };
}

/** A hand-driven editor: counts the server's "saved" answers and records how it was closed. */
async function rawEditor(port: number, doc: string, token: string) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/collab`);
  ws.on("error", () => {});
  let saved = 0;
  let unsaved = 0;
  let authorized = false;
  ws.on("message", (m: Buffer) => {
    const d = decoding.createDecoder(new Uint8Array(m));
    decoding.readVarString(d);
    const type = decoding.readVarUint(d);
    // SyncStatus (8): 1 saved, 0 not applied. Auth (2) then 2: authenticated.
    if (type === 8) decoding.readVarUint(d) === 1 ? saved++ : unsaved++;
    if (type === 2 && decoding.readVarUint(d) === 2) authorized = true;
  });
  const closing = new Promise<{ code: number; reason: string }>((resolve) => ws.on("close", (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));
  await new Promise((r, f) => (ws.once("open", r), ws.once("close", f)));
  cleanups.push(() => ws.terminate());
  ws.send(authMessage(doc, token));
  ws.send(step1Message(doc));
  await eventually(() => authorized);
  return { ws, closing, saved: () => saved, unsaved: () => unsaved };
}

const within = <T>(p: Promise<T>, ms: number) => Promise.race([p.then(() => "done"), new Promise((r) => setTimeout(() => r("timeout"), ms))]);

/** `count` updates, each a new cell of `bytes` characters, as a crafted editor would make them. */
function cellUpdates(count: number, bytes: number): { ids: string[]; updates: Uint8Array[] } {
  const local = new Notebook(new Y.Doc());
  const ids: string[] = [];
  const updates: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const before = Y.encodeStateVector(local.doc);
    ids.push(local.insertCell("markdown", i, `${i}:`.padEnd(bytes, "x")));
    updates.push(Y.encodeStateAsUpdate(local.doc, before));
  }
  return { ids, updates };
}

/** A directory on a fresh 3 MB tmpfs, or null where mounting is not allowed. */
function smallFilesystem(): string | null {
  const dir = mkdtempSync(join(tmpdir(), "pcplab-full-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", dir], { stdio: "ignore" });
  } catch {
    return null;
  }
  cleanups.unshift(() => void execFileSync("umount", ["-l", dir], { stdio: "ignore" }));
  return dir;
}

/**
 * 60 updates of 100 KB into a store that fills up (the probe):
 * only stored ones are answered "saved" and relayed, the writer is told to
 * reconnect, reads go on, and a restart on the same file has every
 * acknowledged update.
 */
async function fillUp(dir: string, store: NotebookStore, cause: RegExp) {
  const logged = vi.spyOn(console, "error").mockImplementation(() => {});
  cleanups.push(() => logged.mockRestore());
  let server = await startServer(dir, store);
  const t = server.notebook("full");
  const reader = client(server.port, "full", t.viewer);
  await reader.synced;
  const editor = await rawEditor(server.port, "full", t.editor);
  const { ids, updates } = cellUpdates(60, 100 * 1024);
  for (const u of updates) {
    if (editor.ws.readyState !== WebSocket.OPEN) break;
    editor.ws.send(updateMessage("full", u));
    await new Promise((r) => setTimeout(r, 15));
  }
  expect(await within(editor.closing, 10_000)).toBe("done");
  expect(await editor.closing).toEqual({ code: 4507, reason: "not saved: the server cannot store changes now" });
  const acknowledged = editor.saved();
  expect(acknowledged).toBeGreaterThan(0);
  expect(acknowledged).toBeLessThan(60);

  // Reads go on: a newcomer gets what was stored, no more.
  const newcomer = client(server.port, "full", t.viewer);
  await newcomer.synced;
  await eventually(() => newcomer.notebook.cells().length === acknowledged);
  // The reader received the acknowledged cells and nothing else.
  await eventually(() => reader.notebook.cells().length >= acknowledged);
  await new Promise((r) => setTimeout(r, 200));
  expect(reader.notebook.cells().map((c) => c.id)).toEqual(ids.slice(0, acknowledged));
  // One report of the failure, however many writes it refused.
  const reports = logged.mock.calls.map((c) => String(c[0])).filter((m) => m.includes("cannot store changes"));
  expect(reports.length).toBe(1);
  expect(reports[0]).toMatch(cause);

  await server.stop();
  server = await startServer(dir);
  const after = client(server.port, "full", t.viewer);
  await after.synced;
  expect(after.notebook.cells().map((c) => c.id)).toEqual(ids.slice(0, acknowledged));
}

describe("the write path", () => {
  it("on a full filesystem, acknowledges and relays only what it stored, and keeps it across a restart", async () => {
    // A 3 MB tmpfs where the test may mount one; otherwise the database bound
    // stands in for the full disk.
    const dir = smallFilesystem();
    const fallback = mkdtempSync(join(tmpdir(), "pcplab-full-"));
    const store = new NotebookStore(dir ?? fallback, dir ? {} : { maxDatabaseBytes: 3 * 1024 * 1024 });
    await fillUp(dir ?? fallback, store, dir ? /database or disk is full/ : /PCPLAB_MAX_DATABASE_BYTES/);
  }, 60_000);

  it("holds live edits to PCPLAB_MAX_DATABASE_BYTES", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pcplab-bound-"));
    await fillUp(dir, new NotebookStore(dir, { maxDatabaseBytes: 3 * 1024 * 1024 }), /PCPLAB_MAX_DATABASE_BYTES/);
  }, 60_000);

  it("neither acknowledges nor relays an update whose write failed, and stores it when the provider sends it again", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    cleanups.push(() => logged.mockRestore());
    const dir = mkdtempSync(join(tmpdir(), "pcplab-flaky-"));
    const store = new FlakyStore(dir);
    const server = await startServer(dir, store);
    const t = server.notebook("nb");
    const writer = client(server.port, "nb", t.editor);
    const reader = client(server.port, "nb", t.viewer);
    await Promise.all([writer.synced, reader.synced]);
    writer.notebook.insertCell("markdown", 0, "stored");
    await eventually(() => reader.notebook.cells().length === 1 && !writer.provider.hasUnsyncedChanges);

    // Whenever the reader receives something, or the writer is told all is
    // saved, the server's file already has it.
    const stored = () => storedDoc(store, "nb").getMap("cells").size;
    const violations: string[] = [];
    reader.provider.document.on("update", () => {
      if (stored() < reader.notebook.cells().length) violations.push("relayed before stored");
    });
    writer.provider.on("unsyncedChanges", ({ number }: { number: number }) => {
      if (number === 0 && stored() < writer.notebook.cells().length) violations.push("acknowledged before stored");
    });
    store.failures = 2;
    writer.notebook.insertCell("markdown", 1, "kept by the writer until the server can store it");
    await eventually(() => stored() === 2, 15_000);
    await eventually(() => reader.notebook.cells().length === 2 && !writer.provider.hasUnsyncedChanges, 15_000);
    expect(store.failures).toBe(0);
    expect(violations).toEqual([]);
    const reports = logged.mock.calls.map((c) => String(c[0])).filter((m) => m.startsWith("pcplab:"));
    expect(reports).toEqual([expect.stringContaining("cannot store changes (disk I/O error)"), "pcplab: storing changes again"]);
  }, 30_000);

  it("refuses a malformed update from an editor: closed with a clear code, never saved, stored or relayed", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    cleanups.push(() => logged.mockRestore());
    const dir = mkdtempSync(join(tmpdir(), "pcplab-bad-"));
    const server = await startServer(dir);
    const t = server.notebook("nb");
    const reader = client(server.port, "nb", t.viewer);
    await reader.synced;
    const editor = await rawEditor(server.port, "nb", t.editor);
    // A real cell, then a delete set cut short: Yjs integrates the cell
    // before it reads the delete set and finds it broken.
    const { updates } = cellUpdates(1, 40);
    const valid = updates[0]!;
    expect(valid.at(-1)).toBe(0); // an empty delete set: no client
    const broken = new Uint8Array([...valid.subarray(0, valid.length - 1), 1, 7]);
    editor.ws.send(updateMessage("nb", broken));
    expect(await within(editor.closing, 5000)).toBe("done");
    expect(await editor.closing).toEqual({ code: 4400, reason: "malformed update" });
    expect(editor.saved()).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(reader.notebook.cells()).toEqual([]);
    expect(storedDoc(server.store, "nb").getMap("cells").size).toBe(0);

    // The next editor is served.
    const next = client(server.port, "nb", t.editor);
    await next.synced;
    next.notebook.insertCell("markdown", 0, "fine");
    await eventually(() => reader.notebook.cells().length === 1);
  });
});

describe("History after a wipe", () => {
  it("keeps a version holding an edit an editor deleted 1.5 s later, restorable", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pcplab-wipe-"));
    const server = await startServer(dir);
    const notebooks = new Notebooks(server.store, server.collab, server.access, join(root, "scenarios"));
    const { id, token } = notebooks.create("results");
    const editorToken = server.access.grant(id, "editor").token;
    const owner = client(server.port, id, token);
    const editor = client(server.port, id, editorToken);
    await Promise.all([owner.synced, editor.synced]);
    const edit = owner.notebook.insertCell("markdown", 1, "p99 allocation latency: 41 µs with pcp high at 512");
    await eventually(() => editor.notebook.cells().length === 2);
    await new Promise((r) => setTimeout(r, 1500));
    for (const c of editor.notebook.cells()) editor.notebook.deleteCell(c.id);
    await eventually(() => owner.notebook.cells().length === 0);

    const kept = notebooks.versions(id).filter((v) => v.name?.startsWith("before deleting"));
    expect(kept.length).toBe(1);
    const version = new Notebook(new Y.Doc());
    Y.applyUpdate(version.doc, server.store.version(id, kept[0]!.id)!.state);
    expect(version.cells().find((c) => c.id === edit)?.source).toBe("p99 allocation latency: 41 µs with pcp high at 512");

    await notebooks.restore(id, kept[0]!.id);
    await eventually(() => owner.notebook.cells().some((c) => c.source.startsWith("p99 allocation latency")));
  });

  it("keeps at most one such version for a flood of deletions", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pcplab-flood-"));
    const server = await startServer(dir);
    const t = server.notebook("nb");
    const editor = client(server.port, "nb", t.editor);
    await editor.synced;
    for (let i = 0; i < 30; i++) editor.notebook.insertCell("markdown", i, `cell ${i} `.repeat(10));
    await eventually(() => storedDoc(server.store, "nb").getMap("cells").size === 30);
    // Thirty deletions, each a large part of what is left, one message each.
    for (const c of editor.notebook.cells()) {
      editor.notebook.deleteCell(c.id);
      await new Promise((r) => setTimeout(r, 5));
    }
    await eventually(() => storedDoc(server.store, "nb").getMap("cells").size === 0 && !editor.provider.hasUnsyncedChanges);
    const kept = server.store.versions("nb").filter((v) => v.name?.startsWith("before deleting"));
    expect(kept.length).toBe(1);
    const first = new Notebook(new Y.Doc());
    Y.applyUpdate(first.doc, server.store.version("nb", kept[0]!.id)!.state);
    // Taken once the deletions since the last version reached a quarter of the content.
    expect(first.cells().length).toBeGreaterThan(20);
  });
});
