// Workloads.arriveFrom() and freeOne() (workload.ts) as state machines
// (steps.ts), step for step: an arrival or a free that must yield costs no
// generator. One of each per context, reused.
import type { Context } from "./context.ts";
import { EV_TIMER } from "./events.ts";
import { nowait, pcp_alloc_nowait, type Mm } from "./mm/page_alloc.ts";
import { AllocPagesSteps, FreePagesSteps } from "./mm/page_alloc_steps.ts";
import { DONE, Steps } from "./steps.ts";
import type { Source, Workloads } from "./workload.ts";

// arriveFrom() states.
const R_NEXT = 0; // the next allocation, or the end
const R_ALLOC = 1; // __alloc_pages()
const R_FREE = 2; // the page is to be freed now
const R_FREE_ONE = 3; // freeOne()'s __free_pages()
const R_FREE_LIST = 4; // freeList()
const R_DRAIN = 5; // the `drain` statement
const R_IDLE = 6;

/** What both machines share: a context of the workloads, and freeOne(). */
abstract class WorkloadSteps extends Steps {
  protected readonly free = new FreePagesSteps();
  /** The order of the block being freed. */
  private order = 0;

  constructor(
    protected readonly w: Workloads,
    protected readonly mm: Mm,
    protected readonly x: Context,
  ) {
    super();
  }

  /** freeOne() up to its __free_pages(), which `free` then runs: false
   * when the page was reclaimed meanwhile and there is nothing to free. */
  protected startFreeOne(h: number): boolean {
    const pages = this.w.pages;
    const order = pages.order(h);
    const pfn = pages.pfn(h);
    pages.release(h);
    if (pfn < 0) return false;
    this.order = order;
    this.free.start(this.x, this.mm, pfn, order);
    return true;
  }

  /** freeOne() after its __free_pages(). */
  protected freedOne(): void {
    this.mm.metrics.freed(1 << this.order, 1);
  }
}

/** Workloads.arriveFrom() as a state machine, step for step. */
export class ArrivalSteps extends WorkloadSteps {
  private state = R_IDLE;
  private s!: Source;
  private i = 0;
  private n = 0;
  private h = -1;
  private startNs = 0;
  private readonly alloc = new AllocPagesSteps();

  begin(s: Source, i: number, n: number, h: number): void {
    if (this.state !== R_IDLE) throw new Error("engine: an arrival started on a context whose last one is still running");
    this.s = s;
    this.i = i;
    this.n = n;
    this.h = h;
    this.state = h < 0 ? R_NEXT : R_FREE;
  }

  protected advance(): number {
    const { x, mm, s, w } = this;
    const alloc = s.workload.alloc;
    for (;;) {
      switch (this.state) {
        case R_NEXT: {
          if (!alloc || this.n >= alloc.count) {
            this.state = R_DRAIN;
            if (!s.workload.drain) {
              this.state = R_IDLE;
              return DONE;
            }
            this.sub = w.drain(x);
            break;
          }
          this.startNs = x.now;
          const zone = pcp_alloc_nowait(x, mm, alloc.order, s.migratetype, s.ac);
          if (zone) {
            this.allocated(nowait.__alloc_pages(x, mm, zone, alloc.order, alloc.gfp, s.migratetype));
            break;
          }
          this.alloc.start(x, mm, alloc.order, alloc.gfp, s.migratetype);
          this.state = R_ALLOC;
          break;
        }
        case R_ALLOC: {
          const d = this.alloc.step();
          if (d !== DONE) return d;
          this.allocated(this.alloc.page);
          break;
        }
        case R_FREE:
          this.freeNow();
          break;
        case R_FREE_ONE: {
          const d = this.free.step();
          if (d !== DONE) return d;
          this.freedOne();
          this.nextAllocation();
          break;
        }
        case R_FREE_LIST: {
          const d = this.drive();
          if (d !== DONE) return d;
          this.nextAllocation();
          break;
        }
        case R_DRAIN: {
          const d = this.drive();
          if (d !== DONE) return d;
          this.state = R_IDLE;
          return DONE;
        }
        default:
          throw new Error("engine: an arrival's state machine resumed after it finished");
      }
    }
  }

  protected abandon(): void {
    this.state = R_IDLE;
  }

  private allocated(page: number): void {
    this.h = this.w.allocated(this.x, this.s, this.i, this.startNs, page);
    if (this.h < 0) this.nextAllocation();
    else this.state = R_FREE;
  }

  private nextAllocation(): void {
    this.n++;
    this.h = -1;
    this.state = R_NEXT;
  }

  /** Workloads.freeNow(), after freedNowait() said no. */
  private freeNow(): void {
    const { x, s, w, h } = this;
    if (w.freedNowait(x, s, h)) return this.nextAllocation();
    const batch = s.workload.free!.batch;
    if (s.freeContext !== x.kind) w.m.schedule(x.now, EV_TIMER, h);
    else if (batch === null) {
      if (this.startFreeOne(h)) {
        this.state = R_FREE_ONE;
        return;
      }
    } else {
      s.batch.push(h);
      if (s.batch.length >= batch) {
        this.sub = w.freeList(x, s.batch.splice(0));
        this.state = R_FREE_LIST;
        return;
      }
    }
    this.nextAllocation();
  }
}

/** Workloads.freeOne() as a state machine. */
export class FreeOneSteps extends WorkloadSteps {
  private running = false;
  /** begin()'s handle; its page is taken at the first step, as the
   * generator's body runs at its first resume. */
  private h = -1;

  begin(h: number): void {
    if (this.running) throw new Error("engine: a free started on a context whose last one is still running");
    this.running = true;
    this.h = h;
  }

  protected advance(): number {
    if (this.h >= 0) {
      const h = this.h;
      this.h = -1;
      if (!this.startFreeOne(h)) return this.finish();
    }
    const d = this.free.step();
    if (d !== DONE) return d;
    this.freedOne();
    return this.finish();
  }

  protected abandon(): void {
    this.running = false;
  }

  private finish(): number {
    this.running = false;
    return DONE;
  }
}
