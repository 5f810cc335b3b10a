// Text in, syntax tree and diagnostics out. Never throws: every problem is a
// diagnostic with a span, and the parser recovers to report them all.
import type { IToken } from "chevrotain";
import type * as A from "./ast.ts";
import { AstBuilder } from "./ast-builder.ts";
import { error, MAX_DIAGNOSTICS, type Diagnostic } from "./diagnostics.ts";
import { parser } from "./grammar.ts";
import { LineIndex } from "./source.ts";
import * as T from "./tokens.ts";
import { ESCAPE, spanOf } from "./tokens.ts";
import { parseInteger, parseQuantity, type Quantity } from "./units.ts";

/** Longer input is refused with a positioned error rather than parsed: a
 * scenario is meant to fit in a mail, and this keeps every keystroke cheap. */
const MAX_SOURCE_LENGTH = 512 * 1024;

/** Parentheses, braces and '~' nest at most this deep (the parser recurses). */
const MAX_NESTING = 64;

interface ParseResult {
  ast: A.ScenarioNode | null;
  comments: A.Comment[];
  diagnostics: Diagnostic[];
  tokens: IToken[];
}

export function parse(text: string): ParseResult {
  try {
    return parseUnguarded(text);
  } catch (e) {
    // The grammar is built never to get here; if it does, the user still
    // gets a diagnostic instead of a crashed editor or CLI.
    const message = e instanceof Error ? e.message : String(e);
    return {
      ast: null,
      comments: [],
      tokens: [],
      diagnostics: [error("E105", `internal parser error: ${message}`, { start: 0, end: Math.min(text.length, 1) })],
    };
  }
}

function parseUnguarded(text: string): ParseResult {
  if (text.length > MAX_SOURCE_LENGTH) {
    const d = error(
      "E108",
      `scenario is ${Math.ceil(text.length / 1024)} KiB; the limit is ${MAX_SOURCE_LENGTH / 1024} KiB`,
      { start: MAX_SOURCE_LENGTH, end: text.length },
    );
    return { ast: null, comments: [], diagnostics: [d], tokens: [] };
  }
  const lexed = T.lexer.tokenize(text);
  const diagnostics: Diagnostic[] = [];
  for (const e of lexed.errors) {
    diagnostics.push(error("E101", unexpectedCharacter(text, e.offset, e.length), { start: e.offset, end: e.offset + e.length }));
  }
  const values = new Map<IToken, Quantity | null>();
  for (const token of lexed.tokens) readLiteral(token, values, diagnostics);
  const comments = (lexed.groups["comments"] ?? []).map((t) => ({
    text: t.image.replace(/\s+$/, ""),
    span: { start: t.startOffset, end: t.startOffset + t.image.length },
  }));

  const tooDeep = findTooDeep(lexed.tokens);
  if (tooDeep) {
    diagnostics.push(error("E109", `nesting deeper than ${MAX_NESTING} levels`, spanOf(tooDeep)));
    return { ast: null, comments, diagnostics: finish(text, diagnostics), tokens: lexed.tokens };
  }

  parser.input = lexed.tokens;
  const cst = parser.file();
  for (const e of parser.errors) {
    const t = e.token;
    const span = Number.isFinite(t.startOffset) && t.tokenType.name !== "EOF" ? spanOf(t) : { start: text.length, end: text.length };
    diagnostics.push(error("E105", e.message, span));
  }
  const builder = new AstBuilder(values, diagnostics);
  const ast = cst && !cst.recoveredNode ? builder.file(cst) : builder.partialFile(cst);
  return { ast, comments, diagnostics: finish(text, diagnostics), tokens: lexed.tokens };
}

function finish(text: string, diagnostics: Diagnostic[]): Diagnostic[] {
  // One syntax error per line: the first one is the cause, the rest echoes.
  const lines = new LineIndex(text);
  const sorted = [...diagnostics].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  const seenLines = new Set<number>();
  const kept: Diagnostic[] = [];
  for (const d of sorted) {
    const line = lines.lineOf(d.span.start);
    if ((d.code === "E105" || d.code === "E106") && seenLines.has(line)) continue;
    seenLines.add(line);
    kept.push(d);
    if (kept.length >= MAX_DIAGNOSTICS) break;
  }
  return kept;
}

function unexpectedCharacter(text: string, offset: number, length: number): string {
  const ch = text.slice(offset, offset + Math.min(length, 1));
  const shown = /^[\x21-\x7e]$/.test(ch) ? `'${ch}'` : `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
  const hints: Record<string, string> = {
    "=": "; comparisons use '=='",
    ";": "; statements end with the line, no ';' needed",
    "!": "; did you mean '!='?",
    "'": "; strings use double quotes",
  };
  const more = length > 1 ? ` (and ${length - 1} more characters)` : "";
  return `unexpected character ${shown}${more}${hints[ch] ?? ""}`;
}

function findTooDeep(tokens: IToken[]): IToken | null {
  let depth = 0;
  let tildes = 0;
  for (const t of tokens) {
    const type = t.tokenType;
    if (type === T.LParen || type === T.LCurly) depth++;
    else if (type === T.RParen || type === T.RCurly) depth = Math.max(0, depth - 1);
    if (type === T.Tilde) tildes++;
    else if (type !== T.LParen) tildes = 0;
    if (depth + tildes > MAX_NESTING) return t;
  }
  return null;
}

function readLiteral(token: IToken, values: Map<IToken, Quantity | null>, out: Diagnostic[]): void {
  const type = token.tokenType;
  if (type === T.Integer || type === T.HexInt || type === T.Quantity) {
    const r = type === T.Quantity ? parseQuantity(token.image) : parseInteger(token.image);
    if (r.ok) values.set(token, r.quantity);
    else {
      values.set(token, null);
      out.push(error(r.code, r.message, spanOf(token)));
    }
  } else if (type === T.UnterminatedString) {
    out.push(error("E102", "unterminated string: a string must close with '\"' on the same line", spanOf(token)));
  }
  if (type === T.StringLit || type === T.UnterminatedString) {
    for (const m of token.image.matchAll(ESCAPE)) {
      if (m[1] !== '"' && m[1] !== "\\") {
        const start = token.startOffset + m.index;
        out.push(error("E110", `invalid escape '\\${m[1]}' in string: only \\" and \\\\ are allowed`, { start, end: start + 2 }));
      }
    }
  }
}

