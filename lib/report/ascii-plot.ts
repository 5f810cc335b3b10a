// A line chart in plain ASCII, in the style of gnuplot's `set terminal
// dumb`: a framed plot, y ticks on the left, x labels under it, one glyph
// per line. Kernel developers read the report in a terminal mail reader,
// so it has to stay within the report's 76 columns.
import { wrap, WIDTH } from "./format.ts";
import { PLOT_GLYPHS, type ReportLine } from "./lines.ts";

/** Plot columns: a series of 100 buckets maps two buckets to a column. */
export const PLOT_WIDTH = 50;
/** Plot rows; odd, so the middle tick sits on a row of its own. */
const PLOT_HEIGHT = 9;
const LABEL_WIDTH = 8;

interface PlotLine {
  name: string;
  /** Points by plot column, in column order; null breaks the line. */
  points: ({ x: number; y: number } | null)[];
}

export interface Plot {
  title: string;
  lines: PlotLine[];
  /** Labels under the x axis, at plot columns. */
  xLabels: { x: number; text: string }[];
  /** Written after the last x label, e.g. "ms". */
  xUnit: string;
  /** Legend lines under the plot (the glyphs are added by the plot). */
  legend: string[];
}

/** The smallest of 1, 2, 5 times a power of ten at or above x, so that
 * the middle tick is a round number too. */
function niceCeiling(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * p >= x * (1 - 1e-12)) return m * p;
  return 10 * p;
}

/** A tick value without float noise: 0.30000000000000004 prints as 0.3. */
function tickText(v: number): string {
  return String(Number(v.toPrecision(6)));
}

function glyph(i: number): string {
  return PLOT_GLYPHS[i % PLOT_GLYPHS.length]!;
}

/** The chart as report lines: title, frame, plot rows (kind "drawing"),
 * x labels and legend, all part of the chart for verify. */
export function plotLines(plot: Plot, section: string): ReportLine[] {
  const ys = plot.lines.flatMap((l) => l.points.flatMap((p) => (p ? [p.y] : [])));
  const top = niceCeiling(Math.max(0, ...ys));
  const ticks = new Map([
    [PLOT_HEIGHT - 1, tickText(top)],
    [(PLOT_HEIGHT - 1) / 2, tickText(top / 2)],
    [0, "0"],
  ]);
  const labelWidth = Math.max(LABEL_WIDTH, ...[...ticks.values()].map((t) => t.length));
  const grid = Array.from({ length: PLOT_HEIGHT }, () => new Array<string>(PLOT_WIDTH).fill(" "));
  const rowOf = (y: number) => Math.max(0, Math.min(PLOT_HEIGHT - 1, Math.round((y / top) * (PLOT_HEIGHT - 1))));
  plot.lines.forEach((line, i) => {
    const g = glyph(i);
    let last: { x: number; row: number } | null = null;
    let prev: { x: number; y: number } | null = null;
    for (const p of line.points) {
      if (!p) {
        last = prev = null;
        continue;
      }
      // Columns from the previous point to this one, the value between
      // them interpolated, each joined to the one before by a vertical run.
      for (let x = prev ? prev.x + 1 : p.x; x <= p.x; x++) {
        const y = prev && p.x > prev.x ? prev.y + ((p.y - prev.y) * (x - prev.x)) / (p.x - prev.x) : p.y;
        const row = rowOf(y);
        const from = last && last.x === x - 1 ? last.row : row;
        for (let r = Math.min(from, row); r <= Math.max(from, row); r++) if (r === row || r !== from) grid[r]![x] = g;
        last = { x, row };
      }
      prev = p;
    }
  });
  const pad = " ".repeat(labelWidth + 1);
  const frame = `${pad}+${"-".repeat(PLOT_WIDTH)}+`;
  const out: ReportLine[] = wrap(plot.title).map((text) => ({ text, kind: "text", section, chart: true }));
  out.push({ text: frame, kind: "layout", section, chart: true });
  for (let r = PLOT_HEIGHT - 1; r >= 0; r--) {
    const tick = ticks.get(r);
    const left = tick === undefined ? `${pad}|` : `${tick.padStart(labelWidth)} +`;
    out.push({ text: `${left}${grid[r]!.join("")}|`, kind: "drawing", section, plot: [left.length, left.length + PLOT_WIDTH], chart: true });
  }
  out.push({ text: frame, kind: "layout", section, chart: true });
  out.push({ text: xAxis(plot, labelWidth + 2), kind: "text", section, chart: true });
  for (const [i, text] of plot.legend.entries()) {
    const wrapped = wrap(`${glyph(i)} ${text}`, WIDTH - pad.length, "  ");
    out.push(...wrapped.map((t): ReportLine => ({ text: pad + t, kind: "text", section, chart: true })));
  }
  return out;
}

/** The x labels at their columns: the first starts there, the last ends
 * there, the others are centred; one that would touch another is left out. */
function xAxis(plot: Plot, offset: number): string {
  let line = "";
  plot.xLabels.forEach(({ x, text }, i) => {
    const at = offset + x;
    const start = i === 0 ? at : i === plot.xLabels.length - 1 ? at - text.length + 1 : at - Math.floor(text.length / 2);
    if (start < line.length + 1 && line.length > 0) return;
    line = line.padEnd(start) + text;
  });
  return (plot.xUnit ? `${line} ${plot.xUnit}` : line).trimEnd();
}
