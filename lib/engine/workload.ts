// Workloads: arrivals per CPU, the work each arrival does, and the frees
// that follow allocations. Every CPU of a workload's cpuset runs it
// independently. Frees run on the allocating CPU, in the free's context: a
// softirq free is an interrupt that raises a softirq (an IO completion), a
// hardirq free runs in the interrupt handler itself. Who holds which page
// is kept apart, in a PagePool (page_owners.ts).
import { unwind } from "./oops.ts";
import type { Scenario, Workload } from "../dsl/scenario.ts";
import { gfp_migratetype } from "../dsl/gfp.ts";
import { HARDIRQ, SOFTIRQ, TASK, type Code, type Context, type Resumable, type Work } from "./context.ts";
import type { Cpu } from "./cpu.ts";
import { EV_ARRIVAL, EV_TIMER } from "./events.ts";
import type { Driver, Machine } from "./machine.ts";
import { __free_pages, drain_all_pages, nowait, pcp_alloc_nowait, pcp_free_nowait, type AllocContext, type Mm } from "./mm/page_alloc.ts";
import { __alloc_pages, alloc_context } from "./mm/page_alloc_slowpath.ts";
import { MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE, type Zone } from "./mm/zone.ts";
import { PagePool } from "./page_owners.ts";
import { sample, type Rng } from "./rng.ts";
import { ArrivalSteps, FreeOneSteps } from "./workload_steps.ts";

const CONTEXT_OF = { task: TASK, softirq: SOFTIRQ, hardirq: HARDIRQ } as const;

export interface Source {
  workload: Workload;
  cpu: Cpu;
  context: number;
  freeContext: number;
  migratetype: number;
  /** The zones its allocations may use (gfp_zone()). */
  ac: AllocContext;
  /** Frees gathered for free_unref_page_list. */
  batch: number[];
  /** `free immediately`, unbatched, in the allocating context. */
  freedAtOnce: boolean;
  /** Arrivals still to come (`arrivals N`; Infinity without). */
  arrivalsLeft: number;
  /** Allocations still to be made before `free after last` frees `held`. */
  allocationsLeft: number;
  /** `free after last`: the handles held, in allocation order. */
  held: number[];
}

export class Workloads implements Driver {
  private readonly sources: Source[] = [];
  /** Who holds each page the workloads allocated. */
  readonly pages: PagePool;
  constructor(
    readonly m: Machine,
    private readonly mm: Mm,
    private readonly rng: Rng,
    scenario: Scenario,
    /** Arrivals and frees that must yield run as state machines (steps.ts);
     * false runs them as the generators below, which tests compare. */
    private readonly useSteps = true,
  ) {
    for (const w of scenario.workloads) {
      const cpus = w.cpus === "all" ? m.cpus.map((c) => c.id) : w.cpus;
      for (const cpu of cpus) {
        this.sources.push({
          workload: w,
          cpu: m.cpus[cpu]!,
          context: CONTEXT_OF[w.context],
          freeContext: CONTEXT_OF[w.free?.context ?? w.context],
          migratetype: w.alloc ? gfp_migratetype(w.alloc.gfp) : 0,
          ac: alloc_context(mm, w.alloc?.gfp ?? 0),
          batch: [],
          freedAtOnce: w.free?.after === "immediately" && w.free.batch === null && (w.free.context ?? w.context) === w.context,
          arrivalsLeft: w.arrivals ?? Infinity,
          allocationsLeft: w.alloc ? (w.arrivals ?? Infinity) * w.alloc.count : 0,
          held: [],
        });
      }
    }
    this.pages = new PagePool(
      mm.memmap,
      this.sources.map((s) => s.migratetype === MIGRATE_MOVABLE),
      this.sources.map((s) => !!s.workload.free),
    );
  }

  start(): void {
    this.sources.forEach((s, i) => this.m.schedule(this.gap(s), EV_ARRIVAL, i));
  }

  private gap(s: Source): number {
    const a = s.workload.arrival;
    return this.m.now + (a.kind === "every" ? a.ns : this.rng.exponentialNs(1e9 / a.perSecond));
  }

  // Work bound once: queued items carry only a number (source, handle, list).
  private readonly arriveWork: Work = (x, i) => this.arrive(x, this.sources[i]!, i);
  private readonly freeOneWork: Work = (x, h) => (this.freeOneNowait(x, h) ? undefined : this.freeOneResumable(x, h));
  private readonly freeListWork: Work = (x, l) => this.freeList(x, this.takeList(l));
  // The hardirq that raises a softirq (a NIC, an IO completion) for each kind of work.
  private readonly raisers = new Map<Work, Work>(
    [this.arriveWork, this.freeOneWork, this.freeListWork].map((w) => [w, (x: Context, arg: number) => x.cpu.raiseSoftirq(w, arg)]),
  );
  private readonly lists: (number[] | undefined)[] = [];
  private readonly freeListIds: number[] = [];

