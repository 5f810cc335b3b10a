// Editor services as plain data: highlighting tokens, completions and hover
// text for an offset. lib/editor turns these into Monaco calls; nothing here
// knows Monaco exists.
import type { IToken, TokenType } from "chevrotain";
import type * as A from "./ast.ts";
import { evaluateGfp, describeGfp, GFP_DOCS, GFP_NAMES, hex } from "./gfp.ts";
import { SCENARIO_OPENING, strictParser, WORKLOAD_OPENING } from "./grammar.ts";
import { parse } from "./parse.ts";
import { didYouMean } from "./suggest.ts";
import type { Span } from "./source.ts";
import * as T from "./tokens.ts";
import { describeQuantity, parseInteger, parseQuantity, UNITS } from "./units.ts";
import {
  CONFIG_OPTIONS, configRange, CONTEXTS, COST_BY_NAME, COSTS, METRICS, METRIC_BY_NAME, SCENARIO_STATEMENTS, STATEMENT_EXAMPLES, VARIANTS,
  VARIANT_NAMES, WORKLOAD_STATEMENTS,
} from "./vocabulary.ts";

export type TokenKind =
  | "keyword" | "identifier" | "gfp" | "variant" | "metric" | "string" | "number" | "comment" | "operator" | "delimiter" | "invalid";

interface HighlightToken {
  start: number;
  end: number;
  kind: TokenKind;
}

const DELIMITERS = new Set<TokenType>([T.LCurly, T.RCurly, T.LParen, T.RParen, T.Comma, T.Dot]);

export function highlight(text: string): HighlightToken[] {
  const lexed = T.lexer.tokenize(text);
  const tokens = lexed.tokens;
  const out: HighlightToken[] = [];
  tokens.forEach((t, i) => {
    const start = t.startOffset;
    const end = start + t.image.length;
    out.push({ start, end, kind: classify(t, tokens[i - 1], tokens[i + 1]) });
  });
  for (const c of lexed.groups["comments"] ?? []) out.push({ start: c.startOffset, end: c.startOffset + c.image.length, kind: "comment" });
  for (const e of lexed.errors) out.push({ start: e.offset, end: e.offset + e.length, kind: "invalid" });
  return out.sort((a, b) => a.start - b.start);
}

function classify(t: IToken, prev: IToken | undefined, next: IToken | undefined): TokenKind {
  const type = t.tokenType;
  if (type === T.StringLit || type === T.UnterminatedString) return "string";
  if (type === T.Integer || type === T.HexInt || type === T.Quantity) return "number";
  if (DELIMITERS.has(type)) return "delimiter";
  const isWord = type === T.Identifier || T.KEYWORD_OF.has(type);
  if (!isWord) return "operator";
  if (prev?.tokenType === T.Dot || next?.tokenType === T.Dot) return "metric";
  if (GFP_NAMES.has(t.image) || /^_*GFP_/.test(t.image)) return "gfp";
  if (VARIANT_NAMES.includes(t.image)) return "variant";
  if ((CONTEXTS as readonly string[]).includes(t.image)) return "keyword";
  return T.KEYWORD_OF.has(type) ? "keyword" : "identifier";
}

// ---- completion -------------------------------------------------------------

export type CompletionKind = "keyword" | "gfp" | "variant" | "metric" | "cost" | "context" | "unit" | "param";

export interface Completion {
  label: string;
  kind: CompletionKind;
  /** Short text beside the label, e.g. a gfp mask's hex value. */
  detail: string;
  documentation: string;
  insertText: string;
  /** The text the completion replaces (the word typed so far). */
  replace: Span;
}

const SKIP_RULES = new Set(["unknownStatement", "skipItem", "skipBlock"]);


/** The tokens completion needs: only the statement being typed, behind a
 * made-up opening at the right depth. Everything earlier is irrelevant to
 * what may come next, and may hold errors that would stop the search. */
