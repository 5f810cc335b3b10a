// What a run measures, named as docs/results.md names it. Nothing is counted
// during warmup; the series cuts the measured time into 100 buckets.
import type { MachineMetrics } from "./machine.ts";
import { newLockStat, type LockStat } from "./lock.ts";
import { LatencyHistogram } from "./stats.ts";

export const SERIES_BUCKETS = 100;

export interface Series {
  t_ns: number[];
  allocs: number[];
  fallbacks: number[];
  zone_contentions: number[];
  irq_latency_max_ns: number[];
  free_pages: number[];
}

export class Metrics implements MachineMetrics {
  measuring = false;
  allocRequests = 0;
  allocPages = 0;
  allocFailed = 0;
  readonly allocLatency = new LatencyHistogram();
  freeRequests = 0;
  freePages = 0;
  /** __free_pages() calls timed, and their total time. */
  freeCalls = 0;
  freeTotalNs = 0;
  pcpAllocHits = 0;
  pcpRefills = 0;
  pcpDrains = 0;
  /** Pages rmqueue_bulk() put on pcp lists and free_pcppages_bulk() took off
   * them: the kernel's mm_page_alloc_zone_locked (percpu_refill=1) and
   * mm_page_pcpu_drain tracepoints, one hit a page at order 0. */
  pcpRefillPages = 0;
  pcpDrainPages = 0;
  /** Pages release_pages() handed to free_unref_page_list(): its
   * mm_page_free_batched tracepoint. */
  freeBatchedPages = 0;
  /** drain_all_pages() calls without a zone that found a drain running and returned. */
  drainSkipped = 0;
  /** drain_all_pages() calls with a zone that slept on pcpu_drain_mutex. */
  drainWaited = 0;
  /** pcp lock attempts by allocation and free paths: fallback_rate's denominator. */
  pcpEligible = 0;
  readonly trylockFail = [0, 0, 0];
  compactAttempts = 0;
  compactSuccess = 0;
  compactFail = 0;
  compactMigrated = 0;
  reclaimDirect = 0;
  reclaimKswapd = 0;
  irqCount = 0;
  readonly irqLatency = new LatencyHistogram();
  irqOffTotal = 0;
  irqOffMax = 0;
  softirqCount = 0;
  softirqKsoftirqd = 0;
  ksoftirqdWakeups = 0;
  readonly softirqDelay = new LatencyHistogram();
  readonly pcpLock: LockStat = newLockStat();
  readonly zoneLock: LockStat = newLockStat();
  readonly series: Series;
  private readonly bucketNs: number;

  constructor(
    private readonly warmupNs: number,
    private readonly durationNs: number,
    /** CPUs of the machine: with durationNs, the CPU time spin_share divides by. */
    private readonly nrCpus = 1,
  ) {
    this.bucketNs = durationNs / SERIES_BUCKETS;
    const zeros = () => new Array<number>(SERIES_BUCKETS).fill(0);
    this.series = {
      t_ns: Array.from({ length: SERIES_BUCKETS }, (_, i) => Math.floor(i * this.bucketNs)),
      allocs: zeros(),
      fallbacks: zeros(),
      zone_contentions: zeros(),
      irq_latency_max_ns: zeros(),
      free_pages: zeros(),
    };
  }

  bucket(now: number): number {
    const b = Math.floor((now - this.warmupNs) / this.bucketNs);
    return b < 0 ? 0 : b >= SERIES_BUCKETS ? SERIES_BUCKETS - 1 : b;
  }

  irqEntered(latencyNs: number, now: number): void {
    if (!this.measuring) return;
    this.irqCount++;
    this.irqLatency.record(latencyNs);
    const b = this.bucket(now);
    if (latencyNs > this.series.irq_latency_max_ns[b]!) this.series.irq_latency_max_ns[b] = latencyNs;
  }

  irqOff(ns: number): void {
    if (!this.measuring) return;
    this.irqOffTotal += ns;
    if (ns > this.irqOffMax) this.irqOffMax = ns;
  }

  softirqRan(delayNs: number, inKsoftirqd: boolean): void {
    if (!this.measuring) return;
    this.softirqCount++;
    if (inKsoftirqd) this.softirqKsoftirqd++;
    this.softirqDelay.record(delayNs);
  }

  ksoftirqdWoken(): void {
    if (this.measuring) this.ksoftirqdWakeups++;
  }

  allocated(now: number, latencyNs: number, pages: number, ok: boolean): void {
    if (!this.measuring) return;
    this.allocRequests++;
    this.allocPages += pages;
    if (!ok) this.allocFailed++;
    this.allocLatency.record(latencyNs);
    this.series.allocs[this.bucket(now)]!++;
  }

  freed(pages: number, requests: number): void {
    if (!this.measuring) return;
    this.freeRequests += requests;
    this.freePages += pages;
  }

  freeTimed(ns: number): void {
    if (!this.measuring) return;
    this.freeCalls++;
    this.freeTotalNs += ns;
  }

