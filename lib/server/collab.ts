// The collaboration server: Hocuspocus on the app's own HTTP server, at
// /collab. One process, one port: the same server serves pages and API
// routes.
//
// - Access: every connection presents a link token (access.ts). Viewers and
//   commenters get read-only connections to the notebook, so Hocuspocus
//   refuses their updates however they are crafted; commenters and up may
//   write the notebook's comments document (`<id>/comments`). Revoking a
//   link closes its live connections at once; an expired link's are closed
//   by a sweep.
// - Durability: a client's update is appended to SQLite before it is
//   applied, relayed or acknowledged (writes.ts); one that cannot be stored
//   is refused, so whatever any client has received, or was told is saved,
//   survives a kill -9.
// - Limits: message size, document size, connections per notebook, per
//   link and per address, what a socket may send before it authenticates
//   (preauth.ts), and what one participant may do to the others: presence,
//   stateless messages, reading too slowly (peers.ts). Breaking one closes
//   that connection only.
import type { IncomingMessage, Server as HttpServer } from "node:http";
import { randomBytes } from "node:crypto";
import type { Duplex } from "node:stream";
import { Hocuspocus } from "@hocuspocus/server";
import { WebSocketServer, type WebSocket } from "ws";
import * as Y from "yjs";
import { Notebook } from "../notebook/notebook.ts";
import { atLeast, type Access } from "./access.ts";
import { CommentGuard, writerOf } from "./comment-guard.ts";
import { observeUpdatesFirst, socketOf, wrapSend } from "./internals.ts";
import { DEFAULT_PEER_LIMITS, PeerSocket, Seats, type PeerDocument, type PeerLimits } from "./peers.ts";
import { PreAuthGate, type PreAuthLimits } from "./preauth.ts";
import { SUBDOCS, type NotebookStore } from "./store.ts";
import { Report } from "./log.ts";
import { WritePath, type Tracked, type Writer } from "./writes.ts";

export interface CollabLimits extends PreAuthLimits, PeerLimits {
  /** Largest WebSocket message accepted. */
  maxMessageBytes: number;
  /** Largest a shared document may grow (snapshot plus logged updates). */
  maxDocumentBytes: number;
  maxConnectionsPerAddress: number;
}

const DEFAULT_LIMITS: CollabLimits = {
  maxMessageBytes: 4 * 1024 * 1024,
  maxDocumentBytes: 32 * 1024 * 1024,
  maxConnectionsPerNotebook: 500,
  maxConnectionsPerAddress: 1000,
  // Before its auth reply a client sends an auth, a sync step 1 and an
  // awareness update per document, plus at most a few updates: edits made
  // while the socket was opening, or the browser's offline copy as one
  // message. One full-size message and 64 small ones cover that; a client
  // past them is closed and its provider reconnects, and sync then carries
  // its edits. Bounded, a socket that never authenticates costs at most
  // this much, however much it sends.
  maxPendingMessages: 64,
  maxPendingBytes: 4 * 1024 * 1024,
  // The provider sends its token as soon as the socket opens; checking it
  // is one SQLite lookup. Five seconds is slack for a loaded server.
  authTimeoutMs: 5000,
  ...DEFAULT_PEER_LIMITS,
};

export interface CollabOptions {
  limits?: Partial<CollabLimits>;
  /** Milliseconds Hocuspocus waits after a change before compacting the log into a snapshot. */
  storeDebounceMs?: number;
  /** Someone else (Next's dev server) answers other upgrade paths. */
  otherUpgrades?: boolean;
  /** How often expired links' connections are looked for. */
  expirySweepMs?: number;
  /** An automatic checkpoint of a notebook is kept at most this often. */
  checkpointEveryMs?: number;
}

export type Collab = ReturnType<typeof createCollab>;

const COLLAB_PATH = "/collab";

/** Notebook ids: short, URL-safe, never a path. */
function validNotebookId(name: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}$/.test(name);
}

/** A document name: `<notebook id>` or `<notebook id>/<subdocument>`. */
function parseDocumentName(name: string): { notebookId: string; sub: string | null } | null {
  const [id, sub, ...rest] = name.split("/");
  if (rest.length > 0 || !id || !validNotebookId(id)) return null;
  if (sub !== undefined && !(SUBDOCS as readonly string[]).includes(sub)) return null;
  return { notebookId: id, sub: sub ?? null };
}

interface ConnectionContext {
  shareId?: string;
  /** Absent on the server's own direct connections. */
  gate?: PreAuthGate;
  peer?: PeerSocket;
}

/** A shared document as stored: its snapshot with the logged updates applied. */
export function storedDoc(store: NotebookStore, name: string): Y.Doc {
  const doc = new Y.Doc();
  applyStored(store, name, doc);
  return doc;
}

/** Applies what is stored of `name` to `doc`: the bytes it took, and the last logged sequence number. */
function applyStored(store: NotebookStore, name: string, doc: Y.Doc): Tracked {
  const { parts, lastSeq } = store.loadDoc(name);
  let bytes = 0;
  for (const u of parts) {
    Y.applyUpdate(doc, u);
    bytes += u.length;
  }
  return { lastSeq, bytes };
}

