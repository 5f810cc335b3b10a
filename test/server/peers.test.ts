// What one participant can do to the others, tried with crafted clients
// against the real collaboration server: presence it does not own, huge
// presence, stateless relays, never reading, and taking every seat.
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import * as Y from "yjs";
import { Notebook } from "../../lib/notebook/notebook.ts";
import { Access, type Role } from "../../lib/server/access.ts";
import { createCollab, type CollabLimits } from "../../lib/server/collab.ts";
import { NotebookStore } from "../../lib/server/store.ts";
import { api, startApp } from "../support/app-process.ts";
import { eventually } from "../support/eventually.ts";
import { authMessage, frame, step1Message, updateMessage } from "../support/hocuspocus-wire.ts";
import { openRawSocket } from "../support/raw-socket.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

async function freshServer(limits: Partial<CollabLimits> = {}) {
  const store = new NotebookStore(mkdtempSync(join(tmpdir(), "pcplab-peers-")));
  const access = new Access(store);
  const collab = createCollab(store, access, { storeDebounceMs: 20, limits });
  const http: Server = createServer((_, res) => res.end("pcplab"));
  collab.attach(http);
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  cleanups.push(async () => {
    await collab.close();
    http.closeAllConnections();
    await new Promise<void>((r) => http.close(() => r()));
    store.close();
  });
  const notebook = (id: string) => {
    store.create(id, "");
    const tokens = {} as Record<Role, string>;
    for (const role of ["owner", "editor", "commenter", "viewer"] as const) tokens[role] = access.grant(id, role).token;
    return tokens;
  };
  return { access, collab, port: (http.address() as AddressInfo).port, notebook };
}

/** A real provider whose awareness says `name`. */
async function participant(port: number, doc: string, token: string, name: string) {
  const websocketProvider = new HocuspocusProviderWebsocket({ url: `ws://127.0.0.1:${port}/collab`, WebSocketPolyfill: WebSocket });
  const provider = new HocuspocusProvider({ websocketProvider, name: doc, token });
  provider.attach();
  cleanups.push(() => {
    provider.destroy();
    websocketProvider.destroy();
  });
  provider.awareness!.setLocalStateField("user", { name });
  await new Promise<void>((resolve) => provider.on("synced", () => resolve()));
  /** The names this participant sees, by client id. */
  const names = () => new Map([...provider.awareness!.getStates()].map(([id, s]) => [id, (s as { user?: { name?: string } }).user?.name]));
  return { provider, id: provider.document.clientID, names };
}

/** A crafted client on a raw WebSocket, recording what it receives. */
async function crafted(port: number) {
  const { ws, received, closed } = await openRawSocket(port, (f) => cleanups.push(f));
  /** Authenticates to `doc`: whether the server let it in. */
  const join = async (doc: string, token: string) => {
    ws.send(authMessage(doc, token));
    ws.send(step1Message(doc));
    let reply: "ok" | "denied" | undefined;
    await eventually(() => (reply = received.map((m) => authReply(m, doc)).find(Boolean)) !== undefined);
    return reply;
  };
  return { ws, received, closed, join };
}

/** "ok" or "denied" if `m` answers an auth for `doc`. */
function authReply(m: Uint8Array, doc: string): "ok" | "denied" | undefined {
  const d = decoding.createDecoder(m);
  if (decoding.readVarString(d) !== doc || decoding.readVarUint(d) !== 2) return undefined;
  const sub = decoding.readVarUint(d);
  return sub === 2 ? "ok" : sub === 1 ? "denied" : undefined;
}

/** An awareness update (type 1) setting each entry's state. */
function awarenessMessage(doc: string, entries: { id: number; clock: number; state: unknown }[]): Uint8Array {
  const u = encoding.createEncoder();
  encoding.writeVarUint(u, entries.length);
  for (const e of entries) {
    encoding.writeVarUint(u, e.id);
    encoding.writeVarUint(u, e.clock);
    encoding.writeVarString(u, JSON.stringify(e.state));
  }
  return frame(doc, (f) => (encoding.writeVarUint(f, 1), encoding.writeVarUint8Array(f, encoding.toUint8Array(u))));
}

/** A stateless message: 5 goes to the server's hooks, 6 asks it to relay to everyone. */
const statelessMessage = (doc: string, type: 5 | 6, payload: string) => frame(doc, (f) => (encoding.writeVarUint(f, type), encoding.writeVarString(f, payload)));

