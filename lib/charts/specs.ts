// Vega-Lite specs built from results: pure functions, data inlined, no
// network, so a notebook can render them offline and every participant
// sees the same chart from the same results. Each chart carries a title and
// a description, which vega-embed turns into the SVG's accessible name.
import type { Results, RunJson } from "../engine/index.ts";
import { HEADLINE_METRICS } from "../dsl/vocabulary.ts";
import { crashNote, crashedRuns, groupSummary } from "./crashes.ts";
import { chartScale, formatTimeNs } from "./metrics.ts";
import { labelExpr, shownSweepValue, sweepPoint, sweepValueLabel, wantsLogAxis } from "./sweep.ts";
import { variantColourScale, variantOrder } from "./variants.ts";

/** No $schema: it would name a remote URL, and the notebook renders with
 * vega-embed in "vega-lite" mode anyway. */
export interface ChartSpec {
  title: string;
  description: string;
  [key: string]: unknown;
}

/** The groups a per-value chart shows: those at the sweep value picked
 * (the first by default), or every group without a sweep. */
function atValue(results: Results, wanted?: number | null) {
  const value = shownSweepValue(results, wanted);
  return results.results.filter((r) => r.sweep_value === value);
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function suffix(results: Results, wanted?: number | null): string {
  const point = sweepPoint(results, shownSweepValue(results, wanted));
  return point ? ` at ${point}` : "";
}

/** The colour channel of every chart: the scenario's variant order, each
 * variant its own colour whichever chart it is in. */
function colour(results: Results, legend = true) {
  return { field: "variant", type: "nominal", scale: variantColourScale(results), sort: variantOrder(results), ...(legend ? { title: "variant" } : { legend: null }) };
}

/** Where a run's series stops, on the series' time axis: a run that hit a
 * violation ended there, and its later buckets hold nothing. */
function seriesEnd(results: Results, run: RunJson): number {
  const warmup = results.scenario.warmup_ns;
  // Results stored before the scenario carried its warmup: count every run.
  if (!run.violation || typeof warmup !== "number") return Infinity;
  return run.violation.time_ns - warmup;
}

/** Why contentions pile up in the first bucket when a scenario has no
 * warmup: the model is right, and the reader should know why. Every CPU's
 * pcp lists start empty, so the first allocations on all CPUs refill them
 * from the zone together and queue on zone->lock; once the lists hold the
 * working set, refills (and so the zone lock) are rare. */
function coldStartNote(results: Results, groups: Results["results"]): string {
  if (results.scenario.warmup_ns !== 0) return "";
  const atStart = groups.some((g) => g.runs.some((r) => (r.series.zone_contentions[0] ?? 0) > 0));
  if (!atStart) return "";
  return " The scenario has no warmup, so every CPU's pcp lists start empty: the first allocations on all CPUs refill them from the zone at the same moment and queue on zone->lock, which is the spike at t = 0; once the lists hold the working set they rarely need the zone. A line such as warmup 5ms in the scenario measures after that cold start.";
}

/** (1) pcp fallbacks and zone->lock contentions per second of simulated
 * time, each bucket the mean over the runs still going at its end: a run
 * stopped by a violation would otherwise pull the mean down for the rest of
 * the run. */
export function rateOverTime(results: Results, sweepValue?: number | null): ChartSpec {
  const measures = [["pcp fallbacks", "fallbacks"], ["zone->lock contentions", "zone_contentions"]] as const;
  const groups = atValue(results, sweepValue);
  const rows: { t_ms: number; variant: string; measure: string; per_s: number }[] = [];
  for (const group of groups) {
    const t_ns = group.runs[0]!.series.t_ns;
    const bucketNs = t_ns.length > 1 ? t_ns[1]! - t_ns[0]! : 1e6;
    const ends = group.runs.map((r) => seriesEnd(results, r));
    t_ns.forEach((t, i) => {
      const bucketEnd = i + 1 < t_ns.length ? t_ns[i + 1]! : (results.scenario.duration_ns ?? t + bucketNs);
      const going = group.runs.filter((_, r) => ends[r]! >= bucketEnd);
      if (going.length === 0) return;
      for (const [measure, key] of measures) {
        rows.push({ t_ms: t / 1e6, variant: group.variant, measure, per_s: mean(going.map((r) => r.series[key][i]!)) / (bucketNs / 1e9) });
      }
    });
  }
  return {
    title: `pcp fallbacks and zone->lock contentions per second${suffix(results, sweepValue)}`,
    description:
      "Line chart: pcp trylock fallbacks and zone lock contentions per second of simulated time, one line per lock variant, mean over the seeds still running (a run that hits a violation stops there)." +
      coldStartNote(results, groups),
    data: { values: rows },
    facet: { row: { field: "measure", type: "nominal", title: null, sort: measures.map((m) => m[0]) } },
    resolve: { scale: { y: "independent" } },
    spec: {
      width: 470,
      height: 130,
      mark: { type: "line", interpolate: "step-after" },
      encoding: {
        x: { field: "t_ms", type: "quantitative", title: "simulated time (ms)" },
        y: { field: "per_s", type: "quantitative", title: "per second", axis: { format: "~s" } },
        color: colour(results),
      },
    },
  };
}

/** (2) Headline metrics per variant, mean with a stddev error bar. */
export function headlineBars(results: Results, sweepValue?: number | null): ChartSpec {
  const groups = atValue(results, sweepValue);
  const titles: string[] = [];
  const rows = HEADLINE_METRICS.flatMap((metric) => {
    const present = groups.filter((g) => groupSummary(g)[metric]);
    // One unit per facet, chosen to fit the tallest error bar.
    const { factor, title } = chartScale(metric, present.map((g) => groupSummary(g)[metric]!.mean + groupSummary(g)[metric]!.stddev));
    titles.push(title);
    return present.map((g) => {
      const s = groupSummary(g)[metric]!;
      const over = `${s.runs} of ${g.runs.length} runs${crashedRuns(g) > 0 && s.runs! < g.runs.length ? ", the rest crashed" : ""}`;
      return { metric: title, variant: g.variant, mean: s.mean * factor, low: (s.mean - s.stddev) * factor, high: (s.mean + s.stddev) * factor, over };
    });
  });
  return {
    title: `Headline metrics per variant${suffix(results, sweepValue)}`,
    description:
      "Bar charts, one per headline metric, each titled with its unit: the mean over seeds for each lock variant, with an error bar of one standard deviation; a run that crashed counts only in the violations, every other mean is over the complete runs." +
      crashNote(groups),
    data: { values: rows },
    facet: { field: "metric", type: "nominal", title: null, sort: titles, header: { labelLimit: 200 } },
    columns: 3,
    resolve: { scale: { y: "independent" } },
    spec: {
      width: 150,
      height: 110,
      layer: [
        // A metric that is zero in every variant gets the tick "0", not "0.000000".
        {
          mark: "bar",
          encoding: {
            y: { field: "mean", type: "quantitative", title: null, axis: { labelExpr: "datum.value === 0 ? '0' : datum.label" } },
            tooltip: [{ field: "variant", type: "nominal" }, { field: "mean", type: "quantitative", format: ".4~g" }, { field: "over", type: "nominal", title: "over" }],
          },
        },
        { mark: { type: "rule" }, encoding: { y: { field: "low", type: "quantitative" }, y2: { field: "high" } } },
      ],
      encoding: {
        x: { field: "variant", type: "nominal", title: null, sort: variantOrder(results) },
        color: colour(results, false),
      },
    },
  };
}

const SWEPT_METRICS = ["pcp.fallback_rate", "lock.zone.contentions", "irq.latency_ns.p99", "alloc.latency_ns.p99"];

/** (3) For sweeps: headline metrics against the sweep value, a line per
 * variant; the axis ticks at the swept values, labelled as the scenario
 * writes them, on a log scale when they span two decades or more. */
export function sweepLines(results: Results): ChartSpec | null {
  const sweep = results.sweep;
  if (!sweep) return null;
  const titles: string[] = [];
  const rows = SWEPT_METRICS.flatMap((metric) => {
    const present = results.results.filter((g) => groupSummary(g)[metric]);
    const { factor, title } = chartScale(metric, present.map((g) => groupSummary(g)[metric]!.mean));
    titles.push(title);
    return present.map((g) => ({ metric: title, variant: g.variant, value: g.sweep_value, mean: groupSummary(g)[metric]!.mean * factor }));
  });
  const log = wantsLogAxis(sweep.values);
  const label = (v: number) => sweepValueLabel(sweep.param, v);
  return {
    title: `Headline metrics against ${sweep.param}`,
    description: `Line charts, one per headline metric, each titled with its unit, against the swept ${sweep.param} (${sweep.values.map(label).join(", ")}${log ? ", on a log scale" : ""}), one line per lock variant, mean over seeds (complete runs only).${crashNote(results.results, (g) => `${g.variant} at ${label(g.sweep_value!)}`)}`,
    data: { values: rows },
    facet: { field: "metric", type: "nominal", title: null, sort: titles, header: { labelLimit: 240 } },
    columns: 2,
    resolve: { scale: { y: "independent" } },
    spec: {
      width: 220,
      height: 130,
      mark: { type: "line", point: true },
      encoding: {
        x: {
          field: "value",
          type: "quantitative",
          title: `${sweep.param}${log ? " (log scale)" : ""}`,
          scale: log ? { type: "log" } : { zero: false },
          // Slanted, every value keeps its label: on a log axis 50k/s and
          // 100k/s sit a third of a decade apart, and Vega would hide one.
          axis: { values: sweep.values, labelExpr: labelExpr(sweep.values, label), labelAngle: -40, labelOverlap: false },
        },
        y: { field: "mean", type: "quantitative", title: null },
        color: colour(results),
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
export function latencyPercentiles(results: Results, sweepValue?: number | null): ChartSpec {
  const groups = atValue(results, sweepValue);
  // A variant whose every run crashed has no latency to draw, not a zero.
  const rows = groups.flatMap((group) =>
    (["irq", "alloc"] as const).flatMap((kind) =>
      (["p50", "p99", "max"] as const).flatMap((p) => {
        const s = groupSummary(group)[`${kind}.latency_ns.${p}`];
        if (!s) return [];
        return [{ latency: kind === "irq" ? "IRQ latency (raise to handler)" : "allocation latency", percentile: p, variant: group.variant, ns: s.mean }];
      }),
    ),
  );
  const ticks = decades(rows.map((r) => r.ns));
  return {
    title: `IRQ and allocation latency percentiles${suffix(results, sweepValue)}`,
    description:
      "Grouped bar charts: IRQ latency and allocation latency at p50, p99 and max for each lock variant, mean over the complete runs, on a symmetric log scale with a tick per power of ten." +
      crashNote(groups),
    data: { values: rows },
    facet: { row: { field: "latency", type: "nominal", title: null, sort: ["IRQ latency (raise to handler)", "allocation latency"] } },
    resolve: { scale: { y: "independent" } },
    spec: {
      width: 420,
      height: 130,
      mark: "bar",
      encoding: {
        x: { field: "percentile", type: "ordinal", sort: ["p50", "p99", "max"], title: null },
        xOffset: { field: "variant", type: "nominal", sort: variantOrder(results) },
        // A max is often ten times the p99: on a linear scale p50 and p99 vanish.
        // symlog, unlike log, also draws a zero.
        y: {
          field: "ns",
          type: "quantitative",
          title: "latency (log scale)",
          scale: { type: "symlog" },
          axis: { values: ticks, labelExpr: labelExpr(ticks, (v) => (v === 0 ? "0" : formatTimeNs(v))) },
        },
        color: colour(results),
      },
    },
  };
}

/** Every chart that applies to these results, in the notebook's order: a
 * sweep's chart over all its values first, then the charts of one value,
 * `sweepValue` (the first by default). */
export function charts(results: Results, sweepValue?: number | null): ChartSpec[] {
  const sweep = sweepLines(results);
  return [...(sweep ? [sweep] : []), ...perValueCharts(results, sweepValue)];
}

/** The charts of one sweep value (of the whole run without a sweep). */
export function perValueCharts(results: Results, sweepValue?: number | null): ChartSpec[] {
  return [rateOverTime(results, sweepValue), headlineBars(results, sweepValue), latencyPercentiles(results, sweepValue)];
}
