// The collaboration server's write path: a client's update is in SQLite
// before the live document, and so anyone else, has it; one that cannot be
// stored is neither applied, relayed nor answered "saved".
//
// Hocuspocus applies an update, relays it (from the document's `update`
// event) and answers SyncStatus(true) in one step. An observer that throws
// inside that event stops none of it: lib0's callAll runs every other
// observer, Hocuspocus's relay included, and only then rethrows, and the
// change stays in the in-memory document. So the update is written here,
// from beforeHandleMessage, ahead of the apply: appended, then applied by
// us, in one synchronous step, so no compaction falls between the two and
// the log always holds what the document holds. Hocuspocus's own apply
// that follows finds nothing new: it relays nothing twice and answers
// "saved", now truthfully.
//
// A refusal is thrown, which makes Hocuspocus skip the apply and the
// answer. For a failed write we also close the socket: the provider then
// reconnects and sync sends the change again (the writer's tab keeps it,
// and IndexedDB too), until the server can store it.
import * as decoding from "lib0/decoding";
import * as Y from "yjs";
import { beforeDeletingName, deletesAhead, DeletionGuard, newlyDeleted, type DeleteRanges } from "./deletions.ts";
import { Report } from "./log.ts";
import type { NotebookStore, VersionRow } from "./store.ts";

interface Refusal {
  code: number;
  reason: string;
}

const MALFORMED: Refusal = { code: 4400, reason: "malformed update" };
const TOO_LARGE: Refusal = { code: 4413, reason: "document too large" };
const NOT_SAVED: Refusal = { code: 4507, reason: "not saved: the server cannot store changes now" };

/** What the server knows of a loaded document's stored form. */
export interface Tracked {
  lastSeq: number;
  bytes: number;
}

/** The part of a Hocuspocus connection the write path uses. */
export interface Writer {
  readOnly: boolean;
  webSocket: unknown;
}

/** The Yjs update a raw message carries (sync step 2 or update, as Sync or
 * SyncReply), null for any other message, MALFORMED if it cannot be read. */
export function contentOf(message: Uint8Array): Uint8Array | null | Refusal {
  const d = decoding.createDecoder(message);
  try {
    decoding.readVarString(d);
    const type = decoding.readVarUint(d);
    if (type !== 0 && type !== 4) return null;
    const sub = decoding.readVarUint(d);
    if (sub !== 1 && sub !== 2) return null;
    return decoding.readVarUint8Array(d);
  } catch {
    return MALFORMED;
  }
}

export interface WritePathOptions {
  maxDocumentBytes: number;
  /** Where a failing store is reported, once until it works again. */
  log?: (message: string) => void;
  now?: () => number;
  newId: () => string;
}

export class WritePath {
  private readonly report: Report;
  /** True while an update stored here is being applied: the document's
   * update observers see it, and must not log it again. */
  writing = false;
  private readonly refused = new WeakSet<object>();
  private readonly guards = new Map<string, DeletionGuard>();

  constructor(
    private readonly store: NotebookStore,
    private readonly opts: WritePathOptions,
  ) {
    this.report = new Report(
      (why) => `pcplab: cannot store changes (${why}); refusing edits until it can, still serving reads`,
      "pcplab: storing changes again",
      opts.log,
    );
  }

