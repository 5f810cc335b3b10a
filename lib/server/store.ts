// Notebooks on disk: one embedded SQLite file (WAL), one row per notebook
// holding its Yjs state. Created on first use under DATA_DIR (default data/).
//
// Durability: every update the collaboration server accepts is appended to
// `updates` before anyone else sees it (one INSERT, WAL, so a killed
// process loses nothing it had written); the row's `state` is a snapshot
// that periodically absorbs the log. A document is its snapshot plus its
// log. Share links live in `shares`, as SHA-256 hashes of their tokens.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { checkpointInBackground } from "./checkpointer.ts";

export interface NotebookRow {
  id: string;
  title: string;
  updatedAt: number;
}

export type Role = "owner" | "editor" | "commenter" | "viewer";

export interface ShareRow {
  id: string;
  notebookId: string;
  tokenHash: string;
  role: Role;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

const SHARE_COLUMNS =
  "id, notebook_id AS notebookId, token_hash AS tokenHash, role, created_at AS createdAt, expires_at AS expiresAt, revoked_at AS revokedAt";

export interface VersionRow {
  id: string;
  notebookId: string;
  name: string | null;
  createdAt: number;
}

/** A notebook's other shared documents, named `<id>/<sub>`. */
export const SUBDOCS = ["comments"] as const;

// After a checkpoint has emptied the WAL, the next writer cuts the file back
// to this size; SQLite's default (-1) keeps it at its largest ever.
export const JOURNAL_SIZE_LIMIT = 16 * 1024 * 1024;

const DEFAULT_MAX_DATABASE_BYTES = 1024 * 1024 * 1024;

// reserve(): how much may be logged between two looks at the file's size,
// and what a logged row costs beyond its data (rowid, name, index entry),
// rounded up.
const LOG_HEADROOM = 256 * 1024;
const ROW_OVERHEAD = 64;

// The bound is a check made before a write (hasRoomFor): by the API, and
// by the collaboration server before it logs an update (writes.ts). It is
// not SQLite's max_page_count, so compaction, which frees the log it folds
// in, can still run at the bound.
export interface StoreOptions {
  maxDatabaseBytes?: number;
}

/** Whether an error is SQLite refusing a write for want of space. */
export function isStoreFull(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === "SQLITE_FULL";
}

export class NotebookStore {
  private readonly db: Database.Database;
  private readonly stopCheckpoints: () => void;
  readonly maxDatabaseBytes: number;

  constructor(dir: string, opts: StoreOptions = {}) {
    mkdirSync(dir, { recursive: true });
    this.db = new Database(join(dir, "pcplab.sqlite"));
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
    this.maxDatabaseBytes = opts.maxDatabaseBytes ?? DEFAULT_MAX_DATABASE_BYTES;
    this.db.exec(`CREATE TABLE IF NOT EXISTS notebooks (
      id TEXT PRIMARY KEY,
      title TEXT NOT NULL DEFAULT '',
      state BLOB,
      updated_at INTEGER NOT NULL
    )`);
    this.db.exec(`CREATE TABLE IF NOT EXISTS updates (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      doc TEXT NOT NULL,
      data BLOB NOT NULL
    );
    CREATE INDEX IF NOT EXISTS updates_doc ON updates (doc, seq);
    CREATE TABLE IF NOT EXISTS docs (
      name TEXT PRIMARY KEY,
      state BLOB NOT NULL
    );
    CREATE TABLE IF NOT EXISTS shares (
      id TEXT PRIMARY KEY,
      notebook_id TEXT NOT NULL,
      token_hash TEXT NOT NULL UNIQUE,
      role TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER,
      revoked_at INTEGER
    );
    CREATE INDEX IF NOT EXISTS shares_notebook ON shares (notebook_id);
    CREATE TABLE IF NOT EXISTS versions (
      id TEXT PRIMARY KEY,
      notebook_id TEXT NOT NULL,
      name TEXT,
      created_at INTEGER NOT NULL,
      state BLOB NOT NULL
    );
    CREATE INDEX IF NOT EXISTS versions_notebook ON versions (notebook_id, created_at);`);
    this.stopCheckpoints = checkpointInBackground(this.db);
  }

