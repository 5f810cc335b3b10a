// Metrics in words with their units, for the notebook's table and charts:
// a reader sees "zone->lock wait, total" in microseconds, not
// lock_stat.zone.waittime-total in bare nanoseconds. The mail report keeps
// lockstat's names (lib/report); this is the notebook's reading of them.

/** How a metric's value is measured: "time" in ns, "percent" as a fraction
 * of 1, "count" plain, "pages" a count of 4 KiB pages, "ms" wall time. */
type MetricUnit = "time" | "percent" | "count" | "pages" | "ms";

interface MetricInfo {
  words: string;
  unit: MetricUnit;
}

const CONTEXT_WORDS: Record<string, string> = { task: "in task context", softirq: "in softirq", hardirq: "in hardirq" };

const FIXED: Record<string, MetricInfo> = {
  "alloc.requests": { words: "allocation requests", unit: "count" },
  "alloc.pages": { words: "pages allocated", unit: "pages" },
  "alloc.failed": { words: "failed allocations", unit: "count" },
  "free.requests": { words: "free requests", unit: "count" },
  "free.pages": { words: "pages freed", unit: "pages" },
  "free.latency_ns.mean": { words: "free latency, mean", unit: "time" },
  "alloc_free.pair_ns.mean": { words: "allocation and free pair, mean", unit: "time" },
  "drain.skipped": { words: "drains skipped: another was running", unit: "count" },
  "drain.waited": { words: "drains that waited for another", unit: "count" },
  "pcp.alloc_hits": { words: "allocations served from pcp lists", unit: "count" },
  "pcp.refills": { words: "pcp list refills from the zone", unit: "count" },
  "pcp.drains": { words: "pcp list drains", unit: "count" },
  "pcp.refill_pages": { words: "pages refilled into pcp lists", unit: "pages" },
  "pcp.drain_pages": { words: "pages drained from pcp lists", unit: "pages" },
  "free.batched_pages": { words: "pages freed as lists", unit: "pages" },
  "pcp.trylock_fail": { words: "pcp trylock failures", unit: "count" },
  "pcp.fallback_rate": { words: "pcp fallback rate", unit: "percent" },
  "irq.count": { words: "interrupts handled", unit: "count" },
  "irq.off_ns.total": { words: "time with IRQs off, total", unit: "time" },
  "irq.off_ns.max": { words: "time with IRQs off, longest", unit: "time" },
  "softirq.count": { words: "softirqs run", unit: "count" },
  "softirq.ksoftirqd": { words: "softirqs run by ksoftirqd", unit: "count" },
  "softirq.ksoftirqd_wakeups": { words: "ksoftirqd wakeups", unit: "count" },
  "compaction.attempts": { words: "compaction attempts", unit: "count" },
  "compaction.success": { words: "compactions that succeeded", unit: "count" },
  "compaction.fail": { words: "compactions that failed", unit: "count" },
  "compaction.pages_migrated": { words: "pages migrated by compaction", unit: "pages" },
  "reclaim.direct_pages": { words: "pages reclaimed directly", unit: "pages" },
  "reclaim.kswapd_pages": { words: "pages reclaimed by kswapd", unit: "pages" },
  "zone.free_pages.min": { words: "free pages, lowest", unit: "pages" },
  "zone.free_pages.end": { words: "free pages at the end", unit: "pages" },
  "invariants.violations": { words: "list-check violations per run", unit: "count" },
  "engine.events": { words: "events simulated", unit: "count" },
  "engine.wall_ms": { words: "wall-clock time of the run", unit: "ms" },
};

const LOCK_FIELDS: Record<string, MetricInfo> = {
  acquisitions: { words: "acquisitions", unit: "count" },
  contentions: { words: "contentions", unit: "count" },
  contention_rate: { words: "contention rate", unit: "percent" },
  "wait_ns.total": { words: "wait, total", unit: "time" },
  "wait_ns.max": { words: "wait, longest", unit: "time" },
  "hold_ns.mean": { words: "hold time, mean", unit: "time" },
  "hold_ns.max": { words: "hold time, longest", unit: "time" },
  transfers: { words: "cache-line transfers", unit: "count" },
  spin_share: { words: "spin share of CPU time", unit: "percent" },
};

