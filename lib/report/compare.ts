// The mailed report against the one re-rendered from the re-run, line by
// line: which lines agree, which differ, which one side lacks. Lines a mail
// client hard-wrapped are joined first, guided by the re-rendered lines, so
// only the whitespace where a line was broken is forgiven.
import { PLOT_INTERIOR, type ReportLine } from "./lines.ts";

export interface MailLine {
  /** Unquoted, without line end or trailing spaces. */
  text: string;
  /** 1-based line number in the text verify was given. */
  line: number;
  /** Quoted differently from the report (a reply written between its
   * lines, or a wrapped line's rest that lost its quote marks). */
  foreign: boolean;
}

export interface LineDifference {
  /** The mail's line number; for a line the mail lacks, the line after
   * which the re-run has it (0: before the first). */
  line: number;
  /** Where in the report, e.g. "irqsave vs trylock table". */
  where: string;
  /** The mailed line, or null when the mail lacks the re-run's line. */
  expected: string | null;
  /** The re-run's line, or null when the mail has a line the re-run lacks. */
  got: string | null;
}

/** A line of the mail stands for the re-run's line: equal, or for a plot
 * row equal outside the plot with only plot glyphs inside. */
export function same(e: ReportLine, g: string): boolean {
  if (e.kind !== "drawing" || !e.plot) return e.text === g;
  const [from, to] = e.plot;
  return g.length === e.text.length && g.slice(0, from) === e.text.slice(0, from) && g.slice(to) === e.text.slice(to) && PLOT_INTERIOR.test(g.slice(from, to));
}

/** The longest a wrapped line is taken to have been broken into. */
const MAX_PIECES = 4;

/** Joins the pieces of a line a mail client broke at spaces, when exactly
 * one re-rendered line is those pieces with only whitespace between them.
 * Lines of other quoting not used as pieces are dropped: they are the
 * replier's own words (a change to the report's lines is still seen, as a
 * line the mail then lacks). */
export function rejoin(mail: MailLine[], expected: ReportLine[]): MailLine[] {
  const known = new Set(expected.map((e) => e.text));
  const byStart = new Map<string, string[]>();
  for (const e of expected) {
    const key = e.text.trimStart().split(/\s+/)[0] ?? "";
    if (!byStart.has(key)) byStart.set(key, []);
    if (!byStart.get(key)!.includes(e.text)) byStart.get(key)!.push(e.text);
  }
  const out: MailLine[] = [];
  for (let i = 0; i < mail.length; i++) {
    const m = mail[i]!;
    if (m.foreign) continue;
    if (known.has(m.text) || m.text.trim() === "") {
      out.push(m);
      continue;
    }
    const candidates = (byStart.get(m.text.trimStart().split(/\s+/)[0] ?? "") ?? []).flatMap((e) => {
      const k = piecesOf(e, m.text, mail.slice(i + 1, i + MAX_PIECES).map((n) => n.text));
      return k > 0 ? [{ e, k }] : [];
    });
    if (candidates.length === 1) {
      out.push({ ...m, text: candidates[0]!.e });
      i += candidates[0]!.k;
    } else out.push(m);
  }
  return out;
}

/** How many following lines complete `first` into `whole` (breaks at
 * whitespace only), or 0 when they do not. */
function piecesOf(whole: string, first: string, next: string[]): number {
  if (!whole.startsWith(first) || whole.length === first.length) return 0;
  let rest = whole.slice(first.length);
  for (let k = 0; k < next.length; k++) {
    if (!/^\s/.test(rest)) return 0;
    rest = rest.trimStart();
    const piece = next[k]!.trim();
    if (piece === "" || !rest.startsWith(piece)) return 0;
    rest = rest.slice(piece.length);
    if (rest.trimEnd() === "") return k + 1;
  }
  return 0;
}

/** Above this many cells the alignment pairs lines in order instead: a
 * pasted mail of thousands of lines must not freeze anything. */
const MAX_CELLS = 4_000_000;

/** Pairs of (expected index, mail index), null on the side that lacks the
 * line, in order: a longest common subsequence under `same`. */
export function align(expected: ReportLine[], mail: MailLine[]): [number | null, number | null][] {
  let head = 0;
  while (head < expected.length && head < mail.length && same(expected[head]!, mail[head]!.text)) head++;
  let tail = 0;
  while (tail < expected.length - head && tail < mail.length - head && same(expected[expected.length - 1 - tail]!, mail[mail.length - 1 - tail]!.text)) tail++;
  const pairs: [number | null, number | null][] = [];
  for (let i = 0; i < head; i++) pairs.push([i, i]);
  const e = expected.slice(head, expected.length - tail);
  const m = mail.slice(head, mail.length - tail);
  if (e.length * m.length > MAX_CELLS) {
    for (let i = 0; i < Math.max(e.length, m.length); i++) {
      const a = i < e.length ? head + i : null;
      const b = i < m.length ? head + i : null;
      pairs.push([a, b]);
    }
  } else {
    // lcs[i][j]: the longest common subsequence of e[i..] and m[j..].
    const w = m.length + 1;
    const lcs = new Uint32Array((e.length + 1) * w);
    for (let i = e.length - 1; i >= 0; i--) {
      for (let j = m.length - 1; j >= 0; j--) {
        lcs[i * w + j] = same(e[i]!, m[j]!.text) ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < e.length || j < m.length) {
      if (i < e.length && j < m.length && same(e[i]!, m[j]!.text)) pairs.push([head + i++, head + j++]);
      else if (j < m.length && (i === e.length || lcs[i * w + j + 1]! >= lcs[(i + 1) * w + j]!)) pairs.push([null, head + j++]);
      else pairs.push([head + i++, null]);
    }
  }
  for (let k = 0; k < tail; k++) pairs.push([expected.length - tail + k, mail.length - tail + k]);
  return pairs;
}

/** The differing lines of an alignment. Between two agreeing lines, the
 * mail's lines and the re-run's are paired in order (a changed line reads
 * as expected/got), the surplus of either side listed alone. */
export function differences(expected: ReportLine[], mail: MailLine[], pairs: [number | null, number | null][]): LineDifference[] {
  const out: LineDifference[] = [];
  let lastMail = 0;
  let lastWhere = expected[0]?.section ?? "report";
  let gone: number[] = [];
  let extra: number[] = [];
  const flush = () => {
    for (let k = 0; k < Math.max(gone.length, extra.length); k++) {
      const e = gone[k] === undefined ? null : expected[gone[k]!]!;
      const m = extra[k] === undefined ? null : mail[extra[k]!]!;
      if (m) lastMail = m.line;
      out.push({ line: m ? m.line : lastMail, where: e ? e.section : lastWhere, expected: m ? m.text : null, got: e ? e.text : null });
    }
    gone = [];
    extra = [];
  };
  for (const [a, b] of pairs) {
    if (a !== null && b !== null) {
      flush();
      lastMail = mail[b]!.line;
      lastWhere = expected[a]!.section;
    } else if (a !== null) gone.push(a);
    else extra.push(b!);
  }
  flush();
  return out;
}
