// A crafted client: a bare WebSocket to the collaboration server that
// records every message it receives, for tests that write Hocuspocus's wire
// format by hand (hocuspocus-wire.ts).
import WebSocket from "ws";

export interface RawSocket {
  ws: WebSocket;
  received: Buffer[];
  /** Settles when the socket closes, whoever closes it. */
  closed: Promise<void>;
}

/** Opens `/collab` on `port`; `cleanup` is handed what terminates it after the test. */
export async function openRawSocket(port: number, cleanup: (f: () => void) => void): Promise<RawSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/collab`);
  ws.on("error", () => {});
  const received: Buffer[] = [];
  ws.on("message", (m: Buffer) => received.push(m));
  const closed = new Promise<void>((r) => ws.on("close", () => r()));
  await new Promise((r, f) => (ws.once("open", r), ws.once("close", f)));
  cleanup(() => ws.terminate());
  return { ws, received, closed };
}
