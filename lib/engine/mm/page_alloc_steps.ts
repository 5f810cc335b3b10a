// __alloc_pages() and __free_pages() of Linux 6.1 as state machines
// (steps.ts), for allocations and frees that must yield on the way, mostly
// because another CPU's event falls due inside the pcp critical section.
// Each mirrors its generator in mm/page_alloc.ts and page_alloc_slowpath.ts
// step for step: the same yields with the same values, the same calls in
// the same order, the same call trace on an Oops. The pcp hit and the pcp
// commit are written out; every other branch (a refill, the buddy lists, a
// drain, the slow path) runs the generator itself. test/engine/steps.test.ts
// holds both forms to the same results.
import type { Context } from "../context.ts";
import { DONE, Steps } from "../steps.ts";
import {
  ALLOC_KSWAPD, ALLOC_WMARK_LOW, __rmqueue_pcplist, free_one_page, free_pages_prepare, free_unref_page_commit_drain, nowait, page_zone,
  prep_new_page, rmqueue_buddy, trace, zone_watermark_lets_in, type AllocContext, type Mm,
} from "./page_alloc.ts";
import { __alloc_pages_slowpath_retry, alloc_context, gfp_to_alloc_flags, wake_all_kswapds } from "./page_alloc_slowpath.ts";
import { MIGRATE_MOVABLE, MIGRATE_PCPTYPES, order_to_pindex, pcp_allowed_order, type PerCpuPages, type Zone } from "./zone.ts";

// Call traces, innermost first, as the generators' catches build them:
// from __alloc_pages()'s own get_page_from_freelist(), and from the one
// __alloc_pages_slowpath() starts with.
const IN_ALLOC = ["__alloc_pages"] as const;
const IN_SLOWPATH = ["__alloc_pages_slowpath", ...IN_ALLOC] as const;
const gpffFrames = (outer: readonly string[]) => {
  const gpff = ["get_page_from_freelist", ...outer];
  const rmqueue = ["rmqueue", ...gpff];
  return { gpff, rmqueue, pcplist: ["rmqueue_pcplist", ...rmqueue] };
};
const FAST = gpffFrames(IN_ALLOC);
const SLOW = gpffFrames(IN_SLOWPATH);
const IN_FREE = ["__free_pages"] as const;
const IN_FREE_UNREF = ["free_unref_page", ...IN_FREE] as const;
const IN_COMMIT = ["free_unref_page_commit", ...IN_FREE_UNREF] as const;

// __alloc_pages() states.
const A_ZONE = 0; // get_page_from_freelist(): the next zone of the zonelist
const A_PCP = 1; // rmqueue_pcplist(): settle time before the trylock
const A_LOCK = 2; // pcp_spin_trylock(), then the hit or a refill
const A_REFILL = 3; // __rmqueue_pcplist() refilling through rmqueue_bulk()
const A_SETTLE = 4; // settle time before the unlock
const A_UNLOCK = 5; // pcp_spin_unlock()
const A_PCP_DONE = 6; // rmqueue_pcplist() returns
const A_BUDDY = 7; // rmqueue_buddy()
const A_SLOW = 8; // __alloc_pages_slowpath() after its first attempt
const A_GOT = 9; // prep_new_page()

/** __alloc_pages(), mm/page_alloc_slowpath.ts, through get_page_from_freelist(),
 * rmqueue() and rmqueue_pcplist() (6.1), at the low watermark and then,
 * as __alloc_pages_slowpath() starts, at its own after waking kswapd. The
 * block's pfn, or -1, is in `page` once step() returns DONE. */
export class AllocPagesSteps extends Steps {
  page = -1;
  private state = A_ZONE;
  /** get_page_from_freelist()'s alloc_flags. */
  private alloc_flags = ALLOC_WMARK_LOW;
  /** The walk is the slow path's first. */
  private slow = false;
  private in = FAST;
  private x!: Context;
  private mm!: Mm;
  private order = 0;
  private gfp = 0;
  private migratetype = 0;
  private ac!: AllocContext;
  private zoneIndex = 0;
  private zone!: Zone;
  private pcp: PerCpuPages | null = null;

