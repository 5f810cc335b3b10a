// Semantic checks, all in one place: the tree is well-formed, now does it
// mean something the model can run? Produces the checked Scenario (defaults
// filled in, base units) or the reasons it cannot.
import type * as A from "./ast.ts";
import { error, hasErrors, type Diagnostic } from "./diagnostics.ts";
import { printExpect } from "./format.ts";
import { decodeGfp, evaluateGfp, GFP_BITS_MASK, hex, spellGfp } from "./gfp.ts";
import { DEFAULTS, type Dist, type Expectation, type Scenario, type SweepParam, type Workload } from "./scenario.ts";
import type { Span } from "./source.ts";
import { didYouMean } from "./suggest.ts";
import { formatQuantity, formatTime, PAGE_SIZE, type Quantity } from "./units.ts";
import {
  CONFIG_NAMES, configRange, CONTEXTS, COST_BY_NAME, METRIC_BY_NAME, RETIRED_COSTS, VARIANT_NAMES, type ConfigName, type Context, type MetricInfo,
} from "./vocabulary.ts";

export const LIMITS = {
  cpus: [1, 256],
  order: [0, 10],
  seed: [0, 2 ** 32 - 1],
  runs: [1, 200],
  // pfns stay below 2^31, where the buddy arithmetic (pfn ^ (1 << order)) is exact.
  memoryBytes: [4 * 1024 * 1024, 4 * 2 ** 40],
  timeNs: [0, 3600e9],
  ratePerSecond: [0, 1e8],
  count: [1, 1024],
  arrivals: [1, 1e9],
  pcpHigh: [0, 1 << 24],
  pcpBatch: [1, 1 << 16],
  // Each page `fragmentation` breaks up is a page frame, a free-list entry
  // or a held page-cache page in the engine: about 64 bytes and 0.6 us to
  // set up, so 2^24 pages (64 GiB at 100%) take about 1.1 GiB and 10 s.
  fragmentedPages: 1 << 24,
} as const;

/** Why cpus and runs stop where they do: the model's memory, not the
 * language. Measured with /usr/bin/time -v on io-completion-softirq (1 GiB,
 * 100 ms, --threads 1): one run at cpus 256/512/1024 peaked at
 * 0.32/0.90/0.88 GB, and the pool holds a run on every thread at once.
 * 10 then 100 runs peaked at 88 then 121 MB: each finished run's results
 * stay in memory (about 0.4 MB) until the report is written. */
export const MODEL_LIMITS = {
  cpus: "each simulated CPU carries its own pcp lists, queues and pages in flight; a run at cpus 512 peaked near 0.9 GB, and every thread holds a run at once",
  runs: "every run's results stay in memory until the report is written, about 0.4 MB each per variant and sweep value",
} as const;

interface CheckResult {
  scenario: Scenario | null;
  diagnostics: Diagnostic[];
}

export function check(ast: A.ScenarioNode): CheckResult {
  const c = new Checker();
  const scenario = c.scenario(ast);
  return { scenario: hasErrors(c.diagnostics) ? null : scenario, diagnostics: c.diagnostics };
}

type Kind = Quantity["kind"];
const KIND_EXAMPLE: Record<Kind, string> = {
  int: "a whole number such as 8",
  decimal: "a number",
  time: "a time such as 100us",
  size: "a size such as 2GiB",
  rate: "a rate such as 20k/s",
  percent: "a percentage such as 5%",
};

class Checker {
  readonly diagnostics: Diagnostic[] = [];

  private report(code: Parameters<typeof error>[0], message: string, span: Span): void {
    this.diagnostics.push(error(code, message, span));
  }

  /** The value if it has the wanted kind; reports and returns null otherwise. */
  private want<K extends Kind>(v: A.Value, kind: K, what: string): Extract<Quantity, { kind: K }> | null {
    const q = v.quantity;
    if (!q) return null; // the literal was malformed and is already reported
    if (q.kind === kind) return q as Extract<Quantity, { kind: K }>;
    let hint = "";
    if (q.kind === "int" && kind === "time") hint = `; did you mean ${q.value}ms?`;
    if (q.kind === "int" && kind === "size") hint = `; did you mean ${q.value}MiB or ${q.value} pages?`;
    if (q.kind === "int" && kind === "rate") hint = `; did you mean ${q.value}/s?`;
    if (q.kind === "int" && kind === "percent") hint = `; did you mean ${q.value}%?`;
    if (q.kind === "decimal" && kind === "int") hint = "; it must be a whole number";
    this.report("E210", `${what} needs ${KIND_EXAMPLE[kind]}, got ${formatQuantity(q)}${hint}`, v.span);
    return null;
  }

