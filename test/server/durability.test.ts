// kill -9 of the real server process while several clients type: nothing
// any client had received is lost, and after a restart the clients
// reconnect and converge with nothing duplicated.
import { createServer } from "node:net";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { Notebook } from "../../lib/notebook/notebook.ts";
import { yText } from "../../lib/notebook/notebook.ts";
import { api, startApp, type AppProcess } from "../support/app-process.ts";
import { eventually } from "../support/eventually.ts";

const running: AppProcess[] = [];
const providers: { destroy(): void }[] = [];
afterEach(async () => {
  for (const p of providers.splice(0)) p.destroy();
  for (const app of running.splice(0)) if (app.child.exitCode === null) await app.stop();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

function connect(url: string, id: string, token: string) {
  const websocketProvider = new HocuspocusProviderWebsocket({ url: url.replace("http", "ws") + "/collab", WebSocketPolyfill: WebSocket });
  const provider = new HocuspocusProvider({ websocketProvider, name: id, token });
  provider.attach();
  providers.push(provider, websocketProvider);
  const synced = new Promise<void>((resolve) => provider.on("synced", () => resolve()));
  return { provider, websocketProvider, notebook: new Notebook(provider.document), synced };
}

describe("durability", () => {
  it("loses nothing any client had received across a kill -9, and duplicates nothing", async () => {
    const port = await freePort();
    const first = await startApp(undefined, port);
    running.push(first);
    const { id, token } = await api<{ id: string; token: string }>(first.url, "POST", "/api/notebooks", { title: "kill -9" });
    const writers = Array.from({ length: 4 }, () => connect(first.url, id, token));
    const reader = connect(first.url, id, token);
    await Promise.all([...writers, reader].map((w) => w.synced));
    // Each writer types into a cell of its own: "w<i>:<n>;" with n counting up.
    const cells = writers.map((w, i) => w.notebook.insertCell("markdown", i + 1, ""));
    await eventually(() => writers.every((w) => w.notebook.cells().length === 5));
    const typed = writers.map(() => 0);
    const timers = writers.map((w, i) =>
      setInterval(() => {
        const text = yText(w.notebook, cells[i]!)!;
        text.insert(text.length, `w${i}:${typed[i]!++};`);
      }, 3),
    );
    // Enough typing before the kill, however slowly a loaded machine fires the timers.
    await eventually(() => typed.every((n) => n > 20), 30_000);
    await new Promise((r) => setTimeout(r, 100));

    first.child.kill("SIGKILL");
    // What each client had at the moment of the kill: writers stop typing
    // and stay away until the server's own copy has been checked.
    for (const t of timers) clearInterval(t);
    const received = [...writers, reader].map((w) => new Map(w.notebook.cells().map((c) => [c.id, c.source])));
    for (const w of [...writers, reader]) w.websocketProvider.disconnect();
    await new Promise((r) => (first.child.exitCode !== null || first.child.signalCode !== null ? r(null) : first.child.once("exit", r)));
    running.pop();
    expect(typed.every((n) => n > 20)).toBe(true);

    const second = await startApp(first.dataDir, port);
    running.push(second);
    // The server alone: every cell holds at least what any other client had received of it.
    const check = connect(second.url, id, token);
    await check.synced;
    const stored = new Map(check.notebook.cells().map((c) => [c.id, c.source]));
    expect(stored.size).toBe(5);
    for (const [i, cell] of cells.entries()) {
      for (const [j, view] of received.entries()) {
        if (j === i) continue; // a writer's own unacknowledged typing may not have reached the server
        expect(stored.get(cell)!.startsWith(view.get(cell) ?? "")).toBe(true);
      }
      expect(stored.get(cell)!.length).toBeGreaterThan(0);
    }

    // The clients come back and converge.
    for (const w of [...writers, reader]) void w.websocketProvider.connect();
    await eventually(
      () => writers.every((w) => !w.provider.hasUnsyncedChanges && w.notebook.cells().every((c, k) => c.source === writers[0]!.notebook.cells()[k]?.source)),
      30_000,
    );
    const fresh = connect(second.url, id, token);
    await fresh.synced;
    await eventually(() => fresh.notebook.cells().length === 5);
    const final = new Map(fresh.notebook.cells().map((c) => [c.id, c.source]));
    for (const [i, cell] of cells.entries()) {
      // Everything typed, once each, in order.
      expect(final.get(cell)).toBe(Array.from({ length: typed[i]! }, (_, n) => `w${i}:${n};`).join(""));
      // Nothing any client had seen is missing.
      for (const view of received) expect(final.get(cell)!.startsWith(view.get(cell) ?? "")).toBe(true);
    }
  }, 180_000);
});
