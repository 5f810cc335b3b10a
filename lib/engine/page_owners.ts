// Who holds each allocated page, as reclaim and compaction ask (Linux 6.1).
//
// A handle per page in a pool, an LRU of the movable and reclaimable ones,
// and the PageOwners hooks through which reclaim (mm/vmscan.ts) and
// compaction (mm/compaction.ts) go from a page to its owner. Reclaim takes
// the oldest (the owner forgets them, and a free that comes later for such
// a page is dropped), and compaction moves movable ones (the owner's handle
// follows the page).
import { PG_isolated, type MemMap } from "./mm/memmap.ts";
import type { PageOwners } from "./mm/page_alloc.ts";

/** The owner of pages held from before the run (`fragmentation`): page cache. */
const PAGE_CACHE = -1;

export class PagePool implements PageOwners {
  // Allocations alive: pfn (-1 once reclaimed), order, source (or
  // PAGE_CACHE) and LRU serial, in a pool indexed by handle.
  private pfns = new Float64Array(1024);
  private orders = new Uint8Array(1024);
  private owners = new Int32Array(1024);
  private serial = new Float64Array(1024);
  private readonly freeHandles: number[] = [];
  private nextHandle = 0;
  // The LRU: handles with the serial they had when added, oldest first; an
  // entry whose handle was freed (serial 0) or reused is skipped.
  // Typed arrays: a run adds hundreds of thousands of entries, and a JS
  // array that large grows in the young generation and is copied again by
  // every scavenge until it is promoted.
  private lruHandles = new Int32Array(1024);
  private lruSerials = new Float64Array(1024);
  private lruHead = 0;
  private lruTail = 0;
  private lruLive = 0;
  private serialNext = 0;

  constructor(
    private readonly memmap: MemMap,
    /** Per source: its pages are movable (not only reclaimable). */
    private readonly movableSource: readonly boolean[],
    /** Per source: a free follows each allocation, so a reclaimed page's
     * handle must wait for it. */
    private readonly freedLater: readonly boolean[],
  ) {}

  /** The page a handle holds; -1 once reclaimed. */
  pfn(h: number): number {
    return this.pfns[h]!;
  }

  order(h: number): number {
    return this.orders[h]!;
  }

  /** The source that allocated the handle's page. */
  source(h: number): number {
    return this.owners[h]!;
  }

  /** A page held from before the run, as page cache (`fragmentation`). */
  holdPageCache(pfn: number): void {
    this.lruAdd(this.newHandle(pfn, 0, PAGE_CACHE));
  }

  lruAdd(h: number): void {
    const serial = ++this.serialNext;
    this.serial[h] = serial;
    this.lruPush(h, serial);
    this.lruLive++;
    // Entries of freed pages are dropped lazily; keep them from piling up.
    if (this.lruTail - this.lruHead > 2 * this.lruLive + 4096) this.compactLru();
  }

  private lruPush(h: number, serial: number): void {
    if (this.lruTail === this.lruHandles.length) {
      const handles = new Int32Array(2 * this.lruTail);
      handles.set(this.lruHandles);
      this.lruHandles = handles;
      const serials = new Float64Array(2 * this.lruTail);
      serials.set(this.lruSerials);
      this.lruSerials = serials;
    }
    this.lruHandles[this.lruTail] = h;
    this.lruSerials[this.lruTail++] = serial;
  }

  /** Drops the entries of freed pages, keeping the others in order. */
  private compactLru(): void {
    const handles = this.lruHandles;
    const serials = this.lruSerials;
    let kept = 0;
    for (let i = this.lruHead; i < this.lruTail; i++) {
      const h = handles[i]!;
      if (this.serial[h] === serials[i]) {
        handles[kept] = h;
        serials[kept++] = serials[i]!;
      }
    }
    this.lruHead = 0;
    this.lruTail = kept;
  }

  reclaim(nr: number): [number, number][] {
    const out: [number, number][] = [];
    const memmap = this.memmap;
    let pages = 0;
    for (let end = this.lruTail; pages < nr && this.lruHead < end; ) {
      const h = this.lruHandles[this.lruHead]!;
      const serial = this.lruSerials[this.lruHead++]!;
      if (this.serial[h] !== serial) continue;
      const pfn = this.pfns[h]!;
      if (memmap.flags(pfn) & PG_isolated) {
        // Off the LRU while compaction migrates it; it comes back as the newest.
        this.lruPush(h, serial);
        continue;
      }
      this.serial[h] = 0;
      this.lruLive--;
      memmap.setOwner(pfn, -1);
      out.push([pfn, this.orders[h]!]);
      pages += 1 << this.orders[h]!;
      // A free still due will find the handle empty and only release it.
      const source = this.owners[h]!;
      if (source === PAGE_CACHE || !this.freedLater[source]) this.release(h);
      else this.pfns[h] = -1;
    }
    if (this.lruHead > 4096 && 2 * this.lruHead > this.lruTail) this.compactLru();
    return out;
  }

  movable(pfn: number): boolean {
    const h = this.memmap.owner(pfn);
    if (h < 0) return false;
    const source = this.owners[h]!;
    return source === PAGE_CACHE || this.movableSource[source]!;
  }

  migrate(from: number, to: number): void {
    const memmap = this.memmap;
    const h = memmap.owner(from);
    memmap.setOwner(from, -1);
    memmap.setOwner(to, h);
    this.pfns[h] = to;
  }

  newHandle(pfn: number, order: number, source: number): number {
    let h = this.freeHandles.pop();
    if (h === undefined) {
      h = this.nextHandle++;
      if (h >= this.pfns.length) {
        const n = this.pfns.length * 2;
        const pfns = new Float64Array(n);
        pfns.set(this.pfns);
        this.pfns = pfns;
        const orders = new Uint8Array(n);
        orders.set(this.orders);
        this.orders = orders;
        const owners = new Int32Array(n);
        owners.set(this.owners);
        this.owners = owners;
        const serials = new Float64Array(n);
        serials.set(this.serial);
        this.serial = serials;
      }
    }
    this.pfns[h] = pfn;
    this.orders[h] = order;
    this.owners[h] = source;
    this.memmap.setOwner(pfn, h);
    return h;
  }

  /** The handle's page is no longer held (freed, or reclaimed earlier). */
  release(h: number): void {
    const pfn = this.pfns[h]!;
    if (pfn >= 0) this.memmap.setOwner(pfn, -1);
    if (this.serial[h] !== 0) {
      this.serial[h] = 0;
      this.lruLive--;
    }
    this.pfns[h] = -1;
    this.freeHandles.push(h);
  }
}
