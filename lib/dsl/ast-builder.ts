// Chevrotain's concrete syntax tree to the AST of ast.ts.
//
// Each statement that is incomplete or malformed gets a diagnostic.
import { createTokenInstance, type CstElement, type CstNode, type IToken, type TokenType } from "chevrotain";
import type * as A from "./ast.ts";
import { error, type Diagnostic } from "./diagnostics.ts";
import { CLOSING, parser, SCENARIO_OPENING, strictParser, WORKLOAD_OPENING } from "./grammar.ts";
import type { Span } from "./source.ts";
import { SCENARIO_STATEMENTS, STATEMENT_EXAMPLES, suggestStatement, WORKLOAD_STATEMENTS } from "./vocabulary.ts";
import * as T from "./tokens.ts";
import { spanOf, unquote } from "./tokens.ts";
import { PAGE_SIZE, type Quantity } from "./units.ts";

type Children = Record<string, CstElement[] | undefined>;

function isToken(e: CstElement): e is IToken {
  return (e as IToken).tokenType !== undefined;
}

function real(t: IToken | undefined): IToken | undefined {
  return t && !t.isInsertedInRecovery && Number.isFinite(t.startOffset) ? t : undefined;
}

class Incomplete extends Error {}

export class AstBuilder {
  constructor(
    private readonly values: Map<IToken, Quantity | null>,
    private readonly diagnostics: Diagnostic[],
  ) {}

  /** Scenario-level statements found inside a workload block (most often one
   * whose '}' is missing): reported there, and still built and checked at the
   * scenario level, so that mistake does not hide the ones after it. */
  private readonly hoisted: A.Statement[] = [];

  // The whole file parsed, possibly with statements recovered inside it.
  file(cst: CstNode): A.ScenarioNode | null {
    const c = cst.children as Children;
    const name = this.optional(() => this.string(this.node(c, "string")));
    if (!name) return null;
    const { list, dropped } = this.statements(c, "statement", (n) => this.statement(n));
    const statements = this.hoisted.length === 0 ? list : [...list, ...this.hoisted].sort((a, b) => a.span.start - b.span.start);
    return { name, statements, recovered: dropped || !!cst.recoveredNode, span: this.span(cst) };
  }

  partialFile(cst: CstNode | undefined): A.ScenarioNode | null {
    if (!cst) return null;
    try {
      return this.file(cst);
    } catch {
      return null;
    }
  }

  private statements<S>(c: Children, key: string, build: (n: CstNode) => S | null): { list: S[]; dropped: boolean } {
    const list: S[] = [];
    let dropped = false;
    for (const n of (c[key] ?? []) as CstNode[]) {
      const s = this.optional(() => build(n));
      if (s) list.push(s);
      else dropped = true;
    }
    return { list, dropped };
  }

  private optional<R>(f: () => R): R | null {
    try {
      return f();
    } catch (e) {
      if (e instanceof Incomplete) return null;
      throw e;
    }
  }

  private statement(cst: CstNode): A.Statement | null {
    if (cst.recoveredNode) return null;
    const [key, node] = Object.entries(cst.children)[0]!;
    const n = node![0] as CstNode;
    if (n.recoveredNode) return null;
    const c = n.children as Children;
    const span = this.span(n);
    switch (key) {
      case "textStmt":
        return { kind: "text", key: c["Kw_description"] ? "description" : "kernel", value: this.string(this.node(c, "string")), span };
      case "settingStmt":
        return { kind: "setting", key: this.keywordIn(c) as A.SettingKey, value: this.value(this.node(c, "value")), span };
      case "lockStmt":
        return { kind: "lock", variant: this.name(this.token(c, "Identifier")), span };
      case "compareStmt":
        return { kind: "compare", variants: this.tokens(c, "Identifier").map((_, i, all) => this.name(this.tokenAt(all, i))), span };
      case "sweepStmt":
        return {
          kind: "sweep",
          param: this.sweepParam(this.node(c, "sweepParam")),
          values: this.nodes(c, "value").map((v) => this.value(v)),
          span,
        };
      case "pcpStmt":
        return {
          kind: "pcp",
          high: c["Kw_high"] ? this.value(this.nodes(c, "value")[0]!) : null,
          batch: c["Kw_batch"] ? this.value(this.nodes(c, "value").at(-1)!) : null,
          span,
        };
      case "configStmt": {
        const names = this.tokens(c, "Identifier");
        const name = this.name(this.tokenAt(names, 0));
        const setting = c["value"] ? this.value(this.node(c, "value")) : this.name(this.tokenAt(names, 1));
        return { kind: "config", name, setting, span };
      }
      case "costStmt":
        return { kind: "cost", name: this.name(this.token(c, "Identifier")), dist: this.dist(this.node(c, "dist")), span };
      case "workload":
        return this.workload(n);
      case "expectStmt":
        return this.expect(n);
      case "unknownStatement":
        this.unknown(n, "scenario");
        return null;
    }
    return null;
  }

