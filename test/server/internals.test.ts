// Each private field or replaced method lib/server/internals.ts relies on,
// exercised against the installed yjs, ws and Hocuspocus: an upgrade that
// removes one fails here with the package and field named, not somewhere
// deep in a collaboration test.
import type { AddressInfo } from "node:net";
import { Hocuspocus } from "@hocuspocus/server";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import * as Y from "yjs";
import { mapItems, MissingInternal, observeUpdatesFirst, socketOf, wrapEmit, wrapSend } from "../../lib/server/internals.ts";
import { eventually } from "../support/eventually.ts";
import { authMessage, step1Message } from "../support/hocuspocus-wire.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

/** A ws server on a free port; `onSocket` gets each server-side socket. */
async function wsServer(onSocket: (ws: WebSocket, request: import("node:http").IncomingMessage) => void) {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  wss.on("connection", onSocket);
  await new Promise<void>((r) => wss.once("listening", () => r()));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => r());
      }),
  );
  return (wss.address() as AddressInfo).port;
}

async function connect(port: number): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
  cleanups.push(() => ws.terminate());
  await new Promise<void>((resolve, reject) => (ws.once("open", () => resolve()), ws.once("error", reject)));
  return ws;
}

describe("yjs", () => {
  it("Doc._observers: an update observer added later runs before the earlier ones", () => {
    const doc = new Y.Doc();
    const order: string[] = [];
    doc.on("update", () => order.push("earlier"));
    observeUpdatesFirst(doc, () => order.push("first"));
    doc.getText("t").insert(0, "x");
    expect(order).toEqual(["first", "earlier"]);
  });

  it("Map._map: the items of a map, deleted ones included, with their ids", () => {
    const doc = new Y.Doc();
    const cells = doc.getMap<string>("cells");
    cells.set("a", "1");
    cells.set("b", "2");
    cells.delete("a");
    const items = [...mapItems(cells)];
    expect(items.map((i) => [i.deleted, i.id.client === doc.clientID])).toEqual([
      [true, true],
      [false, true],
    ]);
  });

  it("names the package and the field when one is gone", () => {
    expect(() => observeUpdatesFirst({} as Y.Doc, () => {})).toThrow(new MissingInternal("yjs", "Doc._observers"));
    expect(() => mapItems({} as Y.Map<unknown>)).toThrow(/^yjs: Map\._map is gone/);
  });
});

describe("ws", () => {
  it("WebSocket._socket: the TCP socket under an open server-side socket, which can be corked", async () => {
    let server: WebSocket | undefined;
    const port = await wsServer((ws) => (server = ws));
    const client = await connect(port);
    await eventually(() => server !== undefined);
    const received: string[] = [];
    client.on("message", (m) => received.push(String(m)));
    const socket = socketOf(server!);
    socket.cork();
    server!.send("one");
    server!.send("two");
    expect(socket.writableCorked).toBe(1);
    socket.uncork();
    await eventually(() => received.length === 2);
    expect(received).toEqual(["one", "two"]);
  });

  it("names the package and the field when one is gone", () => {
    expect(() => socketOf({} as WebSocket)).toThrow(/^ws: WebSocket\._socket is gone/);
  });
});

describe("Hocuspocus over ws", () => {
  it("sends through the socket's send and receives through its emit, so wrapping either on one socket sees every frame", async () => {
    const hocuspocus = new Hocuspocus({ quiet: true });
    const seenIn: number[] = [];
    const seenOut: number[] = [];
    const port = await wsServer((ws, request) => {
      wrapEmit(ws, (emit, event, args) => {
        if (event === "message") seenIn.push((args[0] as Uint8Array).length);
        return emit(event, ...args);
      });
      wrapSend(ws, (send, args) => {
        seenOut.push((args[0] as Uint8Array).byteLength);
        send(...args);
      });
      hocuspocus.handleConnection(ws as never, request);
    });
    cleanups.push(() => hocuspocus.closeConnections());
    const client = await connect(port);
    const replies: number[] = [];
    client.on("message", (m: Buffer) => replies.push(m.length));
    // No onAuthenticate hook: an empty token is accepted, and step 1 is answered.
    const auth = authMessage("doc", "");
    client.send(auth);
    client.send(step1Message("doc"));
    await eventually(() => replies.length > 0 && replies.length === seenOut.length);
    expect(seenOut).toEqual(replies);
    // Hocuspocus queues what arrives before authentication and replays it
    // through emit("message") once the document connects (preauth.ts counts on it).
    const step1 = step1Message("doc").length;
    expect(seenIn.slice(0, 2)).toEqual([auth.length, step1]);
    expect(seenIn.slice(2).every((n) => n === step1)).toBe(true);
  });
});
