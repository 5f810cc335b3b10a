// Every place the server relies on a dependency's private fields or
// replaces a method on one of its objects, each behind one function.
// Written against yjs 13.6.33 (lib0 0.2.120), ws 8.23.0 and
// @hocuspocus/server 3.4.3; test/server/internals.test.ts runs each reach
// against the installed packages, so an upgrade that removes one fails
// there, by name, rather than somewhere in a collaboration test.
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import type * as Y from "yjs";

/** Thrown when a private field a reach depends on is not what it was. */
export class MissingInternal extends Error {
  constructor(pkg: string, field: string) {
    super(`${pkg}: ${field} is gone or changed shape; lib/server/internals.ts was written against an older ${pkg}`);
  }
}

/**
 * Runs `f` on every update of `doc` before any observer registered earlier.
 * Yjs has no public way to order observers; lib0's Observable keeps them in
 * `_observers`, a Map from event name to a Set called in insertion order.
 */
export function observeUpdatesFirst(doc: Y.Doc, f: (update: Uint8Array, origin: unknown) => void): void {
  const observers = (doc as unknown as { _observers?: unknown })._observers;
  if (!(observers instanceof Map)) throw new MissingInternal("yjs", "Doc._observers");
  const earlier = (observers.get("update") as Set<unknown> | undefined) ?? [];
  observers.set("update", new Set([f, ...earlier]));
}

/**
 * Every entry of `map`, deleted ones included, as Yjs Items: only an Item
 * says which client and clock made it. Y.Map keeps them in `_map`.
 */
export function mapItems<T>(map: Y.Map<T>): Iterable<Y.Item> {
  const items = (map as unknown as { _map?: unknown })._map;
  if (!(items instanceof Map)) throw new MissingInternal("yjs", "Map._map");
  return (items as Map<string, Y.Item>).values();
}

/** The TCP socket under `ws`, which ws keeps in `_socket` once open. */
export function socketOf(ws: WebSocket): Duplex {
  const socket = (ws as unknown as { _socket?: unknown })._socket;
  if (!socket || typeof (socket as Duplex).cork !== "function" || typeof (socket as Duplex).uncork !== "function") {
    throw new MissingInternal("ws", "WebSocket._socket");
  }
  return socket as Duplex;
}

/**
 * Puts `wrap` in front of `ws.send` on this one socket. It works because
 * Hocuspocus sends through `connection.webSocket.send(...)` on the socket
 * it was handed, looked up on the object at each call.
 */
export function wrapSend(ws: WebSocket, wrap: (send: (...args: unknown[]) => void, args: unknown[]) => void): void {
  if (typeof ws.send !== "function") throw new MissingInternal("ws", "WebSocket.send");
  const send = ws.send.bind(ws) as (...args: unknown[]) => void;
  ws.send = ((...args: unknown[]) => wrap(send, args)) as WebSocket["send"];
}

/**
 * Puts `wrap` in front of `ws.emit` on this one socket, so a "message" can
 * be changed or dropped before any listener (Hocuspocus's) sees it. It
 * works because ws's receiver delivers each message by calling `emit` on
 * the socket object.
 */
export function wrapEmit(ws: WebSocket, wrap: (emit: (event: string | symbol, ...args: unknown[]) => boolean, event: string | symbol, args: unknown[]) => boolean): void {
  if (typeof ws.emit !== "function") throw new MissingInternal("ws", "WebSocket.emit");
  const emit = ws.emit.bind(ws) as (event: string | symbol, ...args: unknown[]) => boolean;
  ws.emit = ((event: string | symbol, ...args: unknown[]) => wrap(emit, event, args)) as WebSocket["emit"];
}