  private inRange(value: number, [min, max]: readonly [number, number], what: string, span: Span, shown: (x: number) => string = String): boolean {
    if (value >= min && value <= max) return true;
    this.report("E201", `${what} must be between ${shown(min)} and ${shown(max)}, got ${shown(value)}`, span);
    return false;
  }

  private int(v: A.Value, what: string, range: readonly [number, number]): number | null {
    const q = this.want(v, "int", what);
    return q && this.inRange(q.value, range, what, v.span) ? q.value : null;
  }

  /** cpus or runs: beyond the model's limit is E220, which says why. */
  private modelInt(v: A.Value, what: keyof typeof MODEL_LIMITS): number | null {
    const q = this.want(v, "int", what);
    if (!q) return null;
    const max = LIMITS[what][1];
    if (q.value > max) {
      this.report("E220", `${what} ${q.value} is beyond the model's limit of ${max}: ${MODEL_LIMITS[what]}`, v.span);
      return null;
    }
    return this.inRange(q.value, LIMITS[what], what, v.span) ? q.value : null;
  }

  private time(v: A.Value, what: string, min = 0): number | null {
    const q = this.want(v, "time", what);
    if (!q) return null;
    return this.inRange(q.ns, [min, LIMITS.timeNs[1]], what, v.span, formatTime) ? q.ns : null;
  }

