// The language's public face: analyze() for the editor and the CLI, plus
// the pieces reports and the engine need.
import type { ScenarioNode, Comment } from "./ast.ts";
import { check } from "./check.ts";
import { bySpan, hasErrors, locate, type LocatedDiagnostic } from "./diagnostics.ts";
import { parse } from "./parse.ts";
import type { Scenario } from "./scenario.ts";

export interface Analysis {
  ast: ScenarioNode | null;
  comments: Comment[];
  /** Syntax and semantic diagnostics in source order, with lines and columns. */
  diagnostics: LocatedDiagnostic[];
  /** The checked scenario; null when there is any error. */
  scenario: Scenario | null;
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
  diagnostics.sort(bySpan);
  return { ast: parsed.ast, comments: parsed.comments, diagnostics: locate(text, diagnostics), scenario };
}

export { format, printScenario } from "./format.ts";
export { formatDiagnostic, hasErrors, type Diagnostic, type LocatedDiagnostic } from "./diagnostics.ts";
export { DEFAULTS, type Scenario, type Workload, type Dist, type Expectation, type SweepParam } from "./scenario.ts";
export { decodeGfp, describeGfp, gfp_migratetype, GFP_NAMES } from "./gfp.ts";
export { CODES, type Code } from "./codes.ts";
export * from "./vocabulary.ts";
