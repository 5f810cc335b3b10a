// What one participant may do to the others on a notebook.
//
// Hocuspocus trusts every connection with presence and relaying: any
// connection, read-only or not, may set awareness states for any client id
// (so a viewer could rename or move another participant's cursor, or add
// hundreds of fake participants), a state of any size is kept and handed
// to every joiner, stateless broadcasts are relayed to everyone unchecked,
// a socket that stops reading has everything sent to it buffered in server
// memory, and any connection may take the notebook's last connection slot.
// This module holds those back:
// - Awareness: a connection's first client id is its own; entries for any
//   other id, and states past a small size, are cut from its updates.
// - Stateless messages are dropped from everyone: the app sends none.
// - A socket more than a bound behind in reading is closed, not buffered.
// - Seats: viewers and commenters share a smaller cap than the notebook's,
//   so they never take the last slots; the owner is held only to its
//   link's cap; every link has a cap of its own.
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import type { WebSocket } from "ws";
import type { Role } from "./access.ts";
import { wrapEmit, wrapSend } from "./internals.ts";

export interface PeerLimits {
  /** Connections to one notebook (and its comments) by everyone but the owner. */
  maxConnectionsPerNotebook: number;
  /** Of those, how many viewers' and commenters' may take. */
  maxReadOnlyConnectionsPerNotebook: number;
  /** Connections opened with one link. */
  maxConnectionsPerLink: number;
  /** Largest awareness state (its JSON) a connection may set. */
  maxAwarenessStateBytes: number;
  /** A socket with more than this waiting to be sent is closed. */
  maxBufferedBytes: number;
}

export const DEFAULT_PEER_LIMITS: Omit<PeerLimits, "maxConnectionsPerNotebook"> = {
  // Read-only links are the ones handed out widely; with 400 of the
  // notebook's 500 slots, 100 always remain for editors, whoever else holds
  // a viewer link.
  maxReadOnlyConnectionsPerNotebook: 400,
  // A link is often shared by a whole group, and each open tab holds two
  // connections (the notebook and its comments): 100 is 50 tabs, yet one
  // leaked link takes at most a quarter of the read-only slots.
  maxConnectionsPerLink: 100,
  // The page's state is a name, a colour, the focused cell and a cursor
  // (two relative positions): a few hundred bytes. 8 KiB leaves room for a
  // long name, and bounds what every joiner is handed per participant.
  maxAwarenessStateBytes: 8 * 1024,
  // Four full-size messages: a reader on a slow network keeps up with a
  // burst of large pastes, while one that stopped reading costs at most
  // this (plus one message) before it is closed. Its provider reconnects
  // and sync catches it up.
  maxBufferedBytes: 16 * 1024 * 1024,
};

const SLOW_READER = { code: 4503, reason: "too far behind in reading" } as const;

/** A reader too far behind gets this long to read its close frame before its socket is cut. */
const SLOW_READER_GRACE_MS = 1000;

const AWARENESS = 1;
const STATELESS = 5;
const BROADCAST_STATELESS = 6;

/** What the peer filter needs of a Hocuspocus document. */
export interface PeerDocument {
  connections: Map<unknown, { clients: Set<number>; connection: object }>;
  awareness: { clientID: number; getStates(): Map<number, unknown> };
}

/** Which connections hold how many seats, per notebook and per link. */
export class Seats {
  private readonly notebooks = new Map<string, { all: number; readOnly: number }>();
  private readonly links = new Map<string, number>();

  constructor(private readonly limits: PeerLimits) {}

  /** Takes a seat for a connection with `share`'s link, or says why not. */
  take(notebookId: string, share: { id: string; role: Role }): Seat | string {
    const link = this.links.get(share.id) ?? 0;
    if (link >= this.limits.maxConnectionsPerLink) return "too many connections with this link";
    const nb = this.notebooks.get(notebookId) ?? { all: 0, readOnly: 0 };
    const owner = share.role === "owner";
    const readOnly = share.role === "viewer" || share.role === "commenter";
    if (!owner && nb.all >= this.limits.maxConnectionsPerNotebook) return "too many connections to this notebook";
    if (readOnly && nb.readOnly >= this.limits.maxReadOnlyConnectionsPerNotebook) return "too many read-only connections to this notebook";
    this.links.set(share.id, link + 1);
    if (!owner) nb.all += 1;
    if (readOnly) nb.readOnly += 1;
    this.notebooks.set(notebookId, nb);
    let held = true;
    return {
      release: () => {
        if (!held) return;
        held = false;
        const n = (this.links.get(share.id) ?? 1) - 1;
        if (n > 0) this.links.set(share.id, n);
        else this.links.delete(share.id);
        if (!owner) nb.all -= 1;
        if (readOnly) nb.readOnly -= 1;
        if (nb.all === 0 && nb.readOnly === 0) this.notebooks.delete(notebookId);
      },
    };
  }

  /** Seats held on a notebook: all but the owner's, and the read-only ones. */
  held(notebookId: string): { all: number; readOnly: number } {
    const nb = this.notebooks.get(notebookId);
    return { all: nb?.all ?? 0, readOnly: nb?.readOnly ?? 0 };
  }
}

export interface Seat {
  release(): void;
}

/**
 * One socket's side of the rules: the seats its documents hold, the
 * client id each of its connections owns, and the filters on what it
 * sends and receives.
 */
export class PeerSocket {
  private readonly seats = new Map<string, Seat>();
  /** The client id each of this socket's connections announced first. */
  private readonly own = new WeakMap<object, number>();