  trylockFailed(kind: number, now: number): void {
    if (!this.measuring) return;
    this.trylockFail[kind]!++;
    this.series.fallbacks[this.bucket(now)]!++;
  }

  zoneContention(now: number): void {
    if (this.measuring) this.series.zone_contentions[this.bucket(now)]!++;
  }

  sampleFreePages(now: number, free: number): void {
    if (this.measuring) this.series.free_pages[this.bucket(now)] = free;
  }

  /** The flat metric table of docs/results.md. */
  /** `freePagesMin`: the zone's lowest free count since warmup. */
  table(freePagesMin: number, freePagesEnd: number, events: number, violations: number): Record<string, number> {
    const lock = (name: string, s: LockStat, out: Record<string, number>) => {
      out[`lock.${name}.acquisitions`] = s.acquisitions;
      out[`lock.${name}.contentions`] = s.contentions;
      out[`lock.${name}.contention_rate`] = s.acquisitions ? s.contentions / s.acquisitions : 0;
      out[`lock.${name}.wait_ns.total`] = s.waitTotalNs;
      out[`lock.${name}.wait_ns.max`] = s.waitMaxNs;
      out[`lock.${name}.hold_ns.mean`] = s.acquisitions ? Math.round(s.holdTotalNs / s.acquisitions) : 0;
      out[`lock.${name}.hold_ns.max`] = s.holdMaxNs;
      out[`lock.${name}.transfers`] = s.transfers;
    };
    const fails = this.trylockFail[0]! + this.trylockFail[1]! + this.trylockFail[2]!;
    const out: Record<string, number> = {
      "alloc.requests": this.allocRequests,
      "alloc.pages": this.allocPages,
      "alloc.failed": this.allocFailed,
      "alloc.latency_ns.mean": Math.round(this.allocLatency.mean()),
      "alloc.latency_ns.p50": this.allocLatency.percentile(50),
      "alloc.latency_ns.p99": this.allocLatency.percentile(99),
      "alloc.latency_ns.max": this.allocLatency.max(),
      "free.requests": this.freeRequests,
      "free.pages": this.freePages,
      "free.latency_ns.mean": this.freeCalls ? Math.round(this.freeTotalNs / this.freeCalls) : 0,
      // One alloc+free pair as Brouer's page_bench02 times it: both means
      // summed, unrounded until the sum.
      "alloc_free.pair_ns.mean": Math.round(this.allocLatency.mean() + (this.freeCalls ? this.freeTotalNs / this.freeCalls : 0)),
      "pcp.alloc_hits": this.pcpAllocHits,
      "pcp.refills": this.pcpRefills,
      "pcp.drains": this.pcpDrains,
      "pcp.refill_pages": this.pcpRefillPages,
      "pcp.drain_pages": this.pcpDrainPages,
      "free.batched_pages": this.freeBatchedPages,
      "drain.skipped": this.drainSkipped,
      "drain.waited": this.drainWaited,
      "pcp.trylock_fail": fails,
      "pcp.trylock_fail.task": this.trylockFail[0]!,
      "pcp.trylock_fail.softirq": this.trylockFail[1]!,
      "pcp.trylock_fail.hardirq": this.trylockFail[2]!,
      "pcp.fallback_rate": this.pcpEligible ? fails / this.pcpEligible : 0,
      "irq.count": this.irqCount,
      "irq.latency_ns.p50": this.irqLatency.percentile(50),
      "irq.latency_ns.p99": this.irqLatency.percentile(99),
      "irq.latency_ns.max": this.irqLatency.max(),
      "irq.off_ns.total": this.irqOffTotal,
      "irq.off_ns.max": this.irqOffMax,
      "softirq.count": this.softirqCount,
      "softirq.ksoftirqd": this.softirqKsoftirqd,
      "softirq.ksoftirqd_wakeups": this.ksoftirqdWakeups,
      "softirq.delay_ns.p50": this.softirqDelay.percentile(50),
      "softirq.delay_ns.p99": this.softirqDelay.percentile(99),
      "softirq.delay_ns.max": this.softirqDelay.max(),
      "compaction.attempts": this.compactAttempts,
      "compaction.success": this.compactSuccess,
      "compaction.fail": this.compactFail,
      "compaction.pages_migrated": this.compactMigrated,
      "reclaim.direct_pages": this.reclaimDirect,
      "reclaim.kswapd_pages": this.reclaimKswapd,
      "zone.free_pages.min": Number.isFinite(freePagesMin) ? freePagesMin : freePagesEnd,
      "zone.free_pages.end": freePagesEnd,
      "invariants.violations": violations,
      "engine.events": events,
    };
    lock("pcp", this.pcpLock, out);
    lock("zone", this.zoneLock, out);
    // Time spent queued for zone->lock over all CPU time measured (busy or
    // idle): the share of the machine lost to spinning, which contentions per
    // acquisition cannot tell (a few long waits or many short ones).
    const cpuNs = this.nrCpus * this.durationNs;
    out["lock.zone.spin_share"] = cpuNs > 0 ? this.zoneLock.waitTotalNs / cpuNs : 0;
    return out;
  }
}
