// Monaco language support for scenarios, built from lib/dsl's plain-data
// services. Monaco itself is passed in (the app bundles it locally), so this
// module imports nothing from it and converts at the edge only: diagnostics
// to markers, token kinds to scopes, completions and hovers to Monaco's
// shapes, with Monaco's 1-based lines and columns.
import { analyze, format, type LocatedDiagnostic } from "../dsl/index.ts";
import { complete, highlight, hover, quickFixes, type Completion, type CompletionKind, type TokenKind } from "../dsl/editor-services.ts";

export const LANGUAGE_ID = "pcplab";

interface Range {
  startLineNumber: number;
  startColumn: number;
  endLineNumber: number;
  endColumn: number;
}

interface MarkerData extends Range {
  severity: number;
  message: string;
  code: string;
}

/** Diagnostics as Monaco markers; `severity` maps to monaco.MarkerSeverity. */
function toMarkers(diagnostics: LocatedDiagnostic[], severity: { Error: number; Warning: number }): MarkerData[] {
  return diagnostics.map((d) => ({
    severity: d.severity === "error" ? severity.Error : severity.Warning,
    message: d.message,
    code: d.code,
    startLineNumber: d.start.line,
    startColumn: d.start.column,
    endLineNumber: d.end.line,
    // A zero-width span still gets one column of squiggle.
    endColumn: d.end.line === d.start.line && d.end.column === d.start.column ? d.start.column + 1 : d.end.column,
  }));
}

export function markersFor(text: string, severity: { Error: number; Warning: number }): MarkerData[] {
  return toMarkers(analyze(text).diagnostics, severity);
}

const SCOPE: Record<TokenKind, string> = {
  keyword: "keyword",
  identifier: "identifier",
  gfp: "constant",
  variant: "type",
  metric: "variable",
  string: "string",
  number: "number",
  comment: "comment",
  operator: "operator",
  delimiter: "delimiter",
  invalid: "invalid",
};

/** Tokens of one line. No token of the language spans lines, so Monaco's
 * line-by-line tokenizer needs no state. */
export function lineTokens(line: string): { startIndex: number; scopes: string }[] {
  const out: { startIndex: number; scopes: string }[] = [];
  let at = 0;
  for (const t of highlight(line)) {
    if (t.start > at) out.push({ startIndex: at, scopes: "" });
    out.push({ startIndex: t.start, scopes: SCOPE[t.kind] });
    at = t.end;
  }
  if (out.length === 0) out.push({ startIndex: 0, scopes: "" });
  return out;
}

interface MonacoCompletion {
  label: string;
  kind: number;
  detail: string;
  documentation: string;
  insertText: string;
  range: Range;
  sortText: string;
}

/** Completions at a 1-based position; `kinds` maps to monaco.languages.CompletionItemKind. */
export function completionsAt(
  text: string,
  line: number,
  column: number,
  kinds: { Keyword: number; Constant: number; EnumMember: number; Field: number; Property: number; Unit: number; Variable: number },
): MonacoCompletion[] {
  const offset = offsetOf(text, line, column);
  const kindOf: Record<CompletionKind, number> = {
    keyword: kinds.Keyword,
    gfp: kinds.Constant,
    variant: kinds.EnumMember,
    metric: kinds.Field,
    cost: kinds.Property,
    context: kinds.EnumMember,
    unit: kinds.Unit,
    param: kinds.Variable,
  };
  return complete(text, offset).map((c: Completion, i) => {
    return {
      label: c.label,
      kind: kindOf[c.kind],
      detail: c.detail,
      documentation: c.documentation,
      insertText: c.insertText,
      range: rangeOf(text, c.replace),
      sortText: String(i).padStart(5, "0"),
    };
  });
}

export function hoverAt(text: string, line: number, column: number) {
  const h = hover(text, offsetOf(text, line, column));
  if (!h) return null;
  return {
    range: rangeOf(text, h.span),
    // Plain text in a code block: nothing in a hover is rendered as markup.
    contents: [{ value: "```\n" + h.text.replace(/```/g, "'''") + "\n```" }],
  };
}

export interface QuickFixEdit {
  title: string;
  range: Range;
  text: string;
}

/** The quick fixes a marker's did-you-mean offers, as edits of the text. */
export function quickFixesFor(text: string, marker: Range & { message: string }): QuickFixEdit[] {
  const span = { start: offsetOf(text, marker.startLineNumber, marker.startColumn), end: offsetOf(text, marker.endLineNumber, marker.endColumn) };
  return quickFixes(text, { span, message: marker.message }).map((f) => {
    return {
      title: f.title,
      range: rangeOf(text, f.span),
      text: f.text,
    };
  });
}

/** The whole document in canonical form, or null when it has errors. */
export function formatted(text: string): string | null {
  const r = format(text);
  return r.ok ? r.text : null;
}

function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf("\n", offset);
    if (nl < 0) return text.length;
    offset = nl + 1;
  }
  return Math.min(text.length, offset + column - 1);
}

function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function rangeOf(text: string, span: { start: number; end: number }): Range {
  const start = positionOf(text, span.start);
  const end = positionOf(text, span.end);
  return { startLineNumber: start.line, startColumn: start.column, endLineNumber: end.line, endColumn: end.column };
}