  scenario(ast: A.ScenarioNode): Scenario {
    const s: Scenario = {
      name: ast.name.value,
      description: null,
      kernel: DEFAULTS.kernel,
      cpus: DEFAULTS.cpus,
      memoryBytes: DEFAULTS.memoryBytes,
      durationNs: DEFAULTS.durationNs,
      warmupNs: DEFAULTS.warmupNs,
      seed: DEFAULTS.seed,
      runs: DEFAULTS.runs,
      variants: [...DEFAULTS.variants],
      sweep: null,
      pcp: { high: null, batch: null },
      fragmentation: 0,
      config: { DEBUG_LIST: true, DEBUG_VM: true, SMP: true, DEBUG_SPINLOCK: false, PCP_BATCH_SCALE_MAX: null },
      costs: {},
      workloads: [],
      expects: [],
    };
    if (ast.name.value.trim() === "") this.report("E201", "the scenario needs a name", ast.name.span);

    const seen = new Map<string, Span>();
    const once = (key: string, span: Span, what = `'${key}'`): boolean => {
      if (seen.has(key)) {
        this.report("E202", `${what} is set twice; keep one`, span);
        return false;
      }
      seen.set(key, span);
      return true;
    };

    let variantsIncomplete = false;
    const workloadNodes: A.WorkloadNode[] = [];
    const expectNodes: A.ExpectNode[] = [];
    let sweepNode: Extract<A.Statement, { kind: "sweep" }> | null = null;
    const configSet = new Map<ConfigName, { on: boolean; span: Span }>();
    const configNumbers = new Map<ConfigName, number | null>();

    for (const st of ast.statements) {
      switch (st.kind) {
        case "text":
          if (!once(st.key, st.span)) break;
          if (st.key === "description") s.description = st.value.value;
          else if (st.value.value !== "6.1") {
            this.report("E213", `kernel "${st.value.value}" is not modelled; pcplab models "6.1" (later patches are lock variants, e.g. lock trylock for 6.2)`, st.value.span);
          }
          break;
        case "setting":
          if (once(st.key, st.span)) this.setting(s, st);
          break;
        case "lock":
        case "compare": {
          if (!once("variants", st.span, "the lock variant ('lock' or 'compare')")) break;
          const names = st.kind === "lock" ? [st.variant] : st.variants;
          if (st.kind === "compare" && names.length < 2) {
            this.report("E105", "compare needs at least two variants; use 'lock NAME' for one", st.span);
          }
          const variants: string[] = [];
          for (const n of names) {
            if (!VARIANT_NAMES.includes(n.name)) {
              this.report("E206", `unknown lock variant '${n.name}'${didYouMean(n.name, VARIANT_NAMES)} (variants: ${VARIANT_NAMES.join(", ")})`, n.span);
            } else if (variants.includes(n.name)) {
              this.report("E203", `variant '${n.name}' is listed twice`, n.span);
            } else variants.push(n.name);
          }
          if (variants.length > 0) s.variants = variants;
          if (variants.length < names.length) variantsIncomplete = true;
          break;
        }
        case "sweep":
          if (once("sweep", st.span, "'sweep' (at most one per scenario)")) sweepNode = st;
          break;
        case "pcp":
          if (!once("pcp", st.span)) break;
          if (!st.high && !st.batch) this.report("E105", "pcp needs 'high N', 'batch N' or both", st.span);
          if (st.high) s.pcp.high = this.int(st.high, "pcp high", LIMITS.pcpHigh);
          if (st.batch) s.pcp.batch = this.int(st.batch, "pcp batch", LIMITS.pcpBatch);
          break;
        case "config":
          if (!CONFIG_NAMES.includes(st.name.name as ConfigName)) {
            this.report("E221", `unknown config option '${st.name.name}'${didYouMean(st.name.name, CONFIG_NAMES)} (options: ${CONFIG_NAMES.join(", ")})`, st.name.span);
            break;
          }
          if (!once(`config ${st.name.name}`, st.span, `config ${st.name.name}`)) break;
          const range = configRange(st.name.name);
          if (range) {
            const what = `config ${st.name.name}`;
            if ("name" in st.setting) this.report("E222", `${what} is a number from ${range[0]} to ${range[1]}, got '${st.setting.name}'`, st.setting.span);
            else configNumbers.set(st.name.name as ConfigName, this.int(st.setting, what, range));
            break;
          }
          if (!("name" in st.setting) || (st.setting.name !== "on" && st.setting.name !== "off")) {
            const got = "name" in st.setting ? st.setting.name : st.setting.quantity ? formatQuantity(st.setting.quantity) : "a number";
            this.report("E222", `config ${st.name.name} is on or off, got '${got}'`, st.setting.span);
            break;
          }
          configSet.set(st.name.name as ConfigName, { on: st.setting.name === "on", span: st.span });
          break;
        case "cost": {
          if (!COST_BY_NAME.has(st.name.name)) {
            const retired = RETIRED_COSTS.get(st.name.name);
            const hint = retired ? `: ${retired}` : didYouMean(st.name.name, COST_BY_NAME.keys());
            this.report("E211", `unknown cost '${st.name.name}'${hint}`, st.name.span);
            break;
          }
          if (!once(`cost ${st.name.name}`, st.span, `cost ${st.name.name}`)) break;
          const d = this.dist(st.dist, `cost ${st.name.name}`);
          if (d) s.costs[st.name.name] = d;
          break;
        }
        case "workload":
          workloadNodes.push(st);
          break;
        case "expect":
          expectNodes.push(st);
          break;
      }
    }

    if (sweepNode) s.sweep = this.sweep(sweepNode, workloadNodes);
    this.kernelConfig(s, configSet, seen.get("cpus"));
    s.config.PCP_BATCH_SCALE_MAX = configNumbers.get("PCP_BATCH_SCALE_MAX") ?? null;
    this.fragmentedPages(s);
    const cpuCounts = s.sweep?.param.kind === "cpus" ? s.sweep.values : [s.cpus];
    const names = new Set<string>();
    for (const w of workloadNodes) {
      if (names.has(w.name.value)) {
        this.report("E203", `workload "${w.name.value}" is defined twice; workload names must be unique`, w.name.span);
        continue;
      }
      names.add(w.name.value);
      const workload = this.workload(w, cpuCounts, s.sweep);
      if (workload) s.workloads.push(workload);
    }
    for (const e of expectNodes) {
      const x = this.expect(e, s.variants, ast.recovered || variantsIncomplete);
      if (x) s.expects.push(x);
    }
    return s;
  }

