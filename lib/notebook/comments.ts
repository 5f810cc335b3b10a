// A notebook's comments: their own shared document (`<id>/comments`), so
// commenters may write here while the notebook stays read-only to them.
// The schema lives here and only here:
//
//   doc.getMap("threads")  thread id -> Y.Map {
//       cell: string (the cell it is anchored to),
//       resolved: boolean,
//       comments: Y.Array<{ author: string, text: string, at: number }>
//   }
//
// Entries a hostile client wrote that do not fit are skipped when read.
import * as Y from "yjs";

export interface Comment {
  author: string;
  text: string;
  at: number;
}

export interface Thread {
  id: string;
  cell: string;
  resolved: boolean;
  comments: Comment[];
}

const MAX_TEXT = 10_000;
const MAX_AUTHOR = 60;

function newId(): string {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function comment(v: unknown): Comment | null {
  const c = v as Partial<Comment> | null;
  if (!c || typeof c !== "object" || typeof c.author !== "string" || typeof c.text !== "string" || typeof c.at !== "number") return null;
  return { author: c.author.slice(0, MAX_AUTHOR), text: c.text.slice(0, MAX_TEXT), at: c.at };
}

export class Comments {
  readonly doc: Y.Doc;
  private readonly threads: Y.Map<Y.Map<unknown>>;

  constructor(doc: Y.Doc = new Y.Doc()) {
    this.doc = doc;
    this.threads = doc.getMap("threads");
  }

  /** Threads anchored to `cell`, oldest first. */
  forCell(cell: string): Thread[] {
    return this.all().filter((t) => t.cell === cell);
  }

  all(): Thread[] {
    const out: Thread[] = [];
    this.threads.forEach((m, id) => {
      if (!(m instanceof Y.Map)) return;
      const cell = m.get("cell");
      const list = m.get("comments");
      if (typeof cell !== "string" || !(list instanceof Y.Array)) return;
      const comments = list.toArray().map(comment).filter((c): c is Comment => c !== null);
      if (comments.length === 0) return;
      out.push({ id, cell, resolved: m.get("resolved") === true, comments });
    });
    return out.sort((a, b) => a.comments[0]!.at - b.comments[0]!.at || a.id.localeCompare(b.id));
  }

  /** Starts a thread on `cell`; returns its id. */
  start(cell: string, author: string, text: string, at = Date.now()): string {
    const id = newId();
    this.doc.transact(() => {
      const m = new Y.Map<unknown>();
      const list = new Y.Array<Comment>();
      list.push([{ author: author.slice(0, MAX_AUTHOR), text: text.slice(0, MAX_TEXT), at }]);
      m.set("cell", cell);
      m.set("resolved", false);
      m.set("comments", list);
      this.threads.set(id, m);
    });
    return id;
  }

  reply(thread: string, author: string, text: string, at = Date.now()): void {
    const list = this.threads.get(thread)?.get("comments");
    if (list instanceof Y.Array) list.push([{ author: author.slice(0, MAX_AUTHOR), text: text.slice(0, MAX_TEXT), at }]);
  }

  setResolved(thread: string, resolved: boolean): void {
    this.threads.get(thread)?.set("resolved", resolved);
  }

  onChange(f: () => void): () => void {
    const handler = () => f();
    this.threads.observeDeep(handler);
    return () => this.threads.unobserveDeep(handler);
  }
}
