// pcplab verify: find the scenario and digests in a report as it arrives
// (quoted once or more with ">" or "> ", CRLF, trailing spaces changed,
// lines hard-wrapped, inside a whole mail), run it again, render the report
// the re-run gives and compare the two line by line: "reproduced", or every
// line that differs, or "cannot verify" when the report cannot be read.
// Never throws on any text.
import { analyze, format, type Scenario } from "../dsl/index.ts";
import { ENGINE_VERSION, scenarioDigest, type Results } from "../engine/index.ts";
import { align, differences, rejoin, same, type LineDifference, type MailLine } from "./compare.ts";
import type { ReportLine } from "./lines.ts";
import { unquote } from "./quoting.ts";
import { renderReportLines, RESULTS_MARKER, SCENARIO_MARKER } from "./render.ts";

export type { LineDifference } from "./compare.ts";

interface Extracted {
  /** The report's own lines, unquoted, from its title (or, without one,
   * the scenario marker) to the results marker. */
  body: string[];
  /** The same lines with their place in the text and their quoting. */
  lines: MailLine[];
  /** Whether a title line ("pcplab: ...") was found above the scenario. */
  titled: boolean;
  /** The scenario marker's index in `lines`. */
  marker: number;
  scenarioText: string;
  scenarioDigest: string;
  resultsDigest: string;
  engine: string | null;
}

type ExtractResult = { ok: true; report: Extracted } | { ok: false; message: string };

/** The report's lines unquoted by the exact quoting of its scenario marker:
 * a table row quoted ">" keeps every leading space, and a line quoted
 * otherwise is marked foreign. */
function unquoteAs(prefix: string, raw: string, line: number): MailLine {
  const trimmed = raw.trimEnd();
  if (raw.startsWith(prefix)) return { text: raw.slice(prefix.length).trimEnd(), line, foreign: false };
  // A blank line quoted as "> " loses its space to trailing-space trimming.
  if (trimmed === prefix.trimEnd()) return { text: "", line, foreign: false };
  return { text: unquote(raw), line, foreign: true };
}

