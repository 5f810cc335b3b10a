// How the report writes numbers and names, shared by its tables and charts.
import type { Scenario } from "../dsl/scenario.ts";
import { formatSize } from "../dsl/units.ts";
import { METRIC_BY_NAME } from "../dsl/vocabulary.ts";

export const WIDTH = 76;

/** The name a metric carries in the report: lockstat's for locks, a
 * trailing % for fractions (whose change is shown in absolute points). */
export function reportName(metric: string): string {
  const lock = /^lock\.(pcp|zone)\.(.+)$/.exec(metric);
  if (lock) {
    const field: Record<string, string> = {
      acquisitions: "acquisitions",
      contentions: "contentions",
      contention_rate: "contention%",
      "wait_ns.total": "waittime-total",
      "wait_ns.max": "waittime-max",
      "hold_ns.mean": "holdtime-avg",
      "hold_ns.max": "holdtime-max",
      spin_share: "spin%",
    };
    return `lock_stat.${lock[1]}.${field[lock[2]!] ?? lock[2]}`;
  }
  if (metric.endsWith("_rate")) return metric.slice(0, -"_rate".length) + "%";
  return metric;
}

export function isPercent(metric: string): boolean {
  return METRIC_BY_NAME.get(metric)?.unit === "fraction";
}

/** printf("%.4g") for large values, as C prints it (two-digit exponent). */
function g4(x: number): string {
  const [m, e] = x.toExponential(3).split("e");
  const exp = Number(e);
  return `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

/** compare.rb's value format: %10.2f below 1000, %10.4g above 1e8, else %10d. */
export function formatValue(metric: string, mean: number): string {
  const x = isPercent(metric) ? mean * 100 : mean;
  if (Math.abs(x) < 1000) return x.toFixed(2);
  if (Math.abs(x) > 1e8) return g4(x);
  return String(Math.round(x));
}

export function sweepValueText(s: Scenario, v: number): string {
  switch (s.sweep!.param.kind) {
    case "memory":
      return formatSize(v);
    case "rate":
      return v % 1000 === 0 ? `${v / 1000}k/s` : `${v}/s`;
    default:
      return String(v);
  }
}

/** Words into lines of at most `width` columns, continuation lines indented. */
export function wrap(text: string, width = WIDTH, indent = ""): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (line === "" || candidate.length <= width) line = candidate;
    else {
      out.push(line);
      line = indent + word;
    }
  }
  if (line) out.push(line);
  // A single word longer than the width (an address, a digest) is cut.
  return out.flatMap((l) => {
    const parts: string[] = [];
    for (let rest = l; rest.length > 0; rest = rest.length > width ? indent + rest.slice(width) : "") parts.push(rest.slice(0, width));
    return parts;
  });
}