  /** Fills s.config; SMP off means one CPU, as a !CONFIG_SMP kernel has. */
  private kernelConfig(s: Scenario, set: Map<ConfigName, { on: boolean; span: Span }>, cpusAt: Span | undefined): void {
    const smp = set.get("SMP");
    s.config.DEBUG_LIST = set.get("DEBUG_LIST")?.on ?? true;
    s.config.DEBUG_VM = set.get("DEBUG_VM")?.on ?? true;
    s.config.SMP = smp?.on ?? true;
    // Kconfig: DEBUG_SPINLOCK is independent of SMP, but a UP kernel without
    // it has no spinlock at all to model, so the default follows !SMP.
    s.config.DEBUG_SPINLOCK = set.get("DEBUG_SPINLOCK")?.on ?? !s.config.SMP;
    if (!smp || smp.on) return;
    if (s.sweep?.param.kind === "cpus") {
      this.report("E223", "config SMP off runs one CPU; a sweep of cpus needs SMP on", smp.span);
    } else if (cpusAt && s.cpus !== 1) {
      this.report("E223", `config SMP off runs one CPU, but cpus is ${s.cpus}; drop cpus or set it to 1`, smp.span);
    } else s.cpus = 1;
  }

  private fragmentationAt: { span: Span; percent: number } | null = null;

  /** Refuses a fragmented zone larger than the engine can hold. */
  private fragmentedPages(s: Scenario): void {
    const at = this.fragmentationAt;
    if (!at || s.fragmentation === 0) return;
    const swept = s.sweep?.param.kind === "memory";
    const bytes = swept ? Math.max(...s.sweep!.values) : s.memoryBytes;
    const pages = Math.round((bytes / PAGE_SIZE) * s.fragmentation);
    if (pages <= LIMITS.fragmentedPages) return;
    const memory = formatQuantity({ kind: "size", bytes });
    const mostBytes = (LIMITS.fragmentedPages / s.fragmentation) * PAGE_SIZE;
    const unit = mostBytes >= 2 ** 30 ? 2 ** 30 : 2 ** 20;
    const most = formatQuantity({ kind: "size", bytes: Math.floor(mostBytes / unit) * unit });
    this.report(
      "E201",
      `fragmentation ${at.percent}% of ${swept ? "the sweep's " : ""}memory ${memory} breaks up ${pages} pages; the model sets up at most ${LIMITS.fragmentedPages} (${formatQuantity({ kind: "size", bytes: LIMITS.fragmentedPages * PAGE_SIZE })} at 100%): lower the fragmentation, or the memory to ${most} at most`,
      at.span,
    );
  }

  private setting(s: Scenario, st: Extract<A.Statement, { kind: "setting" }>): void {
    const v = st.value;
    switch (st.key) {
      case "cpus": {
        const n = this.modelInt(v, "cpus");
        if (n !== null) s.cpus = n;
        break;
      }
      case "memory": {
        const b = this.size(v, "memory");
        if (b !== null) s.memoryBytes = b;
        break;
      }
      case "duration": {
        const t = this.time(v, "duration", 1);
        if (t !== null) s.durationNs = t;
        break;
      }
      case "warmup": {
        const t = this.time(v, "warmup");
        if (t !== null) s.warmupNs = t;
        break;
      }
      case "seed": {
        const n = this.int(v, "seed", LIMITS.seed);
        if (n !== null) s.seed = n;
        break;
      }
      case "runs": {
        const n = this.modelInt(v, "runs");
        if (n !== null) s.runs = n;
        break;
      }
      case "fragmentation": {
        const q = this.want(v, "percent", "fragmentation");
        if (q && this.inRange(q.percent, [0, 100], "fragmentation", v.span, (x) => `${x}%`)) {
          s.fragmentation = q.percent / 100;
          this.fragmentationAt = { span: v.span, percent: q.percent };
        }
        break;
      }
    }
  }

  private size(v: A.Value, what: string): number | null {
    const q = this.want(v, "size", what);
    if (!q) return null;
    if (q.bytes % PAGE_SIZE !== 0) {
      this.report("E217", `${what} ${formatQuantity(q)} is not a whole number of 4 KiB pages`, v.span);
      return null;
    }
    return this.inRange(q.bytes, LIMITS.memoryBytes, what, v.span, (x) => formatQuantity({ kind: "size", bytes: x })) ? q.bytes : null;
  }

  private rate(v: A.Value, what: string): number | null {
    const q = this.want(v, "rate", what);
    if (!q) return null;
    if (q.perSecond <= 0) {
      this.report("E201", `${what} must be above 0/s`, v.span);
      return null;
    }
    return this.inRange(q.perSecond, LIMITS.ratePerSecond, what, v.span, (x) => formatQuantity({ kind: "rate", perSecond: x })) ? q.perSecond : null;
  }

