// struct page and struct list_head, as far as the allocator's lists need
// them (Linux 6.1 include/linux/mm_types.h, include/linux/list.h).
//
// Every page has ONE pair of list links: in the kernel page->lru,
// page->pcp_list and page->buddy_list are members of one union, and the bug
// Hugh Dickins found lives in exactly that sharing, so the model shares them
// too. Pages are stored in chunks of one max-order block (1024 pages), made
// when a run first touches the block, so memory follows the pages a run
// uses, not the size of the zone.
//
// Link values: a pfn (>= 0) for a page, a negative id (<= -3) for a list
// head, POISON1 / POISON2 (-1 / -2) after list_del(). With debugList (the
// default) every list operation makes the checks of CONFIG_DEBUG_LIST
// (lib/list_debug.c, 6.1) and reports with its messages; without it they
// only write the links, as include/linux/list.h does. Either way, following
// a poisoned link is a general protection fault at the address the kernel
// would touch, and a walk longer than the memory map is a loop: a soft lockup.
import { MAX_TOUCHED_PAGES } from "../limits.ts";
import { gpfMessage, LIST_POISON1, LIST_POISON2, LRU_OFFSET, Oops, pageLruAddress, px, SoftLockup, unwind } from "../oops.ts";

const POISON1 = -1;
const POISON2 = -2;
const CHUNK_SHIFT = 10;
export const CHUNK_PAGES = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK_PAGES - 1;

/** Page states (model bookkeeping; the kernel keeps some as page flags). */
export const PG_buddy = 1;
/** On a pcp list. The kernel has no flag for it; the checks need one. */
export const PG_pcp = 2;
/** The head page of an allocated block. */
export const PG_alloc = 4;
/** Isolated for migration (the kernel's !PageLRU after isolate_lru_page()):
 * neither another compactor nor reclaim may take it. */
export const PG_isolated = 8;

// One ArrayBuffer per chunk, cut into its fields: a buffer per field made
// chunks slower to make.
const CHUNK_BYTES = CHUNK_PAGES * (8 + 8 + 4 + 1 + 1 + 1) + 8;

class Chunk {
  private readonly buffer = new ArrayBuffer(CHUNK_BYTES);
  readonly next = new Float64Array(this.buffer, 0, CHUNK_PAGES);
  readonly prev = new Float64Array(this.buffer, CHUNK_PAGES * 8, CHUNK_PAGES);
  /** Who holds an allocated page (page->mapping's role): the workload's
   * handle + 1, or 0. Reclaim and migration go from page to owner. */
  readonly owner = new Int32Array(this.buffer, CHUNK_PAGES * 16, CHUNK_PAGES);
  readonly flags = new Uint8Array(this.buffer, CHUNK_PAGES * 20, CHUNK_PAGES);
  readonly order = new Uint8Array(this.buffer, CHUNK_PAGES * 21, CHUNK_PAGES);
  /** set_pcppage_migratetype(): page->index while on a pcp list. */
  readonly pcpMt = new Uint8Array(this.buffer, CHUNK_PAGES * 22, CHUNK_PAGES);
  /** Two pageblocks of 512 pages per chunk. */
  readonly pageblockMt = new Uint8Array(this.buffer, CHUNK_PAGES * 23, 2);
}

const HEAD_ADDRESS_BASE = 0xffff888100000000n;

export class MemMap {
  // One slot per max-order block of the zone, made up front: V8 keeps an
  // array it grows with a far index (the zone's ragged end is freed first)
  // as a dictionary, and every page access then hashes. At 16 GiB that
  // was 11% of a run.
  private readonly chunks: (Chunk | undefined)[];
  private touchedChunks = 0;
  /** Called, and must throw, when a run would touch more than MAX_TOUCHED_PAGES. */
  full: () => never = () => {
    throw new Error(`MemMap: more than ${MAX_TOUCHED_PAGES} pages touched`);
  };
  /** CONFIG_DEBUG_LIST: list_add/list_del check their neighbours. */
  debugList = true;
  private headNext = new Float64Array(256);
  private headPrev = new Float64Array(256);
  private headAddresses: bigint[] = [];
  private freeHeads: number[] = [];
  private heads = 0;

