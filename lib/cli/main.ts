// The pcplab command line. Commands are plain functions of their arguments
// and an IO object, so tests drive them directly and bin/pcplab is a shim.
import { analyze, DEFAULTS, format, formatDiagnostic, type LocatedDiagnostic, type Scenario } from "../dsl/index.ts";
import { LIMITS, MODEL_LIMITS } from "../dsl/check.ts";
import {
  assemble, ENGINE_VERSION, mergeShardRuns, nodeSetup, Overloaded, parseShard, plan, readShardPart, scenarioDigest, shardIndices, shardPart,
  unexpectedViolations, type NamedPart, type Results, type Shard,
} from "../engine/index.ts";
import { DEFAULT_EVENTS_PER_SECOND, estimateBytes, estimateSeconds, estimateWork } from "../engine/estimate.ts";
import { describeSource, mailReports, NOT_FOUND, type MailReport } from "../report/mail.ts";
import { renderReport } from "../report/render.ts";
import { SETUP_SWEEPS } from "../report/zone.ts";
import { compareZoneinfo, parseZoneinfo, scenarioZoneinfo, zoneinfoOf } from "../report/zoneinfo.ts";
import { differsHeadline, extractReport, formatDifferences, verify, type VerifyHooks, type VerifyOutcome } from "../report/verify.ts";
import { availableParallelism } from "node:os";
import { EngineFailure, engineFailureLine, reasonOf } from "./engine-failure.ts";
import { runAll } from "./pool.ts";

export interface IO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal (progress is shown only then). */
  stderrIsTTY?: boolean;
  readFile(path: string): Promise<string>;
  writeFile(path: string, text: string): Promise<void>;
  readStdin(): Promise<string>;
  /** Mail is read as bytes: each message's charset says how they read. */
  readFileBytes(path: string): Promise<Uint8Array>;
  readStdinBytes(): Promise<Uint8Array>;
}

const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const USAGE = `usage: pcplab <command> [options]

commands:
  run FILE.scn [--json] [--runs N] [--seed S] [--threads N] [--shard K/N]
                           run it and print the mail report (the results
                           JSON with --json); --threads N runs on N threads
                           from the start, instead of adding one per core
                           once the runs left are long enough; --shard K/N
                           --json runs part K of N of the runs, for merge
  merge PART... [--json]   put the N shards of a run back together: the
                           report (or results JSON) one machine would print
  verify MAIL [--yes] [--budget-seconds N] [--budget-mib N]
                           find every report in pasted text, a saved message
                           (.eml) or an mbox thread (quoted at any depth,
                           MIME decoded), run each again, compare the numbers;
                           stops first when the runs are estimated to take
                           over N seconds (default 120) or N MiB of memory
                           (default 2048) unless --yes
  check FILE.scn           parse and check a scenario (FILE may be - for stdin)
  zoneinfo FILE.scn [--against ZONEINFO]
                           the zones the model gives the scenario's machine,
                           in /proc/zoneinfo's layout; --against compares
                           them with a real machine's /proc/zoneinfo, field
                           by field (exit 1 if one differs)
  fmt FILE.scn [--write]   print the canonical form (--write rewrites FILE)

exit status: 0 ok (verify: every report reproduced); 1 an expect failed, a
run hit a violation no expect allows, or verify found different numbers; 2
the scenario has errors or asks more of a CPU than it can do, the engine
failed on a run, verify found no report or one it cannot verify, or the
command was misused
`;

export async function main(argv: string[], io: IO): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "run":
      return run(rest, io);
    case "verify":
      return verifyCommand(rest, io);
    case "merge":
      return merge(rest, io);
    case "check":
      return check(rest, io);
    case "fmt":
      return fmt(rest, io);
    case "zoneinfo":
      return zoneinfo(rest, io);
    case "--help":
    case "-h":
    case "help":
      io.stdout(USAGE);
      return EXIT.ok;
    case undefined:
      io.stderr(USAGE);
      return EXIT.usage;
    default:
      io.stderr(`pcplab: unknown command '${command}'\n${USAGE}`);
      return EXIT.usage;
  }
}

interface Parsed {
  file: string;
  flags: Set<string>;
  values: Map<string, number>;
  texts: Map<string, string>;
}

/** `allowed` flags; `numeric` options take a whole number after them,
 * `textual` ones any word. */
function parseArgs(command: string, args: string[], allowed: string[], io: IO, numeric: string[] = [], textual: string[] = []): Parsed | null {
  const parsed = parseArgList(command, args, allowed, io, numeric, textual);
  if (!parsed) return null;
  if (parsed.files.length !== 1) {
    io.stderr(`pcplab ${command}: expected one FILE (or - for stdin)\n${USAGE}`);
    return null;
  }
  return { ...parsed, file: parsed.files[0]! };
}