  onArrival(i: number): void {
    const s = this.sources[i]!;
    if (--s.arrivalsLeft > 0) this.m.schedule(this.gap(s), EV_ARRIVAL, i);
    this.deliver(s.cpu, s.context, this.arriveWork, i);
  }

  private putList(handles: number[]): number {
    const id = this.freeListIds.pop() ?? this.lists.length;
    this.lists[id] = handles;
    return id;
  }

  private takeList(id: number): number[] {
    const handles = this.lists[id]!;
    this.lists[id] = undefined;
    this.freeListIds.push(id);
    return handles;
  }

  /** An arrival. Its allocations and frees run as plain calls while each is
   * a pcp hit that nothing can interrupt (the common case: `nowait` in
   * mm/page_alloc.ts); from the first that might wait, a state machine
   * (workload_steps.ts) does the rest, or with `useSteps` off the generator
   * arriveFrom(). Every way the steps, and so the results, are the same. */
  private arrive(x: Context, s: Source, i: number): Resumable | void {
    const alloc = s.workload.alloc;
    for (let n = 0; alloc && n < alloc.count; n++) {
      const zone = pcp_alloc_nowait(x, this.mm, alloc.order, s.migratetype, s.ac);
      if (!zone) return this.arriveResumable(x, s, i, n, -1);
      const start = x.now;
      const page = nowait.__alloc_pages(x, this.mm, zone, alloc.order, alloc.gfp, s.migratetype);
      const freeZone = s.freedAtOnce ? pcp_free_nowait(x, this.mm, page, alloc.order) : null;
      if (freeZone) {
        // Freed here and now, and plainly: the page needs no handle, which
        // would be taken and given back with nothing in between.
        this.mm.metrics.allocated(x.now, x.now - start, 1 << alloc.order, true);
        this.freePageNowait(x, freeZone, page, alloc.order);
        continue;
      }
      const h = this.allocated(x, s, i, start, page);
      if (h < 0) continue;
      if (!this.freedNowait(x, s, h)) return this.arriveResumable(x, s, i, n, h);
    }
    if (s.workload.drain) return this.drain(x);
  }

  /** `drain`: drain_all_pages(zone) for each simulated zone, lowest first. */
  *drain(x: Context): Code {
    for (const zone of this.mm.node_zones) yield* drain_all_pages(x, this.mm, zone);
  }

  // One state machine of each kind per context: a context runs one piece
  // of work at a time.
  private readonly arrivalSteps: (ArrivalSteps | undefined)[] = [];
  private readonly freeOneSteps: (FreeOneSteps | undefined)[] = [];

  /** arriveFrom(), as a state machine unless the generators are asked for. */
  private arriveResumable(x: Context, s: Source, i: number, n: number, h: number): Resumable {
    if (!this.useSteps) return this.arriveFrom(x, s, i, n, h);
    const steps = (this.arrivalSteps[x.id] ??= new ArrivalSteps(this, this.mm, x));
    steps.begin(s, i, n, h);
    return steps;
  }

  /** freeOne(), likewise. */
  private freeOneResumable(x: Context, h: number): Resumable {
    if (!this.useSteps) return this.freeOne(x, h);
    const steps = (this.freeOneSteps[x.id] ??= new FreeOneSteps(this, this.mm, x));
    steps.begin(h);
    return steps;
  }

  /** The rest of an arrival, from its allocation `n`; `h` >= 0 when that
   * allocation is done and its page is to be freed now. */
  private *arriveFrom(x: Context, s: Source, i: number, n: number, h: number): Code {
    const alloc = s.workload.alloc;
    for (; alloc && n < alloc.count; n++, h = -1) {
      // After a step that waited, the next may not have to.
      if (h < 0) {
        const start = x.now;
        const zone = pcp_alloc_nowait(x, this.mm, alloc.order, s.migratetype, s.ac);
        const page = zone
          ? nowait.__alloc_pages(x, this.mm, zone, alloc.order, alloc.gfp, s.migratetype)
          : yield* __alloc_pages(x, this.mm, alloc.order, alloc.gfp, s.migratetype);
        h = this.allocated(x, s, i, start, page);
        if (h < 0) continue;
      }
      if (!this.freedNowait(x, s, h)) yield* this.freeNow(x, s, h);
    }
    if (s.workload.drain) yield* this.drain(x);
  }

  /** Books an allocation: its metrics, the page's handle and LRU place, a
   * timed free. Returns the handle when the page is to be freed at once. */
  allocated(x: Context, s: Source, i: number, start: number, page: number): number {
    const { order } = s.workload.alloc!;
    const free = s.workload.free;
    this.mm.metrics.allocated(x.now, x.now - start, 1 << order, page >= 0);
    const last = --s.allocationsLeft === 0 && free?.after === "last";
    // An event, not a call: the frees go to their context's queue from the
    // machine, never from inside the allocating code (see freeNow()).
    if (last) this.m.at(x.now, () => this.freeHeld(s));
    if (page < 0) return -1;
    // A page freed as soon as it is allocated never reaches the LRU (in
    // the kernel it would still sit in the per-CPU lru_add batch).
    const onLru = (s.migratetype === MIGRATE_MOVABLE || s.migratetype === MIGRATE_RECLAIMABLE) && free?.after !== "immediately";
    if (!free && !onLru) return -1;
    const h = this.pages.newHandle(page, order, i);
    if (onLru) this.pages.lruAdd(h);
    if (!free) return -1;
    if (free.after === "immediately") return h;
    if (free.after === "last") s.held.push(h);
    else this.m.schedule(x.now + sample(this.rng, free.after), EV_TIMER, h);
    return -1;
  }