  private dist(d: A.Dist, what: string): Dist | null {
    switch (d.kind) {
      case "const": {
        const ns = this.time(d.value, what);
        return ns === null ? null : { kind: "const", ns };
      }
      case "exp": {
        const ns = this.time(d.mean, `the mean of ${what}`, 1);
        return ns === null ? null : { kind: "exp", meanNs: ns };
      }
      case "uniform": {
        const lo = this.time(d.min, what);
        const hi = this.time(d.max, what);
        if (lo === null || hi === null) return null;
        if (lo > hi) {
          this.report("E216", `uniform(${formatTime(lo)}, ${formatTime(hi)}) is reversed: the minimum comes first`, d.span);
          return null;
        }
        return { kind: "uniform", minNs: lo, maxNs: hi };
      }
    }
  }

  private context(n: A.Name): Context | null {
    if ((CONTEXTS as readonly string[]).includes(n.name)) return n.name as Context;
    this.report("E214", `unknown context '${n.name}'${didYouMean(n.name, CONTEXTS)} (contexts: ${CONTEXTS.join(", ")})`, n.span);
    return null;
  }

  private sweep(st: Extract<A.Statement, { kind: "sweep" }>, workloads: A.WorkloadNode[]): Scenario["sweep"] {
    const p = st.param;
    let param: SweepParam | null = null;
    let read: (v: A.Value) => number | null;
    switch (p.kind) {
      case "cpus":
        param = { kind: "cpus" };
        read = (v) => this.modelInt(v, "cpus");
        break;
      case "memory":
        param = { kind: "memory" };
        read = (v) => this.size(v, "memory");
        break;
      case "pcp":
        if (p.field.name === "high") {
          param = { kind: "pcp.high" };
          read = (v) => this.int(v, "pcp high", LIMITS.pcpHigh);
        } else if (p.field.name === "batch") {
          param = { kind: "pcp.batch" };
          read = (v) => this.int(v, "pcp batch", LIMITS.pcpBatch);
        } else {
          this.report("E219", `unknown sweep parameter pcp.${p.field.name}${didYouMean(p.field.name, ["high", "batch"])}`, p.span);
          return null;
        }
        break;
      case "workload": {
        const w = workloads.find((x) => x.name.value === p.workload.value);
        if (p.field.name !== "rate") {
          this.report("E219", `a workload's sweep parameter is its rate: "${p.workload.value}".rate, not .${p.field.name}`, p.field.span);
          return null;
        }
        if (!w) {
          const hint = didYouMean(p.workload.value, workloads.map((x) => x.name.value));
          this.report("E204", `unknown workload "${p.workload.value}" in sweep${hint}`, p.workload.span);
          return null;
        }
        if (!w.body.some((b) => b.kind === "arrival" && b.key === "rate")) {
          this.report("E212", `workload "${p.workload.value}" arrives with 'every', not 'rate'; sweep its rate only if it has one`, p.span);
          return null;
        }
        param = { kind: "rate", workload: p.workload.value };
        read = (v) => this.rate(v, `rate of "${p.workload.value}"`);
        break;
      }
    }
    const values: number[] = [];
    for (const v of st.values) {
      const x = read(v);
      if (x === null) continue;
      if (values.includes(x)) this.report("E203", `sweep value ${printValueOf(v)} is listed twice`, v.span);
      else values.push(x);
    }
    return param && values.length > 0 ? { param, values } : null;
  }

