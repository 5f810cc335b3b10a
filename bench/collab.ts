// npm run bench:collab: the real server process with 50 editing clients and
// 200 viewers on one notebook over loopback, for a bounded time. Prints
// update propagation latency (an editor's keystroke to each viewer's socket)
// and the server's RSS. Asserts nothing.
//
// Every client speaks Hocuspocus's protocol on its own WebSocket, but lean:
// an editor syncs its Yjs document once, then types into its own cell and
// sends each keystroke's update, ignoring what others send; a viewer only
// looks for each keystroke's marker in what arrives. 250 full providers in
// this one process would measure this process, not the server.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import net from "node:net";
import { availableParallelism } from "node:os";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import WebSocket from "ws";
import * as Y from "yjs";
import { Notebook, yText } from "../lib/notebook/notebook.ts";
import { api, startApp } from "../test/support/app-process.ts";
import { authMessage, step1Message, updateMessage } from "../test/support/hocuspocus-wire.ts";

const EDITORS = Number(process.env.EDITORS ?? 50);
const VIEWERS = Number(process.env.VIEWERS ?? 200);
const SECONDS = 10;
const KEYS_PER_SECOND = Number(process.env.KEYS_PER_SECOND ?? 2);

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}

/** A viewer that authenticates, asks for the document, and then only notes
 * when each keystroke's marker (k<editor>.<n>;) arrives. It speaks
 * WebSocket on a bare TCP socket (handshake, masked frames out, a minimal
 * frame reader in, pongs): 250 `ws` clients in this process cost as much
 * CPU as the server they measure, and on this 2-vCPU machine that CPU is
 * the server's. */
