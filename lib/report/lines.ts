// A rendered report line and what verify does with it. The renderer knows
// which lines are a chart's drawing or the report's layout, so it says so
// here instead of verify guessing from the text.
type LineKind =
  /** Compared as it is: every number and word the report states. */
  | "text"
  /** Compared as it is; without it the report cannot be read (a table's
   * rule or header, a chart's frame), so its absence is "cannot verify". */
  | "layout"
  /** A chart's plot row: only the part outside `plot` is compared, the
   * drawing inside follows from numbers compared elsewhere and the digest. */
  | "drawing"
  /** The scenario between the markers: its digest covers it, so a mail
   * client's re-indenting does not count as a change. */
  | "scenario";

export interface ReportLine {
  text: string;
  kind: LineKind;
  /** Where the line belongs, as verify names it: "header", "trylock-v2 vs
   * trylock table", "chart: ...". */
  section: string;
  /** The columns [from, to) of a drawing line that hold the plot. */
  plot?: [number, number];
  /** Part of a chart, blank separator included: a mail cut of every chart
   * (or one written before charts) is still compared line by line. */
  chart?: boolean;
}

/** The characters a plot may hold: no digit, letter or sign, so changing a
 * number or word anywhere in a report changes a line verify compares. */
export const PLOT_GLYPHS = ["*", "#", "$", "@", "&", "=", "%"];
export const PLOT_INTERIOR = /^[ *#$@&=%]*$/;