  /** Bytes the database's pages hold, free pages left out. */
  bytesUsed(): number {
    // Asked before every live edit is logged: statements prepared once, and
    // the page size, fixed once the file exists, read once.
    this.pageCount ??= this.db.prepare("PRAGMA page_count").pluck();
    this.freelistCount ??= this.db.prepare("PRAGMA freelist_count").pluck();
    this.pageSize ??= this.db.pragma("page_size", { simple: true }) as number;
    return ((this.pageCount.get() as number) - (this.freelistCount.get() as number)) * this.pageSize;
  }

  /** Whether `bytes` more (logged as one row) still fit under the bound.
   * For the write path: it asks SQLite at most once per LOG_HEADROOM of
   * writes, as asking costs about a sixth of an append; between asks it
   * counts, with a row's overhead, and so may pass the bound by at most
   * about that much. */
  reserve(bytes: number): boolean {
    const cost = bytes + ROW_OVERHEAD;
    if (cost <= this.headroom) {
      this.headroom -= cost;
      return true;
    }
    const free = this.maxDatabaseBytes - this.bytesUsed();
    this.headroom = Math.max(0, Math.min(free - cost, LOG_HEADROOM));
    return cost <= free;
  }

  private headroom = 0;
  private pageCount?: Database.Statement;
  private freelistCount?: Database.Statement;
  private pageSize?: number;

  /** Whether `bytes` more still fit under the bound. */
  hasRoomFor(bytes: number): boolean {
    return this.bytesUsed() + bytes <= this.maxDatabaseBytes;
  }

  /** A pragma's value as this connection sees it, for checks and tests. */
  pragma(name: "journal_size_limit" | "journal_mode"): unknown {
    return this.db.pragma(name, { simple: true });
  }

  create(id: string, title: string, state: Uint8Array | null = null, now = Date.now()): void {
    this.db
      .prepare("INSERT INTO notebooks (id, title, state, updated_at) VALUES (?, ?, ?, ?)")
      .run(id, title, state ? Buffer.from(state) : null, now);
  }

  get(id: string): NotebookRow | null {
    const row = this.db.prepare("SELECT id, title, updated_at AS updatedAt FROM notebooks WHERE id = ?").get(id);
    return (row as NotebookRow | undefined) ?? null;
  }

  exists(id: string): boolean {
    return this.db.prepare("SELECT 1 FROM notebooks WHERE id = ?").get(id) !== undefined;
  }

  rename(id: string, title: string, now = Date.now()): void {
    this.db.prepare("UPDATE notebooks SET title = ?, updated_at = ? WHERE id = ?").run(title, now, id);
  }

