// The token vocabulary of the scenario language. Order matters to the
// lexer: the first pattern that matches wins, so longer or more specific
// patterns come before the ones they would otherwise be cut short by.
import { createToken, Lexer, type IToken, type TokenType } from "chevrotain";
import type { Span } from "./source.ts";

export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_-]*/, label: "a name" });

// Keywords are reserved only where the grammar expects them: each one is
// also an Identifier (category), so `lock all` or a metric segment `high`
// still reads as a name.
function keyword(word: string): TokenType {
  return createToken({
    name: "Kw_" + word,
    pattern: new RegExp(word),
    longer_alt: Identifier,
    categories: [Identifier],
    label: `'${word}'`,
  });
}

const KEYWORDS = [
  "scenario", "description", "kernel", "cpus", "memory", "duration", "warmup", "seed", "runs",
  "lock", "compare", "sweep", "in", "pcp", "high", "batch", "fragmentation", "cost",
  "workload", "on", "all", "rate", "every", "alloc", "x", "order", "gfp", "free", "after",
  "immediately", "drain", "expect", "for", "exp", "uniform", "pages", "config", "arrivals", "last",
] as const;
export type Keyword = (typeof KEYWORDS)[number];

export const Kw = Object.fromEntries(KEYWORDS.map((w) => [w, keyword(w)])) as Record<Keyword, TokenType>;

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n\f\v]+/, group: Lexer.SKIPPED });
export const Comment = createToken({ name: "Comment", pattern: /(?:#|\/\/)[^\n\r]*/, group: "comments" });
export const StringLit = createToken({ name: "StringLit", pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*"/, label: "a string" });
// An opening quote with no closing one on its line: lexed as a token of its
// own so the parser can go on and the error names the string, not a quote.
export const UnterminatedString = createToken({ name: "UnterminatedString", pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*\\?/, label: "a string" });
export const HexInt = createToken({ name: "HexInt", pattern: /0[xX][0-9A-Za-z_]*/, label: "a number" });
export const Quantity = createToken({
  name: "Quantity",
  pattern: /[0-9][0-9_]*(?:\.[0-9][0-9_]*)?(?:[A-Za-z]+(?:\/s)?|%|\/s)|[0-9][0-9_]*\.[0-9][0-9_]*/,
  label: "a quantity",
});
export const Integer = createToken({ name: "Integer", pattern: /[0-9][0-9_]*/, label: "a number" });

export const LCurly = createToken({ name: "LCurly", pattern: /\{/, label: "'{'" });
export const RCurly = createToken({ name: "RCurly", pattern: /\}/, label: "'}'" });
export const LParen = createToken({ name: "LParen", pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: "RParen", pattern: /\)/, label: "')'" });
export const Comma = createToken({ name: "Comma", pattern: /,/, label: "','" });
export const Dot = createToken({ name: "Dot", pattern: /\./, label: "'.'" });
export const Minus = createToken({ name: "Minus", pattern: /-/, label: "'-'" });
export const Pipe = createToken({ name: "Pipe", pattern: /\|/, label: "'|'" });
export const Amp = createToken({ name: "Amp", pattern: /&/, label: "'&'" });
export const Tilde = createToken({ name: "Tilde", pattern: /~/, label: "'~'" });

export const Compare = createToken({ name: "Compare", pattern: Lexer.NA, label: "a comparison" });
const LessEq = createToken({ name: "LessEq", pattern: /<=/, categories: [Compare], label: "'<='" });
const Less = createToken({ name: "Less", pattern: /</, categories: [Compare], label: "'<'" });
const GreaterEq = createToken({ name: "GreaterEq", pattern: />=/, categories: [Compare], label: "'>='" });
const Greater = createToken({ name: "Greater", pattern: />/, categories: [Compare], label: "'>'" });
const EqEq = createToken({ name: "EqEq", pattern: /==/, categories: [Compare], label: "'=='" });
const NotEq = createToken({ name: "NotEq", pattern: /!=/, categories: [Compare], label: "'!='" });

export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  StringLit,
  UnterminatedString,
  // Hex before Quantity, or "0x400" would read as 0 with a unit "x400".
  HexInt,
  // Quantity before Integer, or "100us" would stop at "100".
  Quantity,
  Integer,
  // Keywords before Identifier, longest first so "expect" is not read as
  // "exp" + "ect"; longer_alt keeps "cpuset" a name, not "cpus" + "et".
  ...[...KEYWORDS].sort((a, b) => b.length - a.length).map((w) => Kw[w]),
  Identifier,
  LCurly, RCurly, LParen, RParen, Comma, Dot, Minus, Pipe, Amp, Tilde,
  Compare, LessEq, Less, GreaterEq, Greater, EqEq, NotEq,
];

export const lexer = new Lexer(allTokens, {
  positionTracking: "full",
  ensureOptimizations: false,
});

export const KEYWORD_OF = new Map<TokenType, Keyword>(KEYWORDS.map((w) => [Kw[w], w]));

/** A backslash escape inside a string literal. */
export const ESCAPE = /\\(.)/g;

/** A string literal's text, without its quotes and escapes. */
export function unquote(token: IToken): string {
  const closed = token.tokenType === StringLit;
  const body = token.image.slice(1, closed ? -1 : undefined);
  return body.replace(ESCAPE, (_, c: string) => c);
}

/** Where a token is in the text. */
export function spanOf(t: IToken): Span {
  return { start: t.startOffset, end: t.startOffset + t.image.length };
}
