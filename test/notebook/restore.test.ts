// Restoring a version from the notebook's side: the cells come back as they
// were, under the same ids and in the same shared types, so what hangs off a
// cell (comments, permalinks, its output, a collaborator's cursor) survives,
// and a peer's concurrent typing merges with the restore.
import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { Notebook, yText, type CellOutput } from "../../lib/notebook/notebook.ts";

/** The notebook as it was when `nb` had this state: what a version stores. */
function snapshot(nb: Notebook): Notebook {
  const copy = new Notebook(new Y.Doc());
  Y.applyUpdate(copy.doc, Y.encodeStateAsUpdate(nb.doc));
  return copy;
}

const output = (digest: string, ranAt: string): CellOutput => ({
  engine: "pcplab test",
  scenarioDigest: digest,
  resultsDigest: `results of ${digest}`,
  results: "{}",
  ranAt,
});

/** Stands in for the real staleness check: an output fits the source whose name it carries. */
const fitsByName = (source: string, o: CellOutput) => o.scenarioDigest === source;

const view = (nb: Notebook) => nb.cells().map((c) => [c.id, c.kind, c.source, c.output?.ranAt ?? null]);

describe("restoring a version", () => {
  it("brings back the version's title, cells and order, keeping each surviving cell's id and shared types", () => {
    const nb = new Notebook();
    nb.setTitle("review");
    const intro = nb.insertCell("markdown", 0, "# intro");
    const a = nb.insertCell("scenario", 1, "A");
    const b = nb.insertCell("scenario", 2, "B");
    const v1 = snapshot(nb);
    const textOfA = yText(nb, a);
    const mapOfA = nb.doc.getMap("cells").get(a);

    // After v1: a renamed notebook, A edited and moved last, B deleted, a new cell.
    nb.setTitle("review, round 2");
    yText(nb, a)!.insert(1, " edited");
    nb.moveCell(a, 3);
    nb.deleteCell(b);
    const added = nb.insertCell("markdown", 0, "added after v1");

    nb.restore(v1, fitsByName);
    expect(nb.title).toBe("review");
    expect(view(nb)).toEqual(view(v1));
    expect(nb.cells().map((c) => c.id)).toEqual([intro, a, b]);
    expect(nb.cells().some((c) => c.id === added)).toBe(false);
    // The same Y.Map and Y.Text: a binding or cursor on them stays attached.
    expect(nb.doc.getMap("cells").get(a)).toBe(mapOfA);
    expect(yText(nb, a)).toBe(textOfA);
    expect(textOfA!.toString()).toBe("A");
  });

  it("is one change that a peer typing at the same time merges with, and that restoring again undoes", () => {
    const nb = new Notebook();
    const a = nb.insertCell("scenario", 0, "cpus 4\nmemory 1GiB\nduration 20ms\n");
    const v1 = snapshot(nb);
    yText(nb, a)!.insert("cpus 4\nmemory 1GiB\n".length, "# tuned\n");
    const edited = snapshot(nb);

    // A peer who has the edit types at the top while the restore happens.
    const peer = snapshot(nb);
    const peerUpdates: Uint8Array[] = [];
    peer.doc.on("update", (u: Uint8Array) => peerUpdates.push(u));
    yText(peer, a)!.insert(0, "// peer\n");
    const changes: Uint8Array[] = [];
    nb.doc.on("update", (u: Uint8Array) => changes.push(u));
    nb.restore(v1, fitsByName);
    expect(changes).toHaveLength(1);
    for (const u of changes) Y.applyUpdate(peer.doc, u);
    for (const u of peerUpdates) Y.applyUpdate(nb.doc, u);
    // Only the edit the restore takes back went: the peer's line stays.
    expect(nb.cells()[0]!.source).toBe("// peer\ncpus 4\nmemory 1GiB\nduration 20ms\n");
    expect(peer.cells()).toEqual(nb.cells());

    nb.restore(edited, fitsByName);
    expect(nb.cells()[0]!.source).toBe("cpus 4\nmemory 1GiB\n# tuned\nduration 20ms\n");
    expect(nb.cells()[0]!.id).toBe(a);
  });

  it("keeps an output that describes the restored source, else takes the version's, else none", () => {
    const nb = new Notebook();
    const kept = nb.insertCell("scenario", 0, "K");
    const fromVersion = nb.insertCell("scenario", 1, "V");
    const none = nb.insertCell("scenario", 2, "N");
    nb.setOutput(fromVersion, output("V", "version's run"));
    const v1 = snapshot(nb);

    // After v1: K is run as it was, V is edited and run, N is edited and run.
    nb.setOutput(kept, output("K", "run after v1"));
    yText(nb, fromVersion)!.insert(1, "2");
    nb.setOutput(fromVersion, output("V2", "run of the edit"));
    yText(nb, none)!.insert(1, "2");
    nb.setOutput(none, output("N2", "run of the edit"));

    nb.restore(v1, fitsByName);
    const outputs = Object.fromEntries(nb.cells().map((c) => [c.id, c.output?.ranAt ?? null]));
    expect(outputs).toEqual({ [kept]: "run after v1", [fromVersion]: "version's run", [none]: null });
  });

  it("brings a deleted cell back under its own id, with its output", () => {
    const nb = new Notebook();
    nb.insertCell("markdown", 0, "# intro");
    const gone = nb.insertCell("scenario", 1, "S");
    nb.setOutput(gone, output("S", "before it was deleted"));
    const v1 = snapshot(nb);
    nb.deleteCell(gone);
    nb.restore(v1, fitsByName);
    expect(nb.cells()[1]).toMatchObject({ id: gone, kind: "scenario", source: "S", output: { ranAt: "before it was deleted" } });
  });

  it("edits text around characters outside the BMP without breaking them", () => {
    const nb = new Notebook();
    const a = nb.insertCell("markdown", 0, "lock \u{1F512} held");
    const v1 = snapshot(nb);
    const text = yText(nb, a)!;
    text.delete(0, text.length);
    text.insert(0, "lock \u{1F513} held");
    nb.restore(v1, fitsByName);
    expect(nb.cells()[0]!.source).toBe("lock \u{1F512} held");
    // U+10112 and U+1F512 differ in the high surrogate and share the low one.
    const other = new Notebook();
    const b = other.insertCell("markdown", 0, "a\u{10112}");
    const v2 = snapshot(other);
    yText(other, b)!.delete(1, 2);
    yText(other, b)!.insert(1, "\u{1F512}");
    other.restore(v2, fitsByName);
    expect(other.cells()[0]!.source).toBe("a\u{10112}");
  });

  it("replaces entries a hostile client left in place of a cell, and drops ones the version lacks", () => {
    const nb = new Notebook();
    const a = nb.insertCell("scenario", 0, "A");
    const v1 = snapshot(nb);
    const broken = new Y.Map<unknown>();
    broken.set("kind", "scenario");
    broken.set("source", "not a Y.Text");
    nb.doc.getMap("cells").set(a, broken);
    nb.doc.getMap("cells").set("junk", new Y.Map());
    nb.restore(v1, fitsByName);
    expect(view(nb)).toEqual(view(v1));
    expect([...nb.doc.getMap("cells").keys()]).toEqual([a]);
  });
});