export function extractReport(text: string): ExtractResult {
  const raw = text.split(/\r\n|\r|\n/);
  const lines = raw.map(unquote);
  const start = lines.findIndex((l) => SCENARIO_MARKER.test(l));
  if (start < 0) return { ok: false, message: "no pcplab scenario found: expected a line '---8<--- pcplab scenario sha256:<12 hex> ---8<---'" };
  const end = lines.findIndex((l, i) => i > start && RESULTS_MARKER.test(l));
  if (end < 0) return { ok: false, message: `the scenario that starts on line ${start + 1} has no closing '---8<--- pcplab results sha256:<12 hex> ---8<---' line` };
  const prefix = raw[start]!.slice(0, raw[start]!.indexOf("---8<---"));
  const mail = raw.map((r, i) => unquoteAs(prefix, r, i + 1));
  let title = start;
  while (title >= 0 && !(mail[title]!.text.startsWith("pcplab: ") && !mail[title]!.foreign)) title--;
  const titled = title >= 0;
  const first = titled ? title : start;
  const header = lines.slice(first, start).join(" ");
  return {
    ok: true,
    report: {
      body: mail.slice(first, end + 1).map((l) => l.text),
      lines: mail.slice(first, end + 1),
      titled,
      marker: start - first,
      scenarioText: lines.slice(start + 1, end).join("\n") + "\n",
      scenarioDigest: SCENARIO_MARKER.exec(lines[start]!)![1]!,
      resultsDigest: RESULTS_MARKER.exec(lines[end]!)![1]!,
      engine: /simulated by (pcplab \S+?) \(/.exec(header)?.[1] ?? null,
    },
  };
}

export type VerifyOutcome =
  | { status: "reproduced"; notes: string[]; results: Results }
  | { status: "differs"; notes: string[]; differences: LineDifference[]; results: Results }
  | { status: "error"; message: string; differences?: LineDifference[] };

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
  if (!report.titled) return { status: "error", message: `cannot verify: no report title ('pcplab: ... on "<scenario>"') above the scenario on line ${report.lines[0]!.line}` };
  const analysis = analyze(report.scenarioText);
  const formatted = format(report.scenarioText);
  if (!analysis.scenario || !formatted.ok) {
    const first = analysis.diagnostics[0];
    const where = first ? ` (scenario line ${first.start.line}: ${first.code} ${first.message})` : "";
    return { status: "error", message: `the scenario in the report does not parse${where}` };
  }
  const notes: string[] = [];
  const engine = report.engine ?? ENGINE_VERSION;
  if (engine !== ENGINE_VERSION) {
    notes.push(`the report was made by ${engine}; this is ${ENGINE_VERSION}. The model may have changed between them, so lines that differ below may come from that, not from the scenario.`);
  }
  const scenarioEdited = scenarioDigest(formatted.text).slice(7, 19) !== report.scenarioDigest;
  if (scenarioEdited) notes.push("the scenario's text was changed after the report was made: its digest no longer matches the marker line");
  const results = await hooks.run(analysis.scenario, formatted.text);
  // The version the report names is not one of its results: a note says
  // it differs, and every line is compared as that version would print it.
  let expected = renderReportLines(analysis.scenario, formatted.text, { ...results, engine }).filter((l) => l.kind !== "scenario");
  // The scenario's own lines are left to its digest.
  const mail = rejoin([...report.lines.slice(0, report.marker + 1), report.lines.at(-1)!], expected);
  const chartLines = new Set(expected.filter((e) => e.chart && e.kind !== "drawing" && e.text !== "").map((e) => e.text));
  if (!mail.some((m) => chartLines.has(m.text))) {
    expected = expected.filter((e) => !e.chart);
    notes.push("the report has no charts (cut from the mail, or made before reports drew them): everything else is compared");
  }
  const pairs = align(expected, mail);
  let found = differences(expected, mail, pairs);
  const unreadable = found.find((d) => d.got !== null && expected.some((e) => e.kind === "layout" && e.text === d.got && e.section === d.where));
  // An edited scenario or another engine may change the layout itself.
  if (unreadable && !scenarioEdited && engine === ENGINE_VERSION) {
    return {
      status: "error",
      message: `cannot verify: the report's layout is damaged (${unreadable.where}: '${unreadable.got}' is missing or changed near mail line ${unreadable.line})`,
      differences: found,
    };
  }
  if (found.length === 1 && found[0]!.where === "results digest") {
    found = [...drawingDifferences(expected, mail, pairs), ...found];
    notes.push(
      found.length > 1
        ? "only the charts' drawing and the results digest differ: the per-interval counts behind the charts are not the same"
        : "every line the report prints agrees, but the results digest differs: it also covers what the report does not print (each run's per-interval counts, and the violations of the seeds it only numbers)",
    );
  }
  if (found.length === 0) return { status: "reproduced", notes, results };
  return { status: "differs", notes, differences: found, results };
}

/** Plot rows that agree outside the plot but not inside it. */
function drawingDifferences(expected: ReportLine[], mail: MailLine[], pairs: [number | null, number | null][]): LineDifference[] {
  return pairs.flatMap(([a, b]) => {
    if (a === null || b === null) return [];
    const e = expected[a]!;
    const m = mail[b]!;
    return e.kind === "drawing" && same(e, m.text) && e.text !== m.text ? [{ line: m.line, where: e.section, expected: m.text, got: e.text }] : [];
  });
}

/** The differing lines as verify prints them: where, then the mail's line
 * (expected) and the re-run's (got). */
export function formatDifferences(differences: LineDifference[]): string {
  return differences
    .map((d) => {
      const place = d.expected === null ? `after mail line ${d.line}` : `mail line ${d.line}`;
      const show = (line: string | null) => (line === null ? "(no such line)" : line === "" ? "(blank line)" : line);
      return `${place} (${d.where}):\n  expected: ${show(d.expected)}\n  got:      ${show(d.got)}\n`;
    })
    .join("");
}

/** The first line verify prints for a report that differs. */
export function differsHeadline(differences: LineDifference[]): string {
  const n = differences.length;
  return `differs: ${n} line${n === 1 ? "" : "s"} of the report ${n === 1 ? "does" : "do"} not match the re-run (expected: the mail's line, got: the re-run's)`;
}
