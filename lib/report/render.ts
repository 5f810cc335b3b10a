// The mail report (docs/report.md): plain ASCII, at most 76 columns, the
// kernel test robot's comparison table (lib/compare.rb widths: 10 for
// values, 6 for the error, %+10.1f%% for the change; crashed runs only in
// its fail:runs block), lockstat names, violations as
// the kernel prints them, and the canonical scenario between two marker
// lines that carry both digests, so `pcplab verify` can re-run it.
import type { Scenario } from "../dsl/scenario.ts";
import { formatSize, formatTime } from "../dsl/units.ts";
import { COSTS, HEADLINE_METRICS } from "../dsl/vocabulary.ts";
import { COSTS_IN_USE, failureCounts, isFailureMetric, MODEL, violationClass, type Results, type RunJson, type RunSummary, type VariantResult, type Violation } from "../engine/index.ts";
import { reportCharts } from "./charts.ts";
import { formatValue, isPercent, reportName, sweepValueText, WIDTH, wrap } from "./format.ts";
import type { ReportLine } from "./lines.ts";
import { zoneLines } from "./zone.ts";

export { reportName } from "./format.ts";

/** The metrics a report always shows (docs/report.md). */
const HEADLINE = new Set<string>(HEADLINE_METRICS);

function errorField(mean: number, stddev: number): string {
  if (mean === 0) return "      ";
  // compare.rb prints " ±NN%"; plain ASCII has to make do with "+-".
  const pct = Math.round((100 * stddev) / Math.abs(mean));
  if ((100 * stddev) / Math.abs(mean) <= 2) return "      ";
  return pct > 99 ? " +>99%" : ` +-${String(pct).padStart(2)}%`;
}

function changeField(metric: string, a: number, b: number): string {
  if (isPercent(metric)) {
    const d = (b - a) * 100;
    return ` ${(d >= 0 ? "+" : "") + d.toFixed(2)}`.padStart(11) + " ";
  }
  if (a === 0) return b === 0 ? " ".repeat(12) : "       new  ";
  const p = (100 * (b - a)) / a;
  const s = Math.abs(p) >= 100000 ? `${p >= 0 ? "+" : ""}${p.toPrecision(2)}` : `${p >= 0 ? "+" : ""}${p.toFixed(1)}`;
  return ` ${s.padStart(10)}%`;
}

/** Rows worth showing: headline metrics always, the rest when they move. */
function showRow(metric: string, a: number, b: number): boolean {
  if (metric.startsWith("engine.")) return false;
  if (HEADLINE.has(metric)) return true;
  if (a === 0 && b === 0) return false;
  if (isPercent(metric)) return Math.abs(b - a) * 100 >= 0.01;
  if (a === 0) return true;
  return Math.abs(b - a) / Math.abs(a) > 0.01;
}

/** Lines of one section; layout lines are the ones a reader needs to find
 * their way (rules, column headers, headings). */
class Section {
  readonly lines: ReportLine[] = [];
  constructor(readonly name: string) {}
  text(...texts: string[]): this {
    for (const text of texts) this.lines.push({ text, kind: "text", section: this.name });
    return this;
  }
  layout(...texts: string[]): this {
    for (const text of texts) this.lines.push({ text, kind: "layout", section: this.name });
    return this;
  }
}

/** lkp's fail:runs block (lib/compare.rb show_failure_header and
 * show_failure_change): per violation class, how many runs it ended out of
 * how many, and between columns the change in reproduction rate, in
 * percentage points, against the base. Nothing when no run crashed. */
function failureBlock(groups: VariantResult[]): { layout: string[]; rows: string[] } {
  const counts = groups.map((g) => failureCounts(g.runs));
  const keys = [...new Set(counts.flatMap((c) => [...c.keys()]))];
  if (keys.length === 0) return { layout: [], rows: [] };
  const layout = ["       fail:runs" + "  %reproduction    fail:runs".repeat(groups.length - 1), "           |" + "             |             |".repeat(groups.length - 1)];
  const rows = keys.flatMap((key) => {
    const base = (counts[0]!.get(key) ?? 0) / groups[0]!.runs.length;
    let row = "";
    groups.forEach((g, i) => {
      const f = counts[i]!.get(key) ?? 0;
      // compare.rb divides by runs[i - 1] here, harmless only when every
      // column has as many runs; this divides by the column's own.
      if (i > 0) row += `${(100 * (f / g.runs.length - base)).toFixed(0)}%`.padStart(11) + " ";
      row += (f === 0 ? "" : String(f)).padStart(11) + `:${String(g.runs.length).padEnd(4)}`;
    });
    // A key too long for the mail's width goes on the lines below its
    // counts, cut where it must be (keys have no spaces to break at).
    if (row.length + 2 + key.length <= WIDTH) return [`${row}  ${key}`];
    const indent = "    ";
    const pieces = [];
    for (let at = 0; at < key.length; at += WIDTH - indent.length) pieces.push(indent + key.slice(at, at + WIDTH - indent.length));
    return [row.trimEnd(), ...pieces];
  });
  return { layout, rows };
}