function statementContext(before: IToken[]): IToken[] | null {
  let depth = 0;
  for (const t of before) {
    if (t.tokenType === T.LCurly) depth++;
    else if (t.tokenType === T.RCurly) depth = Math.max(0, depth - 1);
  }
  if (depth === 0) return before;
  if (depth > 2) return null;
  const starters: readonly string[] = depth === 1 ? SCENARIO_STATEMENTS : WORKLOAD_STATEMENTS;
  let start = before.length;
  for (let i = before.length - 1; i >= 0; i--) {
    const t = before[i]!;
    if (t.tokenType === T.LCurly || t.tokenType === T.RCurly) break;
    const firstOnLine = i === 0 || before[i - 1]!.endLine !== t.startLine;
    start = i;
    if (firstOnLine && starters.includes(t.image)) break;
  }
  return [...(depth === 1 ? SCENARIO_OPENING : WORKLOAD_OPENING), ...before.slice(start)];
}

export function complete(text: string, offset: number): Completion[] {
  const at = Math.max(0, Math.min(offset, text.length));
  const lexed = T.lexer.tokenize(text.slice(0, at));
  const tokens = lexed.tokens;
  const last = tokens.at(-1);
  const touching = last && last.startOffset + last.image.length === at ? last : undefined;

  // Right after digits: the units this value may take. None where it takes a
  // plain number (cpus 4, order 0) and none once a unit is complete, so the
  // popup is not open there and Enter starts a new line.
  if (touching && (touching.tokenType === T.Integer || touching.tokenType === T.Quantity)) {
    const m = /^[0-9][0-9_]*(?:\.[0-9][0-9_]*)?/.exec(touching.image)!;
    const typed = touching.image.slice(m[0].length);
    const units = unitsFor(tokens.slice(0, -1), touching.startLine ?? 0);
    if (units.includes(typed)) return [];
    const replace = { start: touching.startOffset + m[0].length, end: at };
    return units
      .filter((u) => u.startsWith(typed))
      .map((u) => ({ label: u, kind: "unit", detail: unitKind(u), documentation: "", insertText: u, replace }));
  }

  const isWord = touching && (touching.tokenType === T.Identifier || T.KEYWORD_OF.has(touching.tokenType));
  const prefix = isWord ? touching!.image : "";
  const before = isWord ? tokens.slice(0, -1) : tokens;
  const replace = { start: at - prefix.length, end: at };

  // A dotted metric name is one completion: "pcp.fa" completes to pcp.fallback_rate.
  const metricStart = dottedStart(before, isWord ? touching! : undefined);
  if (metricStart !== null) {
    const typed = text.slice(metricStart, at);
    return METRICS.filter((m) => m.name.startsWith(typed) && m.deterministic).map((m) => ({
      label: m.name, kind: "metric", detail: m.unit, documentation: m.doc, insertText: m.name,
      replace: { start: metricStart, end: at },
    }));
  }

  const assist = strictParser();
  let suggestions: ReturnType<typeof assist.computeContentAssist> = [];
  const context = statementContext(before);
  try {
    if (context) suggestions = assist.computeContentAssist("file", context);
  } catch {
    suggestions = [];
  }
  const out = new Map<string, Completion>();
  const add = (c: Omit<Completion, "replace">) => {
    if (c.label.toLowerCase().startsWith(prefix.toLowerCase()) && !out.has(c.label)) out.set(c.label, { ...c, replace });
  };
  // Statements go one to a line: after a statement's last word, a space is
  // not the place to offer the next one.
  const previous = before.at(-1);
  const midLine = previous !== undefined && previous.tokenType !== T.LCurly && previous.tokenType !== T.RCurly &&
    (previous.endLine ?? 0) === lineAt(text, at);
  for (const s of suggestions) {
    const rules = s.ruleStack;
    if (rules.some((r) => SKIP_RULES.has(r))) continue;
    const rule = rules.at(-1);
    const keyword = T.KEYWORD_OF.get(s.nextTokenType);
    if (keyword && midLine && startsStatement(keyword, rule)) continue;
    // "512 pages" is a size: not offered after a count such as "cpus 4".
    if (keyword === "pages" && !unitsFor(before.slice(0, -1), previous?.startLine ?? 0).includes("MiB")) continue;
    if (keyword) {
      add({ label: keyword, kind: "keyword", detail: "", documentation: STATEMENT_EXAMPLES[keyword] ?? "", insertText: keyword });
    } else if (s.nextTokenType === T.Identifier) {
      for (const c of identifierCandidates(rule, before)) add(c);
    }
  }
  return [...out.values()];
}