  /**
   * Stores, then applies, the update a writer's message carries. Throws a
   * refusal when it is malformed, too large or cannot be stored; the
   * document is then unchanged. `notebookId` is set for a notebook's own
   * document (not its comments): a large deletion there is preceded by a
   * version holding what it deletes.
   */
  accept(name: string, notebookId: string | null, doc: Y.Doc, t: Tracked, connection: Writer, message: Uint8Array): void {
    const update = contentOf(message);
    if (update === null || connection.readOnly) return;
    if (!(update instanceof Uint8Array)) throw this.refuse(connection, MALFORMED);
    if (this.refused.has(connection)) throw this.refuse(connection, NOT_SAVED);
    let ds: DeleteRanges;
    let added: number;
    try {
      // Reads the whole update, delete set included, which applying it
      // reads only after integrating its insertions: bytes that fail here
      // would otherwise be half applied, relayed and logged.
      const decoded = Y.decodeUpdate(update);
      ds = decoded.ds.clients as DeleteRanges;
      added = newUnits(doc, decoded.structs);
    } catch {
      throw this.refuse(connection, MALFORMED);
    }
    const deleting = ds.size > 0 ? newlyDeleted(doc, ds) : 0;
    // A reconnecting client's sync sends what the server already has: with
    // nothing new in it, there is nothing to store, and a full disk must
    // not keep it from syncing.
    if (added === 0 && deleting === 0 && !deletesAhead(doc, ds)) return;
    if (t.bytes + update.length > this.opts.maxDocumentBytes) throw Object.assign(new Error(TOO_LARGE.reason), TOO_LARGE);

    const now = this.opts.now?.() ?? Date.now();
    const guard = notebookId ? this.guard(name) : null;
    const before: (VersionRow & { state: Uint8Array }) | null =
      notebookId && guard!.due(doc, deleting, added, now)
        ? { id: this.opts.newId(), notebookId, name: beforeDeletingName(doc, ds), createdAt: now, state: Y.encodeStateAsUpdate(doc) }
        : null;
    try {
      this.write(name, doc, t, update, before, connection);
    } catch (e) {
      if (e === MALFORMED) throw this.refuse(connection, MALFORMED);
      throw this.refuse(connection, NOT_SAVED, true);
    }
    if (before) guard!.taken(now);
    // Hocuspocus now applies the same bytes, which would find nothing new
    // but cost as much Yjs work as our apply did (as much again, 110-230 µs
    // per keystroke in a 100-cell notebook on this VM). The update is a
    // view into the message it reads: with no structs and no deletes
    // first, Yjs reads an empty update and ignores the rest. Were the
    // message copied, its apply would only be slower, never different.
    update[0] = 0;
    update[1] = 0;
  }

  /** Logs `update` (with `before`, a version to keep first), then applies it
   * to `doc`. Throws, leaving the document as it was, if it cannot be stored;
   * throws MALFORMED if Yjs cannot apply it. */
  write(name: string, doc: Y.Doc, t: Tracked, update: Uint8Array, before: (VersionRow & { state: Uint8Array }) | null = null, origin: unknown = null): void {
    let seq: number;
    try {
      if (!this.store.reserve(update.length + (before?.state.length ?? 0))) {
        throw new Error(`the database has reached PCPLAB_MAX_DATABASE_BYTES (${this.store.maxDatabaseBytes} bytes)`);
      }
      seq = this.store.appendUpdate(name, update, before ?? undefined);
    } catch (e) {
      this.report.failed(e);
      throw e;
    }
    this.report.ok();
    t.lastSeq = seq;
    t.bytes += update.length;
    this.apply(doc, update, seq, origin);
  }

  /** Applies a stored update; if Yjs throws part way, the log keeps what it did apply, no more. */
  private apply(doc: Y.Doc, update: Uint8Array, seq: number, origin: unknown): void {
    const applied: Uint8Array[] = [];
    const collect = (u: Uint8Array) => applied.push(u);
    doc.on("update", collect);
    this.writing = true;
    try {
      // The connection as origin, as Hocuspocus's own apply would give it:
      // its onChange and store hooks see who made the change.
      Y.applyUpdate(doc, update, origin);
    } catch {
      try {
        this.store.replaceUpdate(seq, applied.length ? Y.mergeUpdates(applied) : null);
      } catch (e) {
        this.report.failed(e);
      }
      throw MALFORMED;
    } finally {
      this.writing = false;
      doc.off("update", collect);
    }
  }

  /** Forgets a document's deletion count (it was unloaded). */
  forget(name: string): void {
    this.guards.delete(name);
  }

  private guard(name: string): DeletionGuard {
    let g = this.guards.get(name);
    if (!g) this.guards.set(name, (g = new DeletionGuard()));
    return g;
  }

  /** The error Hocuspocus closes the connection with; `reconnect` closes the socket too, so the provider retries. */
  private refuse(connection: Writer, r: Refusal, reconnect = r === MALFORMED): Error {
    if (reconnect || this.refused.has(connection)) {
      this.refused.add(connection);
      (connection.webSocket as { close(code: number, reason: string): void }).close(r.code, r.reason);
    }
    return Object.assign(new Error(r.reason), r);
  }
}

/** Clock units of the update's structs that `doc` does not hold yet. */
function newUnits(doc: Y.Doc, structs: { id: { client: number; clock: number }; length: number }[]): number {
  let n = 0;
  for (const s of structs) {
    const known = Y.getState(doc.store, s.id.client);
    n += Math.max(0, s.id.clock + s.length - Math.max(known, s.id.clock));
  }
  return n;
}
