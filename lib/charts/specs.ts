// Vega-Lite specs built from results: pure functions, data inlined, no
// network, so a notebook can render them offline and every participant
// sees the same chart from the same results. Each chart carries a title and
// a description, which vega-embed turns into the SVG's accessible name.
import type { Results, RunJson } from "../engine/index.ts";
import { HEADLINE_METRICS, reportName } from "../report/render.ts";

/** No $schema: it would name a remote URL, and the notebook renders with
 * vega-embed in "vega-lite" mode anyway. */
export interface ChartSpec {
  title: string;
  description: string;
  [key: string]: unknown;
}

/** The sweep value a chart shows when results hold several: the largest. */
function focusValue(results: Results): number | null {
  return results.sweep ? Math.max(...results.sweep.values) : null;
}

function atFocus(results: Results) {
  const value = focusValue(results);
  return results.results.filter((r) => r.sweep_value === value);
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function suffix(results: Results): string {
  return results.sweep ? ` (${results.sweep.param} = ${focusValue(results)})` : "";
}

/** Where a run's series stops, on the series' time axis: a run that hit a
 * violation ended there, and its later buckets hold nothing. */
function seriesEnd(results: Results, run: RunJson): number {
  const warmup = results.scenario.warmup_ns;
  // Results stored before the scenario carried its warmup: count every run.
  if (!run.violation || typeof warmup !== "number") return Infinity;
  return run.violation.time_ns - warmup;
}

/** (1) pcp fallbacks and zone->lock contentions per ms of simulated time,
 * each bucket the mean over the runs still going at its end: a run stopped
 * by a violation would otherwise pull the mean down for the rest of the run. */
export function rateOverTime(results: Results): ChartSpec {
  const rows: { t_ms: number; variant: string; measure: string; per_ms: number }[] = [];
  for (const group of atFocus(results)) {
    const t_ns = group.runs[0]!.series.t_ns;
    const bucketNs = t_ns.length > 1 ? t_ns[1]! - t_ns[0]! : 1e6;
    const ends = group.runs.map((r) => seriesEnd(results, r));
    t_ns.forEach((t, i) => {
      const bucketEnd = i + 1 < t_ns.length ? t_ns[i + 1]! : (results.scenario.duration_ns ?? t + bucketNs);
      const going = group.runs.filter((_, r) => ends[r]! >= bucketEnd);
      if (going.length === 0) return;
      for (const [measure, key] of [["pcp fallbacks", "fallbacks"], ["zone->lock contentions", "zone_contentions"]] as const) {
        rows.push({ t_ms: t / 1e6, variant: group.variant, measure, per_ms: mean(going.map((r) => r.series[key][i]!)) / (bucketNs / 1e6) });
      }
    });
  }
  return {
    title: `pcp fallbacks and zone->lock contentions per ms${suffix(results)}`,
    description:
      "Line chart: pcp trylock fallbacks and zone lock contentions per millisecond of simulated time, one line per lock variant, mean over the seeds still running (a run that hits a violation stops there).",
    data: { values: rows },
    facet: { row: { field: "measure", type: "nominal", title: null } },
    resolve: { scale: { y: "independent" } },
    spec: {
      width: 520,
      height: 140,
      mark: { type: "line", interpolate: "step-after" },
      encoding: {
        x: { field: "t_ms", type: "quantitative", title: "simulated time (ms)" },
        y: { field: "per_ms", type: "quantitative", title: "per ms" },
        color: { field: "variant", type: "nominal", title: "variant" },
      },
    },
  };
}


/** (2) Headline metrics per variant, mean with a stddev error bar. */
export function headlineBars(results: Results): ChartSpec {
  const rows = atFocus(results).flatMap((group) =>
    HEADLINE_METRICS.map((metric) => {
      const s = group.summary[metric]!;
      const scale = metric.endsWith("_rate") ? 100 : 1;
      return { metric: reportName(metric), variant: group.variant, mean: s.mean * scale, low: (s.mean - s.stddev) * scale, high: (s.mean + s.stddev) * scale };
    }),
  );
  return {
    title: `Headline metrics per variant${suffix(results)}`,
    description: "Bar charts, one per headline metric: the mean over seeds for each lock variant, with an error bar of one standard deviation.",
    data: { values: rows },
    facet: { field: "metric", type: "nominal", title: null, header: { labelLimit: 240 } },
    columns: 3,
    resolve: { scale: { y: "independent" } },
    spec: {
      width: 150,
      height: 120,
      layer: [
        // A metric that is zero in every variant gets the tick "0", not "0.000000".
        { mark: "bar", encoding: { y: { field: "mean", type: "quantitative", title: null, axis: { labelExpr: "datum.value === 0 ? '0' : datum.label" } } } },
        { mark: { type: "rule" }, encoding: { y: { field: "low", type: "quantitative" }, y2: { field: "high" } } },
      ],
      encoding: {
        x: { field: "variant", type: "nominal", title: null },
        color: { field: "variant", type: "nominal", legend: null },
      },
    },
  };
}

/** (3) For sweeps: a headline metric against the sweep value, a line per variant. */
export function sweepLines(results: Results): ChartSpec | null {
  if (!results.sweep) return null;
  const metrics = ["pcp.fallback_rate", "lock.zone.contentions", "irq.latency_ns.p99", "alloc.latency_ns.p99"];
  const rows = results.results.flatMap((group) =>
    metrics.map((metric) => ({
      metric: reportName(metric),
      variant: group.variant,
      value: group.sweep_value,
      mean: group.summary[metric]!.mean * (metric.endsWith("_rate") ? 100 : 1),
    })),
  );
  return {
    title: `Headline metrics against ${results.sweep.param}`,
    description: `Line charts, one per headline metric, against the swept ${results.sweep.param}, one line per lock variant, mean over seeds.`,
    data: { values: rows },
    facet: { field: "metric", type: "nominal", title: null },
    columns: 2,
    resolve: { scale: { y: "independent" } },
    spec: {
      width: 240,
      height: 140,
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "value", type: "quantitative", title: results.sweep.param },
        y: { field: "mean", type: "quantitative", title: null },
        color: { field: "variant", type: "nominal" },
      },
    },
  };
}

