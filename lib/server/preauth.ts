// What a socket may send before it has authenticated.
//
// Hocuspocus keeps every message for a document that has no connection yet
// (sync frames sent ahead of the auth reply, or after a refused auth) in a
// per-socket queue, and frees that queue only when the document's
// connection closes: a refused document's queue lives as long as the
// socket. Unchecked, a client that never authenticates can make the server
// hold whatever it sends. The gate sits in front of Hocuspocus's message
// listener and counts what goes into that queue, closes the socket when the
// count or bytes pass their bounds, drops everything for a refused
// document, and closes a socket that has not authenticated in time.
import * as decoding from "lib0/decoding";
import type { WebSocket } from "ws";
import { wrapEmit } from "./internals.ts";

export interface PreAuthLimits {
  /** Messages Hocuspocus may hold for one socket's unconnected documents. */
  maxPendingMessages: number;
  /** Bytes Hocuspocus may hold for one socket's unconnected documents. */
  maxPendingBytes: number;
  /** A socket none of whose documents authenticated by then is closed. */
  authTimeoutMs: number;
}

const PENDING_OVERFLOW = { code: 4429, reason: "too much sent before authentication" } as const;
const AUTH_TIMEOUT = { code: 4408, reason: "not authenticated in time" } as const;

/** The document a raw Hocuspocus message is for, or null if it has none. */
function documentOf(message: Uint8Array): string | null {
  try {
    return decoding.readVarString(decoding.createDecoder(message));
  } catch {
    return null;
  }
}

export class PreAuthGate {
  /** What Hocuspocus holds for each document without a connection. */
  private readonly held = new Map<string, { messages: number; bytes: number }>();
  private readonly connected = new Set<string>();
  private readonly refused = new Set<string>();
  private messages = 0;
  private bytes = 0;
  private shut = false;
  private readonly timer: ReturnType<typeof setTimeout>;

  /**
   * Routes `ws`'s incoming messages through the gate. `hasConnection` says
   * whether Hocuspocus has a connection for the document on this socket, so
   * the message goes to it rather than into the queue.
   */
  constructor(
    private readonly ws: WebSocket,
    private readonly limits: PreAuthLimits,
    private readonly hasConnection: (documentName: string) => boolean,
  ) {
    this.timer = setTimeout(() => this.shutdown(AUTH_TIMEOUT), limits.authTimeoutMs);
    ws.once("close", () => clearTimeout(this.timer));
    // Hocuspocus also replays its queue through emit("message") once a
    // document connects; by then hasConnection is true, so replays are not
    // counted twice.
    wrapEmit(ws, (emit, event, args) => {
      if (event === "message" && !this.admit(args[0] as Uint8Array)) return false;
      return emit(event, ...args);
    });
  }

  /** Bytes Hocuspocus holds for this socket's documents that have no connection. */
  get pendingBytes(): number {
    return this.bytes;
  }

  /** Whether Hocuspocus may see `message`; counts it if Hocuspocus will queue it. */
  private admit(message: Uint8Array): boolean {
    if (this.shut) return false;
    const name = documentOf(message);
    // Hocuspocus closes the socket itself for a message it cannot read.
    if (name === null) return true;
    if (this.connected.has(name)) return true;
    if (this.hasConnection(name)) {
      this.connected.add(name);
      return true;
    }
    if (this.refused.has(name)) return false;
    const held = this.held.get(name) ?? { messages: 0, bytes: 0 };
    if (this.messages + 1 > this.limits.maxPendingMessages || this.bytes + message.length > this.limits.maxPendingBytes) {
      this.shutdown(PENDING_OVERFLOW);
      return false;
    }
    held.messages += 1;
    held.bytes += message.length;
    this.held.set(name, held);
    this.messages += 1;
    this.bytes += message.length;
    return true;
  }

  /** One of this socket's documents passed authentication. */
  authenticated(): void {
    clearTimeout(this.timer);
  }

  /** A document's auth was refused: what follows for it is dropped. */
  refuse(documentName: string): void {
    this.refused.add(documentName);
  }

  /** A document's connection closed, and Hocuspocus freed its queue with it. */
  disconnected(documentName: string): void {
    this.connected.delete(documentName);
    const held = this.held.get(documentName);
    if (!held) return;
    this.held.delete(documentName);
    this.messages -= held.messages;
    this.bytes -= held.bytes;
  }

  private shutdown(why: { code: number; reason: string }): void {
    if (this.shut) return;
    this.shut = true;
    clearTimeout(this.timer);
    this.ws.close(why.code, why.reason);
  }
}
