import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINE_VERSION } from "../../lib/engine/index.ts";
import { Comments } from "../../lib/notebook/comments.ts";
import { Notebook, yText, type CellOutput } from "../../lib/notebook/notebook.ts";
import { sourceDigest } from "../../lib/notebook/outputs.ts";
import { Access } from "../../lib/server/access.ts";
import { handleNotebookApi } from "../../lib/server/api.ts";
import { createCollab, storedDoc } from "../../lib/server/collab.ts";
import { Notebooks } from "../../lib/server/notebooks.ts";
import { NotebookStore } from "../../lib/server/store.ts";

const root = new URL("../..", import.meta.url).pathname;
const store = new NotebookStore(mkdtempSync(join(tmpdir(), "pcplab-api-")));
const access = new Access(store);
const collab = createCollab(store, access, { storeDebounceMs: 10 });
const notebooks = new Notebooks(store, collab, access, join(root, "scenarios"));
const http = createServer(async (req, res) => {
  if (!(await handleNotebookApi(notebooks, collab, req, res))) res.writeHead(404).end();
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

const json = (method: string, url: string, body?: unknown, token?: string) =>
  fetch(url, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });

async function create(title: string): Promise<{ id: string; token: string }> {
  const r = await json("POST", base, { title });
  expect(r.status).toBe(201);
  return (await r.json()) as { id: string; token: string };
}

function stored(id: string): Notebook {
  return new Notebook(storedDoc(store, id));
}

describe("notebook API over real HTTP and SQLite", () => {
  it("creates a notebook with an owner token, finds it by token, renames and deletes it", async () => {
    const { id, token } = await create("NIC study");
    expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 random bits
    // Stored only as a hash.
    expect(JSON.stringify(store.shares(id))).not.toContain(token);
    const mine = (await (await json("POST", `${base}/access`, { tokens: [token, "y".repeat(43), 7] })).json()) as { notebooks: { id: string; title: string; role: string }[] };
    expect(mine.notebooks).toEqual([expect.objectContaining({ id, title: "NIC study", role: "owner" })]);
    // Seeded on the server: a title and one scenario cell to start from.
    expect(stored(id).title).toBe("NIC study");
    expect(stored(id).cells().map((c) => c.kind)).toEqual(["scenario"]);
    expect((await json("PATCH", `${base}/${id}`, { title: "THP study" }, token)).status).toBe(200);
    expect(store.get(id)!.title).toBe("THP study");
    // The shared document's title follows, so open notebooks show it.
    expect(stored(id).title).toBe("THP study");
    expect(((await (await json("GET", `${base}/${id}`, undefined, token)).json()) as { title: string }).title).toBe("THP study");
    expect((await json("DELETE", `${base}/${id}`, undefined, token)).status).toBe(204);
    expect(store.get(id)).toBeNull();
    expect((await json("GET", `${base}/${id}`, undefined, token)).status).toBe(404);
  });

  it("tells nobody without a valid link anything, not even the title", async () => {
    const { id } = await create("secret plans");
    for (const token of [undefined, "z".repeat(43), "short"]) {
      const r = await json("GET", `${base}/${id}`, undefined, token);
      expect(r.status).toBe(404);
      expect(await r.text()).not.toContain("secret");
    }
    expect((await json("GET", base)).status).toBe(405);
    expect((await json("PATCH", `${base}/${id}`, { title: "mine now" })).status).toBe(404);
    expect((await json("DELETE", `${base}/${id}`)).status).toBe(404);
    expect(store.get(id)!.title).toBe("secret plans");
  });

  it("hands out share links by role, enforces them, and revokes them", async () => {
    const { id, token: owner } = await create("review");
    const links: Record<string, string> = {};
    for (const role of ["viewer", "commenter", "editor"]) {
      const r = await json("POST", `${base}/${id}/shares`, { role }, owner);
      expect(r.status).toBe(201);
      const made = (await r.json()) as { token: string; path: string; share: { id: string; role: string } };
      expect(made.path).toBe(`/notebook/${id}#share=${made.token}`);
      expect(made.share.role).toBe(role);
      links[role] = made.token;
    }
    const expiring = (await (await json("POST", `${base}/${id}/shares`, { role: "viewer", expiresInMinutes: 60 }, owner)).json()) as { share: { expiresAt: number } };
    expect(expiring.share.expiresAt).toBeGreaterThan(Date.now());

    const get = async (token: string) => ((await (await json("GET", `${base}/${id}`, undefined, token)).json()) as { role: string }).role;
    expect(await get(links["viewer"]!)).toBe("viewer");
    expect(await get(links["editor"]!)).toBe("editor");
    const viewerRename = await json("PATCH", `${base}/${id}`, { title: "x" }, links["viewer"]);
    expect(viewerRename.status).toBe(403);
    expect(((await viewerRename.json()) as { error: string }).error).toBe("your link lets you view this notebook, not rename it");
    expect((await json("PATCH", `${base}/${id}`, { title: "by the editor" }, links["editor"])).status).toBe(200);
    expect((await json("DELETE", `${base}/${id}`, undefined, links["editor"])).status).toBe(403);
    expect((await json("POST", `${base}/${id}/shares`, { role: "editor" }, links["editor"])).status).toBe(403);
    expect((await json("POST", `${base}/${id}/shares`, { role: "owner" }, owner)).status).toBe(400);
    expect((await json("POST", `${base}/${id}/shares`, { role: "viewer", expiresInMinutes: -5 }, owner)).status).toBe(400);

    const list = (await (await json("GET", `${base}/${id}/shares`, undefined, owner)).json()) as { shares: { id: string; role: string; revokedAt: number | null }[] };
    expect(list.shares.map((s) => s.role)).toEqual(["viewer", "commenter", "editor", "viewer"]);
    expect(JSON.stringify(list)).not.toContain(links["editor"]!);
    const editorShare = list.shares[2]!;
    expect((await json("DELETE", `${base}/${id}/shares/${editorShare.id}`, undefined, owner)).status).toBe(204);
    expect((await json("GET", `${base}/${id}`, undefined, links["editor"])).status).toBe(404);
    expect((await json("DELETE", `${base}/${id}/shares/${editorShare.id}`, undefined, owner)).status).toBe(404);
    // The other links still work.
    expect(await get(links["viewer"]!)).toBe("viewer");
  });

  it("keeps versions: a checkpoint at creation, named ones, read-only views, and restore as a new change", async () => {
    const { id, token: owner } = await create("history");
    const viewer = ((await (await json("POST", `${base}/${id}/shares`, { role: "viewer" }, owner)).json()) as { token: string }).token;
    type V = { id: string; name: string | null; createdAt: number };
    const list = async (t: string) => ((await (await json("GET", `${base}/${id}/versions`, undefined, t)).json()) as { versions: V[] }).versions;
    expect((await list(owner)).map((v) => v.name)).toEqual(["created"]);

    await collab.withDocument(id, (nb) => nb.insertCell("markdown", 1, "added later"));
    const saved = await json("POST", `${base}/${id}/versions`, { name: "with notes" }, owner);
    expect(saved.status).toBe(201);
    expect((await json("POST", `${base}/${id}/versions`, { name: "mine" }, viewer)).status).toBe(403);
    expect((await json("POST", `${base}/${id}/versions`, { name: "" }, owner)).status).toBe(400);
    const versions = await list(viewer);
    expect(versions.map((v) => v.name)).toEqual(["with notes", "created"]);

    // Any role reads a version; its cells are as they were then.
    const view = async (v: V) => (await (await json("GET", `${base}/${id}/versions/${v.id}`, undefined, viewer)).json()) as { title: string; cells: { source: string }[] };
    expect((await view(versions[1]!)).cells.length).toBe(1);
    expect((await view(versions[0]!)).cells.map((c) => c.source)).toContain("added later");

    // Restore the first: a new change, the later version still there.
    expect((await json("POST", `${base}/${id}/versions/${versions[1]!.id}/restore`, undefined, viewer)).status).toBe(403);
    expect((await json("POST", `${base}/${id}/versions/${versions[1]!.id}/restore`, undefined, owner)).status).toBe(200);
    await collab.flush();
    expect(stored(id).cells().map((c) => c.source)).toEqual((await view(versions[1]!)).cells.map((c) => c.source));
    expect((await list(owner)).map((v) => v.name)).toEqual(expect.arrayContaining(["with notes", "created"]));
    expect((await json("GET", `${base}/${id}/versions/nope`, undefined, owner)).status).toBe(404);
    expect((await json("GET", `${base}/${id}/versions`)).status).toBe(404);
  });

  it("restores a version under the same cell ids, keeping comments, outputs and what it replaced", async () => {
    const { id, token: owner } = await create("restore keeps the review");
    const share = async (role: string) => ((await (await json("POST", `${base}/${id}/shares`, { role }, owner)).json()) as { token: string }).token;
    const [commenter, editor] = [await share("commenter"), await share("editor")];
    type V = { id: string; name: string | null };
    const versions = async () => ((await (await json("GET", `${base}/${id}/versions`, undefined, owner)).json()) as { versions: V[] }).versions;
    const [cell] = stored(id).cells();
    const source = cell!.source;
    // A run of the cell as it is, and a review comment on it.
    const ran: CellOutput = { engine: ENGINE_VERSION, scenarioDigest: sourceDigest(source)!, resultsDigest: "sha256:r", results: "{}", ranAt: "2026-12-07T08:00:00.000Z" };
    await collab.withDocument(id, (nb) => nb.setOutput(cell!.id, ran));
    const comments = await collab.hocuspocus.openDirectConnection(`${id}/comments`, {});
    await comments.transact((doc) => new Comments(doc).start(cell!.id, "Hugh", "Is 32 the v2 relock batch?"));
    await comments.disconnect();
    const v1 = ((await (await json("POST", `${base}/${id}/versions`, { name: "v1" }, owner)).json()) as V).id;

    // After v1: the cell is edited and a note added.
    await collab.withDocument(id, (nb) => {
      yText(nb, cell!.id)!.insert(0, "# edited after v1\n");
      nb.insertCell("markdown", 1, "a note after v1");
    });

    expect((await json("POST", `${base}/${id}/versions/${v1}/restore`, undefined, commenter)).status).toBe(403);
    const r = await json("POST", `${base}/${id}/versions/${v1}/restore`, undefined, editor);
    expect(r.status).toBe(200);
    const { before } = (await r.json()) as { before: V };
    expect(before.name).toBe("before restoring v1");

    const restored = stored(id).cells();
    expect(restored.map((c) => [c.id, c.source])).toEqual([[cell!.id, source]]);
    expect(restored[0]!.output).toEqual(ran);
    const threads = new Comments(storedDoc(store, `${id}/comments`)).forCell(restored[0]!.id);
    expect(threads.map((t) => [t.resolved, t.comments[0]!.text])).toEqual([[false, "Is 32 the v2 relock batch?"]]);

    // History keeps what the restore replaced, and restoring that undoes it.
    expect((await versions()).map((v) => v.name)).toEqual(["before restoring v1", "v1", "created"]);
    const kept = (await (await json("GET", `${base}/${id}/versions/${before.id}`, undefined, owner)).json()) as { cells: { id: string; source: string }[] };
    expect(kept.cells.map((c) => c.source)).toEqual([`# edited after v1\n${source}`, "a note after v1"]);
    expect((await json("POST", `${base}/${id}/versions/${before.id}/restore`, undefined, owner)).status).toBe(200);
    expect(stored(id).cells().map((c) => [c.id, c.source])).toEqual(kept.cells.map((c) => [c.id, c.source]));
    // The run does not describe the edited source, but the state kept held that same run: it is back, stale, as it was.
    expect(stored(id).cells()[0]!.output).toEqual(ran);
    expect((await versions())[0]!.name).toBe("before restoring before restoring v1");

    // An automatic checkpoint has no name: the one kept says which it was, in UTC.
    store.addVersion({ id: "auto", notebookId: id, name: null, createdAt: Date.UTC(2026, 11, 7, 8, 5, 30), state: store.version(id, v1)!.state });
    const auto = (await (await json("POST", `${base}/${id}/versions/auto/restore`, undefined, owner)).json()) as { before: V };
    expect(auto.before.name).toBe("before restoring the checkpoint of 2026-12-07 08:05 UTC");
  });

  it("lists every shipped scenario as an example and opens one as a notebook", async () => {
    const { examples } = (await (await json("GET", `${origin}/api/examples`)).json()) as { examples: { name: string; description: string }[] };
    expect(examples.map((e) => e.name)).toContain("thp-compaction-stress");
    expect(examples.every((e) => e.description.length > 0)).toBe(true);
    const r = await json("POST", base, { example: "nic-rx-irq-alloc" });
    expect(r.status).toBe(201);
    const { id, token } = (await r.json()) as { id: string; token: string };
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cells = stored(id).cells();
    expect(cells.map((c) => c.kind)).toEqual(["markdown", "scenario"]);
    expect(cells[1]!.source).toContain('scenario "nic-rx-irq-alloc"');
    expect((await json("POST", base, { example: "../package" })).status).toBe(404);
    expect((await json("POST", base, { example: "no-such-scenario" })).status).toBe(404);
  });

  it("answers bad input with a status and a reason, never a crash", async () => {
    const { id, token } = await create("bad input");
    expect((await json("POST", base, "{not json")).status).toBe(400);
    expect((await json("POST", base, { title: "" })).status).toBe(400);
    expect((await json("POST", base, { title: "x".repeat(201) })).status).toBe(400);
    expect((await json("POST", base, { title: 42 })).status).toBe(400);
    expect((await json("POST", base, "x".repeat(20_000))).status).toBe(400);
    expect((await json("PATCH", `${base}/${id}`, { title: "" }, token)).status).toBe(400);
    expect((await json("PATCH", `${base}/nope`, { title: "t" }, token)).status).toBe(404);
    expect((await json("GET", `${base}/../../etc`)).status).toBe(404);
    expect((await json("PUT", base, {})).status).toBe(405);
    expect((await json("POST", `${base}/access`, { tokens: "all" })).status).toBe(400);
    expect((await json("POST", `${base}/access`, { tokens: Array(1001).fill("a") })).status).toBe(400);
    expect((await json("POST", `${origin}/api/examples`, {})).status).toBe(405);
    expect((await json("GET", `${origin}/api/nothing`)).status).toBe(404);
  });
});
