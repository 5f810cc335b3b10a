import { mkdtempSync, statSync } from "node:fs";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Access } from "../../lib/server/access.ts";
import { handleNotebookApi, type CreateLimits } from "../../lib/server/api.ts";
import { createCollab } from "../../lib/server/collab.ts";
import { Notebooks } from "../../lib/server/notebooks.ts";
import { addressKey, CreateQuota } from "../../lib/server/quota.ts";
import { JOURNAL_SIZE_LIMIT, NotebookStore } from "../../lib/server/store.ts";
import { eventually } from "../support/eventually.ts";

const root = new URL("../..", import.meta.url).pathname;
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers) await close();
});

/** The notebook API over real HTTP and SQLite, with creation limits as main.ts sets them. */
async function serve(opts: { perMinute: number; maxDatabaseBytes?: number }) {
  const store = new NotebookStore(mkdtempSync(join(tmpdir(), "pcplab-quota-")), { maxDatabaseBytes: opts.maxDatabaseBytes });
  const access = new Access(store);
  const collab = createCollab(store, access, { storeDebounceMs: 10 });
  const notebooks = new Notebooks(store, collab, access, join(root, "scenarios"));
  const limits: CreateLimits = { quota: new CreateQuota({ perMinute: opts.perMinute }), hasRoomFor: (n) => store.hasRoomFor(n) };
  const http = createServer(async (req, res) => {
    if (!(await handleNotebookApi(notebooks, collab, req, res, limits))) res.writeHead(404).end();
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  closers.push(async () => {
    await collab.close();
    http.close();
    store.close();
  });
  return { store, port: (http.address() as AddressInfo).port };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/** One request from a chosen local address (any of 127/8 reaches the server). */
function call(port: number, method: string, path: string, body?: unknown, opts: { from?: string; token?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method,
        path,
        localAddress: opts.from ?? "127.0.0.1",
        headers: { "content-type": "application/json", ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
      },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : {} }));
      },
    );
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe("quota on creating notebooks", () => {
  it("refuses an address past its rate with 429 and Retry-After, while another address still creates", async () => {
    const { port } = await serve({ perMinute: 3 });
    for (let i = 0; i < 3; i++) expect((await call(port, "POST", "/api/notebooks", { title: `n${i}` })).status).toBe(201);
    const refused = await call(port, "POST", "/api/notebooks", { title: "one too many" });
    expect(refused.status).toBe(429);
    // 3 a minute: the next token is 20 s away.
    expect(refused.headers["retry-after"]).toBe("20");
    expect(refused.body.error).toBe("too many notebooks created from your address; try again in 20 s");
    expect((await call(port, "POST", "/api/notebooks", { example: "nic-rx-irq-alloc" })).status).toBe(429);
    expect((await call(port, "POST", "/api/notebooks", { title: "elsewhere" }, { from: "127.0.0.2" })).status).toBe(201);
    // Reading is not creating: the refused address still lists its notebooks.
    expect((await call(port, "POST", "/api/notebooks/access", { tokens: [] })).status).toBe(200);
  });

  it("lets an address create again once its bucket refills, and remembers a bounded number of addresses", () => {
    let now = 0;
    const quota = new CreateQuota({ perMinute: 2, maxAddresses: 3, now: () => now });
    expect([quota.take("10.0.0.1"), quota.take("10.0.0.1"), quota.take("10.0.0.1")]).toEqual([null, null, 30]);
    now += 29_000;
    expect(quota.take("10.0.0.1")).toBe(1);
    now += 1_000;
    expect(quota.take("10.0.0.1")).toBeNull();
    expect(quota.take("::ffff:10.0.0.1")).toBe(30);
    for (const a of ["10.0.0.2", "10.0.0.3", "10.0.0.4"]) expect(quota.take(a)).toBeNull();
    expect(quota.size).toBe(3);
    // The least recently seen address was forgotten, so it starts full again.
    expect(quota.take("10.0.0.1")).toBeNull();
  });

  it("counts an IPv6 client by its /64", () => {
    expect(addressKey("2001:db8:0:1::5")).toBe("2001:db8:0:1::/64");
    expect(addressKey("2001:0db8:0000:0001:ffff:0:0:9")).toBe("2001:db8:0:1::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey("::ffff:192.0.2.7")).toBe("192.0.2.7");
    const quota = new CreateQuota({ perMinute: 1 });
    expect(quota.take("2001:db8:0:1::5")).toBeNull();
    expect(quota.take("2001:db8:0:1:aaaa::6")).toBe(60);
    expect(quota.take("2001:db8:0:2::5")).toBeNull();
  });

  it("refuses new notebooks with 507 and a clear message once the database is at its bound, and keeps serving reads", async () => {
    const { store, port } = await serve({ perMinute: 10_000, maxDatabaseBytes: 256 * 1024 });
    const created: { id: string; token: string }[] = [];
    let full: Answer | null = null;
    for (let i = 0; i < 200 && !full; i++) {
      const r = await call(port, "POST", "/api/notebooks", { example: "nic-rx-irq-alloc" });
      if (r.status === 201) created.push(r.body as { id: string; token: string });
      else full = r;
    }
    expect(created.length).toBeGreaterThan(0);
    expect(full?.status).toBe(507);
    expect(full?.body.error).toBe("the notebook store is at its size limit (PCPLAB_MAX_DATABASE_BYTES): delete notebooks to make room");
    expect(store.bytesUsed()).toBeLessThanOrEqual(256 * 1024);
    const { id, token } = created[0]!;
    const read = await call(port, "GET", `/api/notebooks/${id}`, undefined, { token });
    expect(read.status).toBe(200);
    expect(read.body.title).toBe("nic-rx-irq-alloc");
    expect((await call(port, "GET", `/api/notebooks/${id}/versions`, undefined, { token })).status).toBe(200);
    expect((await call(port, "GET", "/api/examples")).status).toBe(200);
    // Deleting frees room: creating works again.
    for (const c of created) expect((await call(port, "DELETE", `/api/notebooks/${c.id}`, undefined, { token: c.token })).status).toBe(204);
    expect((await call(port, "POST", "/api/notebooks", { title: "after cleanup" })).status).toBe(201);
  });

  it("refuses other additions past the bound too (versions, links, renames), but not deleting", async () => {
    const { store, port } = await serve({ perMinute: 10_000, maxDatabaseBytes: 512 * 1024 });
    const { id, token } = (await call(port, "POST", "/api/notebooks", { title: "x" })).body as { id: string; token: string };
    let status = 201;
    for (let i = 0; i < 5_000 && status === 201; i++) status = (await call(port, "POST", `/api/notebooks/${id}/versions`, { name: "v".repeat(200) }, { token })).status;
    expect(status).toBe(507);
    // Past the bound by at most the one version that crossed it.
    expect(store.bytesUsed()).toBeLessThan(512 * 1024 + 16 * 1024);
    expect((await call(port, "POST", `/api/notebooks/${id}/shares`, { role: "viewer" }, { token })).status).toBe(507);
    expect((await call(port, "PATCH", `/api/notebooks/${id}`, { title: "y" }, { token })).status).toBe(507);
    expect((await call(port, "GET", `/api/notebooks/${id}`, undefined, { token })).body.title).toBe("x");
    expect((await call(port, "DELETE", `/api/notebooks/${id}`, undefined, { token })).status).toBe(204);
  });

  it("bounds the WAL: cut back to journal_size_limit once a checkpoint has emptied it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pcplab-wal-"));
    const store = new NotebookStore(dir);
    closers.push(async () => store.close());
    expect(store.pragma("journal_mode")).toBe("wal");
    expect(store.pragma("journal_size_limit")).toBe(JOURNAL_SIZE_LIMIT);
    const wal = join(dir, "pcplab.sqlite-wal");
    // 24 MiB in one transaction: the WAL grows past the limit.
    const chunk = new Uint8Array(1024 * 1024).fill(7);
    for (let i = 0; i < 24; i++) store.appendUpdate("nb", chunk);
    expect(statSync(wal).size).toBeGreaterThan(JOURNAL_SIZE_LIMIT);
    // The background checkpoint empties it; the next write starts the log over
    // from the top and truncates the file.
    await eventually(() => {
      store.appendUpdate("nb", new Uint8Array(16));
      return statSync(wal).size <= JOURNAL_SIZE_LIMIT;
    }, 15_000);
  }, 30_000);
});
