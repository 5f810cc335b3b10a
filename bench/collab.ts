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
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import WebSocket from "ws";
import * as Y from "yjs";
import { Notebook, yText } from "../lib/notebook/notebook.ts";
import { api, startApp } from "../test/app-process.ts";
import { authMessage, step1Message, updateMessage } from "../test/hocuspocus-wire.ts";

const EDITORS = Number(process.env.EDITORS ?? 50);
const VIEWERS = Number(process.env.VIEWERS ?? 200);
const SECONDS = 10;
const KEYS_PER_SECOND = 2;

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}

/** A viewer that authenticates, asks for the document, and then only notes
 * when each keystroke's marker (k<editor>.<n>;) arrives. */
async function leanViewer(url: string, doc: string, token: string, onMarker: (editor: number, n: number, at: number) => void): Promise<WebSocket> {
  const ws = new WebSocket(url);
  await new Promise((r, f) => (ws.once("open", r), ws.once("error", f)));
  ws.on("message", (m: Buffer) => {
    const at = performance.now();
    const text = m.toString("latin1");
    for (const match of text.matchAll(/k(\d+)\.(\d+);/g)) onMarker(Number(match[1]), Number(match[2]), at);
  });
  ws.send(authMessage(doc, token));
  ws.send(step1Message(doc));
  return ws;
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
    const editors: { nb: Notebook; ws: WebSocket }[] = [];
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
    const viewers: WebSocket[] = [];
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
    for (const v of [...viewers, ...editors.map((e) => e.ws)]) v.terminate();
  } finally {
    await app.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchCollab();