  constructor(
    readonly nrPages: number,
    /** Migratetype of pageblocks in chunks made on first touch. */
    private readonly initialPageblockMt: number,
  ) {
    this.chunks = new Array<Chunk | undefined>(Math.ceil(nrPages / CHUNK_PAGES)).fill(undefined);
  }

  // ---- storage --------------------------------------------------------------

  hasChunk(pfn: number): boolean {
    return this.chunks[pfn >>> CHUNK_SHIFT] !== undefined;
  }

  // Small enough for V8 to inline at every accessor; the first touch of a
  // block is out of line.
  private chunk(pfn: number): Chunk {
    const c = this.chunks[pfn >>> CHUNK_SHIFT];
    return c !== undefined ? c : this.touch(pfn);
  }

  private touch(pfn: number): Chunk {
    if (++this.touchedChunks > MAX_TOUCHED_PAGES / CHUNK_PAGES) this.full();
    const c = new Chunk();
    c.pageblockMt.fill(this.initialPageblockMt);
    this.chunks[pfn >>> CHUNK_SHIFT] = c;
    return c;
  }

  flags(pfn: number): number {
    return this.chunk(pfn).flags[pfn & CHUNK_MASK]!;
  }
  setFlags(pfn: number, f: number): void {
    this.chunk(pfn).flags[pfn & CHUNK_MASK] = f;
  }
  order(pfn: number): number {
    return this.chunk(pfn).order[pfn & CHUNK_MASK]!;
  }
  setOrder(pfn: number, order: number): void {
    this.chunk(pfn).order[pfn & CHUNK_MASK] = order;
  }
  pcpMigratetype(pfn: number): number {
    return this.chunk(pfn).pcpMt[pfn & CHUNK_MASK]!;
  }
  setPcpMigratetype(pfn: number, mt: number): void {
    this.chunk(pfn).pcpMt[pfn & CHUNK_MASK] = mt;
  }
  /** The holder's handle, or -1. */
  owner(pfn: number): number {
    return this.chunk(pfn).owner[pfn & CHUNK_MASK]! - 1;
  }
  setOwner(pfn: number, handle: number): void {
    this.chunk(pfn).owner[pfn & CHUNK_MASK] = handle + 1;
  }
  /** get_pageblock_migratetype() */
  pageblockMigratetype(pfn: number): number {
    return this.chunk(pfn).pageblockMt[(pfn >>> 9) & 1]!;
  }
  setPageblockMigratetype(pfn: number, mt: number): void {
    this.chunk(pfn).pageblockMt[(pfn >>> 9) & 1] = mt;
  }

  // ---- list heads -----------------------------------------------------------

  /** A new, empty list head (INIT_LIST_HEAD). */
  newHead(address?: bigint): number {
    let k = this.freeHeads.pop();
    if (k === undefined) {
      k = this.heads++;
      if (k >= this.headNext.length) {
        const grow = (a: Float64Array) => {
          const b = new Float64Array(a.length * 2);
          b.set(a);
          return b;
        };
        this.headNext = grow(this.headNext);
        this.headPrev = grow(this.headPrev);
      }
    }
    this.headAddresses[k] = address ?? HEAD_ADDRESS_BASE + BigInt(k) * 16n;
    const id = -3 - k;
    this.headNext[k] = id;
    this.headPrev[k] = id;
    return id;
  }

  /** A temporary head (a LIST_HEAD on some stack) goes back to the pool. */
  releaseHead(id: number): void {
    this.freeHeads.push(-3 - id);
  }

  // ---- links ----------------------------------------------------------------

  address(id: number): bigint {
    if (id >= 0) return pageLruAddress(id);
    if (id === POISON1) return LIST_POISON1;
    if (id === POISON2) return LIST_POISON2;
    return this.headAddresses[-3 - id]!;
  }

  /** Reading a list_head through a poisoned pointer faults at that address. */
  private deref(id: number, fieldOffset: bigint, fn: string): void {
    if (id === POISON1 || id === POISON2) throw new Oops(gpfMessage(this.address(id) + fieldOffset), fn);
  }

