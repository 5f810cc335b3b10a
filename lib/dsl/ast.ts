// The syntax tree of a scenario. It records what was written (after the
// lexer has turned numbers into exact values), with a span on every node.
// Defaults and meaning live in the checked Scenario (scenario.ts), not here.
// A statement the parser could not read completely is left out: its syntax
// error has been reported, and checking half a statement only adds noise.
import type { Span } from "./source.ts";
import type { Quantity } from "./units.ts";

export interface Str {
  value: string;
  span: Span;
}

export interface Name {
  name: string;
  span: Span;
}

/** A number or quantity; null when the literal itself was malformed (and reported). */
export interface Value {
  quantity: Quantity | null;
  span: Span;
}

export type Dist =
  | { kind: "const"; value: Value; span: Span }
  | { kind: "exp"; mean: Value; span: Span }
  | { kind: "uniform"; min: Value; max: Value; span: Span };

export type GfpExpr =
  | { kind: "or" | "and"; terms: GfpExpr[]; span: Span }
  | { kind: "not"; operand: GfpExpr; span: Span }
  | { kind: "flag"; name: string; span: Span }
  | { kind: "int"; value: number | null; span: Span };

export type SettingKey = "cpus" | "memory" | "duration" | "warmup" | "seed" | "runs" | "fragmentation";

export type SweepParamNode =
  | { kind: "cpus" | "memory"; span: Span }
  | { kind: "pcp"; field: Name; span: Span }
  | { kind: "workload"; workload: Str; field: Name; span: Span };

export interface CpuRange {
  from: number | null;
  to: number | null;
  span: Span;
}

export type CpuSetNode = { all: true; span: Span } | { all: false; ranges: CpuRange[]; span: Span };

export type WorkloadStatement =
  | { kind: "arrival"; key: "rate" | "every"; value: Value; span: Span }
  | { kind: "arrivals"; value: Value; span: Span }
  | { kind: "alloc"; count: Value | null; order: Value; gfp: GfpExpr; span: Span }
  | { kind: "free"; batch: Value | null; after: Dist | "last" | null; context: Name | null; span: Span }
  | { kind: "drain"; span: Span };

export interface WorkloadNode {
  kind: "workload";
  name: Str;
  cpus: CpuSetNode;
  context: Name | null;
  body: WorkloadStatement[];
  /** A statement of the body was dropped after a syntax error: checks that
   * something is missing would only echo that error. */
  recovered: boolean;
  span: Span;
}

export type CompareOp = "<" | "<=" | ">" | ">=" | "==" | "!=";

export interface ExpectNode {
  kind: "expect";
  metric: Name;
  op: CompareOp;
  value: Value;
  variant: Name | null;
  span: Span;
}

export type Statement =
  | { kind: "text"; key: "description" | "kernel"; value: Str; span: Span }
  | { kind: "setting"; key: SettingKey; value: Value; span: Span }
  | { kind: "lock"; variant: Name; span: Span }
  | { kind: "compare"; variants: Name[]; span: Span }
  | { kind: "sweep"; param: SweepParamNode; values: Value[]; span: Span }
  | { kind: "pcp"; high: Value | null; batch: Value | null; span: Span }
  | { kind: "config"; name: Name; setting: Name | Value; span: Span }
  | { kind: "cost"; name: Name; dist: Dist; span: Span }
  | WorkloadNode
  | ExpectNode;

export interface ScenarioNode {
  name: Str;
  statements: Statement[];
  /** As WorkloadNode.recovered, for the scenario's own statements. */
  recovered: boolean;
  span: Span;
}

export interface Comment {
  text: string;
  span: Span;
}
