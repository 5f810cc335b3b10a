// Who may change what in a notebook's comments document. Commenters and up
// write it directly, so the server checks every update before Hocuspocus
// applies it: it applies the update to a shadow of the document, watches
// what changes in the threads (lib/notebook/comments.ts has the schema),
// and refuses the update unless
//   - no thread, entry or anchor that existed is removed, replaced or
//     changed: entries are only inserted, and never before a comment from
//     before author ids (those are keyed by position);
//   - every new entry is well formed and signed with the sender's author id;
//   - every new revision targets a comment above it whose author is the
//     sender, or comes from an editor or owner (moderation, which the view
//     shows as such); comments from before author ids only the latter;
//   - a thread resolved or reopened records the sender as who did it;
//   - nothing is left waiting for structs the server has not seen, whose
//     arrival could otherwise bring in changes no one checked.
// A refused update is not applied, stored or relayed: the hook throws, and
// Hocuspocus closes that connection (4403) without acknowledging it. The
// page offers only what this allows, so only a crafted client meets it.
//
// The rules look only at who sent an entry and who wrote its target, never
// at the current text, so concurrent legitimate changes never make each
// other refused: two edits of one comment both stand, the later shown.
import * as Y from "yjs";
import { authorIdFromTokenHash, mayRevise, parseEntry, resolvedBy, revisable } from "../notebook/comments.ts";
import { atLeast } from "./access.ts";
import type { NotebookStore } from "./store.ts";
import { contentOf } from "./writes.ts";

/** Who sent an update: their author id, and whether they are an editor or owner. */
export interface Writer {
  by: string;
  moderator: boolean;
}

const REFUSED_CODE = 4403;

/** The writer a connection's link makes it: looked up only when it sends content. */
export function writerOf(store: NotebookStore, shareId: string | undefined): Writer | null {
  const share = shareId ? store.shareById(shareId) : null;
  return share ? { by: authorIdFromTokenHash(share.tokenHash), moderator: atLeast(share.role, "editor") } : null;
}

const hasPending = (doc: Y.Doc) => doc.store.pendingStructs !== null || doc.store.pendingDs !== null;

function copyOf(doc: Y.Doc): Y.Doc {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  return copy;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Why the new entries of `list` from index `from` on (all of them for a new thread) are not `writer`'s to add, or null. */
function judgeEntries(list: Y.Array<unknown>, inserted: ReadonlySet<number>, writer: Writer): string | null {
  const values = list.toArray();
  const entries = values.map((v) => (v instanceof Y.AbstractType ? null : parseEntry(v)));
  let lastOld = -1;
  entries.forEach((e, i) => {
    if (e?.kind === "comment" && e.id === null && !inserted.has(i)) lastOld = i;
  });
  const keys = new Set<string>();
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (!inserted.has(i)) {
      if (e?.kind === "comment" && e.id) keys.add(e.id);
      continue;
    }
    if (!e) return "a malformed comment";
    if (i < lastOld) return "nothing may go before a comment from before author ids";
    if (e.by !== writer.by) return "a comment signed with another author's id";
    if (e.kind === "comment") {
      if (keys.has(e.id!)) return "a comment id already in use";
      keys.add(e.id!);
      continue;
    }
    const target = revisable(entries, e.edits, i);
    if (!target) return "a revision of no comment";
    if (!mayRevise(target, writer.by, writer.moderator)) return "only its author, an editor or the owner may change a comment";
  }
  return null;
}

/** Why a thread `writer` added is not theirs to add, or null. */
function judgeNewThread(m: unknown, writer: Writer): string | null {
  if (!(m instanceof Y.Map) || typeof m.get("cell") !== "string" || !(m.get("comments") instanceof Y.Array)) return "a malformed thread";
  const r = resolvedBy(m);
  if (m.get("resolvedBy") !== undefined && r?.by !== writer.by) return "resolving a thread must record who did";
  const list = m.get("comments") as Y.Array<unknown>;
  return judgeEntries(list, new Set(list.toArray().map((_, i) => i)), writer);
}

