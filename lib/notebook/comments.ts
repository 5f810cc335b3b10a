// A notebook's comments: their own shared document (`<id>/comments`), so
// commenters may write here while the notebook stays read-only to them.
// The schema lives here and only here:
//
//   doc.getMap("threads")  thread id -> Y.Map {
//       cell: string (the cell it is anchored to),
//       resolved: boolean,
//       resolvedBy?: { by: author id, author: name }  (who last resolved or reopened it)
//       comments: Y.Array<Entry>, append-only:
//         a comment   { id, by: author id, author: name, text, at }
//         a revision  { edits: key of a comment above, by, author, at, text }
//                  or { edits, by, author, at, deleted: true }
//       A comment's key is its id; a comment from before ids and author ids
//       ({ author, text, at }) is keyed `#<its index>`, stable because
//       nothing new may go before it.
//   }
//
// Entries are never changed or removed: an edit or a deletion is a revision
// appended after the comment it targets, so concurrent edits merge without
// conflict and every change stays on record. The author id is derived from
// the link the writer holds (authorId); the server refuses any update that
// rewrites or removes an entry, signs an entry with someone else's id, or
// revises a comment whose author it is not, unless it comes from an editor
// or owner (comment-guard.ts). A revision by someone other than the
// comment's author is moderation, and the view says so. Comments from
// before author ids (no `by`) stay readable; only editors and owners may
// revise them.
//
// Entries a hostile client wrote that do not fit are skipped when read.
import * as Y from "yjs";
import { digest } from "lib0/hash/sha256";

/** A comment as shown: its entry with its revisions applied. */
export interface Comment {
  /** What revisions point at: its id, or `#<index>` for a comment from before ids. */
  key: string;
  /** Author id, or null for comments written before author ids. */
  by: string | null;
  author: string;
  /** The current text; empty once deleted. */
  text: string;
  at: number;
  edited: boolean;
  deleted: boolean;
  /** The name of the editor or owner whose change (edit or deletion) it shows, if not its author's. */
  moderatedBy: string | null;
}

export interface Thread {
  id: string;
  cell: string;
  resolved: boolean;
  /** Who last resolved or reopened it, by name. */
  resolvedBy: string | null;
  comments: Comment[];
}

/** A raw entry of a thread's array, as the server checks it. */
type Entry =
  | { kind: "comment"; id: string | null; by: string | null; author: string; text: string; at: number }
  | { kind: "revision"; edits: string; by: string; author: string; at: number; text: string; deleted: boolean };

