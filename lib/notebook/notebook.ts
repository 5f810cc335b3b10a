// The notebook's shared document, behind an API that never hands out Yjs
// types (the editor binding's Y.Text aside, see yText()). The schema lives
// here and only here:
//
//   doc.getMap("meta")   title
//   doc.getMap("cells")  cell id -> Y.Map {
//       kind: "markdown" | "scenario",
//       order: fractional key (order.ts),
//       source: Y.Text,
//       output: CellOutput | undefined   (results, never chart specs)
//   }
//
// Cell order is the order keys sorted, ties broken by id, so concurrent
// inserts and moves converge without duplicates.
import * as Y from "yjs";
import { isOrderKey, keyBetween } from "./order.ts";

type CellKind = "markdown" | "scenario";

/** A run's output as stored: compact results, not chart specs. */
export interface CellOutput {
  engine: string;
  /** The scenario digest (docs/results.md) of the source that was run. */
  scenarioDigest: string;
  resultsDigest: string;
  /** The results JSON (docs/results.md) as a string, so Yjs stores it as one value. */
  results: string;
  ranAt: string;
}

export interface Cell {
  id: string;
  kind: CellKind;
  source: string;
  output: CellOutput | null;
}

const MAX_CELLS = 10_000;

export class Notebook {
  readonly doc: Y.Doc;
  private readonly meta: Y.Map<unknown>;
  private readonly cellMap: Y.Map<Y.Map<unknown>>;

  constructor(doc: Y.Doc = new Y.Doc()) {
    this.doc = doc;
    this.meta = doc.getMap("meta");
    this.cellMap = doc.getMap("cells");
  }

  get title(): string {
    const t = this.meta.get("title");
    return typeof t === "string" ? t : "";
  }

  setTitle(title: string): void {
    this.meta.set("title", title.slice(0, 200));
  }

  /** Cells in order. Entries a hostile or older client wrote that do not fit
   * the schema are skipped, never thrown on. */
  cells(): Cell[] {
    return this.ordered().map(({ order: _order, ...cell }) => cell);
  }

  private ordered(): (Cell & { order: string })[] {
    const out: (Cell & { order: string })[] = [];
    for (const [id, m] of this.cellMap.entries()) {
      if (!(m instanceof Y.Map)) continue;
      const kind = m.get("kind");
      const order = m.get("order");
      const source = m.get("source");
      if ((kind !== "markdown" && kind !== "scenario") || !isOrderKey(order) || !(source instanceof Y.Text)) continue;
      out.push({ id, kind, order, source: source.toString(), output: readOutput(m.get("output")) });
    }
    out.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return out;
  }

  /** A key for position `index` among the cells other than `except`. */
  private keyAt(index: number, except?: string): string {
    const keys = this.cells().filter((c) => c.id !== except).map((c) => this.cellMap.get(c.id)!.get("order") as string);
    const i = Math.max(0, Math.min(index, keys.length));
    const before = i > 0 ? keys[i - 1]! : "";
    // Equal keys (concurrent inserts) leave no room between: go past them.
    let j = i;
    while (j < keys.length && keys[j]! <= before) j++;
    const after = j < keys.length ? keys[j]! : null;
    const key = keyBetween(before, after);
    // Random trailing digits: two people inserting at the same place at the
    // same moment get different keys, so a later insert fits between them.
    const jittered = key + randomDigits(3);
    return after === null || jittered < after ? jittered : key;
  }

  insertCell(kind: CellKind, index: number, source = "", id = newId()): string {
    if (this.cellMap.size >= MAX_CELLS) throw new Error(`a notebook holds at most ${MAX_CELLS} cells`);
    this.doc.transact(() => {
      const m = new Y.Map<unknown>();
      m.set("kind", kind);
      m.set("order", this.keyAt(index));
      m.set("source", new Y.Text(source));
      this.cellMap.set(id, m);
    });
    return id;
  }

  moveCell(id: string, index: number): void {
    const m = this.cellMap.get(id);
    if (!m) return;
    m.set("order", this.keyAt(index, id));
  }

  deleteCell(id: string): void {
    this.cellMap.delete(id);
  }

  setOutput(id: string, output: CellOutput | null): void {
    const m = this.cellMap.get(id);
    if (!m) return;
    if (output === null) m.delete("output");
    else m.set("output", { ...output });
  }

