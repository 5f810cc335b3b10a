// Charts and the summary table read in words and units: metric titles with
// their unit, sweep values as the scenario writes them, a log axis for a
// sweep over decades, variants in the scenario's order with one colour each
// across charts, a sweep value the reader picks, and a caption saying why
// contentions spike at t = 0 without warmup.
import { parse, View } from "vega";
import { compile } from "vega-lite";
import { describe, expect, it } from "vitest";
import { formatMetric, metricInfo } from "../../lib/charts/metrics.ts";
import { HEADLINE_METRICS } from "../../lib/dsl/vocabulary.ts";
import { charts, headlineBars, latencyPercentiles, rateOverTime, sweepLines, type ChartSpec } from "../../lib/charts/specs.ts";
import { runScenario } from "../../lib/engine/index.ts";
import { scenarioOf } from "../support/scenario-runs.ts";

const scenario = (settings: string) => `scenario "c" {
  cpus 2
  memory 256MiB
  duration 5ms
  ${settings}
  workload "nic" on cpus all in hardirq {
    rate 50k/s
    alloc order 0 gfp GFP_ATOMIC
    free after 20us
  }
  workload "faults" on cpus all {
    rate 200k/s
    alloc order 0 gfp GFP_HIGHUSER_MOVABLE
    free after exp(100us)
  }
}`;
const run = (settings: string) => runScenario(scenarioOf(scenario(settings)), "sha256:x");

const reversed = run("runs 2\n  compare trylock, irqsave");
const decadeSweep = run("runs 1\n  compare trylock-v2, irqsave\n  sweep \"nic\".rate in 1k/s, 10k/s, 50k/s, 100k/s");
const narrowSweep = run("runs 1\n  lock trylock\n  sweep \"nic\".rate in 10k/s, 50k/s");

type Rows<T> = { data: { values: T[] } };
const rowsOf = <T,>(spec: ChartSpec) => (spec as unknown as Rows<T>).data.values;

async function svgOf(spec: ChartSpec): Promise<string> {
  return new View(parse(compile(spec as never).spec), { renderer: "none" }).toSVG();
}

/** The text of every <text> element an SVG shows, in document order (Vega
 * keeps the labels it hides for overlap, at opacity 0). */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)].filter((m) => !/opacity="0"/.test(m[1]!)).map((m) => m[2]!.replace(/&gt;/g, ">").replace(/&quot;/g, '"'));
}

describe("metrics in words with units", () => {
  it("names every headline metric in words, never a raw key, and shows times with their unit", () => {
    for (const metric of HEADLINE_METRICS) expect(metricInfo(metric).words).not.toMatch(/_|lock_stat|\.p99|^[a-z]+\.[a-z]/);
    expect(formatMetric("lock.zone.wait_ns.total", 57666)).toBe("57.7 us");
    expect(formatMetric("lock.zone.wait_ns.total", 1_234_567)).toBe("1.23 ms");
    expect(formatMetric("irq.latency_ns.p99", 850)).toBe("850 ns");
    expect(formatMetric("irq.latency_ns.max", 999_700)).toBe("1 ms");
    expect(metricInfo("softirq.delay_ns.p99").words).toBe("softirq delay, p99");
    expect(formatMetric("softirq.delay_ns.p99", 1_234_567)).toBe("1.23 ms");
    expect(metricInfo("softirq.ksoftirqd").words).toBe("softirqs run by ksoftirqd");
    expect(formatMetric("pcp.fallback_rate", 0.0123)).toBe("1.23%");
    // A small stddev keeps its digits rather than reading "0%".
    expect(formatMetric("pcp.fallback_rate", 0.0000577)).toBe("0.00577%");
    expect(formatMetric("lock.zone.contentions", 0.5)).toBe("0.5");
    expect(formatMetric("lock.zone.contentions", 9.333333)).toBe("9.33");
    expect(formatMetric("alloc.requests", 1_104_000)).toBe("1,104,000");
    expect(formatMetric("zone.free_pages.min", 522_020)).toBe("522,020 pages");
  });

  it("titles each headline bar chart with the metric in words and its unit, and plots the values in that unit", () => {
    const spec = headlineBars(reversed);
    const rows = rowsOf<{ metric: string; variant: string; mean: number }>(spec);
    const titles = [...new Set(rows.map((r) => r.metric))];
    const wait = titles.find((t) => t.startsWith("zone->lock wait, total"))!;
    const unit = /\((ns|us|ms|s)\)$/.exec(wait)?.[1];
    expect(unit).toBeDefined();
    const factor = ({ ns: 1, us: 1e-3, ms: 1e-6, s: 1e-9 } as Record<string, number>)[unit!]!;
    const trylock = reversed.results.find((g) => g.variant === "trylock")!;
    expect(rows.find((r) => r.metric === wait && r.variant === "trylock")!.mean).toBeCloseTo(trylock.summary["lock.zone.wait_ns.total"]!.mean * factor, 9);
    expect(titles).toContain("pcp fallback rate (%)");
    expect(titles.some((t) => /^IRQ latency, p99 \((ns|us|ms)\)$/.test(t))).toBe(true);
    // In the order of the table, not alphabetical.
    expect((spec as any).facet.sort).toEqual(titles);
    expect(titles[0]).toBe("pcp fallback rate (%)");
    for (const t of titles) expect(t).not.toMatch(/lock_stat|_ns|_rate/);
  });

  it("draws latency ticks as times with units, 10 ns to 1 us and beyond", async () => {
    const labels = texts(await svgOf(latencyPercentiles(reversed)));
    expect(labels).toContain("10 ns");
    expect(labels).toContain("100 ns");
    expect(labels).toContain("1 us");
    expect(labels).not.toContain("1,000");
  });

  it("plots the time series per second of simulated time", () => {
    const spec = rateOverTime(reversed) as { spec: { encoding: { y: { title: string } } } } & ChartSpec;
    expect(spec.spec.encoding.y.title).toBe("per second");
    expect(spec.title).toMatch(/per second$/);
  });
});

