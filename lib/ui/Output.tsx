"use client";
// A scenario cell's output: stale badge, summary table, violations in the
// kernel's words, and the charts. The table names metrics in words with
// their units, as the charts do; a wide one (a sweep) scrolls sideways
// inside its own box, never the page.
import type { Results } from "../engine/index.ts";
import { formatMetric, metricInfo } from "../charts/metrics.ts";
import { HEADLINE_METRICS } from "../dsl/vocabulary.ts";
import { sweepValueLabel } from "../charts/sweep.ts";
import { reportName, violations } from "../report/render.ts";
import { Charts } from "./Charts.tsx";

type Group = Results["results"][number];

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
  const groups = results.results;
  return (
    <div className="table-scroll" role="region" aria-label="Summary table" tabIndex={0}>
      <table className="summary" aria-label="Summary of headline metrics">
        <thead>
          <Heads results={results} />
        </thead>
        <tbody>
          {HEADLINE_METRICS.map((metric) => (
            <tr key={metric}>
              <th scope="row" title={`${metric} (in the mail report: ${reportName(metric)})`}>
                {metricInfo(metric).words}
              </th>
              {groups.map((g: Group, i) => {
                const s = g.summary[metric];
                return (
                  <td key={i}>
                    {s ? formatMetric(metric, s.mean) : "-"}
                    {s && s.stddev > 0 && <span className="sd"> &plusmn;{formatMetric(metric, s.stddev)}</span>}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Output({ results, stale, ranAt }: { results: Results; stale: boolean; ranAt: string }) {
  const lines = violations(results);
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
              {e.sweep_value === null || !results.sweep ? "" : `, ${results.sweep.param} = ${sweepValueLabel(results.sweep.param, e.sweep_value)}`}: {e.value})
            </li>
          ))}
        </ul>
      )}
      {lines.length > 0 && (
        <section className="violations" role="alert" aria-label="Violations">
          <h4>Violations</h4>
          <pre>{lines.join("\n")}</pre>
        </section>
      )}
      {failed.length > 0 && <p className="error">{failed.length} expectation(s) failed</p>}
      <Charts results={results} />
    </section>
  );
}