  private workload(w: A.WorkloadNode, cpuCounts: number[], sweep: Scenario["sweep"]): Workload | null {
    const label = `workload "${w.name.value}"`;
    if (w.name.value.trim() === "") this.report("E201", "a workload needs a name", w.name.span);
    const context = w.context ? this.context(w.context) : "task";
    const cpus = this.cpuset(w.cpus, cpuCounts, sweep);

    let arrival: Workload["arrival"] | null = null;
    let arrivals: number | null = null;
    let alloc: Workload["alloc"] = null;
    let free: Workload["free"] = null;
    let drain = false;
    const seen = new Map<string, Span>();
    let ok = context !== null && cpus !== null;
    for (const st of w.body) {
      const key = st.kind === "arrival" ? "arrival" : st.kind;
      if (seen.has(key)) {
        const what = st.kind === "arrival" ? "'rate' or 'every'" : `'${st.kind}'`;
        this.report(st.kind === "arrival" ? "E212" : "E202", `${label} has ${what} twice; keep one`, st.span);
        ok = false;
        continue;
      }
      seen.set(key, st.span);
      switch (st.kind) {
        case "arrival":
          if (st.key === "rate") {
            const r = this.rate(st.value, "rate");
            if (r === null) ok = false;
            else arrival = { kind: "rate", perSecond: r };
          } else {
            const t = this.time(st.value, "every", 1);
            if (t === null) ok = false;
            else arrival = { kind: "every", ns: t };
          }
          break;
        case "arrivals":
          arrivals = this.int(st.value, "arrivals", LIMITS.arrivals);
          if (arrivals === null) ok = false;
          break;
        case "alloc":
          alloc = this.alloc(st, context);
          if (!alloc) ok = false;
          break;
        case "free": {
          const batch = st.batch ? this.int(st.batch, "free batch", LIMITS.count) : null;
          const after = st.after === "last" ? "last" : st.after ? this.dist(st.after, "free after") : "immediately";
          const freeContext = st.context ? this.context(st.context) : context;
          if ((st.batch && batch === null) || after === null || freeContext === null) ok = false;
          else free = { batch, after, context: freeContext };
          break;
        }
        case "drain":
          if (context === "hardirq" || context === "softirq") {
            this.report("E208", `drain in ${context} context: drain_all_pages() takes pcpu_drain_mutex and may sleep`, st.span);
            ok = false;
          }
          drain = true;
          break;
      }
    }
    if (w.recovered) return null;
    if (!seen.has("arrival")) {
      this.report("E212", `${label} needs 'rate R' (Poisson arrivals per CPU) or 'every T' (fixed period)`, w.name.span);
      ok = false;
    }
    if (!seen.has("alloc") && !seen.has("drain")) {
      this.report("E212", `${label} does nothing: give it 'alloc ...' or 'drain'`, w.name.span);
      ok = false;
    }
    if (seen.has("free") && !seen.has("alloc")) {
      this.report("E212", `${label} frees but never allocates: add 'alloc ...' or drop 'free'`, seen.get("free")!);
      ok = false;
    }
    if (free?.after === "last" && !seen.has("arrivals")) {
      this.report("E212", `${label} frees 'after last' but its arrivals never end: add 'arrivals N'`, seen.get("free")!);
      ok = false;
    }
    if (!ok || !arrival || context === null || cpus === null) return null;
    return { name: w.name.value, cpus, context, arrival, arrivals, alloc, free, drain };
  }

  private cpuset(c: A.CpuSetNode, cpuCounts: number[], sweep: Scenario["sweep"]): Workload["cpus"] | null {
    if (c.all) return "all";
    const machine = Math.min(...cpuCounts);
    const cpus = new Set<number>();
    let ok = true;
    for (const r of c.ranges) {
      if (r.from === null || (r.to === null && r.span.end - r.span.start > String(r.from).length)) {
        ok = false;
        continue;
      }
      const to = r.to ?? r.from;
      if (to < r.from) {
        this.report("E216", `cpu range ${r.from}-${to} is reversed; write ${to}-${r.from}`, r.span);
        ok = false;
        continue;
      }
      if (to >= machine) {
        const where = sweep?.param.kind === "cpus" ? `when the sweep sets cpus ${machine}` : `the machine has cpus ${machine}`;
        this.report("E209", `cpu ${to} is outside the machine: ${where} (cpus 0-${machine - 1})`, r.span);
        ok = false;
        continue;
      }
      for (let i = r.from; i <= to; i++) cpus.add(i);
    }
    return ok ? [...cpus].sort((a, b) => a - b) : null;
  }