  private workload(n: CstNode): A.WorkloadNode {
    const c = n.children as Children;
    const contextToken = c["Kw_in"] ? this.token(c, "Identifier") : undefined;
    const body = this.statements(c, "workloadStatement", (s) => this.workloadStatement(s));
    return {
      kind: "workload",
      name: this.string(this.node(c, "string")),
      cpus: this.cpuset(this.node(c, "cpuset")),
      context: contextToken ? this.name(contextToken) : null,
      body: body.list,
      recovered: body.dropped,
      span: this.span(n),
    };
  }

  private workloadStatement(cst: CstNode): A.WorkloadStatement | null {
    if (cst.recoveredNode) return null;
    const [key, node] = Object.entries(cst.children)[0]!;
    if (key === "Kw_drain") return { kind: "drain", span: this.span(cst) };
    const n = node![0] as CstNode;
    if (n.recoveredNode) return null;
    const c = n.children as Children;
    const span = this.span(n);
    switch (key) {
      case "arrivalStmt":
        return { kind: "arrival", key: c["Kw_rate"] ? "rate" : "every", value: this.value(this.node(c, "value")), span };
      case "arrivalsStmt":
        return { kind: "arrivals", value: this.value(this.node(c, "value")), span };
      case "allocStmt": {
        const countToken = real(this.tokens(c, "Integer")[0]);
        return {
          kind: "alloc",
          count: countToken ? { quantity: this.values.get(countToken) ?? null, span: spanOf(countToken) } : null,
          order: this.value(this.node(c, "value")),
          gfp: this.gfp(this.node(c, "gfpOr")),
          span,
        };
      }
      case "freeStmt": {
        const contextToken = c["Kw_in"] ? this.token(c, "Identifier") : undefined;
        return {
          kind: "free",
          batch: c["Kw_batch"] ? this.value(this.node(c, "value")) : null,
          after: c["Kw_last"] ? "last" : c["Kw_after"] ? this.dist(this.node(c, "dist")) : null,
          context: contextToken ? this.name(contextToken) : null,
          span,
        };
      }
      case "unknownStatement":
        this.unknown(n, "workload");
        return null;
    }
    return null;
  }

  private unknown(n: CstNode, where: "scenario" | "workload"): void {
    const first = this.firstToken(n);
    if (!first) return;
    const word = first.image;
    let message: string;
    const own: readonly string[] = where === "scenario" ? SCENARIO_STATEMENTS : WORKLOAD_STATEMENTS;
    if (own.includes(word)) {
      this.diagnostics.push(this.malformed(n, where, word) ?? error("E105", `incomplete or malformed '${word}' statement; write it as: ${STATEMENT_EXAMPLES[word]}`, spanOf(first)));
      return;
    }
    if (first.tokenType === T.Identifier || T.KEYWORD_OF.has(first.tokenType)) {
      const hint = suggestStatement(word, where);
      message = `unknown ${where === "workload" ? "workload statement" : "statement"} '${word}'${hint}`;
      if (where === "workload" && (SCENARIO_STATEMENTS as readonly string[]).includes(word)) {
        this.diagnostics.push(error("E106", message, spanOf(first)));
        this.hoist(n);
        return;
      }
      // A misspelled 'workload' would otherwise take its whole block, and
      // every mistake in it, out of sight.
      if (where === "scenario" && hint === "; did you mean workload?") {
        this.diagnostics.push(error("E106", message, spanOf(first)));
        this.hoist(n, T.Kw.workload);
        return;
      }
    } else {
      message = `expected a ${where === "workload" ? "workload statement" : "statement"}, found '${word.slice(0, 30)}'`;
    }
    this.diagnostics.push(error("E106", message, spanOf(first)));
  }

