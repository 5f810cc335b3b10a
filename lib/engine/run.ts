// One run: a scenario, a variant, a sweep value and a seed in; metrics,
// series and any violation out. Pure and deterministic: the same inputs give
// the same numbers on every host.
import type { Scenario } from "../dsl/scenario.ts";
import { makeCosts } from "./costs.ts";
import { Machine } from "./machine.ts";
import { Metrics, SERIES_BUCKETS, type Series } from "./metrics.ts";
import { check_invariants } from "./mm/check_invariants.ts";
import type { Mm, TraceEvent } from "./mm/page_alloc.ts";
import { kthreads } from "./mm/page_alloc_slowpath.ts";
import { CHUNK_PAGES, MemMap } from "./mm/memmap.ts";
import { simulatedZones, type SimulatedZone } from "./mm/node.ts";
import { MIGRATE_MOVABLE, NodeFree, Zone } from "./mm/zone.ts";
import { Mutex } from "./mutex.ts";
import type { Violation } from "./oops.ts";
import type { PagePool } from "./page_owners.ts";
import { Rng } from "./rng.ts";
import { VARIANT_IMPLEMENTATIONS } from "./variants/index.ts";
import { Workloads } from "./workload.ts";

export interface RunSpec {
  variant: string;
  sweepValue: number | null;
  seed: number;
}

export interface RunResult {
  seed: number;
  metrics: Record<string, number>;
  series: Series;
  violation: Violation | null;
  /** Kernel messages logged without stopping the run; absent when none. */
  messages?: string[];
  /** The zones this run simulated, as the kernel would have set them up, in zonelist order. */
  zones: SimulatedZone[];
}

export interface RunHooks {
  /** Called now and then with the simulated time reached (ns). */
  onProgress?: (simulatedNs: number) => void;
  /** Polled now and then; true cancels the run (it throws Cancelled). */
  shouldStop?: () => boolean;
  /** Wall clock in ms, for engine.wall_ms only (the engine has no clock of its own). */
  clock?: () => number;
  /** Tests only: called after every event with the model's state. */
  afterEvent?: (mm: Mm, m: Machine) => void;
  /** Tests and tools: the kernel's tracepoints (mm_compaction_begin, softirq_entry, ...). */
  tracepoint?: (event: TraceEvent) => void;
  /** Tests only: every code path as a generator, without the plain fast
   * paths (`nowait`) or the state machines (steps.ts), which must not
   * change a single number. */
  generatorsOnly?: boolean;
  /** Tests only: no plain fast paths, so every allocation and free that a
   * state machine can take takes one. */
  noPlainPaths?: boolean;
}

/** The scenario with a sweep value applied. */
export function applySweep(s: Scenario, value: number | null): Scenario {
  const p = s.sweep?.param;
  if (!p || value === null) return s;
  switch (p.kind) {
    case "cpus":
      return { ...s, cpus: value };
    case "memory":
      return { ...s, memoryBytes: value };
    case "pcp.high":
      return { ...s, pcp: { ...s.pcp, high: value } };
    case "pcp.batch":
      return { ...s, pcp: { ...s.pcp, batch: value } };
    case "rate":
      return {
        ...s,
        workloads: s.workloads.map((w) => (w.name === p.workload ? { ...w, arrival: { kind: "rate", perSecond: value } } : w)),
      };
  }
}

export function sweepParamName(s: Scenario): string | null {
  const p = s.sweep?.param;
  if (!p) return null;
  return p.kind === "rate" ? `"${p.workload}".rate` : p.kind;
}

export function simulate(scenario: Scenario, spec: RunSpec, hooks: RunHooks = {}): RunResult {
  const sim = new Simulation(scenario, spec, hooks);
  sim.machine.run(hooks.shouldStop, hooks.onProgress);
  return sim.result();
}

/**
 * One run, ready to go event by event: step() processes the next event,
 * result() gives the RunResult once the run is over. simulate() is
 * `new Simulation(...)`, steps until the end, then result().
 */
export class Simulation {
  readonly machine: Machine;
  readonly mm: Mm;
  private readonly zones: SimulatedZone[];
  private readonly started: number;
  private readonly end: number;

