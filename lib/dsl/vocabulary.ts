// The names the language knows besides gfp flags: statements, lock variants,
// contexts, metrics (docs/results.md) and model costs (docs/model.md). The engine and
// the report read these tables too, so a name is defined once, here.
import { didYouMean } from "./suggest.ts";

export const SCENARIO_STATEMENTS = [
  "description", "kernel", "cpus", "memory", "duration", "warmup", "seed", "runs", "lock",
  "compare", "sweep", "pcp", "fragmentation", "config", "cost", "workload", "expect",
] as const;
export const WORKLOAD_STATEMENTS = ["rate", "every", "arrivals", "alloc", "free", "drain"] as const;

export const STATEMENT_EXAMPLES: Record<string, string> = {
  description: 'description "what this models"',
  kernel: 'kernel "6.1"',
  cpus: "cpus 8",
  memory: "memory 2GiB",
  duration: "duration 100ms",
  warmup: "warmup 10ms",
  seed: "seed 1",
  runs: "runs 5",
  lock: "lock trylock",
  compare: "compare irqsave, trylock",
  sweep: 'sweep cpus in 1, 2, 4  (or memory, pcp.high, pcp.batch, "workload".rate)',
  pcp: "pcp high 512 batch 63",
  fragmentation: "fragmentation 30%",
  config: "config DEBUG_LIST off  (or DEBUG_VM, SMP, DEBUG_SPINLOCK; on or off; PCP_BATCH_SCALE_MAX 0 to 6)",
  cost: "cost zone_lock_per_block 40ns",
  workload: 'workload "name" on cpus 0-3 in task { ... }',
  expect: "expect pcp.fallback_rate < 5% for trylock",
  rate: "rate 20k/s",
  every: "every 1ms",
  arrivals: "arrivals 25600  (on each CPU; then the workload stops there)",
  last: "free batch 15 after last: once the last arrival has allocated, free every page still held, in allocation order",
  alloc: "alloc 4 x order 0 gfp GFP_ATOMIC",
  free: "free batch 31 after exp(5ms) in softirq",
  drain: "drain",
};

/** The kernel config options a scenario may set (scenario.ts KernelConfig). */
export const CONFIG_OPTIONS = [
  { name: "DEBUG_LIST", byDefault: "on", doc: "CONFIG_DEBUG_LIST: list_add and list_del check their neighbours and report list corruption; off, list_del only poisons the links and a stale link faults where it is followed" },
  { name: "DEBUG_VM", byDefault: "on", doc: "CONFIG_DEBUG_VM: every page taken from a pcp list is checked (check_new_pcp()) and a bad one ends the run with \"Bad page state\"; off, as in distribution kernels, only pcp refills and buddy allocations are checked, so a page a corrupted pcp list hands out is used as it is, PageBuddy and all" },
  { name: "SMP", byDefault: "on", doc: "CONFIG_SMP: off builds a uniprocessor kernel: one CPU, spin_lock is preempt_disable and spin_trylock always succeeds, even on a held lock" },
  { name: "DEBUG_SPINLOCK", byDefault: "on when SMP is off, else off", doc: "CONFIG_DEBUG_SPINLOCK: spinlocks keep an owner and check it; on UP a trylock of a held lock fails with \"BUG: spinlock trylock failure on UP\", printed once" },
  { name: "PCP_BATCH_SCALE_MAX", byDefault: "unset", range: [0, 6], doc: "CONFIG_PCP_BATCH_SCALE_MAX (0 to 6): a run of frees doubles the pages each pcp drain frees at most N times (batch << N), as \"mm: restrict the pcp batch scale factor to avoid too long latency\" (2024, in 6.1.y stable; Debian's 6.1 sets 5); unset, it doubles up to high - batch as 6.1.0 does" },
] as const;
export type ConfigName = (typeof CONFIG_OPTIONS)[number]["name"];
export const CONFIG_NAMES: readonly ConfigName[] = CONFIG_OPTIONS.map((o) => o.name);

/** The numbers an option takes, or null for one that is on or off. */
export function configRange(name: string): readonly [number, number] | null {
  const option = CONFIG_OPTIONS.find((o) => o.name === name);
  return option && "range" in option ? option.range : null;
}

export function suggestStatement(word: string, where: "scenario" | "workload"): string {
  const own: readonly string[] = where === "scenario" ? SCENARIO_STATEMENTS : WORKLOAD_STATEMENTS;
  const hint = didYouMean(word, own);
  if (hint) return hint;
  const other: readonly string[] = where === "scenario" ? WORKLOAD_STATEMENTS : SCENARIO_STATEMENTS;
  if (other.includes(word)) {
    return where === "scenario" ? `; '${word}' belongs inside a workload block` : `; '${word}' belongs at the scenario level`;
  }
  return "";
}

interface VariantInfo {
  name: string;
  models: string;
  summary: string;
}

