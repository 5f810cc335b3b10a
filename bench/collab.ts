// npm run bench:collab: the real server process with 50 editing clients and
// 200 viewers on one notebook over loopback, for a bounded time. Prints
// update propagation latency (an editor's keystroke to each other client's
// document) and the server's RSS. Asserts nothing.
import { readFileSync } from "node:fs";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import WebSocket from "ws";
import { Notebook, yText } from "../lib/notebook/notebook.ts";
import { api, startApp } from "../test/app-process.ts";

const EDITORS = 50;
const VIEWERS = 200;
const SECONDS = 10;
const KEYS_PER_SECOND = 2;

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
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
    const editors: Awaited<ReturnType<typeof connect>>[] = [];
    for (let i = 0; i < EDITORS; i++) editors.push(await connect(editorToken));
    const viewers: Awaited<ReturnType<typeof connect>>[] = [];
    for (let i = 0; i < VIEWERS; i++) viewers.push(await connect(viewerToken));
    const baseRss = rssKiB(app.child.pid!, "VmRSS");

    // Keystroke k of editor i is sent at sentAt[i][k]; every other client
    // notes when its copy of cell i reaches length k + 1.
    const sentAt = cells.map(() => [] as number[]);
    const latencies: number[] = [];
    for (const c of [...editors, ...viewers]) {
      cells.forEach((cell, i) => {
        const text = yText(c.nb, cell)!;
        let seen = text.length;
        text.observe((e) => {
          if (e.transaction.local) return;
          const now = performance.now();
          for (let k = seen; k < text.length; k++) if (sentAt[i]![k] !== undefined) latencies.push(now - sentAt[i]![k]!);
          seen = text.length;
        });
      });
    }
    const timers = editors.map((e, i) => {
      const text = yText(e.nb, cells[i]!)!;
      return setInterval(
        () => {
          sentAt[i]!.push(performance.now());
          text.insert(text.length, "x");
        },
        1000 / KEYS_PER_SECOND + (i % 7),
      );
    });
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    for (const t of timers) clearInterval(t);
    await new Promise((r) => setTimeout(r, 1000));
    const sent = sentAt.reduce((n, s) => n + s.length, 0);
    const rss = rssKiB(app.child.pid!, "VmRSS");
    const hwm = rssKiB(app.child.pid!, "VmHWM");
    latencies.sort((a, b) => a - b);
    console.log(
      `collab: ${EDITORS} editors + ${VIEWERS} viewers, ${SECONDS} s, ${sent} keystrokes, ${latencies.length} deliveries (${((latencies.length / Math.max(1, sent * (EDITORS + VIEWERS - 1))) * 100).toFixed(1)}% of expected)`,
    );
    console.log(`collab: propagation p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${(latencies.at(-1) ?? NaN).toFixed(1)} ms (target p99 < 50 ms)`);
    console.log(`collab: server RSS ${(baseRss / 1024).toFixed(0)} MiB connected, ${(rss / 1024).toFixed(0)} MiB after, peak ${(hwm / 1024).toFixed(0)} MiB`);
    for (const c of clients) {
      c.provider.destroy();
      c.socket.destroy();
    }
  } finally {
    await app.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchCollab();