  /** `free after last`: every page still held, in allocation order (as
   * truncation walks a file), in lists of `batch` with the last one short. */
  private freeHeld(s: Source): void {
    for (const h of s.held.splice(0)) this.queueFree(s, h);
    if (s.batch.length > 0) this.deliver(s.cpu, s.freeContext, this.freeListWork, this.putList(s.batch.splice(0)));
  }

  /** freeNow() as a plain call, when it is a free here and now that cannot wait. */
  freedNowait(x: Context, s: Source, h: number): boolean {
    return s.freedAtOnce && this.freeOneNowait(x, h);
  }

  /** A page freed as soon as it is allocated: in its free context, batched, or here and now. */
  private *freeNow(x: Context, s: Source, h: number): Code {
    const batch = s.workload.free!.batch;
    // Handed to another context, the free is due at once, as a timer due
    // now: raised from inside this code, an interrupt would run nested in
    // it while it still runs, two contexts at once on one CPU.
    if (s.freeContext !== x.kind) this.m.schedule(x.now, EV_TIMER, h);
    else if (batch === null) yield* this.freeOne(x, h);
    else {
      s.batch.push(h);
      if (s.batch.length >= batch) yield* this.freeList(x, s.batch.splice(0));
    }
  }

  onTimer(h: number): void {
    this.queueFree(this.sources[this.pages.source(h)]!, h);
  }

  /** A free is due: batch it, or hand it to its context. */
  private queueFree(s: Source, h: number): void {
    const batch = s.workload.free!.batch;
    if (batch !== null) {
      s.batch.push(h);
      if (s.batch.length < batch) return;
      this.deliver(s.cpu, s.freeContext, this.freeListWork, this.putList(s.batch.splice(0)));
    } else {
      this.deliver(s.cpu, s.freeContext, this.freeOneWork, h);
    }
  }

  /** freeOne() as a plain call when pcp_free_nowait(); false (and nothing
   * done) when it might wait. */
  private freeOneNowait(x: Context, h: number): boolean {
    const order = this.pages.order(h);
    const pfn = this.pages.pfn(h);
    const zone = pfn < 0 ? null : pcp_free_nowait(x, this.mm, pfn, order);
    if (!zone) return false;
    this.pages.release(h);
    this.freePageNowait(x, zone, pfn, order);
    return true;
  }

  /** __free_pages() on a plain path (pcp_free_nowait() said so), counted. */
  private freePageNowait(x: Context, zone: Zone, pfn: number, order: number): void {
    nowait.__free_pages(x, this.mm, zone, pfn, order);
    this.mm.metrics.freed(1 << order, 1);
  }

  private *freeOne(x: Context, h: number): Code {
    const order = this.pages.order(h);
    const pfn = this.pages.pfn(h);
    this.pages.release(h);
    if (pfn < 0) return; // reclaimed meanwhile
    yield* __free_pages(x, this.mm, pfn, order);
    this.mm.metrics.freed(1 << order, 1);
  }

  /** release_pages()-style: order-0 pages go to free_unref_page_list() on a
   * temporary list threaded through page->lru; larger blocks one by one. */
  *freeList(x: Context, handles: number[]): Code {
    try {
      const memmap = this.mm.memmap;
      if (this.pages.order(handles[0]!) !== 0) {
        for (const h of handles) yield* this.freeOne(x, h);
        return;
      }
      const list = memmap.newHead();
      let pages = 0;
      for (const h of handles) {
        const pfn = this.pages.pfn(h);
        this.pages.release(h);
        if (pfn < 0) continue; // reclaimed meanwhile
        memmap.list_add_tail(pfn, list, "release_pages");
        pages++;
      }
      if (pages > 0) {
        if (this.mm.metrics.measuring) this.mm.metrics.freeBatchedPages += pages;
        yield* this.mm.variant.free_unref_page_list(x, this.mm, list);
      }
      memmap.releaseHead(list);
      this.mm.metrics.freed(pages, pages);
    } catch (e) {
      throw unwind(e, "release_pages");
    }
  }

  private deliver(cpu: Cpu, context: number, work: Work, arg: number): void {
    if (context === TASK) cpu.queueTask(work, arg);
    else if (context === HARDIRQ) cpu.raiseIrq(work, arg);
    else cpu.raiseIrq(this.raisers.get(work)!, arg);
  }
}