  constructor(
    scenario: Scenario,
    private readonly spec: RunSpec,
    private readonly hooks: RunHooks = {},
  ) {
    this.started = hooks.clock?.() ?? 0;
    const s = applySweep(scenario, spec.sweepValue);
    const rng = new Rng(spec.seed);
    const metrics = new Metrics(s.warmupNs, s.durationNs, s.cpus);
    this.zones = simulatedZones(s.memoryBytes, s.cpus, s.pcp);
    // One mem_map over the node: the zones' managed pages one after the
    // other in node order (DMA32 first), each from a max-order boundary.
    const inNodeOrder = [...this.zones].reverse();
    const bases: number[] = [];
    let nrPages = 0;
    for (const z of inNodeOrder) {
      bases.push(nrPages);
      nrPages += Math.ceil(z.managedPages / CHUNK_PAGES) * CHUNK_PAGES;
    }
    const memmap = new MemMap(nrPages, MIGRATE_MOVABLE);
    const node = new NodeFree();
    const node_zones = inNodeOrder.map(
      (z, slot) => new Zone(z, memmap, bases[slot]!, slot, s.cpus, metrics.pcpLock, metrics.zoneLock, metrics, (now) => metrics.zoneContention(now), node),
    );
    const zonelist = [...node_zones].reverse();
    const dma32 = zonelist.filter((z) => z.idx <= 1);
    const variant = VARIANT_IMPLEMENTATIONS[spec.variant];
    if (!variant) throw new Error(`unknown variant ${spec.variant}`);
    let owners: PagePool | null = null;
    const mm: Mm = {
      node_zones, memmap, node, kswapd_failures: 0, debugVm: true, variant, metrics,
      ac: { zonelist, highest_zoneidx: zonelist[0]!.idx },
      // Every node the model builds has DMA32 (or DMA alone, on tiny machines).
      acDma32: { zonelist: dma32, highest_zoneidx: dma32[0]!.idx },
      // The workloads own the pages; they exist once mm does.
      owners: { reclaim: (nr) => owners!.reclaim(nr), movable: (pfn) => owners!.movable(pfn), migrate: (a, b) => owners!.migrate(a, b) },
      capc: new Array(s.cpus).fill(null),
      pcpu_drain_mutex: new Mutex("pcpu_drain_mutex"),
      kthreads: { kswapd: () => {}, kcompactd: () => {} },
      tracepoint: hooks.tracepoint,
      pcpBatchScaleMax: s.config?.PCP_BATCH_SCALE_MAX ?? null,
    };
    mm.kthreads = kthreads(mm);
    // Named as the report names a run.
    const sweep = spec.sweepValue === null ? "" : ` at ${sweepParamName(scenario)} ${spec.sweepValue}`;
    const m = new Machine(s.cpus, rng, makeCosts(s.costs, rng), metrics, `run ${spec.variant}, seed ${spec.seed}${sweep}`);
    memmap.full = () => m.outOfFrames();
    // Scenario objects stored before `config` existed have none.
    const config = s.config ?? { DEBUG_LIST: true, DEBUG_VM: true, SMP: true, DEBUG_SPINLOCK: false };
    memmap.debugList = config.DEBUG_LIST;
    // Scenario objects stored before DEBUG_VM existed checked every new page.
    mm.debugVm = config.DEBUG_VM ?? true;
    m.kernel = { SMP: config.SMP, DEBUG_SPINLOCK: config.DEBUG_SPINLOCK };
    // On UP pcp_trylock_prepare() saves IRQs in every variant.
    if (!hooks.generatorsOnly && !hooks.noPlainPaths) m.allowPlainPaths(variant.pcpLockSavesIrqs || !config.SMP);
    const workloads = new Workloads(m, mm, rng, s, !hooks.generatorsOnly);
    owners = workloads.pages;
    m.driver = workloads;
    for (const zone of node_zones) zone.fragment(s.fragmentation, (pfn) => owners!.holdPageCache(pfn));

    this.end = s.warmupNs + s.durationNs;
    m.preset(s.warmupNs, () => {
      metrics.measuring = true;
      node.nrFreeMin = node.nrFree;
    });
    for (let b = 0; b < SERIES_BUCKETS; b++) {
      const t = s.warmupNs + Math.floor((b * s.durationNs) / SERIES_BUCKETS);
      m.preset(t, () => metrics.sampleFreePages(t, node.nrFree));
    }
    m.tracepoint = hooks.tracepoint;
    if (hooks.afterEvent) m.afterEvent = () => hooks.afterEvent!(mm, m);
    workloads.start();
    m.start(this.end);
    this.machine = m;
    this.mm = mm;
  }

  /** Processes the next event; false once the run is over (its end, or a violation). */
  step(): boolean {
    return this.machine.step();
  }

  /** The run's results; only once it is over. */
  result(): RunResult {
    const { machine: m, mm } = this;
    if (!m.done) throw new Error("Simulation.result: the run is not over; step() until it returns false");
    const node = mm.node;
    const metrics = mm.metrics;
    let violation = m.violation;
    if (!violation) {
      const problem = check_invariants(mm);
      if (problem) {
        violation = { time_ns: m.now, cpu: 0, context: "task", function: "check_invariants", message: problem, trace: ["check_invariants"] };
      }
    }
    metrics.sampleFreePages(this.end, node.nrFree);
    const table = metrics.table(node.nrFreeMin, node.nrFree, m.events, violation ? 1 : 0);
    table["engine.wall_ms"] = this.hooks.clock ? Math.round(this.hooks.clock() - this.started) : 0;
    const out: RunResult = { seed: this.spec.seed, metrics: table, series: metrics.series, violation, zones: this.zones };
    if (m.log.messages.length > 0) out.messages = m.log.messages;
    return out;
  }
}
