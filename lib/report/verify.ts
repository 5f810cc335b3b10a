// pcplab verify: find the scenario and digests in a report as it arrives
// (quoted once or more with ">" or "> ", CRLF, trailing spaces changed,
// inside a whole mail), run it again, and say "reproduced" or exactly which
// numbers differ. Never throws on any text.
import { analyze, format, type Scenario } from "../dsl/index.ts";
import type { Results } from "../engine/index.ts";
import { ENGINE_VERSION } from "../engine/index.ts";
import { ERROR_FIELD, renderReport, RESULTS_MARKER, SCENARIO_MARKER } from "./render.ts";

export interface Extracted {
  /** The report's own lines, unquoted, from its title to the results marker. */
  body: string[];
  scenarioText: string;
  scenarioDigest: string;
  resultsDigest: string;
  engine: string | null;
}

export type ExtractResult = { ok: true; report: Extracted } | { ok: false; message: string };

/** Removes mail quoting: any run of ">" each followed by an optional space. */
export function unquote(line: string): string {
  return line.replace(/^(?:[ \t]*>[ \t]?)+/, "").replace(/\s+$/, "");
}

export function extractReport(text: string): ExtractResult {
  const lines = text.split(/\r\n|\r|\n/).map(unquote);
  const start = lines.findIndex((l) => SCENARIO_MARKER.test(l));
  if (start < 0) return { ok: false, message: "no pcplab scenario found: expected a line '---8<--- pcplab scenario sha256:<12 hex> ---8<---'" };
  const end = lines.findIndex((l, i) => i > start && RESULTS_MARKER.test(l));
  if (end < 0) return { ok: false, message: `the scenario that starts on line ${start + 1} has no closing '---8<--- pcplab results sha256:<12 hex> ---8<---' line` };
  let title = start;
  while (title > 0 && !/^pcplab: .* on ".*"$/.test(lines[title]!)) title--;
  const header = lines.slice(title, start).join(" ");
  return {
    ok: true,
    report: {
      body: lines.slice(title, end + 1),
      scenarioText: lines.slice(start + 1, end).join("\n") + "\n",
      scenarioDigest: SCENARIO_MARKER.exec(lines[start]!)![1]!,
      resultsDigest: RESULTS_MARKER.exec(lines[end]!)![1]!,
      engine: /simulated by (pcplab \S+?) \(/.exec(header)?.[1] ?? null,
    },
  };
}

export interface Difference {
  variant: string;
  /** A seed, or "mean" for the table's means over seeds. */
  seed: string;
  metric: string;
  expected: string;
  got: string;
}

export type VerifyOutcome =
  | { status: "reproduced"; notes: string[]; results: Results }
  | { status: "differs"; notes: string[]; differences: Difference[]; results: Results }
  | { status: "error"; message: string };

/** What the report's tables and run lines say, keyed for comparison. */
function readNumbers(body: string[]): Map<string, { variant: string; seed: string; metric: string; value: string }> {
  const out = new Map<string, { variant: string; seed: string; metric: string; value: string }>();
  const put = (variant: string, seed: string, metric: string, value: string) => out.set(`${variant}\t${seed}\t${metric}`, { variant, seed, metric, value });
  for (let i = 0; i < body.length; i++) {
    const line = body[i]!;
    // A comparison table: "base other", a rule, two header lines, rows.
    const pair = /^\s*(\S+)\s+(\S+)$/.exec(line);
    if (pair && /^-{16} -{27}$/.test(body[i + 1] ?? "")) {
      const [, base, other] = pair;
      for (i += 4; i < body.length && body[i] !== ""; i++) {
        const tokens = body[i]!.replace(ERROR_FIELD, " ").trim().split(/\s+/);
        const metric = tokens.pop()!;
        if (tokens.length < 2) continue;
        put(base!, "mean", metric, tokens[0]!);
        put(other!, "mean", metric, tokens.at(-1)!);
      }
      continue;
    }
    // A one-variant table: its name, a 16-column rule, two header lines, rows.
    if (/^\s*(\S+)$/.test(line) && /^-{16}$/.test(body[i + 1] ?? "")) {
      const variant = line.trim();
      for (i += 4; i < body.length && body[i] !== ""; i++) {
        const tokens = body[i]!.replace(ERROR_FIELD, " ").trim().split(/\s+/);
        if (tokens.length >= 2) put(variant, "mean", tokens.at(-1)!, tokens[0]!);
      }
      continue;
    }
    // A sweep table: "metric (mean over seeds)", a header of variants, rows.
    const sweep = /^(\S+) \(mean over seeds\)$/.exec(line);
    if (sweep) {
      const variants = (body[i + 1] ?? "").trim().split(/\s+/).slice(1);
      for (i += 2; i < body.length && body[i] !== ""; i++) {
        const [value, ...cells] = body[i]!.trim().split(/\s+/);
        cells.forEach((c, k) => put(variants[k] ?? "?", "mean", `${sweep[1]} at ${value}`, c));
      }
      continue;
    }
    // Per-run fingerprints: "runs VARIANT[@value]: seed:hex ..." and continuations.
    const runs = /^runs (\S+): (.*)$/.exec(line);
    if (runs) {
      let items = runs[2]!;
      while (/^ {2}\d+:[0-9a-f]{6}/.test(body[i + 1] ?? "")) items += " " + body[++i]!.trim();
      for (const m of items.matchAll(/(\d+):([0-9a-f]{6})/g)) put(runs[1]!, m[1]!, "run digest", m[2]!);
    }
  }
  return out;
}

export interface VerifyHooks {
  /** Runs the scenario (in parallel where the host can). */
  run(s: Scenario, canonicalText: string): Promise<Results>;
}

export async function verify(text: string, hooks: VerifyHooks): Promise<VerifyOutcome> {
  let extracted: ExtractResult;
  try {
    extracted = extractReport(text);
  } catch (e) {
    return { status: "error", message: `cannot read the report: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (!extracted.ok) return { status: "error", message: extracted.message };
  const report = extracted.report;
  const analysis = analyze(report.scenarioText);
  const formatted = format(report.scenarioText);
  if (!analysis.scenario || !formatted.ok) {
    const first = analysis.diagnostics[0];
    const where = first ? ` (scenario line ${first.start.line}: ${first.code} ${first.message})` : "";
    return { status: "error", message: `the scenario in the report does not parse${where}` };
  }
  const notes: string[] = [];
  const differences: Difference[] = [];
  if (report.engine && report.engine !== ENGINE_VERSION) {
    notes.push(`the report was made by ${report.engine}; this is ${ENGINE_VERSION}. The model may have changed between them, so numbers that differ below may come from that, not from the scenario.`);
  }
  const results = await hooks.run(analysis.scenario, formatted.text);
  const scenarioDigest = results.scenario.digest.slice(7, 19);
  if (scenarioDigest !== report.scenarioDigest) {
    differences.push({ variant: "-", seed: "-", metric: "scenario digest", expected: report.scenarioDigest, got: scenarioDigest });
    notes.push("the scenario's text was changed after the report was made: its digest no longer matches the marker line");
  }
  const rerun = renderReport(analysis.scenario, formatted.text, results).split("\n");
  const sent = readNumbers(report.body);
  const now = readNumbers(rerun);
  for (const [key, want] of sent) {
    const got = now.get(key);
    if (!got || got.value !== want.value) {
      differences.push({ variant: want.variant, seed: want.seed, metric: want.metric, expected: want.value, got: got?.value ?? "(not in the re-run)" });
    }
  }
  const resultsDigest = results.digest.slice(7, 19);
  if (resultsDigest !== report.resultsDigest) {
    differences.push({ variant: "-", seed: "-", metric: "results digest", expected: report.resultsDigest, got: resultsDigest });
  }
  if (differences.length === 0) return { status: "reproduced", notes, results };
  return { status: "differs", notes, differences, results };
}

export function formatDifferences(differences: Difference[]): string {
  const rows = [["variant", "seed", "metric", "expected", "got"], ...differences.map((d) => [d.variant, d.seed, d.metric, d.expected, d.got])];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c >= 3 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join("  ").trimEnd()).join("\n") + "\n";
}