const MAX_TEXT = 10_000;
const MAX_AUTHOR = 60;
const AUTHOR_ID = /^[A-Za-z0-9_-]{22}$/;
const KEY = /^(?:[0-9a-f]{16}|#[0-9]{1,9})$/;

function newId(): string {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/**
 * The author id of a link, from the SHA-256 of its token (hex), which is
 * what the server stores. One way, domain-separated, and 128 bits: it
 * names the link to everyone on the notebook without revealing the token,
 * its stored hash or the link's id (which the owner uses to revoke it).
 */
export function authorIdFromTokenHash(tokenHash: string): string {
  return base64url(digest(new TextEncoder().encode(`pcplab comment author\n${tokenHash}`)).slice(0, 16));
}

/** The author id of the link `token` (what the page computes for itself). */
export function authorId(token: string): string {
  return authorIdFromTokenHash(hex(digest(new TextEncoder().encode(token))));
}

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown, max: number) => typeof v === "string" && v.length <= max;

/** An entry as written, or null if it fits neither shape. Strict: the server refuses new entries that do not parse. */
export function parseEntry(v: unknown): Entry | null {
  if (!isPlain(v) || !str(v["author"], MAX_AUTHOR) || typeof v["at"] !== "number" || !Number.isFinite(v["at"])) return null;
  const author = v["author"] as string;
  const at = v["at"] as number;
  const by = v["by"];
  if (by !== undefined && !(typeof by === "string" && AUTHOR_ID.test(by))) return null;
  if (v["edits"] === undefined) {
    const id = v["id"];
    if (!str(v["text"], MAX_TEXT)) return null;
    // Signed comments have ids; a comment without either is from before them.
    if (by === undefined ? id !== undefined : !(typeof id === "string" && KEY.test(id) && !id.startsWith("#"))) return null;
    return { kind: "comment", id: (id as string | undefined) ?? null, by: (by as string | undefined) ?? null, author, text: v["text"] as string, at };
  }
  const edits = v["edits"];
  if (typeof by !== "string" || typeof edits !== "string" || !KEY.test(edits)) return null;
  if (v["deleted"] === true) return { kind: "revision", edits, by, author, at, text: "", deleted: true };
  if (v["deleted"] !== undefined || !str(v["text"], MAX_TEXT)) return null;
  return { kind: "revision", edits, by, author, at, text: v["text"] as string, deleted: false };
}

/** A comment's key: its id, or its position if it has none. */
const keyOf = (e: { id: string | null }, index: number) => e.id ?? `#${index}`;

/** The comment keyed `key` above `position`, which a revision there may target. */
export function revisable(entries: readonly (Entry | null)[], key: string, position: number): Entry | null {
  for (let i = 0; i < position; i++) {
    const e = entries[i];
    if (e?.kind === "comment" && keyOf(e, i) === key) return e;
  }
  return null;
}

/** Whether the holder of author id `me` may edit or delete `comment`: its author, or any editor or owner. */
export function mayRevise(comment: { by: string | null }, me: string, moderator: boolean): boolean {
  return moderator || (comment.by !== null && comment.by === me);
}

/** The comments a thread's entries show: revisions applied in order; a deletion is final. */
export function fold(entries: readonly (Entry | null)[]): Comment[] {
  const out: Comment[] = [];
  const byKey = new Map<string, Comment>();
  entries.forEach((e, index) => {
    if (!e) return;
    if (e.kind === "comment") {
      const key = keyOf(e, index);
      if (byKey.has(key)) return;
      const c: Comment = { key, by: e.by, author: e.author, text: e.text, at: e.at, edited: false, deleted: false, moderatedBy: null };
      out.push(c);
      byKey.set(key, c);
      return;
    }
    const c = byKey.get(e.edits);
    if (!c || c.deleted) return;
    if (e.deleted) {
      c.deleted = true;
      c.text = "";
    } else {
      c.edited = true;
      c.text = e.text;
    }
    c.moderatedBy = e.by === c.by ? null : e.author;
  });
  return out;
}

/** A thread's raw entries (JSON), or null if `m` is not a readable thread. */
function threadEntries(m: unknown): unknown[] | null {
  if (!(m instanceof Y.Map)) return null;
  const list = m.get("comments");
  if (typeof m.get("cell") !== "string" || !(list instanceof Y.Array)) return null;
  return list.toJSON();
}

/** Who last resolved or reopened a thread, if recorded. */
export function resolvedBy(m: Y.Map<unknown>): { by: string; author: string } | null {
  const r = m.get("resolvedBy");
  return isPlain(r) && typeof r["by"] === "string" && str(r["author"], MAX_AUTHOR) ? { by: r["by"], author: r["author"] as string } : null;
}

export class Comments {
  readonly doc: Y.Doc;
  private readonly threads: Y.Map<Y.Map<unknown>>;

  /**
   * `by` is the author id of the link the document is open through
   * (authorId(token)); what this writes is signed with it. Null only for
   * the server's own connections, which no guard checks. `moderator`: the
   * link is an editor's or owner's.
   */
  constructor(
    doc: Y.Doc = new Y.Doc(),
    readonly by: string | null = null,
    readonly moderator = false,
  ) {
    this.doc = doc;
    this.threads = doc.getMap("threads");
  }

  /** Threads anchored to `cell` that still hold a comment not deleted, oldest first. */
  forCell(cell: string): Thread[] {
    return this.all().filter((t) => t.cell === cell && t.comments.some((c) => !c.deleted));
  }

  /** Every readable thread, deleted comments included (empty, marked). */
  all(): Thread[] {
    const out: Thread[] = [];
    this.threads.forEach((m, id) => {
      const raw = threadEntries(m);
      if (!raw) return;
      const comments = fold(raw.map(parseEntry));
      if (comments.length === 0) return;
      out.push({ id, cell: m.get("cell") as string, resolved: m.get("resolved") === true, resolvedBy: resolvedBy(m)?.author ?? null, comments });
    });
    return out.sort((a, b) => a.comments[0]!.at - b.comments[0]!.at || a.id.localeCompare(b.id));
  }

  /** Whether this link may edit or delete `comment`, as the server will check. */
  mayRevise(comment: Comment): boolean {
    return this.by !== null && !comment.deleted && mayRevise(comment, this.by, this.moderator);
  }

  /** Starts a thread on `cell`; returns its id. */
  start(cell: string, author: string, text: string, at = Date.now()): string {
    const id = newId();
    this.doc.transact(() => {
      const m = new Y.Map<unknown>();
      const list = new Y.Array<unknown>();
      list.push([this.signed({ id: newId(), author: author.slice(0, MAX_AUTHOR), text: text.slice(0, MAX_TEXT), at })]);
      m.set("cell", cell);
      m.set("resolved", false);
      m.set("comments", list);
      this.threads.set(id, m);
    });
    return id;
  }

  reply(thread: string, author: string, text: string, at = Date.now()): void {
    this.append(thread, this.signed({ id: newId(), author: author.slice(0, MAX_AUTHOR), text: text.slice(0, MAX_TEXT), at }));
  }

  /** Replaces the text of comment `key` (the page offers it only where mayRevise; the server checks). */
  edit(thread: string, key: string, author: string, text: string, at = Date.now()): void {
    this.append(thread, this.signed({ edits: key, author: author.slice(0, MAX_AUTHOR), text: text.slice(0, MAX_TEXT), at }));
  }

  /** Deletes comment `key`: its text leaves the view, the record that it was there stays. */
  remove(thread: string, key: string, author: string, at = Date.now()): void {
    this.append(thread, this.signed({ edits: key, author: author.slice(0, MAX_AUTHOR), at, deleted: true }));
  }

  /** Resolves or reopens a thread: anyone who may comment may, and it records who did. */
  setResolved(thread: string, resolved: boolean, author = ""): void {
    const m = this.threads.get(thread);
    if (!(m instanceof Y.Map)) return;
    this.doc.transact(() => {
      m.set("resolved", resolved);
      if (this.by !== null) m.set("resolvedBy", { by: this.by, author: author.slice(0, MAX_AUTHOR) });
    });
  }

  /** Unsigned (the server's own connections) a comment is written as from before ids. */
  private signed(entry: Record<string, unknown>): Record<string, unknown> {
    if (this.by !== null) return { by: this.by, ...entry };
    const { id: _, ...rest } = entry;
    return rest;
  }

  private append(thread: string, entry: Record<string, unknown>): void {
    const list = this.threads.get(thread)?.get("comments");
    if (list instanceof Y.Array) list.push([entry]);
  }

  onChange(f: () => void): () => void {
    const handler = () => f();
    this.threads.observeDeep(handler);
    return () => this.threads.unobserveDeep(handler);
  }
}