/** A perf value, or blanks where every run crashed (lkp prints no value
 * for a commit without a complete run). */
function valueField(metric: string, s: RunSummary | undefined): string {
  return s ? formatValue(metric, s.mean).padStart(10) + errorField(s.mean, s.stddev) : " ".repeat(16);
}

/** "means over complete runs only: trylock-v2 2 of 5" when a run crashed. */
function completeRunsNote(groups: VariantResult[]): string[] {
  const partial = groups.filter((g) => g.runs.some((r) => r.violation));
  if (partial.length === 0) return [];
  const parts = partial.map((g) => `${g.variant} ${g.runs.filter((r) => !r.violation).length} of ${g.runs.length}`);
  return wrap(`perf means over complete runs only: ${parts.join(", ")}`);
}

/** Perf rows: every metric but the failure ones (shown as fail:runs). */
function perfMetrics(groups: VariantResult[]): string[] {
  const names = new Set(groups.flatMap((g) => Object.keys(g.summary)));
  // engine.* describe the simulation, not the kernel: never a report row.
  return [...names].filter((m) => !isFailureMetric(m) && !m.startsWith("engine."));
}

/** One variant: its values alone, in the same columns as the base's. */
function singleTable(base: VariantResult): ReportLine[] {
  const out = new Section(`${base.variant} table`).text(base.variant.padStart(16)).layout("-".repeat(16));
  const fails = failureBlock([base]);
  out.layout(...fails.layout).text(...fails.rows).text(...completeRunsNote([base]));
  // Without a complete run there is no perf value to show.
  if (base.runs.every((r) => r.violation)) return out.text("").lines;
  out.layout("         %stddev", "             \\");
  for (const metric of perfMetrics([base])) {
    const a = base.summary[metric];
    if (a && !showRow(metric, a.mean, a.mean === 0 ? 0 : Infinity)) continue;
    out.text((valueField(metric, a) + "  " + reportName(metric)).trimEnd());
  }
  return out.text("").lines;
}

function comparisonTable(base: VariantResult, other: VariantResult): ReportLine[] {
  const out = new Section(`${base.variant} vs ${other.variant} table`)
    .text(`${base.variant.padStart(16)} ${other.variant.padStart(27)}`)
    .layout(`${"-".repeat(16)} ${"-".repeat(27)}`);
  const fails = failureBlock([base, other]);
  out.layout(...fails.layout).text(...fails.rows).text(...completeRunsNote([base, other]));
  out.layout("         %stddev     %change         %stddev", "             \\          |                \\");
  for (const metric of perfMetrics([base, other])) {
    const a = base.summary[metric];
    const b = other.summary[metric];
    if (a && b && !showRow(metric, a.mean, b.mean)) continue;
    if (!a && !b) continue;
    const row = valueField(metric, a) + (a && b ? changeField(metric, a.mean, b.mean) : " ".repeat(12)) + valueField(metric, b) + "  " + reportName(metric);
    out.text(row.trimEnd());
  }
  return out.text("").lines;
}

const SWEEP_METRICS = ["pcp.fallback_rate", "lock.zone.contentions", "irq.latency_ns.p99", "alloc.latency_ns.p99", "invariants.violations"];