/** Why the changes `events` describe (one transaction on a document's threads) are not `writer`'s to make, or null. */
function judge(threads: Y.Map<unknown>, events: readonly Y.YEvent<Y.AbstractType<unknown>>[], writer: Writer): string | null {
  for (const ev of events) {
    const path = ev.path;
    if (ev.target === threads) {
      for (const [id, change] of ev.changes.keys) {
        if (change.action !== "add" && change.oldValue instanceof Y.Map) return "a thread cannot be removed or replaced";
        if (change.action !== "delete") {
          const why = judgeNewThread(threads.get(id), writer);
          if (why) return why;
        }
      }
    } else if (path.length === 1 && ev.target instanceof Y.Map) {
      const m = ev.target;
      for (const [k, change] of ev.changes.keys) {
        if (k === "cell" || k === "comments") {
          if (change.action !== "add") return "a thread cannot be re-anchored or emptied";
          if (k === "comments") {
            const list = m.get("comments");
            if (!(list instanceof Y.Array)) return "a malformed thread";
            const why = judgeEntries(list, new Set(list.toArray().map((_, i) => i)), writer);
            if (why) return why;
          }
        } else if ((k === "resolved" || k === "resolvedBy") && resolvedBy(m)?.by !== writer.by) {
          return "resolving a thread must record who did";
        }
      }
    } else if (path.length === 2 && path[1] === "comments" && ev.target instanceof Y.Array) {
      const inserted = new Set<number>();
      let at = 0;
      for (const d of ev.changes.delta) {
        if (d.delete) return "comments cannot be rewritten or removed, only revised";
        if (d.retain) at += d.retain;
        if (d.insert) for (let n = (d.insert as unknown[]).length; n > 0; n--) inserted.add(at++);
      }
      const why = judgeEntries(ev.target, inserted, writer);
      if (why) return why;
    } else if (path.length >= 2) {
      return "comments cannot be rewritten or removed, only revised";
    }
  }
  return null;
}

/**
 * Each live comments document has a shadow: the same document plus the
 * updates accepted but not yet applied. Hocuspocus applies a message a few
 * microtasks after this hook returns, so messages that arrive in one read
 * (a burst from one socket) are all checked before the first is applied;
 * each is checked on top of those accepted before it. A refused update
 * leaves the shadow spoilt: it is rebuilt from the live document and the
 * updates accepted this turn. At the end of each turn (everything accepted
 * is applied by then) a shadow that no longer matches its document is
 * dropped, to be rebuilt when next needed.
 */
export class CommentGuard {
  private readonly shadows = new WeakMap<Y.Doc, Y.Doc>();
  private readonly thisTurn = new Map<Y.Doc, Uint8Array[]>();

  /** Throws (code 4403) if `message`, sent to the live comments document `live` by `writer()`, is refused. */
  check(live: Y.Doc, message: Uint8Array, writer: () => Writer | null): void {
    const content = contentOf(message);
    // A malformed message is the write path's to refuse, after this check.
    const update = content instanceof Uint8Array ? content : null;
    if (!update) return;
    const refuse = (why: string) => Object.assign(new Error(`comment change refused: ${why}`), { code: REFUSED_CODE, reason: `comment change refused: ${why}` });
    const who = writer();
    if (!who) throw refuse("unknown sender");
    let shadow = this.shadows.get(live);
    if (!shadow) {
      shadow = copyOf(live);
      this.shadows.set(live, shadow);
    }
    const threads = shadow.getMap("threads");
    const pendingBefore = hasPending(shadow);
    let why: string | null = null;
    const watch = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => (why ??= judge(threads, events, who));
    threads.observeDeep(watch);
    try {
      Y.applyUpdate(shadow, update);
    } catch {
      why = "a malformed update";
    } finally {
      threads.unobserveDeep(watch);
    }
    if (!why && !pendingBefore && hasPending(shadow)) why = "an update that depends on changes the server has not seen";
    if (why) {
      this.rebuild(live);
      throw refuse(why);
    }
    this.accepted(live, update);
  }

  private accepted(live: Y.Doc, update: Uint8Array): void {
    if (this.thisTurn.size === 0) setImmediate(() => this.endTurn());
    const list = this.thisTurn.get(live) ?? [];
    list.push(update);
    this.thisTurn.set(live, list);
  }

  private rebuild(live: Y.Doc): void {
    const shadow = copyOf(live);
    for (const u of this.thisTurn.get(live) ?? []) Y.applyUpdate(shadow, u);
    this.shadows.set(live, shadow);
  }

  private endTurn(): void {
    for (const live of this.thisTurn.keys()) {
      const shadow = this.shadows.get(live);
      if (shadow && !sameBytes(Y.encodeStateVector(shadow), Y.encodeStateVector(live))) this.shadows.delete(live);
    }
    this.thisTurn.clear();
  }
}
