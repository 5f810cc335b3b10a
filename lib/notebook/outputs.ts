// What a scenario cell does with a run: store its output compactly, tell
// when the source has changed since (the "stale" badge), turn it back into
// the mail report ("Copy for mail", identical to `pcplab run`), and take a
// report pasted from a mail back in as a cell's source ("Import from mail").
import { analyze, format } from "../dsl/index.ts";
import { ENGINE_VERSION, scenarioDigest, type Results } from "../engine/index.ts";
import { renderReport } from "../report/render.ts";
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

/** "Import from mail": the scenario in pasted report text, quoted or not. */
export function importFromMail(text: string): { ok: true; source: string } | { ok: false; message: string } {
  const r = extractReport(text);
  if (!r.ok) return r;
  const f = format(r.report.scenarioText);
  if (!f.ok) return { ok: false, message: "the scenario in the pasted text does not parse" };
  return { ok: true, source: f.text };
}