  /**
   * Routes `ws`'s messages through the filter and bounds what waits to be
   * sent to it. `documentOf` gives the loaded Hocuspocus document of a name.
   */
  constructor(
    private readonly ws: WebSocket,
    private readonly limits: PeerLimits,
    private readonly pool: Seats,
    private readonly documentOf: (name: string) => PeerDocument | undefined,
  ) {
    ws.once("close", () => {
      for (const seat of this.seats.values()) seat.release();
      this.seats.clear();
    });
    wrapEmit(ws, (emit, event, args) => {
      if (event !== "message") return emit(event, ...args);
      const message = this.filter(args[0] as Uint8Array);
      return message === null ? false : emit(event, message, ...args.slice(1));
    });
    wrapSend(ws, (send, args) => {
      if (ws.bufferedAmount - this.sentThisTurn > limits.maxBufferedBytes) return this.tooSlow();
      send(...args);
      this.sentThisTurn += (args[0] as { byteLength?: number }).byteLength ?? 0;
      if (!this.turnEnds) {
        this.turnEnds = true;
        setImmediate(() => {
          this.sentThisTurn = 0;
          this.turnEnds = false;
        });
      }
    });
  }

  /**
   * Bytes sent in this event-loop turn. collab.ts corks each socket until
   * the turn ends, so they sit in its buffer whether or not the reader
   * keeps up; only what is still there after a turn is the reader's
   * backlog.
   */
  private sentThisTurn = 0;
  private turnEnds = false;

  /** Takes a seat for `documentName` on this socket, or says why not. */
  seat(documentName: string, notebookId: string, share: { id: string; role: Role }): string | null {
    this.seats.get(documentName)?.release();
    const seat = this.pool.take(notebookId, share);
    if (typeof seat === "string") return seat;
    this.seats.set(documentName, seat);
    return null;
  }

  /** The connection to `documentName` closed. */
  leave(documentName: string): void {
    this.seats.get(documentName)?.release();
    this.seats.delete(documentName);
  }

  /** The closing is what makes the memory bounded, so sending stops here; the grace lets a reader that catches up see why. */
  private tooSlow(): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.ws.close(SLOW_READER.code, SLOW_READER.reason);
    setTimeout(() => this.ws.terminate(), SLOW_READER_GRACE_MS).unref();
  }

  /**
   * The message Hocuspocus gets in place of `message`, or null to drop it.
   * Only messages for a document this socket is connected to are filtered:
   * Hocuspocus queues the others and replays them through here once the
   * document connects.
   */
  private filter(message: Uint8Array): Uint8Array | null {
    let name: string;
    let type: number;
    const d = decoding.createDecoder(message);
    try {
      name = decoding.readVarString(d);
      type = decoding.readVarUint(d);
    } catch {
      return message;
    }
    const doc = this.documentOf(name);
    const entry = doc?.connections.get(this.ws);
    if (!doc || !entry) return message;
    if (type === STATELESS || type === BROADCAST_STATELESS) return null;
    if (type !== AWARENESS) return message;
    let update: Uint8Array;
    try {
      update = decoding.readVarUint8Array(d);
    } catch {
      return message;
    }
    const kept = keepAwareness(update, (clientId, stateBytes, removal) => this.allows(doc, entry.connection, clientId, stateBytes, removal));
    if (kept === update) return message;
    if (kept === null) return null;
    const e = encoding.createEncoder();
    encoding.writeVarString(e, name);
    encoding.writeVarUint(e, AWARENESS);
    encoding.writeVarUint8Array(e, kept);
    return Buffer.from(encoding.toUint8Array(e));
  }

  /** Whether `connection` may set (or remove) the awareness state of `clientId`. */
  private allows(doc: PeerDocument, connection: object, clientId: number, stateBytes: number, removal: boolean): boolean {
    if (stateBytes > this.limits.maxAwarenessStateBytes) return false;
    const own = this.own.get(connection);
    if (own !== undefined) return clientId === own;
    if (removal) return false;
    // An id someone else holds (or the server's own) cannot be claimed:
    // the first state otherwise names whom to impersonate.
    if (clientId === doc.awareness.clientID) return false;
    if (doc.awareness.getStates().has(clientId) && !doc.connections.get(this.ws)?.clients.has(clientId)) return false;
    this.own.set(connection, clientId);
    return true;
  }
}

/**
 * An awareness update with only the entries `allow` passes: the same
 * array if it passes all, null if none, or the original if it cannot be
 * read (Hocuspocus then closes the connection, as for any bad message).
 */
function keepAwareness(update: Uint8Array, allow: (clientId: number, stateBytes: number, removal: boolean) => boolean): Uint8Array | null {
  const entries: { clientId: number; clock: number; state: Uint8Array }[] = [];
  try {
    const d = decoding.createDecoder(update);
    const count = decoding.readVarUint(d);
    for (let i = 0; i < count; i++) {
      entries.push({ clientId: decoding.readVarUint(d), clock: decoding.readVarUint(d), state: decoding.readVarUint8Array(d) });
    }
  } catch {
    return update;
  }
  const kept = entries.filter((k) => allow(k.clientId, k.state.length, k.state.length === 4 && Buffer.from(k.state).toString("latin1") === "null"));
  if (kept.length === entries.length) return update;
  if (kept.length === 0) return null;
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, kept.length);
  for (const k of kept) {
    encoding.writeVarUint(e, k.clientId);
    encoding.writeVarUint(e, k.clock);
    encoding.writeVarUint8Array(e, k.state);
  }
  return encoding.toUint8Array(e);
}