  delete(id: string): void {
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM notebooks WHERE id = ?").run(id);
      this.db.prepare("DELETE FROM shares WHERE notebook_id = ?").run(id);
      this.db.prepare("DELETE FROM versions WHERE notebook_id = ?").run(id);
      for (const doc of [id, ...SUBDOCS.map((s) => `${id}/${s}`)]) {
        this.db.prepare("DELETE FROM updates WHERE doc = ?").run(doc);
        this.db.prepare("DELETE FROM docs WHERE name = ?").run(doc);
      }
    })();
  }

  /** The notebook's Yjs state (an update that recreates it), or null:
   * its snapshot, without the log (see loadDoc()). */
  load(id: string): Uint8Array | null {
    const row = this.db.prepare("SELECT state FROM notebooks WHERE id = ?").get(id) as { state: Buffer | null } | undefined;
    return row?.state ? new Uint8Array(row.state) : null;
  }

  save(id: string, state: Uint8Array, title: string, now = Date.now()): void {
    this.db
      .prepare(
        `INSERT INTO notebooks (id, title, state, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET state = excluded.state, title = excluded.title, updated_at = excluded.updated_at`,
      )
      .run(id, title, Buffer.from(state), now);
  }

  // ---- shared documents: snapshot + update log ---------------------------------

  /** A shared document as Yjs updates to apply in order (its snapshot,
   * then the updates logged since), and the last logged sequence number. */
  loadDoc(name: string): { parts: Uint8Array[]; lastSeq: number } {
    const snapshot = name.includes("/") ? this.docSnapshot(name) : this.load(name);
    const rows = this.db.prepare("SELECT seq, data FROM updates WHERE doc = ? ORDER BY seq").all(name) as { seq: number; data: Buffer }[];
    const updates = rows.map((r) => new Uint8Array(r.data));
    return { parts: snapshot ? [snapshot, ...updates] : updates, lastSeq: rows.at(-1)?.seq ?? 0 };
  }

  private docSnapshot(name: string): Uint8Array | null {
    const row = this.db.prepare("SELECT state FROM docs WHERE name = ?").get(name) as { state: Buffer } | undefined;
    return row ? new Uint8Array(row.state) : null;
  }

  /** Appends one accepted update; returns its sequence number. A version
   * given too (the state before the update) is stored with it or not at all. */
  appendUpdate(name: string, update: Uint8Array, before?: VersionRow & { state: Uint8Array }): number {
    const append = () => Number(this.db.prepare("INSERT INTO updates (doc, data) VALUES (?, ?)").run(name, Buffer.from(update)).lastInsertRowid);
    if (!before) return append();
    return this.db.transaction(() => {
      this.addVersion(before);
      return append();
    })();
  }

  /** Replaces a logged update with what of it was applied, or drops it (null). */
  replaceUpdate(seq: number, update: Uint8Array | null): void {
    if (update) this.db.prepare("UPDATE updates SET data = ? WHERE seq = ?").run(Buffer.from(update), seq);
    else this.db.prepare("DELETE FROM updates WHERE seq = ?").run(seq);
  }

  /** Replaces a document's snapshot with `state`, which includes every
   * logged update up to `upToSeq`, and drops those from the log. */
  compactDoc(name: string, state: Uint8Array, upToSeq: number, title?: string): void {
    this.db.transaction(() => {
      if (name.includes("/")) {
        this.db.prepare("INSERT INTO docs (name, state) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET state = excluded.state").run(name, Buffer.from(state));
      } else {
        this.save(name, state, title ?? this.get(name)?.title ?? "");
      }
      this.db.prepare("DELETE FROM updates WHERE doc = ? AND seq <= ?").run(name, upToSeq);
    })();
  }

  // ---- history ---------------------------------------------------------------------

  /** A version: a named one, or an automatic checkpoint (name null). */
  addVersion(v: VersionRow & { state: Uint8Array }): void {
    this.db
      .prepare("INSERT INTO versions (id, notebook_id, name, created_at, state) VALUES (?, ?, ?, ?, ?)")
      .run(v.id, v.notebookId, v.name, v.createdAt, Buffer.from(v.state));
  }

  versions(notebookId: string): VersionRow[] {
    return this.db
      .prepare("SELECT id, notebook_id AS notebookId, name, created_at AS createdAt FROM versions WHERE notebook_id = ? ORDER BY created_at DESC, rowid DESC")
      .all(notebookId) as VersionRow[];
  }

  version(notebookId: string, id: string): (VersionRow & { state: Uint8Array }) | null {
    const row = this.db
      .prepare("SELECT id, notebook_id AS notebookId, name, created_at AS createdAt, state FROM versions WHERE notebook_id = ? AND id = ?")
      .get(notebookId, id) as (VersionRow & { state: Buffer }) | undefined;
    return row ? { ...row, state: new Uint8Array(row.state) } : null;
  }

  latestVersionAt(notebookId: string): number {
    const row = this.db.prepare("SELECT MAX(created_at) AS at FROM versions WHERE notebook_id = ?").get(notebookId) as { at: number | null };
    return row.at ?? 0;
  }

  // ---- share links ----------------------------------------------------------------

  addShare(share: ShareRow): void {
    this.db
      .prepare("INSERT INTO shares (id, notebook_id, token_hash, role, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, NULL)")
      .run(share.id, share.notebookId, share.tokenHash, share.role, share.createdAt, share.expiresAt);
  }

  shareByHash(tokenHash: string): ShareRow | null {
    const row = this.db.prepare(`SELECT ${SHARE_COLUMNS} FROM shares WHERE token_hash = ?`).get(tokenHash);
    return (row as ShareRow | undefined) ?? null;
  }

  shareById(id: string): ShareRow | null {
    const row = this.db.prepare(`SELECT ${SHARE_COLUMNS} FROM shares WHERE id = ?`).get(id);
    return (row as ShareRow | undefined) ?? null;
  }

  shares(notebookId: string): ShareRow[] {
    return this.db.prepare(`SELECT ${SHARE_COLUMNS} FROM shares WHERE notebook_id = ? ORDER BY created_at, id`).all(notebookId) as ShareRow[];
  }

  revokeShare(notebookId: string, shareId: string, now = Date.now()): boolean {
    return this.db.prepare("UPDATE shares SET revoked_at = ? WHERE id = ? AND notebook_id = ? AND revoked_at IS NULL").run(now, shareId, notebookId).changes > 0;
  }

  close(): void {
    this.stopCheckpoints();
    this.db.close();
  }
}
