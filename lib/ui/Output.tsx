"use client";
// A scenario cell's output: stale badge, summary table, the kernel log in the
// kernel's words, and the charts. The table names metrics in words with
// their units, as the charts do; a wide one (a sweep) scrolls sideways
// inside its own box, never the page.
import type { Results } from "../engine/index.ts";
import { crashedRuns } from "../charts/crashes.ts";
import { sweepValueLabel } from "../charts/sweep.ts";
import { violations } from "../report/render.ts";
import { Charts } from "./Charts.tsx";
import { summaryTable } from "./summary-table.ts";

/** Column heads: the variant, and under it the sweep value in the
 * scenario's unit (1k/s) when there is a sweep. */
function Heads({ results }: { results: Results }) {
  const groups = results.results;
  const sweep = results.sweep;
  if (!sweep) {
    return (
      <tr>
        <th scope="col">metric</th>
        {groups.map((g) => (
          <th scope="col" key={g.variant}>
            {g.variant}
          </th>
        ))}
      </tr>
    );
  }
  // Results list a variant's sweep values together, in the scenario's order.
  const spans: { variant: string; count: number }[] = [];
  for (const g of groups) {
    const last = spans.at(-1);
    if (last && last.variant === g.variant) last.count++;
    else spans.push({ variant: g.variant, count: 1 });
  }
  return (
    <>
      <tr>
        <th scope="col" rowSpan={2}>
          metric
        </th>
        {spans.map((s, i) => (
          <th scope="colgroup" colSpan={s.count} key={i} className="variant-head">
            {s.variant}
          </th>
        ))}
      </tr>
      <tr>
        {groups.map((g, i) => (
          <th scope="col" key={i} title={`${g.variant}, ${sweep.param} = ${sweepValueLabel(sweep.param, g.sweep_value!)}`}>
            {sweepValueLabel(sweep.param, g.sweep_value!)}
          </th>
        ))}
      </tr>
    </>
  );
}

function SummaryTable({ results }: { results: Results }) {
  const model = summaryTable(results);
  return (
    <div className="table-scroll" role="region" aria-label="Summary table" tabIndex={0}>
      <table className="summary" aria-label="Summary of headline metrics">
        <thead>
          <Heads results={results} />
        </thead>
        <tbody>
          {model.crashes && (
            <tr className="crashes">
              <th scope="row" title="runs that ended in a violation: they count only in the violations; every other value is over the complete runs">
                runs crashed
              </th>
              {model.crashes.map((c, i) => (
                <td key={i}>{c}</td>
              ))}
            </tr>
          )}
          {model.rows.map((row) => (
            <tr key={row.metric}>
              <th scope="row" title={row.title}>
                {row.words}
              </th>
              {row.cells.map((cell, i) => (
                <td key={i} title={cell.over ?? undefined}>
                  {cell.text}
                  {cell.sd && <span className="sd"> &plusmn;{cell.sd}</span>}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The mean an expectation compared, and over how many runs when some
 * crashed; why there is none when every run crashed. */
function expectationValue(results: Results, e: Results["expectations"][number]): string {
  if (e.value === null) return e.note ?? "no run completed";
  const total = results.results.find((g) => g.variant === e.variant && g.sweep_value === e.sweep_value)?.runs.length ?? 0;
  return e.runs !== undefined && e.runs < total ? `${e.value}, over ${e.runs} of ${total} runs` : String(e.value);
}

export function Output({ results, stale, ranAt }: { results: Results; stale: boolean; ranAt: string }) {
  const lines = violations(results);
  // An alert only when a run crashed; a run that logged and went on is news, not an alarm.
  const crashed = results.results.some((g) => crashedRuns(g) > 0);
  const failed = results.expectations.filter((e) => !e.passed);
  return (
    <section className="output" aria-label="Run output">
      <p className="output-meta">
        {stale && (
          <span className="badge stale" title="The source changed after this run">
            stale
          </span>
        )}
        <span>
          {results.engine} &middot; results {results.digest.slice(0, 12)} &middot; ran {new Date(ranAt).toLocaleString()}
        </span>
      </p>
      <SummaryTable results={results} />
      {results.expectations.length > 0 && (
        <ul className="expectations">
          {results.expectations.map((e, i) => (
            <li key={i} className={e.passed ? "pass" : "fail"}>
              {e.passed ? "pass" : "FAIL"}: {e.text} ({e.variant}
              {e.sweep_value === null || !results.sweep ? "" : `, ${results.sweep.param} = ${sweepValueLabel(results.sweep.param, e.sweep_value)}`}: {expectationValue(results, e)})
            </li>
          ))}
        </ul>
      )}
      {lines.length > 0 && (
        <section className="violations" role={crashed ? "alert" : undefined} aria-label="Kernel log">
          <h4>Kernel log</h4>
          <pre>{lines.join("\n")}</pre>
        </section>
      )}
      {failed.length > 0 && <p className="error">{failed.length} expectation(s) failed</p>}
      <Charts results={results} />
    </section>
  );
}