const contains = (messages: Buffer[], text: string) => messages.some((m) => m.includes(Buffer.from(text)));

describe("presence", () => {
  it("lets a viewer set only its own awareness: no one else's name, no fake participants", async () => {
    const server = await freshServer();
    const t = server.notebook("p1");
    const owner = await participant(server.port, "p1", t.owner, "owner");
    const editor = await participant(server.port, "p1", t.editor, "editor");
    await eventually(() => editor.names().get(owner.id) === "owner");

    const viewer = await crafted(server.port);
    expect(await viewer.join("p1", t.viewer)).toBe("ok");
    viewer.ws.send(awarenessMessage("p1", [{ id: owner.id, clock: 1000, state: { user: { name: "impostor" } } }]));
    const fakes = Array.from({ length: 200 }, (_, i) => ({ id: 50_000 + i, clock: 1, state: { user: { name: `fake ${i}` } } }));
    viewer.ws.send(awarenessMessage("p1", fakes));
    // Its own state, renewed: once the editor sees it, the server has handled all of the above.
    viewer.ws.send(awarenessMessage("p1", [{ id: 50_000, clock: 2, state: { user: { name: "viewer" } } }]));
    await eventually(() => editor.names().get(50_000) === "viewer");

    expect(editor.names()).toEqual(new Map([[owner.id, "owner"], [editor.id, "editor"], [50_000, "viewer"]]));
    expect(owner.names().get(owner.id)).toBe("owner");
    // Nor may it remove someone else.
    viewer.ws.send(awarenessMessage("p1", [{ id: owner.id, clock: 2000, state: null }]));
    viewer.ws.send(awarenessMessage("p1", [{ id: 50_000, clock: 3, state: { user: { name: "viewer again" } } }]));
    await eventually(() => editor.names().get(50_000) === "viewer again");
    expect(editor.names().get(owner.id)).toBe("owner");
  });

  it("does not keep or relay an oversized awareness state", async () => {
    const server = await freshServer({ maxAwarenessStateBytes: 8 * 1024 });
    const t = server.notebook("p2");
    const editor = await participant(server.port, "p2", t.editor, "editor");
    const viewer = await crafted(server.port);
    expect(await viewer.join("p2", t.viewer)).toBe("ok");
    viewer.ws.send(awarenessMessage("p2", [{ id: 7000, clock: 1, state: { user: { name: "x".repeat(100_000) } } }]));
    viewer.ws.send(awarenessMessage("p2", [{ id: 7001, clock: 1, state: { user: { name: "small" } } }]));
    await eventually(() => editor.names().get(7001) === "small");
    expect(editor.names().has(7000)).toBe(false);

    const joiner = await crafted(server.port);
    expect(await joiner.join("p2", t.commenter)).toBe("ok");
    await eventually(() => contains(joiner.received, "small"));
    expect(Math.max(...joiner.received.map((m) => m.length))).toBeLessThan(8 * 1024);
  });
});

describe("stateless messages", () => {
  it("relays no one's stateless messages: the app sends none", async () => {
    const server = await freshServer();
    const t = server.notebook("p3");
    const listener = await crafted(server.port);
    expect(await listener.join("p3", t.owner)).toBe("ok");
    for (const [i, role] of (["viewer", "commenter", "editor"] as const).entries()) {
      const sender = await crafted(server.port);
      expect(await sender.join("p3", t[role])).toBe("ok");
      sender.ws.send(statelessMessage("p3", 6, `broadcast from a ${role}`));
      sender.ws.send(statelessMessage("p3", 5, `stateless from a ${role}`));
      // Handled in order: once its awareness arrives, so has anything relayed before it.
      sender.ws.send(awarenessMessage("p3", [{ id: 9000 + i, clock: 1, state: { user: { name: `marker ${role}` } } }]));
      await eventually(() => contains(listener.received, `marker ${role}`));
    }
    expect(contains(listener.received, "broadcast from")).toBe(false);
    expect(contains(listener.received, "stateless from")).toBe(false);
  });
});