function parseArgList(command: string, args: string[], allowed: string[], io: IO, numeric: string[], textual: string[]) {
  const flags = new Set<string>();
  const values = new Map<string, number>();
  const texts = new Map<string, string>();
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (textual.includes(a)) {
      const v = args[++i];
      if (v === undefined) {
        io.stderr(`pcplab ${command}: ${a} needs a value\n`);
        return null;
      }
      texts.set(a, v);
    } else if (numeric.includes(a)) {
      const v = args[++i];
      if (v === undefined || !/^[0-9]+$/.test(v) || Number(v) > 2 ** 32 - 1) {
        io.stderr(`pcplab ${command}: ${a} needs a whole number, got ${v ?? "nothing"}\n`);
        return null;
      }
      values.set(a, Number(v));
    } else if (a.startsWith("--")) {
      if (!allowed.includes(a)) {
        io.stderr(`pcplab ${command}: unknown option ${a}\n`);
        return null;
      }
      flags.add(a);
    } else files.push(a);
  }
  return { files, flags, values, texts };
}

async function readSource(file: string, io: IO): Promise<string | null> {
  try {
    return file === "-" ? await io.readStdin() : await io.readFile(file);
  } catch (e) {
    const reason = e instanceof Error && "code" in e ? String((e as NodeJS.ErrnoException).code) : String(e);
    io.stderr(`pcplab: cannot read ${file}: ${reason}\n`);
    return null;
  }
}

function displayName(file: string): string {
  return file === "-" ? "<stdin>" : file;
}

function printDiagnostics(file: string, diagnostics: LocatedDiagnostic[], io: IO): void {
  for (const d of diagnostics) io.stderr(formatDiagnostic(displayName(file), d) + "\n");
}

async function check(args: string[], io: IO): Promise<number> {
  const a = parseArgs("check", args, [], io);
  if (!a) return EXIT.usage;
  const text = await readSource(a.file, io);
  if (text === null) return EXIT.usage;
  const { diagnostics, scenario } = analyze(text);
  printDiagnostics(a.file, diagnostics, io);
  return scenario ? EXIT.ok : EXIT.usage;
}

async function zoneinfo(args: string[], io: IO): Promise<number> {
  const a = parseArgs("zoneinfo", args, [], io, [], ["--against"]);
  if (!a) return EXIT.usage;
  const text = await readSource(a.file, io);
  if (text === null) return EXIT.usage;
  const { diagnostics, scenario } = analyze(text);
  printDiagnostics(a.file, diagnostics, io);
  if (!scenario) return EXIT.usage;
  const against = a.texts.get("--against");
  if (against === "-" && a.file === "-") {
    io.stderr("pcplab zoneinfo: the scenario and --against cannot both be stdin\n");
    return EXIT.usage;
  }
  if (against !== undefined) return zoneinfoAgainst(scenario, against, io);
  const out = scenarioZoneinfo(scenario);
  io.stdout(out.text);
  for (const note of out.notes) io.stderr(`pcplab zoneinfo: ${note}\n`);
  return EXIT.ok;
}

async function zoneinfoAgainst(scenario: Scenario, file: string, io: IO): Promise<number> {
  if (scenario.sweep && SETUP_SWEEPS.has(scenario.sweep.param.kind)) {
    io.stderr("pcplab zoneinfo: --against compares one machine; this scenario sweeps its setup\n");
    return EXIT.usage;
  }
  const text = await readSource(file, io);
  if (text === null) return EXIT.usage;
  const real = parseZoneinfo(text);
  if (real.errors.length > 0 || real.zones.length === 0) {
    const why = real.errors.length > 0 ? real.errors.map((e) => `${file}: ${e}`).join("\n") : `${file}: no "Node 0, zone" lines: not a /proc/zoneinfo`;
    io.stderr(`pcplab zoneinfo: ${why}\n`);
    return EXIT.usage;
  }
  const { differences, matches } = compareZoneinfo(real.zones, zoneinfoOf(nodeSetup(scenario.memoryBytes, scenario.cpus), scenario.pcp));
  for (const d of differences) io.stdout(d + "\n");
  io.stdout(
    matches
      ? `pcplab zoneinfo: every field the model has matches${differences.length ? " (managed pages within 1%)" : ""}\n`
      : `pcplab zoneinfo: ${differences.length} field${differences.length === 1 ? "" : "s"} differ\n`,
  );
  return matches ? EXIT.ok : EXIT.failed;
}

