import type { Code } from "./codes.ts";
import { LineIndex, type Position, type Span } from "./source.ts";

type Severity = "error" | "warning";

/** A problem found while reading a scenario, located by offsets. */
export interface Diagnostic {
  code: Code;
  severity: Severity;
  message: string;
  span: Span;
}

/** A diagnostic with line and column, ready for a terminal or an editor. */
export interface LocatedDiagnostic extends Diagnostic {
  start: Position;
  end: Position;
}

export function error(code: Code, message: string, span: Span): Diagnostic {
  return { code, severity: code.startsWith("W") ? "warning" : "error", message, span };
}

/** At most this many diagnostics per text: a pasted binary file reports its
 * first 200 problems, not a million. */
export const MAX_DIAGNOSTICS = 200;

export function locate(text: string, diagnostics: readonly Diagnostic[]): LocatedDiagnostic[] {
  const index = new LineIndex(text);
  return diagnostics.map((d) => ({ ...d, start: index.position(d.span.start), end: index.position(d.span.end) }));
}

/** `FILE:LINE:COL: error E123: message`, the form compilers print. */
export function formatDiagnostic(file: string, d: LocatedDiagnostic): string {
  return `${file}:${d.start.line}:${d.start.column}: ${d.severity} ${d.code}: ${d.message}`;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

export function bySpan(a: Diagnostic, b: Diagnostic): number {
  return a.span.start - b.span.start || a.span.end - b.span.end;
}