  // The four link accessors run several times per list operation. A page
  // whose chunk exists and a head are read directly; anything else (a
  // poisoned link, an untouched chunk) takes the checked path.
  next(id: number, fn: string): number {
    if (id >= 0) {
      const c = this.chunks[id >>> CHUNK_SHIFT];
      if (c !== undefined) return c.next[id & CHUNK_MASK]!;
    } else if (id <= -3) return this.headNext[-3 - id]!;
    this.deref(id, 0n, fn);
    return this.chunk(id).next[id & CHUNK_MASK]!;
  }
  prev(id: number, fn: string): number {
    if (id >= 0) {
      const c = this.chunks[id >>> CHUNK_SHIFT];
      if (c !== undefined) return c.prev[id & CHUNK_MASK]!;
    } else if (id <= -3) return this.headPrev[-3 - id]!;
    this.deref(id, 8n, fn);
    return this.chunk(id).prev[id & CHUNK_MASK]!;
  }
  private setNext(id: number, v: number, fn: string): void {
    if (id >= 0) this.chunk(id).next[id & CHUNK_MASK] = v;
    else if (id <= -3) this.headNext[-3 - id] = v;
    else this.deref(id, 0n, fn);
  }
  private setPrev(id: number, v: number, fn: string): void {
    if (id >= 0) this.chunk(id).prev[id & CHUNK_MASK] = v;
    else if (id <= -3) this.headPrev[-3 - id] = v;
    else this.deref(id, 8n, fn);
  }

  /** Touching a struct page found through a list: list_entry() of a poisoned
   * link is LIST_POISON1 - offsetof(struct page, lru), 0xdead0000000000f8. */
  entry(id: number, fn: string): number {
    if (id === POISON1 || id === POISON2) throw new Oops(gpfMessage(this.address(id) - LRU_OFFSET), fn);
    return id;
  }

  // ---- include/linux/list.h with CONFIG_DEBUG_LIST ----------------------------

  private __list_add(entry: number, prev: number, next: number, fn: string): void {
    if (!this.debugList) {
      this.__list_add_links(entry, prev, next, fn);
      return;
    }
    try {
      // __list_add_valid()
      const nextPrev = this.prev(next, fn);
      if (nextPrev !== prev) {
        this.corrupt(`list_add corruption. next->prev should be prev (${this.px(prev)}), but was ${this.px(nextPrev)}. (next=${this.px(next)}).`, fn);
      }
      const prevNext = this.next(prev, fn);
      if (prevNext !== next) {
        this.corrupt(`list_add corruption. prev->next should be next (${this.px(next)}), but was ${this.px(prevNext)}. (prev=${this.px(prev)}).`, fn);
      }
      if (entry === prev || entry === next) {
        this.corrupt(`list_add double add: new=${this.px(entry)}, prev=${this.px(prev)}, next=${this.px(next)}.`, fn);
      }
      this.setPrev(next, entry, fn);
      this.setNext(entry, next, fn);
      this.setPrev(entry, prev, fn);
      this.setNext(prev, entry, fn);
    } catch (e) {
      throw unwind(e, "__list_add_valid");
    }
  }

  /** __list_add() of include/linux/list.h (6.1) without CONFIG_DEBUG_LIST. */
  private __list_add_links(entry: number, prev: number, next: number, fn: string): void {
    this.setPrev(next, entry, fn);
    this.setNext(entry, next, fn);
    this.setPrev(entry, prev, fn);
    this.setNext(prev, entry, fn);
  }

  list_add(entry: number, head: number, fn: string): void {
    this.__list_add(entry, head, this.next(head, fn), fn);
  }

  list_add_tail(entry: number, head: number, fn: string): void {
    this.__list_add(entry, this.prev(head, fn), head, fn);
  }

