// A sweep's values as the scenario writes them (1k/s, 512MiB), which value a
// per-value chart shows, and whether its axis needs a log scale.
import type { Results } from "../engine/index.ts";
import { formatRate, formatSize } from "../dsl/units.ts";

/** A sweep value in the scenario's own unit, from the parameter's name as
 * results carry it ("\"nic\".rate", "memory", "cpus", "pcp.high", "pcp.batch"). */
export function sweepValueLabel(param: string, value: number): string {
  if (param.endsWith(".rate")) return formatRate(value);
  if (param === "memory") return formatSize(value);
  return String(value);
}

/** "\"nic-rx\".rate = 1k/s": how a chart names the sweep value it shows. */
export function sweepPoint(results: Results, value: number | null): string {
  if (!results.sweep || value === null) return "";
  return `${results.sweep.param} = ${sweepValueLabel(results.sweep.param, value)}`;
}

/** The sweep value a per-value chart shows: the one asked for if the results
 * have it, else the first in the scenario's order; null without a sweep. */
export function shownSweepValue(results: Results, wanted?: number | null): number | null {
  if (!results.sweep) return null;
  const values = results.sweep.values;
  return wanted !== undefined && wanted !== null && values.includes(wanted) ? wanted : values[0]!;
}

/** Values spanning two decades or more (1k/s to 100k/s) bunch up at the
 * origin of a linear axis: they get a log axis. */
export function wantsLogAxis(values: number[]): boolean {
  const min = Math.min(...values);
  return min > 0 && Math.max(...values) / min >= 100;
}

/** A Vega expression mapping each of `values` to its label: axes tick at
 * exactly those values and print them as the scenario does. */
export function labelExpr(values: number[], label: (v: number) => string): string {
  const quote = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  return values.reduceRight((rest, v) => `datum.value === ${v} ? ${quote(label(v))} : ${rest}`, "datum.label");
}
