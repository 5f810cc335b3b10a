// The canonical form of a scenario: the text reports carry and digests are
// taken over. Statements keep their order and their comments; spacing,
// number spelling (largest whole unit) and parentheses are normalised, so
// two spellings of the same scenario print the same.
import type * as A from "./ast.ts";
import type { Diagnostic } from "./diagnostics.ts";
import { hasErrors } from "./diagnostics.ts";
import { parse } from "./parse.ts";
import { LineIndex, type Span } from "./source.ts";
import { formatQuantity } from "./units.ts";

const INDENT = "  ";
/** Mail reports carry the canonical form and keep to 76 columns (docs/report.md). */
export const MAX_COLUMNS = 76;

export type FormatResult = { ok: true; text: string } | { ok: false; diagnostics: Diagnostic[] };

/** Formats a scenario that parses cleanly; refuses (with the syntax errors)
 * otherwise, so formatting can never drop text it did not understand. */
export function format(text: string): FormatResult {
  const parsed = parse(text);
  if (!parsed.ast || hasErrors(parsed.diagnostics)) return { ok: false, diagnostics: parsed.diagnostics };
  return { ok: true, text: printScenario(parsed.ast, parsed.comments, new LineIndex(text)) };
}

export function printString(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

export function printValue(v: A.Value, hex = false): string {
  return v.quantity ? formatQuantity(v.quantity, hex) : "?";
}

export function printDist(d: A.Dist): string {
  switch (d.kind) {
    case "const":
      return printValue(d.value);
    case "exp":
      return `exp(${printValue(d.mean)})`;
    case "uniform":
      return `uniform(${printValue(d.min)}, ${printValue(d.max)})`;
  }
}

const PRECEDENCE = { or: 1, and: 2, not: 3, flag: 4, int: 4 } as const;

export function printGfp(e: A.GfpExpr, outer = 0): string {
  let s: string;
  switch (e.kind) {
    case "flag":
      return e.name;
    case "int":
      return e.value === null ? "?" : "0x" + e.value.toString(16);
    case "not":
      s = "~" + printGfp(e.operand, PRECEDENCE.not);
      break;
    case "or":
    case "and":
      s = e.terms.map((t) => printGfp(t, PRECEDENCE[e.kind] + 1)).join(e.kind === "or" ? " | " : " & ");
      break;
  }
  return PRECEDENCE[e.kind] < outer ? `(${s})` : s;
}

function printCpuset(c: A.CpuSetNode): string {
  if (c.all) return "cpus all";
  return "cpus " + c.ranges.map((r) => (r.to === null ? `${r.from}` : `${r.from}-${r.to}`)).join(", ");
}

function printSweepParam(p: A.SweepParamNode): string {
  switch (p.kind) {
    case "cpus":
    case "memory":
      return p.kind;
    case "pcp":
      return `pcp.${p.field.name}`;
    case "workload":
      return `${printString(p.workload.value)}.${p.field.name}`;
  }
}

export function printExpect(s: A.ExpectNode): string {
  const variant = s.variant ? ` for ${s.variant.name}` : "";
  return `expect ${s.metric.name} ${s.op} ${printValue(s.value)}${variant}`;
}

function printWorkloadStatement(s: A.WorkloadStatement): string {
  switch (s.kind) {
    case "arrival":
      return `${s.key} ${printValue(s.value)}`;
    case "arrivals":
      return `arrivals ${printValue(s.value)}`;
    case "alloc": {
      const count = s.count ? `${printValue(s.count)} x ` : "";
      return `alloc ${count}order ${printValue(s.order)} gfp ${printGfp(s.gfp)}`;
    }
    case "free": {
      const batch = s.batch ? ` batch ${printValue(s.batch)}` : "";
      const when = s.after === "last" ? " after last" : s.after ? ` after ${printDist(s.after)}` : " immediately";
      const context = s.context ? ` in ${s.context.name}` : "";
      return `free${batch}${when}${context}`;
    }
    case "drain":
      return "drain";
  }
}

/** An allocation whose mask would run past MAX_COLUMNS continues on further
 * lines, each starting with "|", at the top-level ORs of the mask. */
function printAllocWrapped(s: Extract<A.WorkloadStatement, { kind: "alloc" }>, indent: string): string[] {
  const one = indent + printWorkloadStatement(s);
  if (one.length <= MAX_COLUMNS || s.gfp.kind !== "or") return [one];
  const count = s.count ? `${printValue(s.count)} x ` : "";
  const terms = s.gfp.terms.map((t) => printGfp(t, PRECEDENCE.or + 1));
  const lines = [`${indent}alloc ${count}order ${printValue(s.order)} gfp ${terms[0]}`];
  for (const term of terms.slice(1)) {
    const last = lines[lines.length - 1]!;
    if (`${last} | ${term}`.length <= MAX_COLUMNS) lines[lines.length - 1] = `${last} | ${term}`;
    else lines.push(`${indent}    | ${term}`);
  }
  return lines;
}

/** One line per statement except workloads; exported for reports and the checker. */
export function printStatement(s: A.Statement): string {
  switch (s.kind) {
    case "text":
      return `${s.key} ${printString(s.value.value)}`;
    case "setting":
      return `${s.key} ${printValue(s.value)}`;
    case "lock":
      return `lock ${s.variant.name}`;
    case "compare":
      return `compare ${s.variants.map((v) => v.name).join(", ")}`;
    case "sweep":
      return `sweep ${printSweepParam(s.param)} in ${s.values.map((v) => printValue(v)).join(", ")}`;
    case "pcp":
      return ["pcp", s.high && `high ${printValue(s.high)}`, s.batch && `batch ${printValue(s.batch)}`].filter(Boolean).join(" ");
    case "config":
      return `config ${s.name.name} ${"name" in s.setting ? s.setting.name : printValue(s.setting)}`;
    case "cost":
      return `cost ${s.name.name} ${printDist(s.dist)}`;
    case "workload":
      return `workload ${printString(s.name.value)} on ${printCpuset(s.cpus)}${s.context ? ` in ${s.context.name}` : ""} {`;
    case "expect":
      return printExpect(s);
  }
}

// ---- comments -------------------------------------------------------------

interface Slot {
  span: Span;
  leading: string[];
  trailing: string | null;
}

interface Block {
  /** The header line's own trailing comment (after '{'). */
  headerComment: string | null;
  slots: Slot[];
  dangling: string[];
}

function attachComments(ast: A.ScenarioNode, comments: A.Comment[], lines: LineIndex) {
  const header: string[] = [];
  const footer: string[] = [];
  const newBlock = (stmts: { span: Span }[]): Block => ({
    headerComment: null,
    slots: stmts.map((s) => ({ span: s.span, leading: [], trailing: null })),
    dangling: [],
  });
  const top = newBlock(ast.statements);
  const bodies = new Map<A.Statement, Block>();
  for (const s of ast.statements) if (s.kind === "workload") bodies.set(s, newBlock(s.body));

  for (const c of comments) {
    if (c.span.start < ast.span.start) {
      header.push(c.text);
      continue;
    }
    if (c.span.start >= ast.span.end) {
      footer.push(c.text);
      continue;
    }
    let block = top;
    let ownerStart = ast.span.start;
    for (const s of ast.statements) {
      const body = bodies.get(s);
      if (body && s.span.start < c.span.start && c.span.start < s.span.end) {
        block = body;
        ownerStart = s.span.start;
        break;
      }
    }
    place(block, c, lines, ownerStart);
  }
  return { header, footer, top, bodies };
}

function place(block: Block, c: A.Comment, lines: LineIndex, ownerStart: number): void {
  const line = lines.lineOf(c.span.start);
  let before: Slot | null = null;
  for (const slot of block.slots) {
    if (slot.span.end <= c.span.start) before = slot;
    else if (slot.span.start <= c.span.start) {
      slot.leading.push(c.text); // inside a statement that spans lines
      return;
    } else {
      if (before && before.trailing === null && lines.lineOf(before.span.end) === line) {
        before.trailing = c.text;
      } else if (!before && ownerStart >= 0 && block.headerComment === null && lines.lineOf(ownerStart) === line) {
        block.headerComment = c.text;
      } else {
        slot.leading.push(c.text);
      }
      return;
    }
  }
  if (before && before.trailing === null && lines.lineOf(before.span.end) === line) before.trailing = c.text;
  else if (!before && ownerStart >= 0 && block.headerComment === null && lines.lineOf(ownerStart) === line) {
    block.headerComment = c.text;
  } else block.dangling.push(c.text);
}

export function printScenario(ast: A.ScenarioNode, comments: A.Comment[] = [], lines?: LineIndex): string {
  const { header, footer, top, bodies } = attachComments(ast, comments, lines ?? new LineIndex(""));
  const out: string[] = [...header];
  const withComment = (text: string, comment: string | null) => (comment ? `${text}  ${comment}` : text);
  out.push(withComment(`scenario ${printString(ast.name.value)} {`, top.headerComment));

  let previous: A.Statement | null = null;
  ast.statements.forEach((s, i) => {
    const slot = top.slots[i]!;
    const separate =
      previous !== null &&
      (s.kind === "workload" || previous.kind === "workload" || (s.kind === "expect" && previous.kind !== "expect"));
    if (separate) out.push("");
    for (const c of slot.leading) out.push(INDENT + c);
    if (s.kind === "workload") {
      const body = bodies.get(s)!;
      out.push(INDENT + withComment(printStatement(s), body.headerComment));
      s.body.forEach((w, j) => {
        const ws = body.slots[j]!;
        for (const c of ws.leading) out.push(INDENT + INDENT + c);
        const lines = w.kind === "alloc" ? printAllocWrapped(w, INDENT + INDENT) : [INDENT + INDENT + printWorkloadStatement(w)];
        lines[lines.length - 1] = withComment(lines[lines.length - 1]!, ws.trailing);
        out.push(...lines);
      });
      for (const c of body.dangling) out.push(INDENT + INDENT + c);
      out.push(withComment(INDENT + "}", slot.trailing));
    } else {
      out.push(INDENT + withComment(printStatement(s), slot.trailing));
    }
    previous = s;
  });
  for (const c of top.dangling) out.push(INDENT + c);
  out.push("}");
  out.push(...footer);
  return out.join("\n") + "\n";
}
