// The real app process against what a hostile or broken client does: every
// response carries the security headers, a request that never finishes its
// body is closed, and a flood of refused WebSocket auths cannot flood the log.
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import { connect as tcp } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { api, startApp, type AppProcess } from "../support/app-process.ts";
import { authMessage } from "../support/hocuspocus-wire.ts";

// Lowered from the default so the slow request's close comes quickly.
const REQUEST_TIMEOUT_MS = 1500;

let app: AppProcess;
let notebook: { id: string; token: string };
beforeAll(async () => {
  app = await startApp(undefined, 0, { PCPLAB_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) });
  notebook = await api(app.url, "POST", "/api/notebooks", { title: "probed" });
}, 180_000);
afterAll(async () => {
  await app?.stop();
});

function nonceOf(csp: string | null): string {
  const m = /script-src 'self' 'nonce-([A-Za-z0-9+/]+={0,2})'/.exec(csp ?? "");
  expect(m, `no script nonce in ${csp}`).not.toBeNull();
  return m![1]!;
}

describe("security headers", () => {
  it("are on pages, API answers, the engine worker, Next's files and 404s; each page's scripts carry that response's nonce", async () => {
    const home = await fetch(app.url + "/");
    const homeHtml = await home.text();
    const chunk = /<script src="(\/_next\/static\/[^"]+\.js)"/.exec(homeHtml)?.[1];
    expect(chunk).toBeDefined();
    const paths = ["/", `/notebook/${notebook.id}`, "/api/examples", "/api/notebooks/nope", "/api/nothing", "/engine.worker.js", chunk!, "/no-such-page"];
    const statuses: number[] = [];
    for (const path of paths) {
      const r = await fetch(app.url + path);
      statuses.push(r.status);
      const csp = r.headers.get("content-security-policy") ?? "";
      expect(csp, path).toMatch(/^default-src 'self';/);
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("object-src 'none'");
      expect(csp, path).toContain("base-uri 'none'");
      expect(csp, path).toContain(`connect-src 'self' ws://${new URL(app.url).host} wss://${new URL(app.url).host}`);
      expect(csp, path).not.toContain("unsafe-eval");
      expect(/script-src[^;]*unsafe-inline/.test(csp), path).toBe(false);
      nonceOf(csp);
      expect(r.headers.get("referrer-policy"), path).toBe("no-referrer");
      expect(r.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(r.headers.get("x-frame-options"), path).toBe("DENY");
      await r.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 200, 404, 404, 200, 200, 404]);

    // Every script a page holds, inline or not, carries its response's nonce, fresh each time.
    const nonces = new Set<string>();
    for (const path of ["/", `/notebook/${notebook.id}`, "/"]) {
      const r = await fetch(app.url + path);
      const nonce = nonceOf(r.headers.get("content-security-policy"));
      nonces.add(nonce);
      const scripts = (await r.text()).match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.length).toBeGreaterThan(2);
      for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    }
    expect(nonces.size).toBe(3);
  });

  it("a policy the client sends cannot choose the nonce", async () => {
    const r = await fetch(app.url + "/", { headers: { "content-security-policy": "script-src 'nonce-chosenbyclient'" } });
    expect(nonceOf(r.headers.get("content-security-policy"))).not.toBe("chosenbyclient");
    expect(await r.text()).not.toContain("chosenbyclient");
  });
});

describe("slow requests", () => {
  it("closes a POST that declares 10000 bytes and sends one; a WebSocket stays open past the timeout", async () => {
    const { port } = new URL(app.url);
    const ws = new HocuspocusProviderWebsocket({ url: app.url.replace("http", "ws") + "/collab", WebSocketPolyfill: WebSocket });
    const provider = new HocuspocusProvider({ websocketProvider: ws, name: notebook.id, token: notebook.token });
    provider.attach();
    await new Promise<void>((resolve) => provider.on("synced", () => resolve()));

    const socket = tcp(Number(port), "127.0.0.1");
    let answer = "";
    socket.on("data", (d: Buffer) => (answer += d.toString("latin1")));
    socket.write(`POST /api/notebooks HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{`);
    await new Promise<void>((resolve) => socket.once("close", () => resolve()));
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);

    // Three timeouts later the live connection still syncs.
    await new Promise((r) => setTimeout(r, 2 * REQUEST_TIMEOUT_MS));
    expect(ws.status).toBe("connected");
    provider.document.getMap("probe").set("still", "here");
    await expect.poll(() => provider.hasUnsyncedChanges).toBe(false);
    provider.destroy();
    ws.destroy();
  }, 30_000);
});

/** One raw WebSocket that authenticates with `token` for `doc`; resolves when the server answers or closes. */
function refusedAuth(url: string, doc: string, token: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => reject(new Error("no answer to a bad auth")), 10_000);
    const done = () => {
      clearTimeout(timer);
      ws.terminate();
      resolve();
    };
    ws.on("open", () => ws.send(authMessage(doc, token)));
    ws.on("message", done);
    ws.on("close", done);
    ws.on("error", done);
  });
}

describe("log floods", () => {
  it("500 refused WebSocket auths write a handful of log lines, not one each", async () => {
    const url = app.url.replace("http", "ws") + "/collab";
    const before = app.output().split("\n").length;
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => (i % 2 ? refusedAuth(url, notebook.id, `bad-token-${batch}-${i}`) : refusedAuth(url, `no-such-notebook-${batch}-${i}`, "bad"))),
      );
    }
    // What the refusals printed has arrived by the time a request made after them is answered.
    await fetch(app.url + "/api/examples");
    await new Promise((r) => setTimeout(r, 500));
    const lines = app.output().split("\n").slice(before - 1).filter((l) => l.trim() !== "");
    expect(lines.length).toBeLessThanOrEqual(12);
  }, 120_000);
});