  list_del(entry: number, fn: string): void {
    if (!this.debugList) {
      // list_del() of include/linux/list.h (6.1): __list_del_entry() writes
      // through whatever the links hold, then poisons them.
      const prev = this.prev(entry, fn);
      const next = this.next(entry, fn);
      this.setPrev(next, prev, fn);
      this.setNext(prev, next, fn);
      this.setNext(entry, POISON1, fn);
      this.setPrev(entry, POISON2, fn);
      return;
    }
    try {
      // __list_del_entry_valid()
      const prev = this.prev(entry, fn);
      const next = this.next(entry, fn);
      if (next === POISON1) this.corrupt(`list_del corruption, ${this.px(entry)}->next is LIST_POISON1 (${px(LIST_POISON1)})`, fn);
      if (prev === POISON2) this.corrupt(`list_del corruption, ${this.px(entry)}->prev is LIST_POISON2 (${px(LIST_POISON2)})`, fn);
      const prevNext = this.next(prev, fn);
      if (prevNext !== entry) {
        this.corrupt(`list_del corruption. prev->next should be ${this.px(entry)}, but was ${this.px(prevNext)}. (prev=${this.px(prev)})`, fn);
      }
      const nextPrev = this.prev(next, fn);
      if (nextPrev !== entry) {
        this.corrupt(`list_del corruption. next->prev should be ${this.px(entry)}, but was ${this.px(nextPrev)}. (next=${this.px(next)})`, fn);
      }
      this.setPrev(next, prev, fn);
      this.setNext(prev, next, fn);
      this.setNext(entry, POISON1, fn);
      this.setPrev(entry, POISON2, fn);
    } catch (e) {
      throw unwind(e, "__list_del_entry_valid");
    }
  }

  /** list_for_each_entry_safe(): `next` is read before the body runs, so the
   * body may move the page to another list (which is how 6.1 and v2's
   * free_unref_page_list get away without list_del). A cursor, not an
   * iterator, which would make a result object per page:
   * `for (let page = walk.next(); page !== head; page = walk.next())`. */
  list_for_each_entry_safe(head: number, fn: string): ListWalk {
    return new ListWalk(this, head, fn);
  }

  /** One step of a ListWalk: `page` as an entry, the walk's `steps` so far.
   * No list holds more entries than there are pages: a longer walk goes
   * round a loop that misses the head, and the kernel would spin there. */
  walkStep(page: number, steps: number, fn: string): void {
    if (steps > this.nrPages) throw new SoftLockup(fn);
    this.entry(page, fn);
    if (page < 0) this.leftItsList(page, fn);
  }

  list_empty(head: number, fn: string): boolean {
    return this.next(head, fn) === head;
  }

  /** list_first_entry(): the page at head->next. */
  list_first_entry(head: number, fn: string): number {
    const first = this.entry(this.next(head, fn), fn);
    if (first < 0 && first !== head) this.leftItsList(first, fn);
    return first;
  }

  /** list_last_entry(): the page at head->prev. */
  list_last_entry(head: number, fn: string): number {
    const last = this.entry(this.prev(head, fn), fn);
    if (last < 0 && last !== head) this.leftItsList(last, fn);
    return last;
  }

  /** A corrupted link (possible only without CONFIG_DEBUG_LIST) led to
   * another list's head. The kernel would take the memory around it (in
   * struct zone or struct per_cpu_pages) for a struct page, with effects
   * the model cannot know, so the run ends here, saying so in its own words
   * rather than guessing the kernel's. */
  private leftItsList(head: number, fn: string): never {
    throw new Oops(
      `pcplab: list walk left its list, at another list's head ${px(this.address(head))}: the kernel would take ${px(this.address(head) - LRU_OFFSET)} for a struct page`,
      fn,
    );
  }

  private px(id: number): string {
    return px(this.address(id));
  }

  private corrupt(message: string, fn: string): never {
    // CONFIG_BUG_ON_DATA_CORRUPTION: the check is a BUG().
    throw new Oops(message, fn);
  }
}

/** list_for_each_entry_safe() over one list (MemMap.list_for_each_entry_safe()). */
export class ListWalk {
  private steps = 0;
  private following: number | null = null;

  constructor(
    private readonly memmap: MemMap,
    private readonly head: number,
    private readonly fn: string,
  ) {}

  /** The next entry, or the head once the walk has come round to it. The
   * entry after it is read now, before the caller's body runs. */
  next(): number {
    const { memmap, head, fn } = this;
    const page = this.following ?? memmap.next(head, fn);
    if (page === head) return head;
    memmap.walkStep(page, ++this.steps, fn);
    this.following = memmap.next(page, fn);
    return page;
  }

  /** The entries left, for code off the hot paths (tests). */
  *[Symbol.iterator](): Generator<number, void, void> {
    for (let page = this.next(); page !== this.head; page = this.next()) yield page;
  }
}