const STATEMENT_RULES = new Set([
  "textStmt", "settingStmt", "lockStmt", "compareStmt", "sweepStmt", "pcpStmt", "configStmt", "costStmt", "workload", "expectStmt",
  "workloadStatement", "arrivalStmt", "arrivalsStmt", "allocStmt", "freeStmt",
]);

function startsStatement(keyword: string, rule: string | undefined): boolean {
  const starters: readonly string[] = [...SCENARIO_STATEMENTS, ...WORKLOAD_STATEMENTS];
  return rule !== undefined && STATEMENT_RULES.has(rule) && starters.includes(keyword);
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

const SIZE_UNITS = UNITS.size.filter((u) => u !== "pages");
const ANY_UNIT: readonly string[] = [...UNITS.time, ...SIZE_UNITS, ...UNITS.rate, ...UNITS.percent];

/** The units a number on `line` may take, from the words before it there. */
function unitsFor(before: IToken[], line: number): readonly string[] {
  const own = before.filter((t) => t.startLine === line);
  const previous = own.at(-1);
  if (!previous) return [];
  const is = (t: IToken | undefined, type: TokenType) => t?.tokenType === type;
  // exp( and uniform( take times, in costs and in frees alike.
  let open = own.length - 1;
  while (open >= 0 && !is(own[open], T.LParen)) open--;
  if (open > 0 && !own.slice(open).some((t) => is(t, T.RParen)) && (is(own[open - 1], T.Kw.exp) || is(own[open - 1], T.Kw.uniform))) {
    return UNITS.time;
  }
  const sweep = own.findIndex((t) => is(t, T.Kw.sweep));
  if (sweep >= 0 && own.slice(sweep).some((t) => is(t, T.Kw.in)) && (is(previous, T.Kw.in) || is(previous, T.Comma))) {
    const param = own[sweep + 1];
    if (is(param, T.Kw.memory)) return SIZE_UNITS;
    if (is(param, T.StringLit) || is(param, T.UnterminatedString)) return UNITS.rate;
    return [];
  }
  if (previous.tokenType.CATEGORIES?.includes(T.Compare)) {
    const expect = own.findIndex((t) => is(t, T.Kw.expect));
    const name = own.slice(expect + 1, -1).map((t) => t.image).join("");
    const metric = METRIC_BY_NAME.get(name);
    if (!metric) return ANY_UNIT;
    if (metric.unit === "ns") return UNITS.time;
    if (metric.unit === "fraction") return UNITS.percent;
    if (metric.unit === "pages") return SIZE_UNITS;
    return [];
  }
  if (is(previous, T.Kw.duration) || is(previous, T.Kw.warmup) || is(previous, T.Kw.every) || is(previous, T.Kw.after)) return UNITS.time;
  if (is(previous, T.Kw.memory)) return SIZE_UNITS;
  if (is(previous, T.Kw.rate)) return UNITS.rate;
  if (is(previous, T.Kw.fragmentation)) return UNITS.percent;
  if (is(own.at(-2), T.Kw.cost)) return UNITS.time;
  return [];
}

function unitKind(u: string): string {
  if ((UNITS.time as readonly string[]).includes(u)) return "time";
  if ((UNITS.rate as readonly string[]).includes(u)) return "rate";
  if (u === "%") return "percent";
  return "size";
}

/** Start offset of a dotted name being typed after `expect`, or null. */
function dottedStart(before: IToken[], word: IToken | undefined): number | null {
  let i = before.length - 1;
  let start = word?.startOffset ?? null;
  // Walk back over `name .` pairs.
  while (i >= 0 && before[i]!.tokenType === T.Dot) {
    const name = before[i - 1];
    if (!name || !(name.tokenType === T.Identifier || T.KEYWORD_OF.has(name.tokenType))) return null;
    start = name.startOffset;
    i -= 2;
  }
  const head = before[i];
  if (head && head.tokenType === T.Kw.expect) return start ?? (word ? word.startOffset : null) ?? null;
  return null;
}

function identifierCandidates(rule: string | undefined, before: IToken[]): Omit<Completion, "replace">[] {
  const previous = before.at(-1);
  const variants = () =>
    VARIANTS.map((v) => ({ label: v.name, kind: "variant" as const, detail: v.models, documentation: v.summary, insertText: v.name }));
  const contexts = () =>
    CONTEXTS.map((c) => ({ label: c, kind: "context" as const, detail: "context", documentation: "", insertText: c }));
  switch (rule) {
    case "gfpNot":
      return [...GFP_NAMES].map(([name, value]) => ({
        label: name, kind: "gfp", detail: hex(value), documentation: GFP_DOCS.get(name) ?? "", insertText: name,
      }));
    case "lockStmt":
    case "compareStmt":
      return variants();
    case "expectStmt":
      return previous?.tokenType === T.Kw.for ? variants() : [];
    case "metric":
      return METRICS.filter((m) => m.deterministic).map((m) => ({
        label: m.name, kind: "metric", detail: m.unit, documentation: m.doc, insertText: m.name,
      }));
    case "configStmt":
      // An option that takes a number has no words to offer.
      if (previous && configRange(previous.image)) return [];
      return previous?.tokenType === T.Kw.config
        ? CONFIG_OPTIONS.map((o) => ({ label: o.name, kind: "param", detail: `default ${o.byDefault}`, documentation: o.doc, insertText: o.name }))
        : ["on", "off"].map((v) => ({ label: v, kind: "keyword", detail: "", documentation: "", insertText: v }));
    case "costStmt":
      return COSTS.map((c) => ({ label: c.name, kind: "cost", detail: `${c.defaultNs}ns`, documentation: `${c.doc} (${c.source})`, insertText: c.name }));
    case "workload":
    case "freeStmt":
      return contexts();
    case "sweepParam":
      return before.at(-2)?.tokenType === T.Kw.pcp
        ? ["high", "batch"].map((p) => ({ label: p, kind: "param", detail: "", documentation: "", insertText: p }))
        : [{ label: "rate", kind: "param", detail: "", documentation: "", insertText: "rate" }];
  }
  return [];
}

// ---- hover ------------------------------------------------------------------

export interface Hover {
  span: Span;
  text: string;
}

export function hover(text: string, offset: number): Hover | null {
  const parsed = parse(text);
  const token = parsed.tokens.find((t) => t.startOffset <= offset && offset < t.startOffset + t.image.length);
  if (!token) return null;
  const span = { start: token.startOffset, end: token.startOffset + token.image.length };
  const type = token.tokenType;

  if (type === T.Quantity || type === T.Integer || type === T.HexInt) {
    const r = type === T.Quantity ? parseQuantity(token.image) : parseInteger(token.image);
    const gfp = gfpAt(parsed.ast, offset);
    if (gfp) return gfp;
    return { span, text: r.ok ? `${token.image} = ${describeQuantity(r.quantity)}` : r.message };
  }
  if (type !== T.Identifier && !T.KEYWORD_OF.has(type)) return null;

  const gfp = gfpAt(parsed.ast, offset);
  if (gfp) {
    const own = GFP_NAMES.get(token.image);
    const flag = own === undefined ? "" : `${token.image} = ${hex(own)}: ${GFP_DOCS.get(token.image)}\n\n`;
    return { span: gfp.span, text: flag + gfp.text };
  }
  const metric = metricAt(parsed.ast, offset);
  if (metric) {
    const info = METRIC_BY_NAME.get(metric.name);
    return { span: metric.span, text: info ? `${info.name} (${info.unit}): ${info.doc}` : `unknown metric ${metric.name}` };
  }
  const variant = VARIANTS.find((v) => v.name === token.image);
  if (variant) return { span, text: `${variant.name}: models ${variant.models}\n${variant.summary}` };
  const option = CONFIG_OPTIONS.find((o) => o.name === token.image);
  if (option) return { span, text: `config ${option.name} (default ${option.byDefault}): ${option.doc}` };
  const cost = COST_BY_NAME.get(token.image);
  if (cost) return { span, text: `cost ${cost.name}: ${cost.doc}; default ${cost.defaultNs}ns (${cost.source})` };
  const example = STATEMENT_EXAMPLES[token.image];
  if (example && T.KEYWORD_OF.has(type)) return { span, text: example };
  return null;
}

function gfpAt(ast: A.ScenarioNode | null, offset: number): Hover | null {
  for (const s of ast?.statements ?? []) {
    if (s.kind !== "workload") continue;
    for (const w of s.body) {
      if (w.kind === "alloc" && w.gfp.span.start <= offset && offset < w.gfp.span.end) {
        const { value, unknown } = knownPart(w.gfp);
        if (unknown.length === 0) return value === null ? null : { span: w.gfp.span, text: describeGfp(value) };
        // A typo in one flag should not hide what the rest of the mask does.
        const marks = unknown.map((name) => `${name}: unknown gfp flag${didYouMean(name, GFP_NAMES.keys())}`);
        const rest = value === null ? "nothing else to decode" : `without ${unknown.length === 1 ? "it" : "them"}:\n${describeGfp(value)}`;
        return { span: w.gfp.span, text: `${marks.join("\n")}\n\n${rest}` };
      }
    }
  }
  return null;
}

/** The mask with every unknown flag left out (with the ~ or the term it
 * sits in), and the unknown names in source order. */
function knownPart(expr: A.GfpExpr): { value: number | null; unknown: string[] } {
  switch (expr.kind) {
    case "flag": {
      const v = GFP_NAMES.get(expr.name);
      return v === undefined ? { value: null, unknown: [expr.name] } : { value: v, unknown: [] };
    }
    case "int":
      return { value: evaluateGfp(expr, []), unknown: [] };
    case "not": {
      const inner = knownPart(expr.operand);
      return { value: inner.value === null ? null : ~inner.value >>> 0, unknown: inner.unknown };
    }
    case "or":
    case "and": {
      let value: number | null = null;
      const unknown: string[] = [];
      for (const term of expr.terms) {
        const t = knownPart(term);
        unknown.push(...t.unknown);
        if (t.value !== null) value = value === null ? t.value : (expr.kind === "or" ? value | t.value : value & t.value) >>> 0;
      }
      return { value, unknown };
    }
  }
}

function metricAt(ast: A.ScenarioNode | null, offset: number): A.Name | null {
  for (const s of ast?.statements ?? []) {
    if (s.kind === "expect" && s.metric.span.start <= offset && offset < s.metric.span.end) return s.metric;
  }
  return null;
}

// ---- quick fixes ------------------------------------------------------------

interface QuickFix {
  title: string;
  /** Replace this range with `text`. */
  span: Span;
  text: string;
}

/** The edits a diagnostic's "did you mean X?" (or "X or Y?") proposes, each
 * replacing the text the diagnostic points at. The suggestion lives in the
 * message because every tool shows that message; reading it back here keeps
 * diagnostics one shape for the CLI, the report and the editor. */
export function quickFixes(text: string, d: { span: Span; message: string }): QuickFix[] {
  const m = /did you mean (.+)\?/.exec(d.message);
  if (!m) return [];
  const target = text.slice(d.span.start, d.span.end);
  if (target === "" || target.includes("\n")) return [];
  return m[1]!.split(" or ").flatMap((option) => {
    const suggestion = option.replace(/^'(.*)'$/, "$1");
    let { start } = d.span;
    let replacement = suggestion;
    if (target.startsWith('"')) replacement = `"${suggestion.replace(/["\\]/g, "\\$&")}"`;
    else if (!suggestion.includes(".") && target.includes(".")) start = d.span.start + target.lastIndexOf(".") + 1;
    if (text.slice(start, d.span.end) === replacement) return [];
    return [{ title: `Change to ${suggestion}`, span: { start, end: d.span.end }, text: replacement }];
  });
}
