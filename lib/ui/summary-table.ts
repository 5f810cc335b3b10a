// What the notebook's summary table shows, apart from how it is drawn:
// per headline metric and group (variant, sweep value) the mean with its
// stddev, perf metrics over complete runs only, and a row counting the
// runs that crashed whenever one did.
import { crashedRuns, groupSummary } from "../charts/crashes.ts";
import { formatMetric, metricInfo } from "../charts/metrics.ts";
import { HEADLINE_METRICS } from "../dsl/vocabulary.ts";
import { isFailureMetric, type Results } from "../engine/index.ts";
import { reportName } from "../report/format.ts";

export interface TableCell {
  /** The mean, or "-" when every run crashed. */
  text: string;
  /** The standard deviation, when there is one. */
  sd: string | null;
  /** Over how many runs, said when some crashed. */
  over: string | null;
}

export interface TableRow {
  metric: string;
  words: string;
  title: string;
  cells: TableCell[];
}

export interface SummaryTableModel {
  /** Per group, "N of M crashed"; null when no run crashed. */
  crashes: string[] | null;
  rows: TableRow[];
}

export function summaryTable(results: Results): SummaryTableModel {
  const groups = results.results;
  const anyCrash = groups.some((g) => crashedRuns(g) > 0);
  const rows = HEADLINE_METRICS.map((metric) => ({
    metric,
    words: metricInfo(metric).words,
    title: `${metric} (in the mail report: ${reportName(metric)})` + (anyCrash && !isFailureMetric(metric) ? "; over complete runs only" : ""),
    cells: groups.map((g): TableCell => {
      const s = groupSummary(g)[metric];
      if (!s) return { text: "-", sd: null, over: `no complete run of ${g.runs.length}` };
      const partial = s.runs !== undefined && s.runs < g.runs.length;
      return { text: formatMetric(metric, s.mean), sd: s.stddev > 0 ? formatMetric(metric, s.stddev) : null, over: partial ? `over ${s.runs} of ${g.runs.length} runs` : null };
    }),
  }));
  return { crashes: anyCrash ? groups.map((g) => `${crashedRuns(g)} of ${g.runs.length}`) : null, rows };
}
