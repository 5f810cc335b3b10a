// The notebook document from its users' side: cells in order, edits that
// meet over the network converge, and concurrent moves never duplicate a
// cell. Peers exchange real Yjs updates, delivered in a seeded order.
import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { Rng } from "../../lib/engine/rng.ts";
import { Notebook, yText } from "../../lib/notebook/notebook.ts";
import { keyBetween } from "../../lib/notebook/order.ts";

/** Two or more notebooks whose updates queue until delivered. */
function peers(n: number) {
  const nbs = Array.from({ length: n }, () => new Notebook(new Y.Doc()));
  const queues: Uint8Array[][] = nbs.map(() => []);
  nbs.forEach((nb, i) =>
    nb.doc.on("update", (update: Uint8Array, origin: unknown) => {
      if (origin === "remote") return;
      nbs.forEach((_, j) => j !== i && queues[j]!.push(update));
    }),
  );
  const deliver = (j: number) => {
    for (const u of queues[j]!.splice(0)) Y.applyUpdate(nbs[j]!.doc, u, "remote");
  };
  return { nbs, sync: () => nbs.forEach((_, j) => deliver(j)), deliverOne: (j: number) => {
    const u = queues[j]!.shift();
    if (u) Y.applyUpdate(nbs[j]!.doc, u, "remote");
  }, pending: () => queues.some((q) => q.length > 0) };
}

const ids = (nb: Notebook) => nb.cells().map((c) => c.id);

describe("order keys", () => {
  it("always find a key strictly between two others", () => {
    const rng = new Rng(5);
    let keys = ["a", "n"];
    for (let i = 0; i < 2000; i++) {
      const at = rng.nextBelow(keys.length + 1);
      const k = keyBetween(at > 0 ? keys[at - 1]! : "", at < keys.length ? keys[at]! : null);
      if (at > 0) expect(k > keys[at - 1]!).toBe(true);
      if (at < keys.length) expect(k < keys[at]!).toBe(true);
      keys = [...keys.slice(0, at), k, ...keys.slice(at)];
    }
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe("a notebook", () => {
  it("keeps cells in the order they were placed, and moves them", () => {
    const nb = new Notebook();
    const a = nb.insertCell("markdown", 0, "# intro");
    const c = nb.insertCell("scenario", 1, 'scenario "c" {}');
    const b = nb.insertCell("scenario", 1, 'scenario "b" {}');
    expect(ids(nb)).toEqual([a, b, c]);
    nb.moveCell(a, 3);
    expect(ids(nb)).toEqual([b, c, a]);
    nb.moveCell(a, 0);
    nb.deleteCell(b);
    expect(nb.cells().map((x) => [x.kind, x.source])).toEqual([["markdown", "# intro"], ["scenario", 'scenario "c" {}']]);
    yText(nb, c)!.insert(0, "# edited\n");
    expect(nb.cells()[1]!.source).toBe('# edited\nscenario "c" {}');
  });

  it("stores a run's output compactly and drops it cleanly", () => {
    const nb = new Notebook();
    const id = nb.insertCell("scenario", 0, "x");
    nb.setOutput(id, { engine: "pcplab 0.1.0", scenarioDigest: "sha256:a", resultsDigest: "sha256:b", results: "{}", ranAt: "2026-11-25T00:00:00Z" });
    expect(nb.cells()[0]!.output).toMatchObject({ scenarioDigest: "sha256:a" });
    nb.setOutput(id, null);
    expect(nb.cells()[0]!.output).toBeNull();
  });

  it("skips entries that do not fit the schema instead of throwing", () => {
    const nb = new Notebook();
    nb.insertCell("markdown", 0, "ok");
    const cells = nb.doc.getMap("cells");
    cells.set("junk", new Y.Map());
    const bad = new Y.Map<unknown>();
    bad.set("kind", "script");
    bad.set("order", "m");
    bad.set("source", new Y.Text("<script>"));
    cells.set("evil", bad);
    expect(nb.cells().map((c) => c.source)).toEqual(["ok"]);
  });
});

describe("two people at once", () => {
  it("moving the same cell to different places leaves one copy, the same everywhere", () => {
    const { nbs, sync } = peers(2);
    const [a, b] = nbs as [Notebook, Notebook];
    const x = a.insertCell("scenario", 0, "x");
    a.insertCell("scenario", 1, "y");
    a.insertCell("scenario", 2, "z");
    sync();
    a.moveCell(x, 3);
    b.moveCell(x, 2);
    sync();
    expect(ids(a)).toEqual(ids(b));
    expect(ids(a).filter((i) => i === x)).toHaveLength(1);
    expect(a.size).toBe(3);
  });

  it("inserting at the same place keeps both cells, in the same order everywhere", () => {
    const { nbs, sync } = peers(2);
    const [a, b] = nbs as [Notebook, Notebook];
    a.insertCell("markdown", 0, "first");
    sync();
    const p = a.insertCell("scenario", 1, "from a");
    const q = b.insertCell("scenario", 1, "from b");
    sync();
    expect(ids(a)).toEqual(ids(b));
    expect(ids(a)).toHaveLength(3);
    expect(ids(a)).toEqual(expect.arrayContaining([p, q]));
    // And a cell placed between them afterwards lands between them.
    const r = a.insertCell("markdown", 2, "between");
    sync();
    expect(ids(b)[2]).toBe(r);
  });

  it("converges under random edits, moves and deletes delivered in random order", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const rng = new Rng(seed);
      const { nbs, sync, deliverOne } = peers(3);
      for (let step = 0; step < 60; step++) {
        const who = rng.nextBelow(3);
        const nb = nbs[who]!;
        const cells = nb.cells();
        const op = rng.nextBelow(5);
        if (op <= 1 || cells.length === 0) nb.insertCell(rng.nextBelow(2) ? "markdown" : "scenario", rng.nextBelow(cells.length + 1), `s${step}`);
        else if (op === 2) nb.moveCell(cells[rng.nextBelow(cells.length)]!.id, rng.nextBelow(cells.length + 1));
        else if (op === 3) nb.deleteCell(cells[rng.nextBelow(cells.length)]!.id);
        else yText(nb, cells[rng.nextBelow(cells.length)]!.id)!.insert(0, `${who}`);
        if (rng.nextBelow(3) === 0) deliverOne(rng.nextBelow(3));
      }
      sync();
      const [a, b, c] = nbs.map((nb) => nb.cells());
      expect(b).toEqual(a);
      expect(c).toEqual(a);
      expect(new Set(a!.map((x) => x.id)).size).toBe(a!.length);
    }
  });
});
