// The whole app process, as `npm start` runs it: pages and the collaboration
// WebSocket on one port, and notebooks that survive Ctrl-C and a restart.
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { Notebook } from "../../lib/notebook/notebook.ts";
import { eventually } from "../support/eventually.ts";
import { api, startApp, type AppProcess } from "../support/app-process.ts";
import { step1Message } from "../support/hocuspocus-wire.ts";

const running: AppProcess[] = [];
const providers: { destroy(): void }[] = [];
afterEach(async () => {
  for (const p of providers.splice(0)) p.destroy();
  for (const app of running.splice(0)) await app.stop();
});

async function connect(url: string, id: string, token: string) {
  const websocketProvider = new HocuspocusProviderWebsocket({ url: url.replace("http", "ws") + "/collab", WebSocketPolyfill: WebSocket });
  const provider = new HocuspocusProvider({ websocketProvider, name: id, token });
  provider.attach();
  providers.push(provider, websocketProvider);
  await new Promise<void>((resolve) => provider.on("synced", () => resolve()));
  return { provider, notebook: new Notebook(provider.document) };
}


describe("the app process", () => {
  it("serves pages, the API and /collab on one port, and keeps every edit across Ctrl-C and a restart", async () => {
    const first = await startApp();
    running.push(first);
    const home = await fetch(first.url + "/");
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("pcplab");
    const { id, token } = await api<{ id: string; token: string }>(first.url, "POST", "/api/notebooks", { title: "restart study" });
    expect((await fetch(`${first.url}/notebook/${id}`)).status).toBe(200);

    // The engine's Web Worker: served with a validator, revalidated every time.
    const worker = await fetch(first.url + "/engine.worker.js");
    expect(worker.status).toBe(200);
    expect(worker.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(worker.headers.get("cache-control")).toBe("no-cache");
    expect(await worker.text()).toContain("free_unref_page_commit");
    const etag = worker.headers.get("etag")!;
    expect((await fetch(first.url + "/engine.worker.js", { headers: { "if-none-match": etag } })).status).toBe(304);
    expect((await fetch(first.url + "/engine.worker.js", { method: "POST" })).status).toBe(405);

    const writer = await connect(first.url, id, token);
    const cellId = writer.notebook.insertCell("markdown", 1, "typed just before Ctrl-C");
    await eventually(() => !writer.provider.hasUnsyncedChanges);
    // Ctrl-C straight after the edit: the store's debounce must not lose it.
    writer.provider.destroy();
    expect(await first.stop()).toBe(0);
    running.pop();

    const second = await startApp(first.dataDir);
    running.push(second);
    const reader = await connect(second.url, id, token);
    const cells = reader.notebook.cells();
    expect(cells.map((c) => c.kind)).toEqual(["scenario", "markdown"]);
    expect(cells.find((c) => c.id === cellId)?.source).toBe("typed just before Ctrl-C");
    const list = await api<{ notebooks: { id: string; title: string }[] }>(second.url, "POST", "/api/notebooks/access", { tokens: [token] });
    expect(list.notebooks).toEqual([expect.objectContaining({ id, title: "restart study" })]);
  });

  it("loads one copy of Yjs, however a notebook is reached: no \"Yjs was already imported\"", async () => {
    const app = await startApp();
    running.push(app);
    const { id, token } = await api<{ id: string; token: string }>(app.url, "POST", "/api/notebooks", { title: "one yjs" });
    // The page's server render, the API and the collaboration server all touch Yjs.
    expect((await fetch(`${app.url}/notebook/${id}`)).status).toBe(200);
    expect((await fetch(`${app.url}/`)).status).toBe(200);
    const { provider, notebook } = await connect(app.url, id, token);
    notebook.insertCell("markdown", 1, "edited over /collab");
    await eventually(() => !provider.hasUnsyncedChanges);
    expect(await app.stop()).toBe(0);
    running.pop();
    // The last lines arrive after the exit.
    await eventually(() => app.output().includes("every notebook saved"));
    expect(app.output()).not.toContain("Yjs was already imported");
  });

  it("takes the pre-authentication limits from the environment", async () => {
    const app = await startApp(undefined, 0, { PCPLAB_MAX_PENDING_MESSAGES: "2", PCPLAB_AUTH_TIMEOUT_MS: "600000" });
    running.push(app);
    const ws = new WebSocket(`${app.url.replace("http", "ws")}/collab`);
    await new Promise((resolve) => ws.once("open", resolve));
    const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    // Three messages held for a document that never authenticates: one past the limit.
    for (let i = 0; i < 3; i++) ws.send(step1Message("no-such-notebook"));
    expect(await closed).toBe(4429);
  });
});
