import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleNotebookApi } from "../../lib/server/api.ts";
import { NotebookStore } from "../../lib/server/store.ts";

const store = new NotebookStore(mkdtempSync(join(tmpdir(), "pcplab-api-")));
const http = createServer(async (req, res) => {
  if (!(await handleNotebookApi(store, req, res))) res.writeHead(404).end();
});
let base = "";
beforeAll(async () => {
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}/api/notebooks`;
});
afterAll(() => {
  http.close();
  store.close();
});

const json = (method: string, url: string, body?: unknown) =>
  fetch(url, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });

describe("notebook API over real HTTP and SQLite", () => {
  it("creates, lists, renames and deletes notebooks", async () => {
    const created = await json("POST", base, { title: "NIC study" });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/);
    const list = (await (await json("GET", base)).json()) as { notebooks: { id: string; title: string }[] };
    expect(list.notebooks).toEqual([expect.objectContaining({ id, title: "NIC study" })]);
    expect((await json("PATCH", `${base}/${id}`, { title: "THP study" })).status).toBe(200);
    expect(store.list()[0]!.title).toBe("THP study");
    expect((await json("DELETE", `${base}/${id}`)).status).toBe(204);
    expect(store.list()).toEqual([]);
  });

  it("answers bad input with a status and a reason, never a crash", async () => {
    expect((await json("POST", base, "{not json")).status).toBe(400);
    expect((await json("POST", base, { title: "" })).status).toBe(400);
    expect((await json("POST", base, { title: "x".repeat(201) })).status).toBe(400);
    expect((await json("POST", base, { title: 42 })).status).toBe(400);
    expect((await json("POST", base, "x".repeat(20_000))).status).toBe(400);
    expect((await json("PATCH", `${base}/nope`, { title: "t" })).status).toBe(404);
    expect((await json("GET", `${base}/../../etc`)).status).toBe(404);
    expect((await json("PUT", base, {})).status).toBe(405);
    expect((await json("GET", base)).status).toBe(200);
  });
});