/** 0 and the powers of ten from 10 to the first above every value: ticks a
 * log scale can be read by (Vega's own symlog ticks crowd the top). */
function decades(values: number[]): number[] {
  const top = Math.max(1, ...values);
  const ticks = [0];
  for (let t = 10; ticks.length < 12; t *= 10) {
    ticks.push(t);
    if (t >= top) break;
  }
  return ticks;
}

/** (4) IRQ and allocation latency percentiles per variant. */
export function latencyPercentiles(results: Results): ChartSpec {
  const rows = atFocus(results).flatMap((group) =>
    (["irq", "alloc"] as const).flatMap((kind) =>
      (["p50", "p99", "max"] as const).map((p) => ({
        latency: kind === "irq" ? "IRQ latency (raise to handler)" : "allocation latency",
        percentile: p,
        variant: group.variant,
        ns: group.summary[`${kind}.latency_ns.${p}`]!.mean,
      })),
    ),
  );
  return {
    title: `IRQ and allocation latency percentiles${suffix(results)}`,
    description:
      "Grouped bar charts: IRQ latency and allocation latency at p50, p99 and max for each lock variant, in nanoseconds, mean over seeds, on a symmetric log scale.",
    data: { values: rows },
    facet: { row: { field: "latency", type: "nominal", title: null } },
    resolve: { scale: { y: "independent" } },
    spec: {
      width: 420,
      height: 140,
      mark: "bar",
      encoding: {
        x: { field: "percentile", type: "ordinal", sort: ["p50", "p99", "max"], title: null },
        xOffset: { field: "variant", type: "nominal" },
        // A max is often ten times the p99: on a linear scale p50 and p99 vanish.
        // symlog, unlike log, also draws a zero.
        y: { field: "ns", type: "quantitative", title: "ns (symlog)", scale: { type: "symlog" }, axis: { values: decades(rows.map((r) => r.ns)), format: ",d" } },
        color: { field: "variant", type: "nominal" },
      },
    },
  };
}

/** Every chart that applies to these results, in the notebook's order. */
export function charts(results: Results): ChartSpec[] {
  const sweep = sweepLines(results);
  return [rateOverTime(results), headlineBars(results), ...(sweep ? [sweep] : []), latencyPercentiles(results)];
}
