// The language's public face: analyze() for the editor and the CLI, plus
// the pieces reports and the engine need.
import type { ScenarioNode, Comment } from "./ast.ts";
import { check } from "./check.ts";
import { bySpan, error, hasErrors, locate, type Diagnostic, type LocatedDiagnostic } from "./diagnostics.ts";
import { MAX_COLUMNS, printScenario } from "./format.ts";
import { LineIndex } from "./source.ts";
import { parse } from "./parse.ts";
import type { Scenario } from "./scenario.ts";

interface Analysis {
  ast: ScenarioNode | null;
  comments: Comment[];
  /** Syntax and semantic diagnostics in source order, with lines and columns. */
  diagnostics: LocatedDiagnostic[];
  /** The checked scenario; null when there is any error. */
  scenario: Scenario | null;
}

/** W304 for lines of the canonical form wider than a mail report allows,
 * placed on the same text in the source when it can be found there. */
function wideLines(text: string, ast: ScenarioNode, comments: Comment[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const line of printScenario(ast, comments, new LineIndex(text)).split("\n")) {
    if (line.length <= MAX_COLUMNS) continue;
    const at = text.indexOf(line.trim());
    const span = at >= 0 ? { start: at, end: at + line.trim().length } : { start: 0, end: 0 };
    out.push(error("W304", `this line is ${line.length} columns in canonical form; a mail report keeps to ${MAX_COLUMNS}, so it will overflow there`, span));
  }
  return out;
}

export function analyze(text: string): Analysis {
  const parsed = parse(text);
  const diagnostics = [...parsed.diagnostics];
  let scenario: Scenario | null = null;
  // Semantic checks run even after syntax errors, on the statements that
  // parsed, so a file with five mistakes shows all five at once.
  if (parsed.ast) {
    const checked = check(parsed.ast);
    diagnostics.push(...checked.diagnostics);
    if (!hasErrors(diagnostics)) scenario = checked.scenario;
  }
  if (scenario && parsed.ast) diagnostics.push(...wideLines(text, parsed.ast, parsed.comments));
  diagnostics.sort(bySpan);
  return { ast: parsed.ast, comments: parsed.comments, diagnostics: locate(text, diagnostics), scenario };
}

export { format, printScenario, MAX_COLUMNS } from "./format.ts";
export { formatDiagnostic, hasErrors, type LocatedDiagnostic } from "./diagnostics.ts";
export type { Diagnostic };
export { DEFAULTS, type Scenario, type Workload, type Dist, type Expectation, type SweepParam } from "./scenario.ts";
export { decodeGfp, describeGfp, gfp_migratetype, GFP_NAMES } from "./gfp.ts";
export { CODES, type Code } from "./codes.ts";
export * from "./vocabulary.ts";
