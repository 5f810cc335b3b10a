// A scenario's runs split over machines (docs/cluster.md): `pcplab run
// --shard K/N --json` makes the runs of shard K, `pcplab merge` puts the N
// parts back into the results one machine would have made. Runs are
// independent and each is fixed by its variant, sweep value and seed, so
// the split is plain arithmetic on the plan, the same on every machine.
//
// A part comes from another machine and is read as hostile: every field
// is checked before anything is built from it, and a part that does not
// fit the others is refused with a sentence naming it.
import type { Series } from "./metrics.ts";
import type { Violation } from "./oops.ts";
import type { RunOutcome } from "./results.ts";
import type { RunResult, RunSpec } from "./run.ts";

export const SHARD_FORMAT = "pcplab-shard/1";
/** More shards than this is no cluster anyone runs pcplab on. */
export const MAX_SHARDS = 100_000;

export interface Shard {
  /** 1-based, as Slurm's and GNU parallel's job numbers are. */
  index: number;
  count: number;
}

/** "K/N", 1 <= K <= N; an error sentence otherwise. */
export function parseShard(text: string): Shard | string {
  const m = /^([0-9]+)\/([0-9]+)$/.exec(text);
  if (!m) return `--shard takes K/N (this is part K of N, e.g. 3/8), got '${text}'`;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) return `--shard ${text}: N must be between 1 and ${MAX_SHARDS}`;
  if (index < 1 || index > count) return `--shard ${text}: K must be between 1 and N (${count})`;
  return { index, count };
}

/** The plan indices shard K of N runs: every Nth run from the Kth, so each
 * variant and sweep value is spread over every shard and no shard gets all
 * of the long runs of a sweep's largest value. */
export function shardIndices(total: number, shard: Shard): number[] {
  const out: number[] = [];
  for (let i = shard.index - 1; i < total; i += shard.count) out.push(i);
  return out;
}

export interface ShardRun {
  /** Its place in the scenario's plan. */
  index: number;
  variant: string;
  sweep_value: number | null;
  result: RunOutcome;
}

export interface ShardPart {
  format: typeof SHARD_FORMAT;
  engine: string;
  scenario: { name: string; digest: string; canonical: string };
  shard: Shard;
  runs_total: number;
  runs: ShardRun[];
}

export function shardPart(
  engine: string,
  scenario: ShardPart["scenario"],
  shard: Shard,
  specs: RunSpec[],
  indices: number[],
  results: RunResult[],
): ShardPart {
  const runs = indices.map((index, i) => {
    const { seed, metrics, series, violation, messages } = results[i]!;
    const result: RunOutcome = { seed, metrics, series, violation };
    if (messages) result.messages = messages;
    return { index, variant: specs[index]!.variant, sweep_value: specs[index]!.sweepValue, result };
  });
  return { format: SHARD_FORMAT, engine, scenario, shard, runs_total: specs.length, runs };
}

// ---- reading a part ---------------------------------------------------------

type Obj = Record<string, unknown>;

class Bad extends Error {}

function obj(v: unknown, what: string): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Bad(`${what} is not an object`);
  return v as Obj;
}
function str(v: unknown, what: string): string {
  if (typeof v !== "string") throw new Bad(`${what} is not a string`);
  return v;
}
function int(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw new Bad(`${what} is not a whole number`);
  return v;
}
function num(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new Bad(`${what} is not a finite number`);
  return v;
}
function arr(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new Bad(`${what} is not a list`);
  return v;
}

const SERIES_KEYS: (keyof Series)[] = ["t_ns", "allocs", "fallbacks", "zone_contentions", "irq_latency_max_ns", "free_pages"];

function readViolation(v: unknown, what: string): Violation | null {
  if (v === null) return null;
  const o = obj(v, what);
  return {
    time_ns: num(o.time_ns, `${what}.time_ns`),
    cpu: int(o.cpu, `${what}.cpu`),
    context: str(o.context, `${what}.context`),
    function: str(o.function, `${what}.function`),
    message: str(o.message, `${what}.message`),
    trace: arr(o.trace, `${what}.trace`).map((f, i) => str(f, `${what}.trace[${i}]`)),
  };
}

function readResult(v: unknown, what: string): RunOutcome {
  const o = obj(v, what);
  const metricsIn = obj(o.metrics, `${what}.metrics`);
  const metrics: Record<string, number> = {};
  for (const [k, x] of Object.entries(metricsIn)) metrics[k] = num(x, `${what}.metrics["${k}"]`);
  const seriesIn = obj(o.series, `${what}.series`);
  const series = {} as Series;
  for (const k of SERIES_KEYS) series[k] = arr(seriesIn[k], `${what}.series.${k}`).map((x, i) => num(x, `${what}.series.${k}[${i}]`));
  const result: RunOutcome = { seed: int(o.seed, `${what}.seed`), metrics, series, violation: readViolation(o.violation, `${what}.violation`) };
  if (o.messages !== undefined) result.messages = arr(o.messages, `${what}.messages`).map((m, i) => str(m, `${what}.messages[${i}]`));
  return result;
}

/** A part as read from its JSON, every field checked; an error sentence
 * otherwise. */
