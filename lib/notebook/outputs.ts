// What a scenario cell does with a run: store its output compactly, tell
// when the source has changed since (the "stale" badge), turn it back into
// the mail report ("Copy for mail", identical to `pcplab run`), and take a
// report pasted from a mail back in as a cell's source ("Import from mail").
import { analyze, format } from "../dsl/index.ts";
import { ENGINE_VERSION, scenarioDigest, type Results } from "../engine/index.ts";
import { renderReport } from "../report/render.ts";
import { describeSource, mailReports, NOT_FOUND, type MailReport } from "../report/mail.ts";
import { extractReport } from "../report/verify.ts";
import type { CellOutput } from "./notebook.ts";

export function outputOf(results: Results, ranAt: Date): CellOutput {
  return {
    engine: results.engine,
    scenarioDigest: results.scenario.digest,
    resultsDigest: results.digest,
    results: JSON.stringify(results),
    ranAt: ranAt.toISOString(),
  };
}

/** The digest a cell's source would run under, or null while it has errors. */
export function sourceDigest(source: string): string | null {
  const f = format(source);
  return f.ok ? scenarioDigest(f.text) : null;
}

/** The output no longer describes the source (or came from another engine). */
export function isStale(source: string, output: CellOutput): boolean {
  return output.engine !== ENGINE_VERSION || sourceDigest(source) !== output.scenarioDigest;
}

export function resultsOf(output: CellOutput): Results | null {
  try {
    const r = JSON.parse(output.results) as Results;
    return r && r.format === "pcplab-results/1" ? r : null;
  } catch {
    return null;
  }
}

/** "Copy for mail": the report of the stored run, or null when the source
 * changed since (a stale report would not verify). */
export function reportFor(source: string, output: CellOutput): string | null {
  const results = resultsOf(output);
  const analysis = analyze(source);
  const f = format(source);
  if (!results || !analysis.scenario || !f.ok || isStale(source, output)) return null;
  return renderReport(analysis.scenario, f.text, results);
}

/** "Import from mail": the scenarios of the reports in pasted text, a raw
 * message or an mbox (decoded as `pcplab verify` decodes them), each once
 * however often the thread quotes it. */
export async function importFromMail(text: string): Promise<{ ok: true; sources: string[] } | { ok: false; message: string }> {
  const reports = await mailReports(text);
  if (reports.length === 0) return { ok: false, message: NOT_FOUND };
  const sources: string[] = [];
  for (const report of reports) {
    const r = report.problem === null ? extractReport(report.text) : { ok: false as const, message: report.problem };
    if (!r.ok) return { ok: false, message: `${where(report)}: ${r.message}` };
    const f = format(r.report.scenarioText);
    if (!f.ok) return { ok: false, message: `${where(report)}: the scenario does not parse` };
    if (!sources.includes(f.text)) sources.push(f.text);
  }
  return { ok: true, sources };
}

function where(report: MailReport): string {
  const [place, ...headers] = describeSource(report);
  const subject = headers.find((h) => h.startsWith("Subject: "));
  return `the report at ${place}${subject ? ` (${subject})` : ""}`;
}