  /** Re-reads an unknown statement's tokens at the scenario level, its first
   * word read as `keyword` when given, and keeps what that builds. */
  private hoist(n: CstNode, keyword?: TokenType): void {
    const tokens: IToken[] = [];
    this.walkTokens(n, (t) => tokens.push(t));
    tokens.sort((a, b) => a.startOffset - b.startOffset);
    if (keyword) {
      const f = tokens[0]!;
      tokens[0] = createTokenInstance(keyword, f.image, f.startOffset, f.endOffset ?? f.startOffset, f.startLine ?? 0, f.endLine ?? 0, f.startColumn ?? 0, f.endColumn ?? 0);
    }
    parser.input = [...SCENARIO_OPENING, ...tokens, CLOSING[0]!];
    const cst = parser.file();
    // Its own syntax errors are echoes of the one just reported on its line.
    for (const s of ((cst.children as Children)["statement"] ?? []) as CstNode[]) {
      const built = this.optional(() => this.statement(s));
      if (built) this.hoisted.push(built);
    }
  }

  /** A known statement the lenient parser could not read: re-read it alone
   * with the strict grammar, whose first error says exactly what is wrong. */
  private malformed(n: CstNode, where: "scenario" | "workload", word: string): Diagnostic | null {
    const tokens: IToken[] = [];
    this.walkTokens(n, (t) => tokens.push(t));
    tokens.sort((a, b) => a.startOffset - b.startOffset);
    const strict = strictParser();
    strict.input = [...(where === "scenario" ? SCENARIO_OPENING : WORKLOAD_OPENING), ...tokens, ...CLOSING];
    strict.file();
    const e = strict.errors[0];
    if (!e) return null;
    const inStatement = tokens.includes(e.token);
    const span = inStatement ? spanOf(e.token) : { start: tokens.at(-1)!.startOffset + tokens.at(-1)!.image.length, end: tokens.at(-1)!.startOffset + tokens.at(-1)!.image.length };
    const message = inStatement ? e.message : e.message.replace(/found .*$/, "found the end of the statement");
    return error("E105", `${message} (in '${word}'; e.g. ${STATEMENT_EXAMPLES[word]})`, span);
  }

  private expect(n: CstNode): A.ExpectNode {
    const c = n.children as Children;
    const cmp = this.token(c, "Compare");
    const variantToken = c["Kw_for"] ? this.token(c, "Identifier") : undefined;
    return {
      kind: "expect",
      metric: this.metric(this.node(c, "metric")),
      op: cmp.image as A.CompareOp,
      value: this.value(this.node(c, "value")),
      variant: variantToken ? this.name(variantToken) : null,
      span: this.span(n),
    };
  }

  private metric(n: CstNode): A.Name {
    const parts = this.tokens(n.children as Children, "Identifier");
    if (parts.some((p) => !real(p))) throw new Incomplete();
    return { name: parts.map((p) => p.image).join("."), span: this.span(n) };
  }

  private sweepParam(n: CstNode): A.SweepParamNode {
    const c = n.children as Children;
    const span = this.span(n);
    if (c["Kw_cpus"]) return { kind: "cpus", span };
    if (c["Kw_memory"]) return { kind: "memory", span };
    if (c["Kw_pcp"]) return { kind: "pcp", field: this.name(this.token(c, "Identifier")), span };
    return { kind: "workload", workload: this.string(this.node(c, "string")), field: this.name(this.token(c, "Identifier")), span };
  }

  private cpuset(n: CstNode): A.CpuSetNode {
    const c = n.children as Children;
    const span = this.span(n);
    if (c["Kw_all"]) return { all: true, span };
    const ranges = this.nodes(c, "cpuRange").map((r): A.CpuRange => {
      const ints = this.tokens(r.children as Children, "Integer");
      const from = this.int(this.tokenAt(ints, 0));
      const to = ints.length > 1 ? this.int(this.tokenAt(ints, 1)) : null;
      return { from, to, span: this.span(r) };
    });
    return { all: false, ranges, span };
  }

  private int(t: IToken): number | null {
    const q = this.values.get(t);
    return q && q.kind === "int" ? q.value : null;
  }