  start(x: Context, mm: Mm, order: number, gfp: number, migratetype: number): void {
    this.x = x;
    this.mm = mm;
    this.order = order;
    this.gfp = gfp;
    this.migratetype = migratetype;
    this.ac = alloc_context(mm, gfp);
    this.zoneIndex = 0;
    this.page = -1;
    this.alloc_flags = ALLOC_WMARK_LOW;
    this.slow = false;
    this.in = FAST;
    this.state = A_ZONE;
  }

  protected advance(): number {
    const { x, mm, order, migratetype } = this;
    for (;;) {
      switch (this.state) {
        case A_ZONE: {
          this.frames = this.in.gpff;
          const zonelist = this.ac.zonelist;
          if (this.zoneIndex === zonelist.length) {
            this.slowpath();
            break;
          }
          const zone = zonelist[this.zoneIndex]!;
          if (!zone_watermark_lets_in(zone, order, this.alloc_flags, this.ac)) {
            this.zoneIndex++;
            break;
          }
          this.zone = zone;
          // rmqueue()
          if (pcp_allowed_order(order) && !(mm.variant.bypassPcpInInterrupt && x.in_interrupt())) this.state = A_PCP;
          else this.buddy();
          break;
        }
        case A_PCP:
          this.frames = this.in.pcplist;
          this.state = A_LOCK;
          if (x.mustYield()) return x.pending;
          break;
        case A_LOCK: {
          const pcp = mm.variant.pcp_spin_trylock(x, mm, this.zone);
          if (!pcp) {
            this.buddy();
            break;
          }
          this.pcp = pcp;
          pcp.free_factor >>= 1;
          const list = pcp.lists[order_to_pindex(migratetype, order)]!;
          if (mm.memmap.list_empty(list, "__rmqueue_pcplist")) {
            this.sub = __rmqueue_pcplist(x, mm, this.zone, order, migratetype, pcp, list);
            this.state = A_REFILL;
            break;
          }
          this.page = nowait.__rmqueue_pcplist(x, mm, order, pcp, list);
          this.state = A_SETTLE;
          break;
        }
        case A_REFILL: {
          const d = this.drive();
          if (d !== DONE) return d;
          this.page = this.subValue;
          this.state = A_SETTLE;
          break;
        }
        case A_SETTLE:
          this.state = A_UNLOCK;
          if (x.mustYield()) return x.pending;
          break;
        case A_UNLOCK:
          this.state = A_PCP_DONE;
          if (mm.variant.pcp_spin_unlock(x, this.pcp!)) return 0;
          break;
        case A_PCP_DONE:
          this.pcp = null;
          if (this.page < 0) {
            this.buddy();
            break;
          }
          if (mm.metrics.measuring) mm.metrics.pcpAllocHits++;
          this.state = A_GOT;
          break;
        case A_BUDDY: {
          const d = this.drive();
          if (d !== DONE) return d;
          this.page = this.subValue;
          if (this.page >= 0) this.state = A_GOT;
          else {
            this.zoneIndex++;
            this.state = A_ZONE;
          }
          break;
        }
        case A_SLOW: {
          const d = this.drive();
          if (d !== DONE) return d;
          this.page = this.subValue;
          this.state = A_GOT;
          break;
        }
        default: {
          this.frames = IN_ALLOC;
          const page = this.page;
          if (mm.tracepoint) trace(x, mm, "mm_page_alloc", { pfn: page, order, gfp_flags: this.gfp, migratetype });
          this.page = page < 0 ? -1 : prep_new_page(mm, page, order);
          return DONE;
        }
      }
    }
  }

  protected abandon(): void {
    this.pcp = null;
  }

  /** get_page_from_freelist() found nothing: __alloc_pages_slowpath()
   * starts with another walk at its own alloc_flags, and hands over to the
   * generator when that finds nothing either. */
  private slowpath(): void {
    const { x, mm, order, gfp, ac } = this;
    this.frames = IN_SLOWPATH;
    if (this.slow) {
      this.sub = __alloc_pages_slowpath_retry(x, mm, order, gfp, this.migratetype, ac, this.alloc_flags);
      this.state = A_SLOW;
      return;
    }
    this.slow = true;
    this.in = SLOW;
    this.alloc_flags = gfp_to_alloc_flags(gfp);
    if (this.alloc_flags & ALLOC_KSWAPD) wake_all_kswapds(x, mm, order, gfp, ac);
    this.zoneIndex = 0;
    this.state = A_ZONE;
  }