async function fmt(args: string[], io: IO): Promise<number> {
  const a = parseArgs("fmt", args, ["--write"], io);
  if (!a) return EXIT.usage;
  if (a.file === "-" && a.flags.has("--write")) {
    io.stderr("pcplab fmt: --write needs a file, not stdin\n");
    return EXIT.usage;
  }
  const text = await readSource(a.file, io);
  if (text === null) return EXIT.usage;
  const { diagnostics, scenario } = analyze(text);
  printDiagnostics(a.file, diagnostics, io);
  const formatted = format(text);
  if (!scenario || !formatted.ok) return EXIT.usage;
  if (a.flags.has("--write")) {
    if (formatted.text !== text) await io.writeFile(a.file, formatted.text);
  } else io.stdout(formatted.text);
  return EXIT.ok;
}

async function run(args: string[], io: IO): Promise<number> {
  const a = parseArgs("run", args, ["--json"], io, ["--runs", "--seed", "--threads"], ["--shard"]);
  if (!a) return EXIT.usage;
  let shard: Shard | undefined;
  const shardText = a.texts.get("--shard");
  if (shardText !== undefined) {
    const parsed = parseShard(shardText);
    if (typeof parsed === "string") {
      io.stderr(`pcplab run: ${parsed}\n`);
      return EXIT.usage;
    }
    if (!a.flags.has("--json")) {
      io.stderr("pcplab run: --shard makes one part of the results, for pcplab merge: add --json\n");
      return EXIT.usage;
    }
    shard = parsed;
  }
  const text = await readSource(a.file, io);
  if (text === null) return EXIT.usage;
  const analysis = analyze(text);
  printDiagnostics(a.file, analysis.diagnostics, io);
  const formatted = format(text);
  if (!analysis.scenario || !formatted.ok) return EXIT.usage;
  let scenario = analysis.scenario;
  const runs = a.values.get("--runs");
  if (runs !== undefined) {
    if (runs < LIMITS.runs[0] || runs > LIMITS.runs[1]) {
      io.stderr(`pcplab run: --runs must be between ${LIMITS.runs[0]} and ${LIMITS.runs[1]}: ${MODEL_LIMITS.runs}\n`);
      return EXIT.usage;
    }
    scenario = { ...scenario, runs };
  }
  const seed = a.values.get("--seed");
  if (seed !== undefined) scenario = { ...scenario, seed };
  const threads = a.values.get("--threads");
  const progress = io.stderrIsTTY
    ? (done: number, total: number) => io.stderr(`\rpcplab: run ${done}/${total}${done === total ? "\n" : ""}`)
    : undefined;
  // The report carries the scenario as run, so --runs and --seed show in it.
  const canonical = printScenarioWith(formatted.text, scenario);
  const specs = plan(scenario);
  const indices = shard ? shardIndices(specs.length, shard) : undefined;
  let runResults: Awaited<ReturnType<typeof runAll>> | string;
  try {
    runResults = await overloadAsError(runAll(scenario, { threads, onRunDone: progress, indices }));
  } catch (e) {
    // A crash is exit 2 like any run that cannot finish, never exit 1, which
    // would read as a failed expect.
    const failure = e instanceof EngineFailure ? e : new EngineFailure(displayName(a.file), reasonOf(e));
    io.stderr(engineFailureLine("run", failure) + "\n");
    return EXIT.usage;
  }
  if (typeof runResults === "string") {
    io.stderr(`pcplab run: ${displayName(a.file)}: ${runResults}\n`);
    return EXIT.usage;
  }
  if (shard) {
    // Expectations and violations are judged once the parts are merged.
    const about = { name: scenario.name, digest: scenarioDigest(canonical), canonical };
    io.stdout(JSON.stringify(shardPart(ENGINE_VERSION, about, shard, specs, indices!, runResults)) + "\n");
    return EXIT.ok;
  }
  return output(scenario, canonical, assemble(scenario, scenarioDigest(canonical), runResults), a.flags.has("--json"), io);
}

/** What `run` prints and its exit status, for a run or merged shards. */
function output(scenario: Scenario, canonical: string, results: Results, json: boolean, io: IO): number {
  io.stdout(json ? JSON.stringify(results, null, 2) + "\n" : renderReport(scenario, canonical, results));
  const failed = results.expectations.some((e) => !e.passed) || unexpectedViolations(scenario, results).length > 0;
  return failed ? EXIT.failed : EXIT.ok;
}

