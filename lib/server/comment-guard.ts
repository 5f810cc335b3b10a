// Who may change what in a notebook's comments document. Commenters and up
// write it directly, so the server checks every update before Hocuspocus
// applies it: on a copy of the document, it compares the threads before and
// after (lib/notebook/comments.ts has the schema) and refuses the update
// unless
//   - no thread, entry or anchor that existed is removed, replaced or
//     changed: entries are only appended;
//   - every new entry is well formed and signed with the sender's author id;
//   - every new revision targets a comment above it whose author is the
//     sender, or comes from an editor or owner (moderation, which the view
//     shows as such); comments from before author ids only the latter;
//   - a thread resolved or reopened records the sender as who did it;
//   - nothing is left waiting for structs the server has not seen, whose
//     arrival could otherwise bring in changes no one checked.
// A refused update is not applied, stored, relayed or acknowledged: the
// hook throws, and Hocuspocus closes that connection (4403). The page
// offers only what this allows, so only a crafted client meets it.
//
// The rules look only at who sent an entry and who wrote its target, never
// at the current text, so concurrent legitimate changes never make each
// other refused: two edits of one comment both stand, the later shown.
import * as decoding from "lib0/decoding";
import * as Y from "yjs";
import { authorIdFromTokenHash, mayRevise, parseEntry, resolvedBy, revisable, threadEntries } from "../notebook/comments.ts";
import { atLeast } from "./access.ts";
import type { NotebookStore } from "./store.ts";

/** Who sent an update: their author id, and whether they are an editor or owner. */
export interface Writer {
  by: string;
  moderator: boolean;
}

export const REFUSED_CODE = 4403;

/** The writer a connection's link makes it: looked up only when it sends content. */
export function writerOf(store: NotebookStore, shareId: string | undefined): Writer | null {
  const share = shareId ? store.shareById(shareId) : null;
  return share ? { by: authorIdFromTokenHash(share.tokenHash), moderator: atLeast(share.role, "editor") } : null;
}

/** The Yjs update a raw Hocuspocus message carries (sync step 2 or update), or null. */
export function updateIn(message: Uint8Array): Uint8Array | null {
  try {
    const d = decoding.createDecoder(message);
    decoding.readVarString(d);
    const type = decoding.readVarUint(d);
    // 0 is Sync, 4 SyncReply: Hocuspocus reads both as sync messages.
    if (type !== 0 && type !== 4) return null;
    const step = decoding.readVarUint(d);
    return step === 1 || step === 2 ? decoding.readVarUint8Array(d) : null;
  } catch {
    return null;
  }
}

interface ThreadState {
  map: unknown;
  list: unknown;
  cell: unknown;
  /** Each entry as JSON, or null if the thread is not readable. */
  entries: string[] | null;
  resolved: boolean;
  resolvedBy: string | null;
}

function read(doc: Y.Doc): Map<string, ThreadState> {
  const out = new Map<string, ThreadState>();
  doc.getMap("threads").forEach((m, id) => {
    const entries = threadEntries(m);
    const ym = m instanceof Y.Map ? m : null;
    out.set(id, {
      map: m,
      list: ym?.get("comments"),
      cell: ym?.get("cell"),
      entries: entries && entries.map((e) => JSON.stringify(e)),
      resolved: ym?.get("resolved") === true,
      resolvedBy: ym ? (resolvedBy(ym)?.by ?? null) : null,
    });
  });
  return out;
}

/** Why the change from `before` to `after` (read from one document) is not `writer`'s to make, or null if it is. */
function judge(before: Map<string, ThreadState>, after: Map<string, ThreadState>, writer: Writer): string | null {
  for (const [id, b] of before) {
    if (b.entries === null) continue;
    const a = after.get(id);
    if (!a || a.map !== b.map || a.list !== b.list || a.cell !== b.cell || a.entries === null) return "a thread cannot be removed or re-anchored";
  }
  for (const [id, a] of after) {
    if (a.entries === null) continue;
    const b = before.get(id);
    const old = b?.entries ?? [];
    if (a.entries.length < old.length || old.some((e, i) => a.entries![i] !== e)) return "comments cannot be rewritten or removed, only revised";
    if ((b?.resolved ?? false) !== a.resolved || (b?.resolvedBy ?? null) !== a.resolvedBy) {
      if (a.resolvedBy !== writer.by) return "resolving a thread must record who did";
    }
    const entries = a.entries.map((e) => parseEntry(JSON.parse(e)));
    for (let i = old.length; i < entries.length; i++) {
      const e = entries[i];
      if (!e) return "a malformed comment";
      if (e.by !== writer.by) return "a comment signed with another author's id";
      if (e.kind === "revision") {
        const target = revisable(entries, e.edits, i);
        if (!target) return "a revision of no comment";
        if (!mayRevise(target, writer.by, writer.moderator)) return "only its author, an editor or the owner may change a comment";
      }
    }
  }
  return null;
}

const hasPending = (doc: Y.Doc) => doc.store.pendingStructs !== null || doc.store.pendingDs !== null;

function copyOf(doc: Y.Doc): Y.Doc {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  return copy;
}

/**
 * The check, with what it has accepted but Hocuspocus has not yet applied.
 * Hocuspocus applies a message a few microtasks after this hook returns,
 * so messages that arrive in one read (a burst from one socket) are all
 * checked before the first is applied: each is checked on top of those
 * accepted before it. By the next turn of the event loop all are applied,
 * and the live document is the base again.
 */
export class CommentGuard {
  private readonly ahead = new Map<Y.Doc, Y.Doc>();
  private clearing = false;

  /** Throws (code 4403) if `message`, sent to the live comments document `live` by `writer()`, is refused. */
  check(live: Y.Doc, message: Uint8Array, writer: () => Writer | null): void {
    const update = updateIn(message);
    if (!update) return;
    const refuse = (why: string) => Object.assign(new Error(`comment change refused: ${why}`), { code: REFUSED_CODE, reason: `comment change refused: ${why}` });
    const who = writer();
    if (!who) throw refuse("unknown sender");
    const copy = copyOf(this.ahead.get(live) ?? live);
    const pendingBefore = hasPending(copy);
    const before = read(copy);
    try {
      Y.applyUpdate(copy, update);
    } catch {
      throw refuse("a malformed update");
    }
    if (!pendingBefore && hasPending(copy)) throw refuse("an update that depends on changes the server has not seen");
    const why = judge(before, read(copy), who);
    if (why) throw refuse(why);
    this.ahead.set(live, copy);
    if (!this.clearing) {
      this.clearing = true;
      setImmediate(() => {
        this.ahead.clear();
        this.clearing = false;
      });
    }
  }
}