async function leanViewer(url: string, doc: string, token: string, onMarker: (editor: number, n: number, at: number) => void): Promise<LeanSocket> {
  const { hostname, port, pathname } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  socket.setNoDelay(true);
  await new Promise((r, f) => (socket.once("connect", r), socket.once("error", f)));
  socket.write(
    `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  let buf: Buffer = Buffer.alloc(0);
  let open = false;
  await new Promise<void>((resolve, reject) => {
    socket.on("data", (chunk: Buffer) => {
      const at = performance.now();
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      if (!open) {
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) return;
        if (!buf.subarray(0, 12).toString().includes("101")) return reject(new Error(buf.toString()));
        open = true;
        buf = buf.subarray(end + 4);
        resolve();
      }
      // Server frames are unmasked: FIN/opcode, length (7, 16 or 64 bits), payload.
      while (buf.length >= 2) {
        const opcode = buf[0]! & 0x0f;
        let len = buf[1]! & 0x7f;
        let head = 2;
        if (len === 126) {
          if (buf.length < 4) break;
          len = buf.readUInt16BE(2);
          head = 4;
        } else if (len === 127) {
          if (buf.length < 10) break;
          len = Number(buf.readBigUInt64BE(2));
          head = 10;
        }
        if (buf.length < head + len) break;
        const payload = buf.subarray(head, head + len);
        buf = buf.subarray(head + len);
        if (opcode === 0x9) socket.write(maskedFrame(0xa, payload));
        else for (const m of payload.toString("latin1").matchAll(/k(\d+)\.(\d+);/g)) onMarker(Number(m[1]), Number(m[2]), at);
      }
    });
    socket.once("error", reject);
  });
  const lean = { send: (data: Uint8Array) => socket.write(maskedFrame(0x2, data)), destroy: () => socket.destroy() };
  lean.send(authMessage(doc, token));
  lean.send(step1Message(doc));
  return lean;
}

interface LeanSocket {
  send(data: Uint8Array): void;
  destroy(): void;
}

/** A client frame: FIN, the opcode, the masked payload (RFC 6455 5.3). */
function maskedFrame(opcode: number, payload: Uint8Array): Buffer {
  const len = payload.length;
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const out = Buffer.alloc(head + 4 + len);
  out[0] = 0x80 | opcode;
  if (head === 2) out[1] = 0x80 | len;
  else if (head === 4) (out[1] = 0x80 | 126), out.writeUInt16BE(len, 2);
  else (out[1] = 0x80 | 127), out.writeBigUInt64BE(BigInt(len), 2);
  const mask = randomBytes(4);
  mask.copy(out, head);
  for (let i = 0; i < len; i++) out[head + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return out;
}

/** CPU seconds a process has used (utime + stime, /proc/<pid>/stat). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssKiB(pid: number, field: "VmRSS" | "VmHWM"): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : NaN;
}

export async function benchCollab(): Promise<void> {
  const app = await startApp();
  try {
    const { id, token } = await api<{ id: string; token: string }>(app.url, "POST", "/api/notebooks", { title: "collab bench" });
    const link = async (role: string) => (await api<{ token: string }>(app.url, "POST", `/api/notebooks/${id}/shares`, { role }, token)).token;
    const [editorToken, viewerToken] = [await link("editor"), await link("viewer")];

    // The owner makes one cell per editor, so typing never conflicts.
    const clients: { provider: HocuspocusProvider; socket: HocuspocusProviderWebsocket; nb: Notebook }[] = [];
    const connect = async (t: string) => {
      const socket = new HocuspocusProviderWebsocket({ url: app.url.replace("http", "ws") + "/collab", WebSocketPolyfill: WebSocket });
      const provider = new HocuspocusProvider({ websocketProvider: socket, name: id, token: t });
      provider.attach();
      const c = { provider, socket, nb: new Notebook(provider.document) };
      clients.push(c);
      await new Promise<void>((r) => provider.on("synced", () => r()));
      return c;
    };
    const owner = await connect(token);
    const cells = Array.from({ length: EDITORS }, (_, i) => owner.nb.insertCell("markdown", i + 1, ""));
    // Editors: one full sync, then a lean socket that sends their own updates.
    const seed = await connect(editorToken);
    const state = Y.encodeStateAsUpdate(seed.provider.document);
    const wsUrl = app.url.replace("http", "ws") + "/collab";
    const editors: { nb: Notebook; ws: LeanSocket }[] = [];
    for (let i = 0; i < EDITORS; i++) {
      const nb = new Notebook(new Y.Doc());
      Y.applyUpdate(nb.doc, state);
      const ws = await leanViewer(wsUrl, id, editorToken, () => {});
      nb.doc.on("update", (update: Uint8Array) => ws.send(updateMessage(id, update)));
      editors.push({ nb, ws });
    }
    // Keystroke n of editor i is sent at sentAt[i][n]; each viewer notes
    // when its marker arrives.
    const sentAt = cells.map(() => [] as number[]);
    const latencies: number[] = [];
    const onMarker = (i: number, n: number, at: number) => {
      const sent = sentAt[i]?.[n];
      if (sent !== undefined) latencies.push(at - sent);
    };
    const viewers: LeanSocket[] = [];
    for (let i = 0; i < VIEWERS; i++) viewers.push(await leanViewer(wsUrl, id, viewerToken, onMarker));
    await new Promise((r) => setTimeout(r, 500));
    const baseRss = rssKiB(app.child.pid!, "VmRSS");

    const serverCpu0 = cpuSeconds(app.child.pid!);
    const clientCpu0 = process.cpuUsage();
    const wall0 = performance.now();
    // Each editor types on its own: keystrokes at exponential intervals
    // (people do not type in step), KEYS_PER_SECOND on average.
    let typing = true;
    editors.forEach((e, i) => {
      const text = yText(e.nb, cells[i]!)!;
      const next = () =>
        setTimeout(
          () => {
            if (!typing) return;
            const n = sentAt[i]!.length;
            sentAt[i]!.push(performance.now());
            text.insert(text.length, `k${i}.${n};`);
            next();
          },
          (-Math.log(1 - Math.random()) * 1000) / KEYS_PER_SECOND,
        );
      next();
    });
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    typing = false;
    const wall = (performance.now() - wall0) / 1000;
    const serverCpu = (cpuSeconds(app.child.pid!) - serverCpu0) / wall;
    const client = process.cpuUsage(clientCpu0);
    const clientCpu = (client.user + client.system) / 1e6 / wall;
    await new Promise((r) => setTimeout(r, 1000));
    const sent = sentAt.reduce((n, s) => n + s.length, 0);
    const rss = rssKiB(app.child.pid!, "VmRSS");
    const hwm = rssKiB(app.child.pid!, "VmHWM");
    latencies.sort((a, b) => a - b);
    console.log(
      `collab: ${EDITORS} editors + ${VIEWERS} viewers, ${SECONDS} s, ${sent} keystrokes, ${latencies.length} deliveries to viewers (${((latencies.length / Math.max(1, sent * VIEWERS)) * 100).toFixed(1)}% of expected)`,
    );
    console.log(`collab: propagation p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${(latencies.at(-1) ?? NaN).toFixed(1)} ms (target p99 < 50 ms)`);
    console.log(`collab: CPU while typing: server ${(serverCpu * 100).toFixed(0)}%, this load generator ${(clientCpu * 100).toFixed(0)}% (of one core; the machine has ${availableParallelism()})`);
    console.log(`collab: server RSS ${(baseRss / 1024).toFixed(0)} MiB connected, ${(rss / 1024).toFixed(0)} MiB after, peak ${(hwm / 1024).toFixed(0)} MiB`);
    for (const c of clients) {
      c.provider.destroy();
      c.socket.destroy();
    }
    for (const v of [...viewers, ...editors.map((e) => e.ws)]) v.destroy();
  } finally {
    await app.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchCollab();