async function merge(args: string[], io: IO): Promise<number> {
  const a = parseArgList("merge", args, ["--json"], io, [], []);
  if (!a) return EXIT.usage;
  if (a.files.length === 0) {
    io.stderr(`pcplab merge: expected the parts, PART...\n${USAGE}`);
    return EXIT.usage;
  }
  const refuse = (why: string) => {
    io.stderr(`pcplab merge: ${why}\n`);
    return EXIT.usage;
  };
  const parts: NamedPart[] = [];
  for (const file of a.files) {
    const text = await readSource(file, io);
    if (text === null) return EXIT.usage;
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      return refuse(`${displayName(file)}: not JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    const part = readShardPart(data);
    if (typeof part === "string") return refuse(`${displayName(file)}: ${part}`);
    if (scenarioDigest(part.scenario.canonical) !== part.scenario.digest) return refuse(`${displayName(file)}: its scenario text does not match its digest ${part.scenario.digest.slice(0, 19)}`);
    parts.push({ name: displayName(file), part });
  }
  const canonical = parts[0]!.part.scenario.canonical;
  const analysis = analyze(canonical);
  if (!analysis.scenario) return refuse(`${parts[0]!.name}: its scenario does not check: ${analysis.diagnostics[0]?.message ?? "unknown error"}`);
  const scenario = analysis.scenario;
  const runs = mergeShardRuns(parts, plan(scenario), ENGINE_VERSION);
  if (typeof runs === "string") return refuse(runs);
  return output(scenario, canonical, assemble(scenario, parts[0]!.part.scenario.digest, runs), a.flags.has("--json"), io);
}

/** The canonical text with --runs/--seed applied, so the report re-runs as
 * run. Canonical form puts each top-level setting on a line of its own. */
function printScenarioWith(canonical: string, s: Scenario): string {
  let text = canonical;
  for (const [key, value] of [["runs", s.runs], ["seed", s.seed]] as const) {
    const line = new RegExp(`^  ${key} .*$`, "m");
    if (line.test(text)) text = text.replace(line, `  ${key} ${value}`);
    else if (value !== DEFAULTS[key]) text = text.replace(/^scenario .*$/m, (header) => `${header}\n  ${key} ${value}`);
  }
  const again = format(text);
  return again.ok ? again.text : canonical;
}

/** A run that overloads a CPU is the scenario's fault, not a crash: its message. */
async function overloadAsError<T>(work: Promise<T>): Promise<T | string> {
  try {
    return await work;
  } catch (e) {
    if (e instanceof Overloaded) return e.message;
    throw e;
  }
}

async function verifyCommand(args: string[], io: IO): Promise<number> {
  const a = parseArgs("verify", args, ["--yes"], io, ["--threads", "--budget-seconds", "--budget-mib"]);
  if (!a) return EXIT.usage;
  let input: Uint8Array;
  try {
    input = a.file === "-" ? await io.readStdinBytes() : await io.readFileBytes(a.file);
  } catch (e) {
    const reason = e instanceof Error && "code" in e ? String((e as NodeJS.ErrnoException).code) : String(e);
    io.stderr(`pcplab: cannot read ${a.file}: ${reason}\n`);
    return EXIT.usage;
  }
  const reports = await mailReports(input);
  if (reports.length === 0) {
    io.stderr(`pcplab verify: ${NOT_FOUND}\n`);
    return EXIT.usage;
  }
  const threads = a.values.get("--threads");
  const cost = estimateCost(reports, threads ?? availableParallelism());
  const budget = { seconds: a.values.get("--budget-seconds") ?? DEFAULT_BUDGET_SECONDS, mib: a.values.get("--budget-mib") ?? DEFAULT_BUDGET_MIB };
  const over = overBudget(cost, budget);
  // Within budget the estimate shows only on a terminal, so the output a
  // script compares stays what it was.
  if (over.length > 0 || io.stderrIsTTY) io.stderr(`pcplab verify: ${describeCost(cost)}\n`);
  if (over.length > 0 && !a.flags.has("--yes")) {
    io.stderr(`pcplab verify: that is over the budget of ${over.join(" and ")}, so nothing was run; add --yes to run it anyway, or raise the budget\n`);
    return EXIT.usage;
  }
  // A thread quotes one report in reply after reply: each scenario runs once.
  const runs = new Map<string, Promise<Results>>();
  const hooks: VerifyHooks = {
    run: (s, canonical) => {
      let r = runs.get(canonical);
      if (!r) runs.set(canonical, (r = runAll(s, { threads }).then((results) => assemble(s, scenarioDigest(canonical), results))));
      return r;
    },
  };
  // Plain text with one report reads as it always did; anything more says
  // which report and which message each result is about.
  const located = reports.length > 1 || reports[0]!.source.message > 0;
  const tally = { reproduced: 0, differs: 0, error: 0 };
  for (const [k, report] of reports.entries()) {
    if (located) {
      const [where, ...headers] = describeSource(report);
      io.stdout(`${k > 0 ? "\n" : ""}report ${k + 1} of ${reports.length}: ${where}\n` + headers.map((h) => `  ${h}\n`).join(""));
    }
    const outcome = await verifyOne(report, hooks);
    if (outcome.status === "error") {
      tally.error++;
      const lines = formatDifferences(outcome.differences ?? []);
      if (located) io.stdout(`cannot verify: ${outcome.message}\n` + lines);
      else io.stderr(`pcplab verify: ${outcome.message}\n` + lines);
      continue;
    }
    for (const note of outcome.notes) io.stdout(`note: ${note}\n`);
    if (outcome.status === "reproduced") {
      tally.reproduced++;
      io.stdout(`reproduced: results ${outcome.results.digest}\n`);
    } else {
      tally.differs++;
      io.stdout(`${differsHeadline(outcome.differences)}\n` + formatDifferences(outcome.differences));
    }
  }
  if (reports.length > 1) {
    io.stdout(`\n${reports.length} reports: ${tally.reproduced} reproduced, ${tally.differs} differ, ${tally.error} cannot be verified\n`);
  }
  if (located && tally.error > 0) io.stderr(`pcplab verify: ${tally.error} of ${reports.length} report(s) cannot be verified\n`);
  return tally.error > 0 ? EXIT.usage : tally.differs > 0 ? EXIT.failed : EXIT.ok;
}

async function verifyOne(report: MailReport, hooks: VerifyHooks): Promise<VerifyOutcome> {
  if (report.problem !== null) return { status: "error", message: report.problem };
  let outcome: VerifyOutcome | string;
  try {
    outcome = await overloadAsError(verify(report.text, hooks));
  } catch (e) {
    if (e instanceof EngineFailure) return { status: "error", message: e.message };
    throw e;
  }
  return typeof outcome === "string" ? { status: "error", message: `the scenario's ${outcome}` } : outcome;
}

/** A mailed scenario is anyone's: verify says what it will cost before it
 * runs, and stops beyond this many estimated seconds, or MiB at the peak,
 * unless told --yes. Two minutes, and what a laptop spares without
 * swapping. */
const DEFAULT_BUDGET_SECONDS = 120;
const DEFAULT_BUDGET_MIB = 2048;

interface Cost {
  scenarios: number;
  runs: number;
  events: number;
  seconds: number;
  /** Peak: scenarios run one after another. */
  bytes: number;
}

/** The limits `cost` passes, as the flags that would raise them. */
function overBudget(cost: Cost, budget: { seconds: number; mib: number }): string[] {
  const over: string[] = [];
  if (cost.seconds > budget.seconds) over.push(`${budget.seconds} s (--budget-seconds N)`);
  if (cost.bytes > budget.mib * 2 ** 20) over.push(`${budget.mib} MiB (--budget-mib N)`);
  return over;
}

/** The estimated work and peak memory of every distinct scenario the
 * reports hold, at the engine's conservative events per second
 * (lib/engine/estimate.ts). */
function estimateCost(reports: MailReport[], threads: number): Cost {
  const seen = new Set<string>();
  const cost: Cost = { scenarios: 0, runs: 0, events: 0, seconds: 0, bytes: 0 };
  for (const r of reports) {
    if (r.problem !== null) continue;
    const extracted = extractReport(r.text);
    if (!extracted.ok) continue;
    const formatted = format(extracted.report.scenarioText);
    const scenario = analyze(extracted.report.scenarioText).scenario;
    if (!scenario || !formatted.ok || seen.has(formatted.text)) continue;
    seen.add(formatted.text);
    const work = estimateWork(scenario);
    cost.scenarios++;
    cost.runs += work.runs.length;
    cost.events += work.total;
    cost.seconds += estimateSeconds(work, threads, DEFAULT_EVENTS_PER_SECOND);
    cost.bytes = Math.max(cost.bytes, estimateBytes(scenario, threads));
  }
  return cost;
}

function describeCost(c: Cost): string {
  const seconds = c.seconds < 10 ? c.seconds.toFixed(1) : Math.round(c.seconds).toString();
  const events = c.events >= 1e6 ? `${(c.events / 1e6).toFixed(1)} M` : `${Math.round(c.events)}`;
  return `estimated cost: ${c.runs} run(s) of ${c.scenarios} scenario(s), about ${events} engine events, about ${seconds} s, about ${Math.ceil(c.bytes / 2 ** 20)} MiB at the peak`;
}