const PERCENTILES: Record<string, string> = { mean: "mean", p50: "median", p99: "p99", max: "worst" };

/** A metric of docs/results.md in words with its unit; an unknown key (from a
 * later engine) stands for itself, as a count. */
export function metricInfo(metric: string): MetricInfo {
  const fixed = FIXED[metric];
  if (fixed) return fixed;
  const lock = /^lock\.(pcp|zone)\.(.+)$/.exec(metric);
  if (lock && LOCK_FIELDS[lock[2]!]) {
    const field = LOCK_FIELDS[lock[2]!]!;
    return { words: `${lock[1] === "zone" ? "zone->lock" : "pcp lock"} ${field.words}`, unit: field.unit };
  }
  const latency = /^(irq|alloc)\.latency_ns\.(mean|p50|p99|max)$/.exec(metric);
  if (latency) return { words: `${latency[1] === "irq" ? "IRQ latency" : "allocation latency"}, ${PERCENTILES[latency[2]!]}`, unit: "time" };
  const delay = /^softirq\.delay_ns\.(p50|p99|max)$/.exec(metric);
  if (delay) return { words: `softirq delay, ${PERCENTILES[delay[1]!]}`, unit: "time" };
  const fails = /^pcp\.trylock_fail\.(task|softirq|hardirq)$/.exec(metric);
  if (fails) return { words: `pcp trylock failures ${CONTEXT_WORDS[fails[1]!]}`, unit: "count" };
  return { words: metric, unit: "count" };
}

/** Three significant digits, never an exponent, no trailing zeros:
 * 57.666 -> "57.7", 9 -> "9", 0.005774 -> "0.00577" (a small stddev still
 * shows). Values of 1000 and more print whole, with thousands separated. */
function sig3(x: number): string {
  const a = Math.abs(x);
  if (a >= 999.5) return (x < 0 ? "-" : "") + group(Math.round(a));
  // Below a millionth, noise: "0".
  const decimals = a >= 99.95 ? 0 : a >= 9.995 ? 1 : a >= 0.9995 || a < 1e-6 ? 2 : Math.min(8, 2 - Math.floor(Math.log10(a)));
  const s = x.toFixed(decimals);
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

function group(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

const TIME_STEPS = [
  { unit: "s", ns: 1e9 },
  { unit: "ms", ns: 1e6 },
  { unit: "us", ns: 1e3 },
  { unit: "ns", ns: 1 },
] as const;

/** The time unit a value of `ns` reads best in: at least 1 of it, below 1000. */
function timeUnit(ns: number): (typeof TIME_STEPS)[number] {
  const a = Math.abs(ns);
  // 999.6 us rounds to "1,000 us"; it reads as 1 ms.
  return TIME_STEPS.find((s) => a >= s.ns * 0.9995) ?? TIME_STEPS[3];
}

export function formatTimeNs(ns: number): string {
  const u = timeUnit(ns);
  return `${sig3(ns / u.ns)} ${u.unit}`;
}

/** A metric's value as the notebook shows it, with its unit. */
export function formatMetric(metric: string, value: number): string {
  switch (metricInfo(metric).unit) {
    case "time":
      return formatTimeNs(value);
    case "percent":
      return `${sig3(value * 100)}%`;
    case "pages":
      return `${sig3(value)} pages`;
    case "ms":
      return `${sig3(value)} ms`;
    case "count":
      return sig3(value);
  }
}

/** How a chart plots a metric whose values are `values`: one factor and one
 * unit for all of them (an axis has one unit), and its title in words. */
export function chartScale(metric: string, values: number[]): { factor: number; unit: string; title: string } {
  const info = metricInfo(metric);
  const withUnit = (unit: string) => (unit ? `${info.words} (${unit})` : info.words);
  switch (info.unit) {
    case "time": {
      const u = timeUnit(Math.max(0, ...values.map(Math.abs)));
      return { factor: 1 / u.ns, unit: u.unit, title: withUnit(u.unit) };
    }
    case "percent":
      return { factor: 100, unit: "%", title: withUnit("%") };
    case "pages":
      return { factor: 1, unit: "pages", title: withUnit("pages") };
    case "ms":
      return { factor: 1, unit: "ms", title: withUnit("ms") };
    case "count":
      return { factor: 1, unit: "", title: info.words };
  }
}