export const VARIANTS: readonly VariantInfo[] = [
  {
    name: "irqsave",
    models: "Linux 6.1",
    summary: "pcp lock taken with IRQs disabled; an interrupt on the same CPU waits until it is dropped",
  },
  {
    name: "trylock",
    models: "5749077415994 as merged in 6.2",
    summary: "IRQs stay enabled under the pcp lock; a failed trylock falls back to the buddy lists under zone->lock",
  },
  {
    name: "trylock-v2",
    models: "the v2 patch as posted on 2022-11-04",
    summary: "as trylock, with v2's free_unref_page_list (no list_del on the pcp path): the list corruption Hugh Dickins hit",
  },
  {
    name: "irq-bypass",
    models: "374ad05ab64d (4.11-rc, reverted)",
    summary: "hardirq and softirq allocations never use the pcp lists; pcp lock as irqsave",
  },
  {
    name: "trylock-2026",
    models: "038a102535eb (January 2026), the SMP=n fix to 5749077415994",
    summary: "as trylock, with IRQs disabled around the drain paths' pcp lock on UP, where spin_trylock always succeeds",
  },
];
export const VARIANT_NAMES = VARIANTS.map((v) => v.name);

export const CONTEXTS = ["task", "softirq", "hardirq"] as const;
export type Context = (typeof CONTEXTS)[number];

/** What a metric counts decides which values an `expect` may compare it with. */
export type MetricUnit = "count" | "ns" | "fraction" | "pages" | "ms";

export interface MetricInfo {
  name: string;
  unit: MetricUnit;
  doc: string;
  /** Wall-clock metrics differ between hosts: reported, never expected. */
  deterministic: boolean;
}

function expand(pattern: string): string[] {
  const m = /\{([^}]*)\}/.exec(pattern);
  if (!m) return [pattern];
  return m[1]!.split(",").flatMap((alt) => expand(pattern.slice(0, m.index) + alt + pattern.slice(m.index + m[0].length)));
}

const METRIC_TABLE: [pattern: string, unit: MetricUnit, doc: string][] = [
  ["alloc.requests", "count", "allocation calls"],
  ["alloc.pages", "count", "pages the allocation calls asked for"],
  ["alloc.failed", "count", "allocation calls that returned NULL"],
  ["alloc.latency_ns.{mean,p50,p99,max}", "ns", "time inside the allocator per call, waiting included"],
  ["free.requests", "count", "frees (a list of N counts N)"],
  ["free.pages", "count", "pages freed"],
  ["free.latency_ns.mean", "ns", "time inside __free_pages() per call, waiting included"],
  ["alloc_free.pair_ns.mean", "ns", "alloc.latency_ns.mean + free.latency_ns.mean: one alloc+free pair"],
  ["pcp.alloc_hits", "count", "allocations served from a pcp list"],
  ["pcp.refills", "count", "rmqueue_bulk calls"],
  ["pcp.drains", "count", "free_pcppages_bulk calls"],
  ["pcp.refill_pages", "count", "pages rmqueue_bulk put on pcp lists (mm_page_alloc_zone_locked, percpu_refill=1)"],
  ["pcp.drain_pages", "count", "pages free_pcppages_bulk took off pcp lists (mm_page_pcpu_drain)"],
  ["free.batched_pages", "count", "pages release_pages handed to free_unref_page_list (mm_page_free_batched)"],
  ["drain.skipped", "count", "drain_all_pages calls without a zone that returned: a drain was running"],
  ["drain.waited", "count", "drain_all_pages calls with a zone that slept on pcpu_drain_mutex"],
  ["pcp.trylock_fail", "count", "pcp trylocks that failed, all contexts"],
  ["pcp.trylock_fail.{task,softirq,hardirq}", "count", "pcp trylocks that failed, by context"],
  ["pcp.fallback_rate", "fraction", "pcp.trylock_fail / pcp-eligible operations"],
  ["lock.{pcp,zone}.acquisitions", "count", "lockstat acquisitions"],
  ["lock.{pcp,zone}.contentions", "count", "acquisitions that had to wait (lockstat contentions)"],
  ["lock.{pcp,zone}.contention_rate", "fraction", "contentions / acquisitions"],
  ["lock.{pcp,zone}.wait_ns.{total,max}", "ns", "lockstat waittime-total, waittime-max"],
  ["lock.{pcp,zone}.hold_ns.{mean,max}", "ns", "lockstat holdtime-avg, holdtime-max"],
  ["lock.{pcp,zone}.transfers", "count", "acquisitions that fetched the lock's cache line from another CPU"],
  ["lock.zone.spin_share", "fraction", "time CPUs spent queued for zone->lock / (cpus x duration)"],
  ["irq.count", "count", "hardirqs handled"],
  ["irq.latency_ns.{p50,p99,max}", "ns", "hardirq raise to handler entry"],
  ["irq.off_ns.{total,max}", "ns", "time with IRQs disabled (sum over CPUs); longest single window"],
  ["softirq.count", "count", "softirq work items run"],
  ["softirq.ksoftirqd", "count", "softirq work items run by ksoftirqd, not on irq_exit"],
  ["softirq.ksoftirqd_wakeups", "count", "times ksoftirqd was woken"],
  ["softirq.delay_ns.{p50,p99,max}", "ns", "softirq raise to the start of its work"],
  ["compaction.{attempts,success,fail}", "count", "compaction runs, direct and kcompactd, counted as they end"],
  ["compaction.pages_migrated", "count", "pages moved by compaction"],
  ["reclaim.{direct,kswapd}_pages", "count", "pages reclaimed by direct reclaim and by kswapd"],
  ["zone.free_pages.{min,end}", "pages", "lowest and final free pages of the zone"],
  ["invariants.violations", "count", "correctness checks that fired (a violation ends the run)"],
  ["engine.events", "count", "events the engine processed"],
  ["engine.wall_ms", "ms", "wall-clock time of the run"],
];

