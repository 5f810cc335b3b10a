// A checked scenario: every default filled in, every value in base units
// (nanoseconds, bytes, per second, fractions). This is what the engine runs
// and what the report describes; it holds no source positions.
import type { CompareOp } from "./ast.ts";
import type { Context } from "./vocabulary.ts";

export type Dist =
  | { kind: "const"; ns: number }
  | { kind: "exp"; meanNs: number }
  | { kind: "uniform"; minNs: number; maxNs: number };

export type SweepParam =
  | { kind: "cpus" }
  | { kind: "memory" }
  | { kind: "pcp.high" }
  | { kind: "pcp.batch" }
  | { kind: "rate"; workload: string };

export interface Workload {
  name: string;
  /** "all", or the explicit cpu numbers in ascending order. */
  cpus: "all" | number[];
  context: Context;
  arrival: { kind: "rate"; perSecond: number } | { kind: "every"; ns: number };
  /** `arrivals N`: each CPU's arrivals stop after N; null, they go on. */
  arrivals: number | null;
  alloc: { count: number; order: number; gfp: number } | null;
  /** "last": every page still held is freed once the CPU's last arrival is done. */
  free: { batch: number | null; after: Dist | "immediately" | "last"; context: Context } | null;
  drain: boolean;
}

export interface Expectation {
  /** The statement in canonical form, as reports quote it. */
  text: string;
  metric: string;
  op: CompareOp;
  /** In the metric's own unit: a fraction, nanoseconds, pages or a count. */
  value: number;
  variant: string | null;
}

export interface Scenario {
  name: string;
  description: string | null;
  kernel: "6.1";
  cpus: number;
  memoryBytes: number;
  durationNs: number;
  warmupNs: number;
  seed: number;
  runs: number;
  /** The first is the base of every comparison. */
  variants: string[];
  sweep: { param: SweepParam; values: number[] } | null;
  pcp: { high: number | null; batch: number | null };
  /** 0..1 */
  fragmentation: number;
  /** Kernel config options the model honours (docs/language.md, config). */
  config: KernelConfig;
  /** Overrides only; the rest are the defaults of vocabulary.ts COSTS. */
  costs: Record<string, Dist>;
  workloads: Workload[];
  expects: Expectation[];
}

export interface KernelConfig {
  /** CONFIG_DEBUG_LIST: list_add/list_del check their neighbours. */
  DEBUG_LIST: boolean;
  /** CONFIG_DEBUG_VM: pages taken from pcp lists are checked (check_new_pcp()). */
  DEBUG_VM: boolean;
  /** CONFIG_SMP; off implies cpus 1. */
  SMP: boolean;
  /** CONFIG_DEBUG_SPINLOCK; on by default when SMP is off. */
  DEBUG_SPINLOCK: boolean;
  /** CONFIG_PCP_BATCH_SCALE_MAX (6.1.y stable); null: 6.1.0, no cap. */
  PCP_BATCH_SCALE_MAX: number | null;
}

export const DEFAULTS = {
  kernel: "6.1",
  cpus: 4,
  memoryBytes: 1 << 30,
  durationNs: 100_000_000,
  warmupNs: 0,
  seed: 1,
  runs: 1,
  variants: ["irqsave"],
} as const;
