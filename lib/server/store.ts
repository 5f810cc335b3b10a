// Notebooks on disk: one embedded SQLite file (WAL), one row per notebook
// holding its Yjs state. Created on first use under DATA_DIR (default data/).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";

export interface NotebookRow {
  id: string;
  title: string;
  updatedAt: number;
}

export class NotebookStore {
  private readonly db: Database.Database;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.db = new Database(join(dir, "pcplab.sqlite"));
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.exec(`CREATE TABLE IF NOT EXISTS notebooks (
      id TEXT PRIMARY KEY,
      title TEXT NOT NULL DEFAULT '',
      state BLOB,
      updated_at INTEGER NOT NULL
    )`);
  }

  list(): NotebookRow[] {
    return this.db
      .prepare("SELECT id, title, updated_at AS updatedAt FROM notebooks ORDER BY updated_at DESC, id")
      .all() as NotebookRow[];
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
    this.db.prepare("DELETE FROM notebooks WHERE id = ?").run(id);
  }

  /** The notebook's Yjs state (an update that recreates it), or null. */
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

  close(): void {
    this.db.close();
  }
}
