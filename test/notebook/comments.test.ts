// The comments schema from a participant's side: what a thread shows after
// comments, edits, deletions and moderation; who may revise what; author
// ids the page and the server derive alike; comments from before author ids.
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { authorId, authorIdFromTokenHash, Comments, fold, mayRevise, parseEntry } from "../../lib/notebook/comments.ts";
import { hashToken } from "../../lib/server/access.ts";

const ALICE = "A".repeat(43);
const BOB = "B".repeat(43);
const ED = "E".repeat(43);

/** The key of the `i`th comment of `thread`, what edits and deletions point at. */
const k = (c: Comments, thread: string, i: number) => c.all().find((t) => t.id === thread)!.comments[i]!.key;
const shown = (c: Comments) => c.all().map((t) => t.comments.map((x) => [x.author, x.text, x.edited, x.deleted, x.moderatedBy]));

describe("comments", () => {
  it("derives the same author id in the page (from the token) as the server (from its stored hash), distinct per link", () => {
    expect(authorId(ALICE)).toBe(authorIdFromTokenHash(hashToken(ALICE)));
    expect(authorId(ALICE)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(authorId(ALICE)).not.toBe(authorId(BOB));
    expect(authorId(ALICE)).not.toContain(hashToken(ALICE).slice(0, 8));
  });

  it("shows edits and deletions, marking those made by someone other than the author as moderation", () => {
    const doc = new Y.Doc();
    const alice = new Comments(doc, authorId(ALICE));
    const ed = new Comments(doc, authorId(ED), true);
    const t = alice.start("c1", "Alice", "32 is the batch", 1);
    alice.reply(t, "Alice", "spam", 2);
    alice.reply(t, "Alice", "typo", 3);
    alice.edit(t, k(alice, t, 0), "Alice", "32 is the relock batch", 4);
    ed.remove(t, k(alice, t, 1), "Ed", 5);
    ed.edit(t, k(alice, t, 2), "Ed", "typ0 fixed", 6);
    expect(shown(alice)).toEqual([
      [
        ["Alice", "32 is the relock batch", true, false, null],
        ["Alice", "", false, true, "Ed"],
        ["Alice", "typ0 fixed", true, false, "Ed"],
      ],
    ]);
    // The author's own later edit is no longer a moderator's text.
    alice.edit(t, k(alice, t, 2), "Alice", "typo fixed", 7);
    expect(alice.all()[0]!.comments[2]).toMatchObject({ text: "typo fixed", moderatedBy: null });
    // A deletion is final: an edit after it (say, made concurrently) does not bring the comment back.
    alice.edit(t, k(alice, t, 1), "Alice", "not spam", 8);
    expect(alice.all()[0]!.comments[1]).toMatchObject({ deleted: true, text: "" });
  });

  it("lets authors revise their own comments and editors or owners anyone's; comments without an author id only the latter", () => {
    const doc = new Y.Doc();
    const legacy = doc.getMap("threads");
    doc.transact(() => {
      const m = new Y.Map<unknown>();
      const list = new Y.Array<unknown>();
      list.push([{ author: "Old", text: "from before author ids", at: 1 }]);
      m.set("cell", "c1");
      m.set("resolved", false);
      m.set("comments", list);
      legacy.set("old", m);
    });
    const alice = new Comments(doc, authorId(ALICE));
    const bob = new Comments(doc, authorId(BOB));
    const ed = new Comments(doc, authorId(ED), true);
    const t = alice.start("c1", "Alice", "mine", 2);
    const [old, mine] = alice.all().map((th) => th.comments[0]!);
    expect(old).toMatchObject({ by: null, author: "Old", text: "from before author ids" });
    expect([alice.mayRevise(mine!), bob.mayRevise(mine!), ed.mayRevise(mine!)]).toEqual([true, false, true]);
    expect([alice.mayRevise(old!), bob.mayRevise(old!), ed.mayRevise(old!)]).toEqual([false, false, true]);
    expect(mayRevise({ by: null }, authorId(ALICE), false)).toBe(false);
    alice.remove(t, k(alice, t, 0), "Alice");
    expect(alice.mayRevise(alice.all()[1]!.comments[0]!)).toBe(false);
  });

  it("hides a thread from its cell once all its comments are deleted, and keeps the record", () => {
    const alice = new Comments(new Y.Doc(), authorId(ALICE));
    const t = alice.start("c1", "Alice", "oops", 1);
    alice.remove(t, k(alice, t, 0), "Alice");
    expect(alice.forCell("c1")).toEqual([]);
    expect(alice.all()[0]!.comments[0]).toMatchObject({ author: "Alice", deleted: true });
  });

  it("records who resolved or reopened a thread", () => {
    const doc = new Y.Doc();
    const alice = new Comments(doc, authorId(ALICE));
    const bob = new Comments(doc, authorId(BOB));
    const t = alice.start("c1", "Alice", "question", 1);
    bob.setResolved(t, true, "Bob");
    expect(alice.all()[0]).toMatchObject({ resolved: true, resolvedBy: "Bob" });
    alice.setResolved(t, false, "Alice");
    expect(alice.all()[0]).toMatchObject({ resolved: false, resolvedBy: "Alice" });
  });

  it("merges concurrent edits of one comment the same way everywhere, both kept on record", () => {
    const [d1, d2] = [new Y.Doc(), new Y.Doc()];
    const alice = new Comments(d1, authorId(ALICE));
    const t = alice.start("c1", "Alice", "v1", 1);
    Y.applyUpdate(d2, Y.encodeStateAsUpdate(d1));
    const ed = new Comments(d2, authorId(ED), true);
    alice.edit(t, k(alice, t, 0), "Alice", "v2 by Alice", 2);
    ed.edit(t, k(alice, t, 0), "Ed", "v2 by Ed", 2);
    Y.applyUpdate(d1, Y.encodeStateAsUpdate(d2));
    Y.applyUpdate(d2, Y.encodeStateAsUpdate(d1));
    expect(shown(alice)).toEqual(shown(ed));
    expect(["v2 by Alice", "v2 by Ed"]).toContain(alice.all()[0]!.comments[0]!.text);
    expect((d1.getMap<Y.Map<unknown>>("threads").get(t)!.get("comments") as Y.Array<unknown>).length).toBe(3);
  });

  it("parses entries strictly and skips what fits neither shape", () => {
    const by = authorId(ALICE);
    const id = "0123456789abcdef";
    expect(parseEntry({ id, by, author: "A", text: "t", at: 1 })).toMatchObject({ kind: "comment", id, by });
    expect(parseEntry({ author: "A", text: "t", at: 1 })).toMatchObject({ kind: "comment", id: null, by: null });
    expect(parseEntry({ edits: "#0", by, author: "A", at: 2, deleted: true })).toMatchObject({ kind: "revision", deleted: true, text: "" });
    for (const bad of [null, "text", [1], { id, by, author: "A", text: "t" }, { by, author: "A", text: "t", at: 1 }, { id: "#0", by, author: "A", text: "t", at: 1 }, { id, by: "short", author: "A", text: "t", at: 1 }, { id, by, author: "A".repeat(61), text: "t", at: 1 }, { edits: id, author: "A", text: "t", at: 1 }, { edits: 0, by, author: "A", text: "t", at: 1 }, { edits: id, by, author: "A", at: 1, deleted: false }]) {
      expect(parseEntry(bad)).toBeNull();
    }
    // A revision that points below itself at no comment changes nothing.
    const entries = [parseEntry({ id, by, author: "A", text: "t", at: 1 }), parseEntry({ edits: "fedcba9876543210", by, author: "A", text: "x", at: 2 }), parseEntry({ edits: "#1", by, author: "A", text: "y", at: 3 })];
    expect(fold(entries).map((c) => c.text)).toEqual(["t"]);
  });
});