/** One small table per headline metric: sweep values down, variants across. */
function sweepTables(s: Scenario, results: Results): ReportLine[] {
  const lines: ReportLine[] = [];
  const colWidth = Math.max(12, ...s.variants.map((v) => v.length + 2));
  const groupAt = (v: string, value: number) => results.results.find((r) => r.variant === v && r.sweep_value === value)!;
  const head = results.sweep!.param.padStart(16) + s.variants.map((v) => v.padStart(colWidth)).join("");
  // fail:runs first, as lkp's compare prints it: one table per class.
  const keys = [...new Set(results.results.flatMap((g) => [...failureCounts(g.runs).keys()]))];
  for (const key of keys) {
    const out = new Section(`${key} sweep table`).layout(`${key} (fail:runs)`, head);
    for (const value of s.sweep!.values) {
      const cells = s.variants.map((v) => {
        const group = groupAt(v, value);
        const f = failureCounts(group.runs).get(key) ?? 0;
        return `${f === 0 ? "" : f}:${group.runs.length}`.padStart(colWidth);
      });
      out.text(sweepValueText(s, value).padStart(16) + cells.join(""));
    }
    lines.push(...out.text("").lines);
  }
  const anyCrash = keys.length > 0;
  for (const metric of SWEEP_METRICS) {
    const over = isFailureMetric(metric) || !anyCrash ? "(mean over seeds)" : "(mean over complete runs)";
    const out = new Section(`${reportName(metric)} sweep table`).layout(`${reportName(metric)} ${over}`, head);
    for (const value of s.sweep!.values) {
      const cells = s.variants.map((v) => {
        const m = groupAt(v, value).summary[metric];
        return (m ? formatValue(metric, m.mean) : "-").padStart(colWidth);
      });
      out.text(sweepValueText(s, value).padStart(16) + cells.join(""));
    }
    lines.push(...out.text("").lines);
  }
  return lines;
}

/** One kernel log line under a two-space indent, wrapped to the mail's
 * width with its own leading spaces kept (" lock: ...", " <IRQ>"). */
function kernelLine(line: string): string[] {
  const lead = /^ */.exec(line)![0];
  return wrap(line, WIDTH - 2 - lead.length).map((l) => `  ${lead}${l}`);
}

/** An oops as the kernel prints it, without what the model does not have
 * (registers, offsets, the task's name): the message, the function it
 * stopped in (RIP), and the call trace inside the stack's markers. */
function oopsLines(v: Violation): string[] {
  const [rip, ...callers] = v.trace;
  const stack = v.context === "task" ? "TASK" : "IRQ";
  const lines = [...v.message.split("\n"), `CPU: ${v.cpu} (${v.context})`, `RIP: ${rip}`];
  if (callers.length > 0) lines.push("Call Trace:", ` <${stack}>`, ...callers.map((f) => ` ${f}`), ` </${stack}>`);
  return lines.flatMap(kernelLine);
}

/** The kernel log of the first run per variant (and sweep value) that
 * crashed, one for each kind of oops its runs ended in (a variant can die
 * more than one way), or failing that of the first that logged something
 * and went on: what the run printed, then its oops. */
export function violations(results: Results): string[] {
  const lines: string[] = [];
  for (const group of results.results) {
    const at = group.sweep_value === null ? "" : ` at ${results.sweep!.param} ${group.sweep_value}`;
    const crashed = group.runs.filter((r) => r.violation);
    const kinds = new Map<string, RunJson[]>();
    for (const r of crashed) {
      const kind = violationClass(r.violation!);
      const alike = kinds.get(kind);
      if (alike) alike.push(r);
      else kinds.set(kind, [r]);
    }
    const logged = group.runs.filter((r) => r.messages);
    const shownRuns = crashed.length > 0 ? [...kinds.values()] : logged.length > 0 ? [logged] : [];
    for (const [shown, ...alike] of shownRuns) {
      const v = shown!.violation;
      const when = v ? `crashed at ${(v.time_ns / 1e6).toFixed(6)} ms` : "completed";
      lines.push(...wrap(`${group.variant}${at}, seed ${shown!.seed}, ${when}:`, WIDTH, "  "));
      for (const message of shown!.messages ?? []) lines.push(...kernelLine(message));
      if (v) lines.push(...oopsLines(v));
      const seeds = alike.length === 1 ? "seed" : "seeds";
      if (alike.length > 0) lines.push(...wrap(`(also ${seeds} ${alike.map((r) => r.seed).join(", ")} of ${group.runs.length})`, WIDTH - 2, " ").map((l) => "  " + l));
      else lines.push(`  (1 of ${group.runs.length} runs)`);
    }
  }
  return lines;
}

/** Short per-run digests: verify uses them to say which runs differ. */
function runFingerprints(results: Results): string[] {
  const lines: string[] = [];
  for (const group of results.results) {
    const at = group.sweep_value === null ? "" : `@${group.sweep_value}`;
    const prints = group.runs.map((r) => `${r.seed}:${runDigest(r.metrics)}`);
    lines.push(...wrap(`runs ${group.variant}${at}: ${prints.join(" ")}`, WIDTH, "  "));
  }
  return lines;
}

/** Six hex digits over a run's metrics (engine.wall_ms aside): FNV-1a, cheap and stable. */
function runDigest(metrics: Record<string, number>): string {
  let h = 0x811c9dc5;
  const text = Object.keys(metrics)
    .filter((k) => k !== "engine.wall_ms")
    .sort()
    .map((k) => `${k}=${metrics[k]}`)
    .join(";");
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0").slice(0, 6);
}

