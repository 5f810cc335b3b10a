// The pcplab command line. Commands are plain functions of their arguments
// and an IO object, so tests drive them directly and bin/pcplab is a shim.
import { analyze, format, formatDiagnostic, type LocatedDiagnostic, type Scenario } from "../dsl/index.ts";
import { assemble, ENGINE_VERSION, MODEL, scenarioDigest, unexpectedViolations, type Results } from "../engine/index.ts";
import { runAll } from "./pool.ts";

export interface IO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal (progress is shown only then). */
  stderrIsTTY?: boolean;
  readFile(path: string): Promise<string>;
  writeFile(path: string, text: string): Promise<void>;
  readStdin(): Promise<string>;
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const USAGE = `usage: pcplab <command> [options]

commands:
  run FILE.scn [--json] [--runs N] [--seed S] [--threads N]
                           run it: headline metrics per variant, or the
                           results JSON with --json
  check FILE.scn           parse and check a scenario (FILE may be - for stdin)
  fmt FILE.scn [--write]   print the canonical form (--write rewrites FILE)

exit status: 0 ok; 1 an expect failed or a run hit a violation no expect
allows; 2 the scenario has errors or the command was misused
`;

export async function main(argv: string[], io: IO): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "run":
      return run(rest, io);
    case "check":
      return check(rest, io);
    case "fmt":
      return fmt(rest, io);
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
}

/** `allowed` flags; `numeric` options take a whole number after them. */
function parseArgs(command: string, args: string[], allowed: string[], io: IO, numeric: string[] = []): Parsed | null {
  const flags = new Set<string>();
  const values = new Map<string, number>();
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (numeric.includes(a)) {
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
  if (files.length !== 1) {
    io.stderr(`pcplab ${command}: expected one FILE (or - for stdin)\n${USAGE}`);
    return null;
  }
  return { file: files[0]!, flags, values };
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

export function displayName(file: string): string {
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

const HEADLINE = [
  "alloc.requests",
  "alloc.failed",
  "pcp.alloc_hits",
  "pcp.trylock_fail",
  "pcp.trylock_fail.hardirq",
  "pcp.fallback_rate",
  "lock.zone.contentions",
  "lock.zone.wait_ns.total",
  "irq.latency_ns.p99",
  "alloc.latency_ns.p99",
  "invariants.violations",
];

function cell(metric: string, value: number): string {
  if (metric.endsWith("_rate")) return `${(value * 100).toFixed(2)}%`;
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** Until the mail report exists: headline means per variant, one block per sweep value. */
export function printTable(s: Scenario, results: Results): string {
  const lines = [`${ENGINE_VERSION} (model: ${MODEL}), a model, not a measurement`, `scenario "${s.name}": ${s.runs} run(s) per variant, mean over seeds`];
  const values = s.sweep ? s.sweep.values : [null];
  for (const value of values) {
    const groups = results.results.filter((r) => r.sweep_value === value);
    lines.push("");
    if (value !== null) lines.push(`${results.sweep!.param} = ${value}`);
    lines.push("metric".padEnd(28) + groups.map((g) => g.variant.padStart(14)).join(""));
    for (const m of HEADLINE) lines.push(m.padEnd(28) + groups.map((g) => cell(m, g.summary[m]!.mean).padStart(14)).join(""));
  }
  const violations = results.results.flatMap((g) => g.runs.filter((r) => r.violation).map((r) => ({ g, r })));
  if (violations.length > 0) {
    lines.push("", "violations:");
    for (const { g, r } of violations) {
      const v = r.violation!;
      lines.push(`  ${g.variant} seed ${r.seed}: at ${v.time_ns} ns on cpu ${v.cpu} (${v.context}) in ${v.function}: ${v.message}`);
      lines.push(`    call path: ${v.trace.join(" < ")}`);
    }
  }
  if (results.expectations.length > 0) {
    lines.push("", "expectations:");
    for (const e of results.expectations) {
      const at = e.sweep_value === null ? "" : ` at ${e.sweep_value}`;
      lines.push(`  ${e.passed ? "ok  " : "FAIL"} ${e.text} [${e.variant}${at}: ${e.value}]`);
    }
  }
  lines.push("", `results ${results.digest}`, `scenario ${results.scenario.digest}`);
  return lines.join("\n") + "\n";
}

async function run(args: string[], io: IO): Promise<number> {
  const a = parseArgs("run", args, ["--json"], io, ["--runs", "--seed", "--threads"]);
  if (!a) return EXIT.usage;
  const text = await readSource(a.file, io);
  if (text === null) return EXIT.usage;
  const analysis = analyze(text);
  printDiagnostics(a.file, analysis.diagnostics, io);
  const formatted = format(text);
  if (!analysis.scenario || !formatted.ok) return EXIT.usage;
  let scenario = analysis.scenario;
  const runs = a.values.get("--runs");
  if (runs !== undefined) {
    if (runs < 1 || runs > 1000) {
      io.stderr("pcplab run: --runs must be between 1 and 1000\n");
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
  const runResults = await runAll(scenario, { threads, onRunDone: progress });
  const results = assemble(scenario, scenarioDigest(formatted.text), runResults);
  io.stdout(a.flags.has("--json") ? JSON.stringify(results, null, 2) + "\n" : printTable(scenario, results));
  const failed = results.expectations.some((e) => !e.passed) || unexpectedViolations(scenario, results).length > 0;
  return failed ? EXIT.failed : EXIT.ok;
}
