// Editor services as plain data: highlighting tokens, completions and hover
// text for an offset. lib/editor turns these into Monaco calls; nothing here
// knows Monaco exists.
import type { IToken, TokenType } from "chevrotain";
import type * as A from "./ast.ts";
import { evaluateGfp, describeGfp, GFP_DOCS, GFP_NAMES, hex } from "./gfp.ts";
import { parse, SCENARIO_OPENING, WORKLOAD_OPENING } from "./parse.ts";
import { strictParser } from "./parser.ts";
import type { Span } from "./source.ts";
import * as T from "./tokens.ts";
import { describeQuantity, parseInteger, parseQuantity, UNITS } from "./units.ts";
import {
  CONTEXTS, COST_BY_NAME, COSTS, METRICS, METRIC_BY_NAME, SCENARIO_STATEMENTS, STATEMENT_EXAMPLES, VARIANTS,
  VARIANT_NAMES, WORKLOAD_STATEMENTS,
} from "./vocabulary.ts";

export type TokenKind =
  | "keyword" | "identifier" | "gfp" | "variant" | "metric" | "string" | "number" | "comment" | "operator" | "delimiter" | "invalid";

export interface HighlightToken {
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

  // Right after digits: units.
  if (touching && (touching.tokenType === T.Integer || touching.tokenType === T.Quantity)) {
    const m = /^[0-9][0-9_]*(?:\.[0-9][0-9_]*)?/.exec(touching.image)!;
    const typed = touching.image.slice(m[0].length);
    const replace = { start: touching.startOffset + m[0].length, end: at };
    return [...UNITS.time, ...UNITS.size.filter((u) => u !== "pages"), ...UNITS.rate, ...UNITS.percent]
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
  for (const s of suggestions) {
    const rules = s.ruleStack;
    if (rules.some((r) => SKIP_RULES.has(r))) continue;
    const rule = rules.at(-1);
    const keyword = T.KEYWORD_OF.get(s.nextTokenType);
    if (keyword) {
      add({ label: keyword, kind: "keyword", detail: "", documentation: STATEMENT_EXAMPLES[keyword] ?? "", insertText: keyword });
    } else if (s.nextTokenType === T.Identifier) {
      for (const c of identifierCandidates(rule, before)) add(c);
    }
  }
  return [...out.values()];
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
        const value = evaluateGfp(w.gfp, []);
        return value === null ? null : { span: w.gfp.span, text: describeGfp(value) };
      }
    }
  }
  return null;
}

function metricAt(ast: A.ScenarioNode | null, offset: number): A.Name | null {
  for (const s of ast?.statements ?? []) {
    if (s.kind === "expect" && s.metric.span.start <= offset && offset < s.metric.span.end) return s.metric;
  }
  return null;
}