export const SCENARIO_MARKER = /^---8<--- pcplab scenario sha256:([0-9a-f]{12}) ---8<---$/;
export const RESULTS_MARKER = /^---8<--- pcplab results sha256:([0-9a-f]{12}) ---8<---$/;

export function renderReport(s: Scenario, canonicalText: string, results: Results): string {
  return renderReportLines(s, canonicalText, results).map((l) => l.text).join("\n") + "\n";
}

/** The report line by line, each saying how verify compares it. The
 * engine named is the results' own, so a report re-rendered from a re-run
 * by another version says which version it came from. */
export function renderReportLines(s: Scenario, canonicalText: string, results: Results): ReportLine[] {
  const [base, ...others] = s.variants;
  const title = others.length > 0 ? `${others.join(", ")} vs ${base}` : base!;
  const assumed = COSTS.filter((c) => c.assumption && COSTS_IN_USE.includes(c.name) && !(c.name in s.costs)).map((c) => c.name);
  const set = Object.keys(s.costs);
  const warmup = s.warmupNs > 0 ? ` (after ${formatTime(s.warmupNs)} warmup)` : "";
  const header = new Section("header")
    .text(...wrap(`pcplab: ${title} on "${s.name}"`))
    .text(
      ...wrap(
        `simulated by ${results.engine} (model: ${MODEL}); a model, not a measurement. Costs calibrated against published measurements (docs/calibration.md); assumed: ${assumed.join(", ") || "none"}.` +
          (set.length > 0 ? ` Costs set by the scenario: ${set.join(", ")}.` : ""),
      ),
    )
    .text("")
    .text(...wrap(`cpus/memory/duration/runs: ${s.cpus}/${formatSize(s.memoryBytes)}/${formatTime(s.durationNs)}/${s.runs}${warmup}`))
    .text(...zoneLines(s).flatMap((line) => wrap(line)));
  if (s.description) header.text(...wrap(s.description));
  header.text("");
  const lines = [...header.lines];
  if (results.sweep) {
    lines.push(...new Section("sweep").text(...wrap(`sweep of ${results.sweep.param}: ${s.sweep!.values.map((v) => sweepValueText(s, v)).join(", ")}`), "").lines);
    lines.push(...sweepTables(s, results));
  } else {
    const baseGroup = results.results[0]!;
    if (others.length === 0) lines.push(...singleTable(baseGroup));
    for (const other of results.results.slice(1)) lines.push(...comparisonTable(baseGroup, other));
  }
  lines.push(...reportCharts(s, results));
  const v = violations(results);
  if (v.length > 0) lines.push(...new Section("violations").text("kernel log, first run per variant and kind of oops, or that logged:", ...v, "").lines);
  if (results.expectations.length > 0) {
    const out = new Section("expectations").layout("expectations:");
    for (const e of results.expectations) {
      const at = e.sweep_value === null ? "" : ` at ${e.sweep_value}`;
      const group = results.results.find((g) => g.variant === e.variant && g.sweep_value === e.sweep_value);
      const total = group?.runs.length ?? 0;
      const value = e.value === null ? (e.note ?? "no run completed") : formatExpectValue(e.text, e.value) + (e.runs !== undefined && e.runs < total ? `, over ${e.runs} of ${total} runs` : "");
      out.text(...wrap(`${e.passed ? "PASS" : "FAIL"} ${e.text} (${e.variant}${at}: ${value})`, WIDTH, "     "));
    }
    lines.push(...out.text("").lines);
  }
  lines.push(...new Section("runs").text(...runFingerprints(results), "").lines);
  lines.push(...new Section("reproduce").layout("reproduce: npx pcplab verify this-message.txt").text("").lines);
  lines.push(...new Section("scenario digest").text(`---8<--- pcplab scenario sha256:${results.scenario.digest.slice(7, 19)} ---8<---`).lines);
  for (const text of canonicalText.replace(/\n$/, "").split("\n")) lines.push({ text, kind: "scenario", section: "scenario" });
  lines.push(...new Section("results digest").text(`---8<--- pcplab results sha256:${results.digest.slice(7, 19)} ---8<---`).lines);
  return lines.map((l) => ({ ...l, text: l.text.trimEnd() }));
}

function formatExpectValue(text: string, value: number): string {
  const metric = text.split(/\s+/)[1] ?? "";
  if (isPercent(metric)) return `${(value * 100).toFixed(2)}%`;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}
