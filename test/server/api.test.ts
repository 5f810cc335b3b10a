import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { Notebook } from "../../lib/notebook/notebook.ts";
import { handleNotebookApi } from "../../lib/server/api.ts";
import { createCollab } from "../../lib/server/collab.ts";
import { Notebooks } from "../../lib/server/notebooks.ts";
import { NotebookStore } from "../../lib/server/store.ts";

const root = new URL("../..", import.meta.url).pathname;
const store = new NotebookStore(mkdtempSync(join(tmpdir(), "pcplab-api-")));
const collab = createCollab(store, { storeDebounceMs: 10 });
const notebooks = new Notebooks(store, collab, join(root, "scenarios"));
const http = createServer(async (req, res) => {
  if (!(await handleNotebookApi(notebooks, req, res))) res.writeHead(404).end();
});
let origin = "";
let base = "";
beforeAll(async () => {
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  base = `${origin}/api/notebooks`;
});
afterAll(async () => {
  await collab.close();
  http.close();
  store.close();
});

const json = (method: string, url: string, body?: unknown) =>
  fetch(url, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });

function stored(id: string): Notebook {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, store.load(id)!);
  return new Notebook(doc);
}

describe("notebook API over real HTTP and SQLite", () => {
  it("creates, lists, renames and deletes notebooks", async () => {
    const created = await json("POST", base, { title: "NIC study" });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/);
    const list = (await (await json("GET", base)).json()) as { notebooks: { id: string; title: string }[] };
    expect(list.notebooks).toEqual([expect.objectContaining({ id, title: "NIC study" })]);
    // Seeded on the server: a title and one scenario cell to start from.
    expect(stored(id).title).toBe("NIC study");
    expect(stored(id).cells().map((c) => c.kind)).toEqual(["scenario"]);
    expect((await json("PATCH", `${base}/${id}`, { title: "THP study" })).status).toBe(200);
    expect(store.list()[0]!.title).toBe("THP study");
    // The shared document's title follows, so open notebooks show it.
    expect(stored(id).title).toBe("THP study");
    expect(((await (await json("GET", `${base}/${id}`)).json()) as { title: string }).title).toBe("THP study");
    expect((await json("DELETE", `${base}/${id}`)).status).toBe(204);
    expect(store.list()).toEqual([]);
    expect((await json("GET", `${base}/${id}`)).status).toBe(404);
  });

  it("lists every shipped scenario as an example and opens one as a notebook", async () => {
    const { examples } = (await (await json("GET", `${origin}/api/examples`)).json()) as { examples: { name: string; description: string }[] };
    expect(examples.map((e) => e.name)).toContain("thp-compaction-stress");
    expect(examples.every((e) => e.description.length > 0)).toBe(true);
    const r = await json("POST", base, { example: "nic-rx-irq-alloc" });
    expect(r.status).toBe(201);
    const { id } = (await r.json()) as { id: string };
    const cells = stored(id).cells();
    expect(cells.map((c) => c.kind)).toEqual(["markdown", "scenario"]);
    expect(cells[1]!.source).toContain('scenario "nic-rx-irq-alloc"');
    expect((await json("POST", base, { example: "../package" })).status).toBe(404);
    expect((await json("POST", base, { example: "no-such-scenario" })).status).toBe(404);
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
    expect((await json("POST", `${origin}/api/examples`, {})).status).toBe(405);
    expect((await json("GET", `${origin}/api/nothing`)).status).toBe(404);
    expect((await json("GET", base)).status).toBe(200);
  });
});