  private alloc(st: Extract<A.WorkloadStatement, { kind: "alloc" }>, context: Context | null): Workload["alloc"] {
    const count = st.count ? this.int(st.count, "the allocation count", LIMITS.count) : 1;
    const order = this.int(st.order, "order", LIMITS.order);
    const gfp = evaluateGfp(st.gfp, this.diagnostics);
    if (count === null || order === null || gfp === null) return null;
    const undefinedBits = gfp & ~GFP_BITS_MASK;
    if (undefinedBits !== 0) {
      this.report("E215", `gfp mask ${hex(gfp)} sets bits ${hex(undefinedBits)} that no 6.1 gfp flag defines (__GFP_BITS_MASK is ${hex(GFP_BITS_MASK)})`, st.gfp.span);
      return null;
    }
    const d = decodeGfp(gfp);
    if (d.maySleep && (context === "hardirq" || context === "softirq")) {
      this.report("E208", `allocation in ${context} context with ${spellGfp(gfp)} (${hex(gfp)}) may sleep (__GFP_DIRECT_RECLAIM); the kernel warns "sleeping function called from invalid context". Use GFP_ATOMIC or GFP_NOWAIT`, st.gfp.span);
      return null;
    }
    if (d.migratetype === "MIGRATE_HIGHATOMIC") {
      this.report("W301", "gfp mask sets both __GFP_MOVABLE and __GFP_RECLAIMABLE: gfp_migratetype() warns (VM_WARN_ON) and the result is MIGRATE_HIGHATOMIC", st.gfp.span);
    }
    if (d.flags.includes("__GFP_DMA")) {
      this.report("W302", "__GFP_DMA allocates from ZONE_DMA32 here: the model does not simulate ZONE_DMA", st.gfp.span);
    }
    if (d.noFail && order > 3) {
      this.report("W303", `__GFP_NOFAIL on order ${order} (> PAGE_ALLOC_COSTLY_ORDER): the kernel warns, and the allocation may loop for the whole run`, st.gfp.span);
    }
    return { count, order, gfp };
  }

  /** uncertainVariants: the variant list lost an entry to an earlier error,
   * so "not run" would be an echo of that error. */
  private expect(e: A.ExpectNode, variants: string[], uncertainVariants: boolean): Expectation | null {
    const metric = METRIC_BY_NAME.get(e.metric.name);
    let ok = true;
    if (!metric) {
      this.report("E205", `unknown metric '${e.metric.name}'${didYouMean(e.metric.name, METRIC_BY_NAME.keys())}`, e.metric.span);
      ok = false;
    } else if (!metric.deterministic) {
      this.report("E218", `${metric.name} is wall-clock time and differs between hosts; an expect on it could never reproduce`, e.metric.span);
      ok = false;
    }
    if (e.variant) {
      if (!VARIANT_NAMES.includes(e.variant.name)) {
        this.report("E206", `unknown lock variant '${e.variant.name}'${didYouMean(e.variant.name, VARIANT_NAMES)}`, e.variant.span);
        ok = false;
      } else if (!variants.includes(e.variant.name) && !uncertainVariants) {
        this.report("E207", `expect ... for ${e.variant.name}, but ${e.variant.name} is not run (this scenario runs ${variants.join(", ")})`, e.variant.span);
        ok = false;
      }
    }
    const value = metric ? this.metricValue(e.value, metric) : null;
    if (!ok || value === null || !metric) return null;
    return { text: printExpect(e), metric: metric.name, op: e.op, value, variant: e.variant?.name ?? null };
  }

  /** Converts the right-hand side to the metric's unit: 5% is 0.05 for a
   * rate, 1ms is 1000000 for a _ns metric, 2MiB is 512 for free pages. */
  private metricValue(v: A.Value, metric: MetricInfo): number | null {
    const q = v.quantity;
    if (!q) return null;
    const what = metric.name;
    switch (metric.unit) {
      case "fraction":
        if (q.kind === "percent") return q.percent / 100;
        if (q.kind === "int" && q.value === 0) return 0;
        this.report("E210", `${what} is a rate; compare it with a percentage such as 5%`, v.span);
        return null;
      case "ns":
        if (q.kind === "time") return q.ns;
        if (q.kind === "int") return q.value;
        this.report("E210", `${what} is a time; compare it with a time such as 10us (or a number of nanoseconds)`, v.span);
        return null;
      case "pages":
        if (q.kind === "int") return q.value;
        if (q.kind === "size" && q.bytes % PAGE_SIZE === 0) return q.bytes / PAGE_SIZE;
        this.report("E210", `${what} counts 4 KiB pages; compare it with a number of pages or a size such as 64MiB`, v.span);
        return null;
      case "count":
      case "ms":
        if (q.kind === "int") return q.value;
        this.report("E210", `${what} is a count; compare it with a whole number`, v.span);
        return null;
    }
  }
}

function printValueOf(v: A.Value): string {
  return v.quantity ? formatQuantity(v.quantity) : "?";
}