describe("slow readers", () => {
  it("closes a socket that stops reading once its buffer passes the bound, holding no more", async () => {
    const maxBufferedBytes = 1024 * 1024;
    const server = await freshServer({ maxBufferedBytes, maxDocumentBytes: 256 * 1024 * 1024 });
    const t = server.notebook("p4");
    const reader = await crafted(server.port);
    expect(await reader.join("p4", t.viewer)).toBe("ok");
    const connections = () => server.collab.hocuspocus.documents.get("p4")?.getConnections() ?? [];
    await eventually(() => connections().length === 1);
    const readerConnection = connections()[0]!;
    // The client stops reading its TCP socket: what the server sends piles up.
    (reader.ws as unknown as { _socket: Socket })._socket.pause();

    let peak = 0;
    const sample = setInterval(() => (peak = Math.max(peak, readerConnection.webSocket.bufferedAmount)), 1);
    cleanups.push(() => clearInterval(sample));

    const writer = await crafted(server.port);
    expect(await writer.join("p4", t.editor)).toBe("ok");
    const doc = new Notebook(new Y.Doc());
    const message = "m".repeat(1024 * 1024);
    // 40 MB: more than the kernel's socket buffers on loopback hold.
    for (let i = 0; i < 40 && connections().includes(readerConnection); i++) {
      const before = Y.encodeStateVector(doc.doc);
      doc.insertCell("markdown", 0, message);
      await new Promise<void>((r) => writer.ws.send(updateMessage("p4", Y.encodeStateAsUpdate(doc.doc, before)), () => r()));
      // Paced by the server's acknowledgements, so its reads keep up with ours.
      await eventually(() => writer.received.filter((m) => m[m[0]! + 1] === 8).length > i, 10_000);
    }
    await eventually(() => !connections().includes(readerConnection), 10_000);
    expect(peak).toBeLessThanOrEqual(maxBufferedBytes + 2 * message.length);
    // The writer goes on.
    expect(connections().length).toBe(1);
    (reader.ws as unknown as { _socket: Socket })._socket.resume();
    await reader.closed;
  });
});

describe("seats", () => {
  it("keeps room for editors and the owner when viewers and commenters are at their cap", async () => {
    const server = await freshServer({ maxConnectionsPerNotebook: 4, maxReadOnlyConnectionsPerNotebook: 2 });
    const t = server.notebook("p5");
    const another = server.access.grant("p5", "viewer").token;
    const join = async (doc: string, token: string) => (await crafted(server.port)).join(doc, token);
    expect(await join("p5", t.viewer)).toBe("ok");
    expect(await join("p5/comments", t.commenter)).toBe("ok");
    expect(await join("p5", another)).toBe("denied");
    expect(await join("p5", t.commenter)).toBe("denied");
    expect(await join("p5", t.editor)).toBe("ok");
    expect(await join("p5/comments", t.editor)).toBe("ok");
    // The notebook is now full for everyone but the owner.
    expect(await join("p5", t.editor)).toBe("denied");
    expect(await join("p5", t.owner)).toBe("ok");
  });

  it("limits the connections one link opens, and frees them as they close", async () => {
    const server = await freshServer({ maxConnectionsPerLink: 2 });
    const t = server.notebook("p6");
    const first = await crafted(server.port);
    expect(await first.join("p6", t.viewer)).toBe("ok");
    const second = await crafted(server.port);
    expect(await second.join("p6/comments", t.viewer)).toBe("ok");
    const third = await crafted(server.port);
    expect(await third.join("p6", t.viewer)).toBe("denied");
    // The refusal says why, not just "permission denied".
    expect(contains(third.received, "too many connections with this link")).toBe(true);
    expect(await (await crafted(server.port)).join("p6", t.commenter)).toBe("ok");
    first.ws.close();
    await first.closed;
    await eventually(() => (server.collab.hocuspocus.documents.get("p6")?.getConnections().length ?? 0) === 1);
    expect(await (await crafted(server.port)).join("p6", t.viewer)).toBe("ok");
  });
});

describe("the app", () => {
  it("takes these limits from the environment", async () => {
    const app = await startApp(undefined, 0, { PCPLAB_MAX_CONNECTIONS_PER_LINK: "1" });
    cleanups.push(async () => void (await app.stop()));
    const { id, token } = await api<{ id: string; token: string }>(app.url, "POST", "/api/notebooks", { title: "one seat" });
    const port = Number(new URL(app.url).port);
    expect(await (await crafted(port)).join(id, token)).toBe("ok");
    expect(await (await crafted(port)).join(`${id}/comments`, token)).toBe("denied");
  });
});