export function createCollab(store: NotebookStore, access: Access, opts: CollabOptions = {}) {
  const limits: CollabLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const tracked = new Map<string, Tracked>();
  const seats = new Seats(limits);
  const writes = new WritePath(store, { maxDocumentBytes: limits.maxDocumentBytes, newId: () => randomBytes(9).toString("base64url") });
  const compaction = new Report((why) => `pcplab: cannot compact the update log (${why}); it is kept and compacted later`, "pcplab: compacting again");
  const commentGuard = new CommentGuard();

  const hocuspocus = new Hocuspocus({
    quiet: true,
    debounce: opts.storeDebounceMs ?? 500,
    maxDebounce: 5000,
    async onConnect({ documentName, context }) {
      const name = parseDocumentName(documentName);
      const refuse = (why: string) => {
        (context as ConnectionContext).gate?.refuse(documentName);
        return new Error(why);
      };
      if (!name || !store.exists(name.notebookId)) throw refuse("no such notebook");
    },
    async onAuthenticate({ token, documentName, connectionConfig, context }) {
      const name = parseDocumentName(documentName);
      const share = access.resolve(token);
      const { gate, peer } = context as ConnectionContext;
      if (!name || !share || share.notebookId !== name.notebookId) {
        gate?.refuse(documentName);
        throw new Error("permission denied");
      }
      // Seated here, when the role is known, and in the same step as the
      // check, so connections authenticating together cannot overshoot.
      const full = peer?.seat(documentName, name.notebookId, share);
      if (full) {
        gate?.refuse(documentName);
        // The reason goes to the client in the PermissionDenied message.
        throw Object.assign(new Error(full), { reason: full });
      }
      gate?.authenticated();
      connectionConfig.readOnly = !atLeast(share.role, name.sub === "comments" ? "commenter" : "editor");
      return { shareId: share.id, role: share.role };
    },
    async onDisconnect({ documentName, context }) {
      (context as ConnectionContext).gate?.disconnected(documentName);
      (context as ConnectionContext).peer?.leave(documentName);
    },
    async beforeHandleMessage({ documentName, update, document, connection, context }) {
      const t = tracked.get(documentName);
      const name = parseDocumentName(documentName);
      // Commenters write the comments document: who may change what is
      // checked per update, before the write path stores and applies it.
      if (name?.sub === "comments" && !connection.readOnly) commentGuard.check(document, update, () => writerOf(store, (context as ConnectionContext).shareId));
      if (t && name) writes.accept(documentName, name.sub ? null : name.notebookId, document, t, connection as Writer, update);
    },
    async onLoadDocument({ documentName, document }) {
      const t: Tracked = applyStored(store, documentName, document);
      tracked.set(documentName, t);
      // Clients' updates are stored before they are applied (writes.ts);
      // anything else that changes the document is stored here, first.
      observeUpdatesFirst(document, (update) => {
        if (writes.writing) return;
        t.lastSeq = store.appendUpdate(documentName, update);
        t.bytes += update.length;
      });
      return document;
    },
    async onStoreDocument({ documentName, document }) {
      compactOrReport(documentName, document);
    },
    async afterUnloadDocument({ documentName }) {
      tracked.delete(documentName);
      writes.forget(documentName);
    },
  });

  /** Folds a document's log into its snapshot. */
  function compact(name: string, doc: Y.Doc): void {
    const t = tracked.get(name);
    const parsed = parseDocumentName(name);
    if (!t || !parsed || !store.exists(parsed.notebookId)) return;
    const state = Y.encodeStateAsUpdate(doc);
    store.compactDoc(name, state, t.lastSeq, parsed.sub ? undefined : new Notebook(doc).title);
    t.bytes = state.length;
    const now = Date.now();
    if (!parsed.sub && now - store.latestVersionAt(parsed.notebookId) >= (opts.checkpointEveryMs ?? 5 * 60_000)) {
      store.addVersion({ id: randomBytes(9).toString("base64url"), notebookId: parsed.notebookId, name: null, createdAt: now, state });
    }
  }

  /** Compacts, reporting a failure instead of throwing it: Hocuspocus
   * rethrows from its debounced store, where nothing would catch it and
   * Node would stop. The log stays as it is, and is compacted next time. */
  function compactOrReport(name: string, doc: Y.Doc): void {
    try {
      compact(name, doc);
      compaction.ok();
    } catch (e) {
      compaction.failed(e);
    }
  }

  /** A notebook's state now: the live document if it is loaded, else what is stored. */
  function currentState(id: string): Uint8Array {
    const live = hocuspocus.documents.get(id);
    return Y.encodeStateAsUpdate(live ?? storedDoc(store, id));
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes });
  const perAddress = new Map<string, number>();
  const gates = new Set<PreAuthGate>();

  /** Routes WebSocket upgrades for /collab to Hocuspocus; others are left alone. */
  function attach(http: HttpServer): void {
    http.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (request.url ?? "").split("?")[0];
      if (path !== COLLAB_PATH) {
        if (!opts.otherUpgrades) socket.destroy();
        return;
      }
      const address = request.socket.remoteAddress ?? "";
      if ((perAddress.get(address) ?? 0) >= limits.maxConnectionsPerAddress) {
        socket.end("HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => {
        perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
        ws.once("close", () => {
          const n = (perAddress.get(address) ?? 1) - 1;
          if (n > 0) perAddress.set(address, n);
          else perAddress.delete(address);
        });
        ws.on("error", () => ws.terminate());
        corkEachTurn(ws);
        const gate = new PreAuthGate(ws, limits, (name) => hocuspocus.documents.get(name)?.getConnections().some((c) => c.webSocket === ws) ?? false);
        gates.add(gate);
        ws.once("close", () => gates.delete(gate));
        const peer = new PeerSocket(ws, limits, seats, (name) => hocuspocus.documents.get(name) as PeerDocument | undefined);
        hocuspocus.handleConnection(ws as never, request, { gate, peer } satisfies ConnectionContext);
      });
    });
  }

  /** Closes the live connections `drop` picks, socket and all. */
  function closeConnections(drop: (context: ConnectionContext) => boolean): void {
    for (const doc of hocuspocus.documents.values()) {
      for (const connection of doc.getConnections()) {
        if (!drop(connection.context as ConnectionContext)) continue;
        connection.close({ code: 4401, reason: "link revoked or expired" });
        (connection.webSocket as { close(code: number, reason: string): void }).close(4401, "link revoked or expired");
      }
    }
  }

  /** A revoked link: its live connections go at once. */
  function revoked(shareId: string): void {
    closeConnections((c) => c.shareId === shareId);
  }

  const sweep = setInterval(() => {
    closeConnections((c) => {
      const share = c.shareId ? store.shareById(c.shareId) : null;
      return !share || !access.live(share);
    });
  }, opts.expirySweepMs ?? 5000);
  sweep.unref();

  /** Compacts every loaded document now (Ctrl-C saves everything). */
  async function flush(): Promise<void> {
    for (const doc of hocuspocus.documents.values()) compactOrReport(doc.name, doc);
  }

  /** Changes a notebook's shared document from the server, through the same
   * path as a client's edit: live participants see it, and it is stored. */
  async function withDocument(id: string, change: (nb: Notebook) => void): Promise<void> {
    const connection = await hocuspocus.openDirectConnection(id, {});
    try {
      const live = hocuspocus.documents.get(id);
      const t = tracked.get(id);
      if (!live || !t) throw new Error(`notebook ${id} is not loaded`);
      // Made on a copy, so the change is stored before the live document,
      // and anyone on it, has it; if it cannot be, nothing has changed.
      const copy = new Y.Doc();
      Y.applyUpdate(copy, Y.encodeStateAsUpdate(live));
      const made: Uint8Array[] = [];
      copy.on("update", (u: Uint8Array) => made.push(u));
      change(new Notebook(copy));
      if (made.length > 0) writes.write(id, live, t, Y.mergeUpdates(made));
    } finally {
      await connection.disconnect();
    }
  }

  /** A deleted notebook: its live connections close and its documents unload. */
  function forget(id: string): void {
    for (const name of [id, ...SUBDOCS.map((s) => `${id}/${s}`)]) {
      hocuspocus.closeConnections(name);
      const doc = hocuspocus.documents.get(name);
      if (doc) hocuspocus.unloadDocument(doc);
      tracked.delete(name);
    }
  }

  /** Bytes held for open sockets' documents that have no connection: sent before or after a refused authentication. */
  function pendingBytes(): number {
    let n = 0;
    for (const gate of gates) n += gate.pendingBytes;
    return n;
  }

  async function close(): Promise<void> {
    clearInterval(sweep);
    await flush();
    hocuspocus.closeConnections();
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  }

  return { hocuspocus, limits, attach, flush, close, withDocument, forget, revoked, currentState, pendingBytes };
}

/**
 * Holds a socket's writes until the end of the event-loop turn, so the
 * frames sent to one client in a turn leave in one writev. Hocuspocus
 * relays each update to every connection with its own send(); when several
 * updates arrive together (a burst of keystrokes from many editors), this
 * makes one system call per client instead of one per update per client.
 * One setImmediate per turn uncorks every socket written in it.
 */
function corkEachTurn(ws: WebSocket): void {
  const socket = socketOf(ws);
  wrapSend(ws, (send, args) => {
    if (!corkedThisTurn.has(socket)) {
      if (corkedThisTurn.size === 0) setImmediate(uncorkAll);
      corkedThisTurn.add(socket);
      socket.cork();
    }
    send(...args);
  });
}

const corkedThisTurn = new Set<Duplex>();

function uncorkAll(): void {
  for (const socket of corkedThisTurn) socket.uncork();
  corkedThisTurn.clear();
}