  private dist(n: CstNode): A.Dist {
    const c = n.children as Children;
    const span = this.span(n);
    const values = this.nodes(c, "value").map((v) => this.value(v));
    if (c["Kw_exp"]) return { kind: "exp", mean: this.at(values, 0), span };
    if (c["Kw_uniform"]) return { kind: "uniform", min: this.at(values, 0), max: this.at(values, 1), span };
    return { kind: "const", value: this.at(values, 0), span };
  }

  private gfp(n: CstNode): A.GfpExpr {
    const c = n.children as Children;
    const span = this.span(n);
    if (n.name === "gfpOr" || n.name === "gfpAnd") {
      const kind = n.name === "gfpOr" ? "or" : "and";
      const terms = this.nodes(c, n.name === "gfpOr" ? "gfpAnd" : "gfpNot").flatMap((t) => {
        const e = this.gfp(t);
        return e.kind === kind ? e.terms : [e];
      });
      if (terms.length === 0) throw new Incomplete();
      return terms.length === 1 ? terms[0]! : { kind, terms, span };
    }
    if (c["Tilde"]) return { kind: "not", operand: this.gfp(this.node(c, "gfpNot")), span };
    if (c["LParen"]) {
      if (!real(this.tokenAt(this.tokens(c, "RParen"), 0))) throw new Incomplete();
      return this.gfp(this.node(c, "gfpOr"));
    }
    const id = c["Identifier"];
    if (id) return { kind: "flag", name: this.token(c, "Identifier").image, span };
    const t = this.token(c, c["HexInt"] ? "HexInt" : "Integer");
    return { kind: "int", value: this.int(t), span };
  }

  private value(n: CstNode): A.Value {
    if (n.recoveredNode) throw new Incomplete();
    const c = n.children as Children;
    const t = real(((c["Quantity"] ?? c["HexInt"] ?? c["Integer"]) as IToken[] | undefined)?.[0]);
    if (!t) throw new Incomplete();
    let q = this.values.get(t) ?? null;
    if (c["Kw_pages"] && q) {
      if (q.kind !== "int") throw new Incomplete();
      q = { kind: "size", bytes: q.value * PAGE_SIZE };
    }
    return { quantity: q, span: this.span(n) };
  }

  private string(n: CstNode): A.Str {
    const t = real(this.firstToken(n));
    if (!t) throw new Incomplete();
    return { value: unquote(t), span: spanOf(t) };
  }

  private name(t: IToken): A.Name {
    return { name: t.image, span: spanOf(t) };
  }

  private keywordIn(c: Children): string {
    const key = Object.keys(c).find((k) => k.startsWith("Kw_"));
    if (!key) throw new Incomplete();
    return key.slice(3);
  }

  private node(c: Children, key: string): CstNode {
    const n = c[key]?.[0];
    if (!n || isToken(n) || n.recoveredNode) throw new Incomplete();
    return n;
  }

  private nodes(c: Children, key: string): CstNode[] {
    const ns = (c[key] ?? []) as CstNode[];
    if (ns.some((n) => n.recoveredNode)) throw new Incomplete();
    return ns;
  }

  private token(c: Children, key: string): IToken {
    return this.tokenAt((c[key] ?? []) as IToken[], 0);
  }

  private tokens(c: Children, key: string): IToken[] {
    return (c[key] ?? []) as IToken[];
  }

  private tokenAt(ts: IToken[], i: number): IToken {
    const t = real(ts[i]);
    if (!t) throw new Incomplete();
    return t;
  }

  private at<V>(vs: V[], i: number): V {
    const v = vs[i];
    if (v === undefined) throw new Incomplete();
    return v;
  }

  private firstToken(n: CstNode): IToken | undefined {
    let best: IToken | undefined;
    this.walkTokens(n, (t) => {
      if (!best || t.startOffset < best.startOffset) best = t;
    });
    return best;
  }

  private span(n: CstNode): Span {
    const loc = n.location;
    if (!loc || !Number.isFinite(loc.startOffset) || !Number.isFinite(loc.endOffset)) throw new Incomplete();
    return { start: loc.startOffset, end: loc.endOffset! + 1 };
  }

  private walkTokens(n: CstNode, visit: (t: IToken) => void): void {
    const stack: CstElement[] = [n];
    while (stack.length > 0) {
      const e = stack.pop()!;
      if (isToken(e)) {
        if (real(e)) visit(e);
      } else {
        for (const list of Object.values(e.children)) if (list) stack.push(...list);
      }
    }
  }
}
