"use client";
// A scenario cell's output: stale badge, summary table, violations in the
// kernel's words, and the charts.
import type { Results } from "../engine/index.ts";
import { formatValue, HEADLINE_METRICS, reportName, violations } from "../report/render.ts";
import { Charts } from "./Charts.tsx";

function SummaryTable({ results }: { results: Results }) {
  const groups = results.results;
  const label = (g: Results["results"][number]) => (g.sweep_value === null ? g.variant : `${g.variant} @ ${g.sweep_value}`);
  return (
    <table className="summary" aria-label="Summary of headline metrics">
      <thead>
        <tr>
          <th scope="col">metric</th>
          {groups.map((g) => (
            <th scope="col" key={label(g)}>
              {label(g)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {HEADLINE_METRICS.map((metric) => (
          <tr key={metric}>
            <th scope="row" title={metric}>
              {reportName(metric)}
            </th>
            {groups.map((g) => {
              const s = g.summary[metric];
              return (
                <td key={label(g)}>
                  {s ? formatValue(metric, s.mean) : "-"}
                  {s && s.stddev > 0 && <span className="sd"> &plusmn;{formatValue(metric, s.stddev)}</span>}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
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
              {e.sweep_value === null ? "" : ` @ ${e.sweep_value}`}: {e.value})
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
