import { analyze } from "../../lib/dsl/index.ts";

/** A scenario around some statements, so tests read like the text users write. */
export function scenario(body: string, name = "t"): string {
  return `scenario "${name}" {\n${body}\n}\n`;
}

export function workload(body: string, header = 'workload "w" on cpus all'): string {
  return scenario(`  ${header} {\n${body}\n  }`);
}

export function diagnostics(text: string) {
  return analyze(text).diagnostics.map((d) => ({
    code: d.code,
    message: d.message,
    line: d.start.line,
    column: d.start.column,
    endLine: d.end.line,
    endColumn: d.end.column,
  }));
}

export function codes(text: string): string[] {
  return analyze(text).diagnostics.map((d) => d.code);
}

export function checked(text: string) {
  const a = analyze(text);
  if (!a.scenario) throw new Error("expected a clean scenario, got:\n" + a.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  return a.scenario;
}
