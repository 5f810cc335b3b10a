// What the notebook list can do, for the HTTP API: each operation keeps the
// SQLite row (title, last change) and the shared document in step. New
// notebooks are seeded here, on the server, never by a client: two clients
// seeding the same empty document would each insert the seed.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import * as Y from "yjs";
import { analyze } from "../dsl/index.ts";
import { Notebook } from "../notebook/notebook.ts";
import { beforeRestoring } from "../notebook/history.ts";
import { isStale } from "../notebook/outputs.ts";
import { shareView, type Access, type ShareView } from "./access.ts";
import type { Collab } from "./collab.ts";
import type { NotebookRow, NotebookStore, VersionRow } from "./store.ts";

export interface Example {
  name: string;
  description: string;
}

const NEW_SCENARIO = `scenario "my-scenario" {
  cpus 4
  memory 1GiB
  duration 20ms
  compare irqsave, trylock
  workload "faults" on cpus all {
    rate 100k/s
    alloc order 0 gfp GFP_HIGHUSER_MOVABLE
    free after 50us
  }
}
`;

/** A new notebook and its creator's owner token. */
export interface Created extends NotebookRow {
  token: string;
}

export class Notebooks {
  constructor(
    private readonly store: NotebookStore,
    private readonly collab: Collab,
    readonly access: Access,
    private readonly scenariosDir: string,
  ) {}

  get(id: string): NotebookRow | null {
    return this.store.get(id);
  }

  create(title: string): Created {
    return this.seed(title, (nb) => nb.insertCell("scenario", 0, NEW_SCENARIO));
  }

  /** The shipped scenarios/*.scn, each with its description. */
  examples(): Example[] {
    let files: string[];
    try {
      files = readdirSync(this.scenariosDir).filter((f) => f.endsWith(".scn")).sort();
    } catch {
      return [];
    }
    return files.map((f) => {
      const name = f.slice(0, -4);
      return { name, description: analyze(this.exampleSource(name)!).scenario?.description ?? "" };
    });
  }

  createFromExample(name: string): Created | null {
    const source = this.exampleSource(name);
    if (source === null) return null;
    const description = analyze(source).scenario?.description ?? "";
    return this.seed(name, (nb) => {
      nb.insertCell("markdown", 0, `# ${name}\n\n${description}\n\nFrom \`scenarios/${name}.scn\`: run it, change it, then *Copy for mail*.\n`);
      nb.insertCell("scenario", 1, source);
    });
  }

  /** The notebook's share links, as its owner sees them (owner links aside). */
  shares(id: string): ShareView[] {
    return this.store.shares(id).filter((s) => s.role !== "owner").map(shareView);
  }

  revoke(id: string, shareId: string): boolean {
    const share = this.store.shareById(shareId);
    return !!share && share.role !== "owner" && this.store.revokeShare(id, shareId);
  }

  /** A named version of the notebook as it is now. */
  saveVersion(id: string, name: string): VersionRow {
    const v = { id: randomBytes(9).toString("base64url"), notebookId: id, name, createdAt: Date.now(), state: this.collab.currentState(id) };
    this.store.addVersion(v);
    return { id: v.id, notebookId: id, name, createdAt: v.createdAt };
  }

  versions(id: string): VersionRow[] {
    return this.store.versions(id);
  }

  /** A version's title and cells, to show read-only. */
  version(id: string, versionId: string): (VersionRow & { title: string; cells: { id: string; kind: string; source: string }[] }) | null {
    const v = this.store.version(id, versionId);
    if (!v) return null;
    const nb = new Notebook(new Y.Doc());
    Y.applyUpdate(nb.doc, v.state);
    return { id: v.id, notebookId: id, name: v.name, createdAt: v.createdAt, title: nb.title, cells: nb.cells().map((c) => ({ id: c.id, kind: c.kind, source: c.source })) };
  }

  /** Restores a version as a new change on top of the history, through the
   * same path as an edit, so live participants see it and every earlier
   * version stays. The state it replaces is kept first, as a version named
   * after the restore, so the restore itself can be undone from History.
   * Returns that version, or null when there is no such version. */
  async restore(id: string, versionId: string): Promise<VersionRow | null> {
    const v = this.store.version(id, versionId);
    if (!v) return null;
    const version = new Notebook(new Y.Doc());
    Y.applyUpdate(version.doc, v.state);
    const before: VersionRow = { id: randomBytes(9).toString("base64url"), notebookId: id, name: beforeRestoring(v), createdAt: Date.now() };
    await this.collab.withDocument(id, (nb) => {
      // Taken and applied in one synchronous step: no edit can fall between
      // the state kept and the change made on top of it.
      this.store.addVersion({ ...before, state: Y.encodeStateAsUpdate(nb.doc) });
      // An output run on the very source the cell gets back still describes it.
      nb.restore(version, (source, output) => !isStale(source, output));
    });
    this.store.rename(id, version.title);
    return before;
  }

  async rename(id: string, title: string): Promise<void> {
    this.store.rename(id, title);
    await this.collab.withDocument(id, (nb) => nb.setTitle(title));
  }

  delete(id: string): void {
    this.store.delete(id);
    this.collab.forget(id);
  }

  private exampleSource(name: string): string | null {
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(name)) return null;
    try {
      return readFileSync(join(this.scenariosDir, `${name}.scn`), "utf8");
    } catch {
      return null;
    }
  }

  private seed(title: string, fill: (nb: Notebook) => void): Created {
    const nb = new Notebook(new Y.Doc());
    nb.setTitle(title);
    fill(nb);
    const id = randomBytes(9).toString("base64url");
    const state = Y.encodeStateAsUpdate(nb.doc);
    this.store.create(id, title, state);
    this.store.addVersion({ id: randomBytes(9).toString("base64url"), notebookId: id, name: "created", createdAt: Date.now(), state });
    const { token } = this.access.grant(id, "owner");
    return { ...this.store.get(id)!, token };
  }
}