describe("variants", () => {
  it("keep the scenario's order, base first, in every chart's legend, bars and colours", async () => {
    const specs = charts(reversed);
    for (const spec of specs) {
      const json = JSON.stringify(spec);
      const color = (spec as any).spec.encoding.color;
      expect(color.scale.domain, spec.title).toEqual(["trylock", "irqsave"]);
      expect(color.sort).toEqual(["trylock", "irqsave"]);
      expect(json).not.toMatch(/https?:\/\//);
    }
    // The legend lists trylock (the base here) first, though it sorts after irqsave.
    const legend = texts(await svgOf(rateOverTime(reversed))).filter((t) => t === "trylock" || t === "irqsave");
    expect(legend).toEqual(["trylock", "irqsave"]);
    // The bars too, left to right.
    const bars = texts(await svgOf(headlineBars(reversed))).filter((t) => t === "trylock" || t === "irqsave");
    expect(bars.slice(0, 2)).toEqual(["trylock", "irqsave"]);
  });

  it("keep their colour across charts and across scenarios that list them differently", () => {
    const colourOf = (spec: ChartSpec, variant: string) => {
      const scale: { domain: string[]; range: string[] } = (spec as any).spec.encoding.color.scale;
      return scale.range[scale.domain.indexOf(variant)];
    };
    const plain = run("runs 1\n  compare irqsave, trylock");
    const all = [...charts(reversed), ...charts(plain), ...charts(decadeSweep)];
    const irqsave = new Set(all.map((s) => colourOf(s, "irqsave")));
    expect(irqsave.size).toBe(1);
    const trylock = new Set([...charts(reversed), ...charts(plain)].map((s) => colourOf(s, "trylock")));
    expect(trylock.size).toBe(1);
    expect([...trylock][0]).not.toBe([...irqsave][0]);
    expect(colourOf(charts(decadeSweep)[1]!, "trylock-v2")).not.toBe([...irqsave][0]);
  });
});

describe("sweeps", () => {
  it("label sweep values in the scenario's unit and use a log axis when they span two decades", async () => {
    const spec = sweepLines(decadeSweep)! as ChartSpec & { spec: { encoding: { x: { scale: { type?: string }; title: string } } } };
    expect(spec.spec.encoding.x.scale.type).toBe("log");
    expect(spec.spec.encoding.x.title).toBe('"nic".rate (log scale)');
    const labels = texts(await svgOf(spec));
    // Each value labelled, none hidden for overlap (50k/s and 100k/s sit close).
    const axes = labels.filter((l) => l === '"nic".rate (log scale)').length;
    expect(axes).toBeGreaterThan(0);
    for (const v of ["1k/s", "10k/s", "50k/s", "100k/s"]) expect(labels.filter((l) => l === v)).toHaveLength(axes);
    expect(labels).not.toContain("1,000");
    expect(labels).not.toContain("100,000");
    // Two values within a decade stay on a linear axis.
    const narrow = sweepLines(narrowSweep)! as ChartSpec & { spec: { encoding: { x: { scale: { type?: string } } } } };
    expect(narrow.spec.encoding.x.scale.type).toBeUndefined();
    expect(texts(await svgOf(narrow))).toEqual(expect.arrayContaining(["10k/s", "50k/s"]));
  });

  it("show the first value by default in the per-value charts, and any value the reader picks", () => {
    const [sweep, ...perValue] = charts(decadeSweep);
    expect(sweep!.title).toBe('Headline metrics against "nic".rate');
    expect(perValue).toHaveLength(3);
    for (const s of perValue) expect(s.title).toMatch(/ at "nic"\.rate = 1k\/s$/);
    for (const [value, label] of [[1000, "1k/s"], [10_000, "10k/s"], [100_000, "100k/s"]] as const) {
      const picked = charts(decadeSweep, value);
      expect(picked[1]!.title).toBe(`pcp fallbacks and zone->lock contentions per second at "nic".rate = ${label}`);
      expect(picked[3]!.title).toBe(`IRQ and allocation latency percentiles at "nic".rate = ${label}`);
      // The numbers are that value's: the latency bars carry its summary.
      const irqsave = decadeSweep.results.find((g) => g.variant === "irqsave" && g.sweep_value === value)!;
      const bar = rowsOf<{ variant: string; percentile: string; latency: string; ns: number }>(picked[3]!).find((r) => r.variant === "irqsave" && r.percentile === "p99" && r.latency.startsWith("IRQ"))!;
      expect(bar.ns).toBe(irqsave.summary["irq.latency_ns.p99"]!.mean);
      const hits = rowsOf<{ variant: string; t_ms: number }>(picked[1]!);
      expect(hits.length).toBe(2 * 2 * 100);
    }
    // The interrupt count differs between values, so the series do too.
    const sum = (v: number) => rowsOf<{ measure: string; per_s: number }>(rateOverTime(decadeSweep, v)).reduce((a, r) => a + r.per_s, 0);
    expect(sum(1000)).not.toBe(sum(100_000));
    // A value the results do not hold (the source changed) falls back to the first.
    expect(charts(decadeSweep, 12345)[1]!.title).toMatch(/= 1k\/s$/);
  });
});

describe("the contention spike at t = 0", () => {
  const nic = (warmup: string) =>
    runScenario(
      scenarioOf(`scenario "cold" {
  cpus 4
  memory 256MiB
  ${warmup}
  duration 10ms
  runs 2
  compare irqsave, trylock
  workload "nic" on cpus all in hardirq {
    rate 20k/s
    alloc 4 x order 0 gfp GFP_ATOMIC
    free after 100us
  }
  workload "faults" on cpus all {
    rate 100k/s
    alloc order 0 gfp GFP_HIGHUSER_MOVABLE
    free after exp(1ms)
  }
}`),
      "sha256:x",
    );

  it("is the cold start of empty pcp lists: the caption says so, and warmup removes it", () => {
    const cold = nic("");
    const coldRows = rowsOf<{ t_ms: number; measure: string; per_s: number }>(rateOverTime(cold)).filter((r) => r.measure === "zone->lock contentions");
    // Every contention of the run falls in the first bucket...
    expect(coldRows.filter((r) => r.t_ms === 0).every((r) => r.per_s > 0)).toBe(true);
    expect(coldRows.filter((r) => r.t_ms > 0).every((r) => r.per_s === 0)).toBe(true);
    expect(rateOverTime(cold).description).toMatch(/no warmup, so every CPU's pcp lists start empty.*spike at t = 0.*warmup 5ms/);
    // ...and after 2 ms of warmup, with the lists filled, there is none.
    const warm = nic("warmup 2ms");
    for (const g of warm.results) for (const r of g.runs) expect(r.series.zone_contentions.reduce((a, b) => a + b, 0)).toBe(0);
    expect(rateOverTime(warm).description).not.toMatch(/spike/);
  });
});