  /**
   * Makes the title and the cells (kind, source, order, output) equal to
   * `version`'s, as one change on top of the current state. A cell whose id
   * is in both keeps its Y.Map and Y.Text, edited only where the text
   * differs, so comments anchored to it, permalinks to it and anyone's
   * cursor in it survive; a cell only here is deleted, one only in the
   * version comes back under its own id. A cell keeps its current output
   * when `outputFits` says it describes the restored source, else it takes
   * the version's (or none).
   */
  restore(version: Notebook, outputFits: (source: string, output: CellOutput) => boolean): void {
    const wanted = version.ordered();
    const keep = new Set(wanted.map((c) => c.id));
    this.doc.transact(() => {
      if (this.title !== version.title) this.setTitle(version.title);
      for (const id of [...this.cellMap.keys()]) if (!keep.has(id)) this.cellMap.delete(id);
      for (const c of wanted) {
        const m = this.cellMap.get(c.id);
        const source = m instanceof Y.Map ? m.get("source") : null;
        if (!(m instanceof Y.Map) || !(source instanceof Y.Text)) {
          const fresh = new Y.Map<unknown>();
          fresh.set("kind", c.kind);
          fresh.set("order", c.order);
          fresh.set("source", new Y.Text(c.source));
          if (c.output) fresh.set("output", copyOutput(c.output));
          this.cellMap.set(c.id, fresh);
          continue;
        }
        if (m.get("kind") !== c.kind) m.set("kind", c.kind);
        if (m.get("order") !== c.order) m.set("order", c.order);
        replaceText(source, c.source);
        const current = readOutput(m.get("output"));
        const output = current && outputFits(c.source, current) ? current : c.output;
        if (sameOutput(current, output)) continue;
        if (output) m.set("output", copyOutput(output));
        else m.delete("output");
      }
    });
  }

  /** Calls `f` after every change, local or remote; returns the unsubscribe. */
  onChange(f: (local: boolean) => void): () => void {
    const handler = (tr: Y.Transaction) => f(tr.local);
    this.doc.on("afterTransaction", handler);
    return () => this.doc.off("afterTransaction", handler);
  }

  get size(): number {
    return this.cells().length;
  }
}

/** The editor binding (y-monaco) needs the Y.Text itself; nothing else should. */
export function yText(nb: Notebook, id: string): Y.Text | null {
  const t = nb.doc.getMap("cells").get(id);
  const source = t instanceof Y.Map ? t.get("source") : null;
  return source instanceof Y.Text ? source : null;
}

/** Edits `text` into `next` by replacing only what lies between their common
 * prefix and suffix, so others' cursors and concurrent typing outside that
 * span stay where they are. Never splits a surrogate pair, which Yjs would
 * turn into U+FFFD. */
function replaceText(text: Y.Text, next: string): void {
  const cur = text.toString();
  if (cur === next) return;
  const max = Math.min(cur.length, next.length);
  let start = 0;
  while (start < max && cur.charCodeAt(start) === next.charCodeAt(start)) start++;
  if (start > 0 && isHighSurrogate(cur.charCodeAt(start - 1))) start--;
  let end = 0;
  while (end < max - start && cur.charCodeAt(cur.length - 1 - end) === next.charCodeAt(next.length - 1 - end)) end++;
  if (end > 0 && isLowSurrogate(cur.charCodeAt(cur.length - end))) end--;
  if (cur.length - end > start) text.delete(start, cur.length - end - start);
  if (next.length - end > start) text.insert(start, next.slice(start, next.length - end));
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

const OUTPUT_FIELDS = ["engine", "scenarioDigest", "resultsDigest", "results", "ranAt"] as const;

/** Only the schema's fields: whatever else a client stored stays behind. */
function copyOutput(o: CellOutput): CellOutput {
  return { engine: o.engine, scenarioDigest: o.scenarioDigest, resultsDigest: o.resultsDigest, results: o.results, ranAt: o.ranAt };
}

function sameOutput(a: CellOutput | null, b: CellOutput | null): boolean {
  if (!a || !b) return a === b;
  return OUTPUT_FIELDS.every((k) => a[k] === b[k]);
}

function readOutput(v: unknown): CellOutput | null {
  if (!v || typeof v !== "object") return null;
  const o = v as Record<string, unknown>;
  for (const k of OUTPUT_FIELDS) if (typeof o[k] !== "string") return null;
  return o as unknown as CellOutput;
}

/** Base-36 digits, the last never "0" (order keys never end in 0). */
function randomDigits(n: number): string {
  const bytes = new Uint8Array(n);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b, i) => (i === n - 1 ? 1 + (b % 35) : b % 36).toString(36)).join("");
}

/** 64 random bits: unique across clients without coordination. */
function newId(): string {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