  /** rmqueue() falls back to rmqueue_buddy() on this zone. */
  private buddy(): void {
    this.frames = this.in.rmqueue;
    this.sub = rmqueue_buddy(this.x, this.zone, this.order, this.migratetype);
    this.state = A_BUDDY;
  }
}

// __free_pages() states.
const F_START = 0; // free_pages_prepare(), then free_unref_page() up to its trylock
const F_LOCK = 1; // pcp_spin_trylock(), then the commit
const F_DRAIN = 2; // free_unref_page_commit()'s drain
const F_SETTLE = 3; // settle time before the unlock
const F_UNLOCK = 4; // pcp_spin_unlock()
const F_BUDDY = 5; // free_one_page()
const F_END = 6; // __free_pages() returns

/** __free_pages() -> free_unref_page() -> free_unref_page_commit(),
 * mm/page_alloc.c 6.1, as in mm/page_alloc.ts. */
export class FreePagesSteps extends Steps {
  private state = F_START;
  private x!: Context;
  private mm!: Mm;
  private page = 0;
  private order = 0;
  private startNs = 0;
  private migratetype = 0;
  private zone!: Zone;
  private pcp: PerCpuPages | null = null;

  start(x: Context, mm: Mm, page: number, order: number): void {
    this.x = x;
    this.mm = mm;
    this.page = page;
    this.order = order;
    this.state = F_START;
  }

  protected advance(): number {
    const { x, mm, page, order } = this;
    for (;;) {
      switch (this.state) {
        case F_START: {
          this.frames = IN_FREE;
          this.startNs = x.now;
          free_pages_prepare(mm, page, order, "__free_pages");
          if (!pcp_allowed_order(order)) {
            this.sub = free_one_page(x, mm, page_zone(mm, page), page, order, mm.memmap.pcpMigratetype(page));
            this.state = F_BUDDY;
            break;
          }
          // free_unref_page()
          this.frames = IN_FREE_UNREF;
          let migratetype = mm.memmap.pcpMigratetype(page);
          if (migratetype >= MIGRATE_PCPTYPES) migratetype = MIGRATE_MOVABLE;
          this.migratetype = migratetype;
          this.zone = page_zone(mm, page);
          if (mm.variant.bypassPcpInInterrupt && x.in_interrupt()) {
            this.sub = free_one_page(x, mm, this.zone, page, order, migratetype);
            this.state = F_BUDDY;
            break;
          }
          this.state = F_LOCK;
          if (x.mustYield()) return x.pending;
          break;
        }
        case F_LOCK: {
          const zone = this.zone;
          const pcp = mm.variant.pcp_spin_trylock(x, mm, zone);
          if (!pcp) {
            this.sub = free_one_page(x, mm, zone, page, order, this.migratetype);
            this.state = F_BUDDY;
            break;
          }
          this.pcp = pcp;
          this.frames = IN_COMMIT;
          this.state = F_SETTLE;
          if (nowait.free_unref_page_commit(x, mm, zone, pcp, page, this.migratetype, order)) {
            this.sub = free_unref_page_commit_drain(x, mm, zone, pcp, this.migratetype, order);
            this.state = F_DRAIN;
          }
          break;
        }
        case F_DRAIN: {
          const d = this.drive();
          if (d !== DONE) return d;
          this.state = F_SETTLE;
          break;
        }
        case F_SETTLE:
          this.frames = IN_FREE_UNREF;
          this.state = F_UNLOCK;
          if (x.mustYield()) return x.pending;
          break;
        case F_UNLOCK: {
          const pcp = this.pcp!;
          this.pcp = null;
          this.state = F_END;
          if (mm.variant.pcp_spin_unlock(x, pcp)) return 0;
          break;
        }
        case F_BUDDY: {
          const d = this.drive();
          if (d !== DONE) return d;
          this.state = F_END;
          break;
        }
        default:
          this.frames = IN_FREE;
          mm.metrics.freeTimed(x.now - this.startNs);
          return DONE;
      }
    }
  }

  protected abandon(): void {
    this.pcp = null;
  }
}
