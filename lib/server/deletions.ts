// How much of a document an incoming Yjs update would delete, measured
// before it is applied, and when that deserves an automatic version.
//
// The measure is Yjs clock units: one per character of text, one per map
// entry or array element. Deleting a cell deletes its entry in `cells` and,
// with it, every character of its source, so a wipe of a notebook measures
// about its whole content whatever the edit's shape (one cell at a time or
// all at once, by a provider or a crafted client).
import * as Y from "yjs";
import { mapItems } from "./internals.ts";

/** Clock ranges an update deletes, client by client. */
export type DeleteRanges = Map<number, { clock: number; len: number }[]>;

/** Units the update's delete set removes from what `doc` holds now and still shows. */
export function newlyDeleted(doc: Y.Doc, ds: DeleteRanges): number {
  let n = 0;
  for (const [client, ranges] of ds) {
    const structs = doc.store.clients.get(client);
    if (!structs || structs.length === 0) continue;
    const known = Y.getState(doc.store, client);
    for (const { clock, len } of ranges) {
      const end = Math.min(clock + len, known);
      if (clock >= end) continue;
      for (let i = Y.findIndexSS(structs, clock); i < structs.length; i++) {
        const s = structs[i]!;
        if (s.id.clock >= end) break;
        if (s instanceof Y.Item && !s.deleted) n += Math.min(end, s.id.clock + s.length) - Math.max(clock, s.id.clock);
      }
    }
  }
  return n;
}

/** Whether the delete set names anything `doc` does not hold yet (Yjs keeps such deletes pending). */
export function deletesAhead(doc: Y.Doc, ds: DeleteRanges): boolean {
  for (const [client, ranges] of ds) {
    const known = Y.getState(doc.store, client);
    if (ranges.some((r) => r.clock + r.len > known)) return true;
  }
  return false;
}

/** Units the document shows now: characters, entries and elements not deleted. */
function liveUnits(doc: Y.Doc): number {
  let n = 0;
  for (const structs of doc.store.clients.values()) {
    for (const s of structs) if (s instanceof Y.Item && !s.deleted && s.countable) n += s.length;
  }
  return n;
}

// A deletion earns a version when, with the deletions since the last one,
// it removes a quarter of what the notebook showed then: clearing a cell
// of a small notebook or a few cells of a big one, not a typo fixed or a
// paragraph rewritten. Below 16 units (a short line) nothing is worth a
// version: that also keeps backspacing, one unit per message, from
// costing more than the check of its size.
const DELETE_FRACTION = 0.25;
const MIN_DELETE_UNITS = 16;
// A flood of deleting messages stores at most one version per 10 s, unless
// as much content as a checkpoint-worthy deletion has been added since:
// what was added can then be lost again, so it is kept.
const DELETE_CHECKPOINT_EVERY_MS = 10_000;

/** Per document: deletions since its last version, and when that was taken. */
export class DeletionGuard {
  private deleted = 0;
  private added = 0;
  private lastAt = -Infinity;

  /** Whether the state before an update deleting `units` and adding `added` must be kept first. */
  due(doc: Y.Doc, units: number, added: number, now: number): boolean {
    this.added += added;
    if (units < MIN_DELETE_UNITS) return false;
    const live = liveUnits(doc);
    const total = this.deleted + units;
    this.deleted = total;
    if (total < DELETE_FRACTION * (live + total - units)) return false;
    return now - this.lastAt >= DELETE_CHECKPOINT_EVERY_MS || this.added >= MIN_DELETE_UNITS;
  }

  /** A version was stored: counting starts again. */
  taken(now: number): void {
    this.deleted = 0;
    this.added = 0;
    this.lastAt = now;
  }
}

/** The name History shows for a version kept before `doc` lost what `ds` deletes. */
export function beforeDeletingName(doc: Y.Doc, ds: DeleteRanges): string {
  let n = 0;
  for (const item of mapItems(doc.getMap("cells"))) {
    if (item.deleted) continue;
    const ranges = ds.get(item.id.client);
    if (ranges?.some((r) => item.id.clock >= r.clock && item.id.clock < r.clock + r.len)) n++;
  }
  return n === 0 ? "before a large deletion" : n === 1 ? "before deleting a cell" : `before deleting ${n} cells`;
}