export const METRICS: readonly MetricInfo[] = METRIC_TABLE.flatMap(([pattern, unit, doc]) =>
  expand(pattern).map((name) => ({ name, unit, doc, deterministic: name !== "engine.wall_ms" })),
);
export const METRIC_BY_NAME = new Map(METRICS.map((m) => [m.name, m]));

/** The metrics people compare first: every report shows them, and the
 * notebook's table and charts lead with them. */
export const HEADLINE_METRICS = [
  "pcp.fallback_rate",
  "lock.zone.contentions",
  "lock.zone.wait_ns.total",
  "irq.latency_ns.p99",
  "alloc.latency_ns.p99",
  "invariants.violations",
] as const;

interface CostInfo {
  name: string;
  /** Default in nanoseconds. */
  defaultNs: number;
  doc: string;
  source: string;
  assumption: boolean;
}

// docs/model.md "Costs"; each cost names its source.
export const COSTS: readonly CostInfo[] = [
  { name: "spin_lock", defaultNs: 8, doc: "spin_lock+unlock, uncontended", source: "Brouer, 374ad05ab64d changelog (2017): spin_lock_unlock 8.3 ns", assumption: false },
  { name: "preempt", defaultNs: 3, doc: "preempt_disable+enable (pcpu_task_pin/unpin)", source: "Brouer, 374ad05ab64d changelog (2017): preempt_disable_enable 2.794 ns", assumption: false },
  { name: "irq_save", defaultNs: 4, doc: "local_irq_save+restore, over what a pinned section pays", source: "Brouer, 374ad05ab64d changelog (2017): page_bench02 alloc+free 53.4 -> 46.1 ns, two saves per pair", assumption: false },
  { name: "cacheline_transfer", defaultNs: 48, doc: "a lock's cache line fetched from the CPU that held it last", source: "nviennot/core-to-core-latency: Xeon Gold 6242 (Cascade Lake) same-socket median 48 ns", assumption: false },
  { name: "pcp_list_op", defaultNs: 12, doc: "one block on or off a pcp list", source: "Brouer, 374ad05ab64d changelog (2017): alloc+free 46.1 ns less two pins and two spin_locks", assumption: false },
  { name: "zone_lock_per_block", defaultNs: 40, doc: "one block taken from or merged into the buddy lists under zone->lock", source: "Huang Ying, 20231016053002.756205-5-ying.huang@intel.com (2023): 32-56 ns per order-0 block", assumption: false },
  { name: "buddy_level", defaultNs: 5, doc: "one order level split (expand) or merged (__free_one_page)", source: "assumption; no published figure", assumption: true },
  { name: "check_new_page", defaultNs: 5, doc: "check_new_page() on one struct page", source: "Halbuer, 68ba44d8-6899-c018-dcb3-36f3a96e6bea@sra.uni-hannover.de (2023): (2790 - 171 ns) / 512", assumption: false },
  { name: "irq_entry", defaultNs: 500, doc: "hardirq entry+exit", source: "assumption; no authoritative figure", assumption: true },
  { name: "compaction_scan_per_page", defaultNs: 5, doc: "compaction scanner, per pfn", source: "assumption", assumption: true },
  { name: "migrate_per_page", defaultNs: 1000, doc: "migrating one page", source: "assumption", assumption: true },
  { name: "reclaim_per_page", defaultNs: 1000, doc: "reclaiming one page", source: "assumption", assumption: true },
];
export const COST_BY_NAME = new Map(COSTS.map((c) => [c.name, c]));

/** Costs earlier engines had, and what a scenario that set one means now:
 * a scenario written for them gets this in its E211, not a guess. */
export const RETIRED_COSTS: ReadonlyMap<string, string> = new Map([
  ["zone_lock_per_page", "pcplab 0.4.0 charges zone->lock per block: zone_lock_per_block, buddy_level and check_new_page"],
  ["lock_handoff", "pcplab 0.4.0 charges cacheline_transfer when a lock's last holder was another CPU"],
]);
