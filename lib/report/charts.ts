// The report's pictures: the headline over simulated
// time, pcp fallbacks and zone->lock contentions per ms with one line per
// variant, and for a sweep the same two against the swept value. Their
// numbers (ticks, peaks) come from the results like every other line, so
// verify compares them; only the drawing itself is left to the digest.
import type { Scenario } from "../dsl/scenario.ts";
import type { Results, RunJson, VariantResult } from "../engine/index.ts";
import { plotLines, PLOT_WIDTH, type Plot } from "./ascii-plot.ts";
import { formatValue, isPercent, reportName, sweepValueText } from "./format.ts";
import type { ReportLine } from "./lines.ts";

const OVER_TIME = [
  ["pcp fallbacks", "fallbacks"],
  ["zone->lock contentions", "zone_contentions"],
] as const;
const AGAINST_SWEEP = ["pcp.fallback_rate", "lock.zone.contentions"];

/** Every chart of the report, each followed by a blank line. */
export function reportCharts(s: Scenario, results: Results): ReportLine[] {
  const plots: Plot[] = [];
  const largest = results.sweep ? Math.max(...results.sweep.values) : null;
  const at = largest === null ? "" : ` at ${results.sweep!.param} ${sweepValueText(s, largest)}`;
  const groups = results.results.filter((g) => g.sweep_value === largest);
  for (const [what, key] of OVER_TIME) plots.push(overTime(results, groups, what, key, at));
  if (results.sweep) for (const metric of AGAINST_SWEEP) plots.push(againstSweep(s, results, metric));
  return plots.flatMap((p) => {
    const section = `chart: ${p.title}`;
    return [...plotLines(p, section), { text: "", kind: "text", section, chart: true } satisfies ReportLine];
  });
}

/** Where a run's series stops: a run that hit a violation ended there. */
function seriesEnd(results: Results, run: RunJson): number {
  const warmup = results.scenario.warmup_ns;
  // Results stored before the scenario carried its warmup: count every run.
  if (!run.violation || typeof warmup !== "number") return Infinity;
  return run.violation.time_ns - warmup;
}

/** Per ms, each plot column the buckets it covers, each bucket the mean
 * over the runs still going at its end (as the notebook's chart does), so
 * a run stopped by a violation does not pull the line down afterwards. */
function perMsByColumn(results: Results, group: VariantResult, key: "fallbacks" | "zone_contentions", durationNs: number): (number | null)[] {
  const t = group.runs[0]!.series.t_ns;
  const n = t.length;
  const bucketNs = durationNs / n;
  const ends = group.runs.map((r) => seriesEnd(results, r));
  const columns: (number | null)[] = [];
  for (let c = 0; c < PLOT_WIDTH; c++) {
    const from = Math.floor((c * n) / PLOT_WIDTH);
    const to = Math.max(from + 1, Math.floor(((c + 1) * n) / PLOT_WIDTH));
    let sum = 0;
    let buckets = 0;
    for (let b = from; b < to && b < n; b++) {
      const bucketEnd = b + 1 < n ? t[b + 1]! : durationNs;
      const going = group.runs.filter((_, r) => ends[r]! >= bucketEnd);
      if (going.length === 0) continue;
      sum += going.reduce((a, r) => a + r.series[key][b]!, 0) / going.length;
      buckets++;
    }
    columns.push(buckets === 0 ? null : sum / ((buckets * bucketNs) / 1e6));
  }
  return columns;
}

function msText(ns: number): string {
  return String(Number((ns / 1e6).toPrecision(6)));
}

function overTime(results: Results, groups: VariantResult[], what: string, key: "fallbacks" | "zone_contentions", at: string): Plot {
  const duration = results.scenario.duration_ns ?? groups[0]!.runs[0]!.series.t_ns.length * 1e6;
  const lines = groups.map((g) => ({ name: g.variant, values: perMsByColumn(results, g, key, duration) }));
  return {
    title: `${what} per ms of simulated time${at} (mean over seeds)`,
    lines: lines.map((l) => ({ name: l.name, points: l.values.map((y, x) => (y === null ? null : { x, y })) })),
    xLabels: [
      { x: 0, text: "0" },
      { x: PLOT_WIDTH / 2, text: msText(duration / 2) },
      { x: PLOT_WIDTH - 1, text: msText(duration) },
    ],
    xUnit: "ms",
    legend: lines.map((l) => {
      const ys = l.values.filter((y): y is number => y !== null);
      const peak = ys.length ? formatValue("", Math.max(...ys)) : "-";
      return `${l.name} (peak ${peak} per ms)`;
    }),
  };
}

function againstSweep(s: Scenario, results: Results, metric: string): Plot {
  const values = results.sweep!.values;
  const xOf = (i: number) => (values.length === 1 ? Math.floor(PLOT_WIDTH / 2) : Math.round((i * (PLOT_WIDTH - 1)) / (values.length - 1)));
  const scale = isPercent(metric) ? 100 : 1;
  return {
    title: `${reportName(metric)} against ${results.sweep!.param} (${results.results.some((g) => g.runs.some((r) => r.violation)) ? "mean over complete runs" : "mean over seeds"})`,
    lines: s.variants.map((variant) => ({
      name: variant,
      points: values.map((v, i) => {
        const group = results.results.find((g) => g.variant === variant && g.sweep_value === v)!;
        // No point where every run crashed: there is no perf value to draw.
        const m = group.summary[metric];
        return m ? { x: xOf(i), y: m.mean * scale } : null;
      }),
    })),
    xLabels: values.map((v, i) => ({ x: xOf(i), text: sweepValueText(s, v) })),
    xUnit: "",
    legend: s.variants,
  };
}