export function readShardPart(data: unknown): ShardPart | string {
  try {
    const o = obj(data, "the part");
    if (o.format !== SHARD_FORMAT) {
      return o.format === "pcplab-results/1"
        ? "it holds whole results (pcplab run --json), not a shard: run with --shard K/N --json"
        : `it is not a pcplab shard (format '${String(o.format)}', expected '${SHARD_FORMAT}')`;
    }
    const s = obj(o.scenario, "scenario");
    const shard = obj(o.shard, "shard");
    const part: ShardPart = {
      format: SHARD_FORMAT,
      engine: str(o.engine, "engine"),
      scenario: { name: str(s.name, "scenario.name"), digest: str(s.digest, "scenario.digest"), canonical: str(s.canonical, "scenario.canonical") },
      shard: { index: int(shard.index, "shard.index"), count: int(shard.count, "shard.count") },
      runs_total: int(o.runs_total, "runs_total"),
      runs: arr(o.runs, "runs").map((r, i) => {
        const run = obj(r, `runs[${i}]`);
        const sweep = run.sweep_value === null ? null : num(run.sweep_value, `runs[${i}].sweep_value`);
        return { index: int(run.index, `runs[${i}].index`), variant: str(run.variant, `runs[${i}].variant`), sweep_value: sweep, result: readResult(run.result, `runs[${i}].result`) };
      }),
    };
    const { index, count } = part.shard;
    if (index < 1 || index > count || count > MAX_SHARDS) return `its shard ${index}/${count} is not one: K must be 1 to N`;
    return part;
  } catch (e) {
    if (e instanceof Bad) return `it is damaged: ${e.message}`;
    throw e;
  }
}

// ---- putting the parts together ---------------------------------------------

export interface NamedPart {
  /** How the user named it (a file path). */
  name: string;
  part: ShardPart;
}

/**
 * The runs of every part in plan order, once each part is known to belong:
 * one scenario, made by `engine` (the one that renders them), one split,
 * every shard there exactly once, and each shard holding exactly the runs
 * the split gives it, as the plan names them. `specs` is the plan of the
 * parts' scenario. An error sentence naming the parts otherwise.
 */
export function mergeShardRuns(parts: NamedPart[], specs: RunSpec[], engine: string): RunOutcome[] | string {
  const [first, ...rest] = parts;
  if (!first) return "no parts to merge";
  for (const p of parts) {
    if (p.part.engine !== engine) return `${p.name} was made by ${p.part.engine}; this is ${engine}, and a merge renders with the engine that ran the parts`;
  }
  for (const p of rest) {
    if (p.part.scenario.digest !== first.part.scenario.digest) {
      return `${p.name} is a shard of another scenario ("${p.part.scenario.name}", ${p.part.scenario.digest.slice(0, 19)}) than ${first.name} ("${first.part.scenario.name}", ${first.part.scenario.digest.slice(0, 19)})`;
    }
    if (p.part.shard.count !== first.part.shard.count) return `${p.name} is shard ${p.part.shard.index}/${p.part.shard.count} and ${first.name} shard ${first.part.shard.index}/${first.part.shard.count}: the parts split the runs differently`;
  }
  const n = first.part.shard.count;
  const byIndex = new Map<number, NamedPart>();
  for (const p of parts) {
    const other = byIndex.get(p.part.shard.index);
    if (other) return `${other.name} and ${p.name} are both shard ${p.part.shard.index}/${n}: each shard goes in once`;
    byIndex.set(p.part.shard.index, p);
  }
  const missing = [];
  for (let k = 1; k <= n; k++) if (!byIndex.has(k)) missing.push(`${k}/${n}`);
  if (missing.length > 0) return `shard${missing.length > 1 ? "s" : ""} ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? ", ..." : ""} missing: merge needs all ${n}`;
  const out: RunOutcome[] = new Array(specs.length);
  // Every run of an engine reports the same metrics; one that does not
  // would leave holes in the summaries.
  const names = (r: RunOutcome) => Object.keys(r.metrics).sort().join(",");
  const firstRun = parts.flatMap((p) => p.part.runs)[0];
  const metricNames = firstRun ? names(firstRun.result) : "";
  for (const p of parts) {
    if (p.part.runs_total !== specs.length) return `${p.name} counts ${p.part.runs_total} runs where its scenario plans ${specs.length}`;
    const want = shardIndices(specs.length, p.part.shard);
    if (p.part.runs.length !== want.length) return `${p.name} holds ${p.part.runs.length} runs where shard ${p.part.shard.index}/${n} has ${want.length}`;
    for (const [i, run] of p.part.runs.entries()) {
      const spec = specs[want[i]!]!;
      if (run.index !== want[i] || run.variant !== spec.variant || run.sweep_value !== spec.sweepValue || run.result.seed !== spec.seed) {
        return `${p.name}'s run ${i + 1} is not run ${want[i]! + 1} of the plan (${spec.variant}, seed ${spec.seed}${spec.sweepValue === null ? "" : `, sweep ${spec.sweepValue}`})`;
      }
      if (names(run.result) !== metricNames) return `${p.name}'s run ${i + 1} reports other metrics than the other parts' runs`;
      out[run.index] = run.result;
    }
  }
  return out;
}
