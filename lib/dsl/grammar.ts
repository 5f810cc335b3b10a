// The grammar of docs/language.md as a chevrotain CstParser. It only recognises
// structure: values are taken loosely (any number or quantity) so that
// "duration 500" is reported by the checker as "needs a time unit" rather
// than as a syntax error, and an unknown statement is skipped to the end
// of its line (with any block it opens) so one typo yields one error.
import { CstParser, EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from "chevrotain";
import { didYouMean } from "./suggest.ts";
import * as T from "./tokens.ts";

const { Kw } = T;

function describeToken(token: IToken): string {
  if (token.tokenType === EOF) return "the end of the file";
  const image = token.image.length > 30 ? token.image.slice(0, 27) + "..." : token.image;
  return `'${JSON.stringify(image).slice(1, -1)}'`;
}

function label(tokenType: TokenType): string {
  return tokenType.LABEL ?? tokenType.name;
}

const RULE_EXPECTS: Record<string, string> = {
  value: "a number or a quantity (100us, 2GiB, 20k/s, 5%)",
  dist: "a time, exp(MEAN) or uniform(MIN, MAX)",
  gfpNot: "a gfp flag, a number, '~' or '('",
  sweepParam: "cpus, memory, pcp.high, pcp.batch or \"workload\".rate",
  cpuset: "'all' or a list of cpus such as 0-3, 8",
  string: "a string",
  freeStmt: "'batch N', 'after T' or 'immediately'",
  settingStmt: "a setting",
  configStmt: "on or off",
};

/** "; did you mean order?" when a name found where keywords were expected is
 * a near miss of one of them. */
function keywordHint(actual: IToken, expected: TokenType[]): string {
  if (actual.tokenType !== T.Identifier && !T.KEYWORD_OF.has(actual.tokenType)) return "";
  const words = expected.map((t) => T.KEYWORD_OF.get(t)).filter((w): w is T.Keyword => w !== undefined);
  return didYouMean(actual.image, words);
}

const errorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, ruleName }) {
    if (expected === T.RCurly && actual.tokenType === EOF) {
      return `expected '}' to close the ${ruleName === "workload" ? "workload" : "scenario"} block, found the end of the file`;
    }
    if (expected === T.RCurly) {
      return `expected '}', found ${describeToken(actual)}`;
    }
    return `expected ${label(expected)}, found ${describeToken(actual)}${keywordHint(actual, [expected])}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `unexpected ${describeToken(firstRedundant)} after the end of the scenario (one scenario per file)`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    const found = describeToken(actual[0]!);
    const firsts = new Set<TokenType>();
    for (const alt of expectedPathsPerAlt) for (const path of alt) if (path[0]) firsts.add(path[0]);
    const hint = keywordHint(actual[0]!, [...firsts]);
    const known = RULE_EXPECTS[ruleName];
    if (known) return `expected ${known}, found ${found}${hint}`;
    return `expected one of ${[...firsts].map(label).join(", ")}, found ${found}${hint}`;
  },
  buildEarlyExitMessage({ actual, ruleName }) {
    return `expected ${RULE_EXPECTS[ruleName] ?? "more"}, found ${describeToken(actual[0]!)}`;
  },
};

// Concrete token types the error-skipping rules may swallow. Identifier
// stands for every keyword too (they are in its category).
const SKIPPABLE: TokenType[] = T.allTokens.filter(
  (t) =>
    t !== T.WhiteSpace && t !== T.Comment && t !== T.Compare && t !== T.LCurly && t !== T.RCurly &&
    !T.KEYWORD_OF.has(t),
);

class ScenarioParser extends CstParser {
  private static nextIsLenient = true;

  /** lenient: with the unknown-statement recovery rules, for parsing. Strict:
   * the plain grammar, for completion, whose path search the catch-all
   * alternatives would make exponential. */
  static create(lenient: boolean): ScenarioParser {
    ScenarioParser.nextIsLenient = lenient;
    return new ScenarioParser();
  }

  // First field: the rules below read it while they are recorded.
  private readonly lenient = ScenarioParser.nextIsLenient;

  private constructor() {
    super(T.allTokens, {
      recoveryEnabled: true,
      maxLookahead: 2,
      errorMessageProvider: errorMessages,
      nodeLocationTracking: "onlyOffset",
    });
    this.performSelfAnalysis();
  }

  private unknownAlternative() {
    return this.lenient ? [{ ALT: () => this.SUBRULE(this.unknownStatement), IGNORE_AMBIGUITIES: true }] : [];
  }

  file = this.RULE("file", () => {
    this.CONSUME(Kw.scenario);
    this.SUBRULE(this.string);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.statement));
    this.CONSUME(T.RCurly);
  });

  string = this.RULE("string", () => {
    this.OR([{ ALT: () => this.CONSUME(T.StringLit) }, { ALT: () => this.CONSUME(T.UnterminatedString) }]);
  });

  statement = this.RULE("statement", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.textStmt) },
      { ALT: () => this.SUBRULE(this.settingStmt) },
      { ALT: () => this.SUBRULE(this.lockStmt) },
      { ALT: () => this.SUBRULE(this.compareStmt) },
      { ALT: () => this.SUBRULE(this.sweepStmt) },
      { ALT: () => this.SUBRULE(this.pcpStmt) },
      { ALT: () => this.SUBRULE(this.configStmt) },
      { ALT: () => this.SUBRULE(this.costStmt) },
      { ALT: () => this.SUBRULE(this.workload) },
      { ALT: () => this.SUBRULE(this.expectStmt) },
      ...this.unknownAlternative(),
    ]);
  });

  textStmt = this.RULE("textStmt", () => {
    this.OR([{ ALT: () => this.CONSUME(Kw.description) }, { ALT: () => this.CONSUME(Kw.kernel) }]);
    this.SUBRULE(this.string);
  });

  settingStmt = this.RULE("settingStmt", () => {
    this.OR([
      { ALT: () => this.CONSUME(Kw.cpus) },
      { ALT: () => this.CONSUME(Kw.memory) },
      { ALT: () => this.CONSUME(Kw.duration) },
      { ALT: () => this.CONSUME(Kw.warmup) },
      { ALT: () => this.CONSUME(Kw.seed) },
      { ALT: () => this.CONSUME(Kw.runs) },
      { ALT: () => this.CONSUME(Kw.fragmentation) },
    ]);
    this.SUBRULE(this.value);
  });

  lockStmt = this.RULE("lockStmt", () => {
    this.CONSUME(Kw.lock);
    this.CONSUME(T.Identifier);
  });

  compareStmt = this.RULE("compareStmt", () => {
    this.CONSUME(Kw.compare);
    this.CONSUME(T.Identifier);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.CONSUME2(T.Identifier);
    });
  });

  sweepStmt = this.RULE("sweepStmt", () => {
    this.CONSUME(Kw.sweep);
    this.SUBRULE(this.sweepParam);
    this.CONSUME(Kw.in);
    this.SUBRULE(this.value);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.value);
    });
  });

  sweepParam = this.RULE("sweepParam", () => {
    this.OR([
      { ALT: () => this.CONSUME(Kw.cpus) },
      { ALT: () => this.CONSUME(Kw.memory) },
      {
        ALT: () => {
          this.CONSUME(Kw.pcp);
          this.CONSUME(T.Dot);
          this.CONSUME(T.Identifier);
        },
      },
      {
        ALT: () => {
          this.SUBRULE(this.string);
          this.CONSUME2(T.Dot);
          this.CONSUME2(T.Identifier);
        },
      },
    ]);
  });

  pcpStmt = this.RULE("pcpStmt", () => {
    this.CONSUME(Kw.pcp);
    this.OPTION(() => {
      this.CONSUME(Kw.high);
      this.SUBRULE(this.value);
    });
    this.OPTION2(() => {
      this.CONSUME(Kw.batch);
      this.SUBRULE2(this.value);
    });
  });

  // The setting is taken loosely (any name or number) so that "config SMP 0"
  // is told "on or off" by the checker rather than a syntax error.
  configStmt = this.RULE("configStmt", () => {
    this.CONSUME(Kw.config);
    this.CONSUME(T.Identifier);
    this.OR([{ ALT: () => this.CONSUME2(T.Identifier) }, { ALT: () => this.SUBRULE(this.value) }]);
  });

  costStmt = this.RULE("costStmt", () => {
    this.CONSUME(Kw.cost);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.dist);
  });

  workload = this.RULE("workload", () => {
    this.CONSUME(Kw.workload);
    this.SUBRULE(this.string);
    this.CONSUME(Kw.on);
    this.SUBRULE(this.cpuset);
    this.OPTION(() => {
      this.CONSUME(Kw.in);
      this.CONSUME(T.Identifier);
    });
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.workloadStatement));
    this.CONSUME(T.RCurly);
  });

  cpuset = this.RULE("cpuset", () => {
    this.CONSUME(Kw.cpus);
    this.OR([
      { ALT: () => this.CONSUME(Kw.all) },
      {
        ALT: () => {
          this.SUBRULE(this.cpuRange);
          this.MANY(() => {
            this.CONSUME(T.Comma);
            this.SUBRULE2(this.cpuRange);
          });
        },
      },
    ]);
  });

  cpuRange = this.RULE("cpuRange", () => {
    this.CONSUME(T.Integer);
    this.OPTION(() => {
      this.CONSUME(T.Minus);
      this.CONSUME2(T.Integer);
    });
  });

  workloadStatement = this.RULE("workloadStatement", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.arrivalStmt) },
      { ALT: () => this.SUBRULE(this.arrivalsStmt) },
      { ALT: () => this.SUBRULE(this.allocStmt) },
      { ALT: () => this.SUBRULE(this.freeStmt) },
      { ALT: () => this.CONSUME(Kw.drain) },
      ...this.unknownAlternative(),
    ]);
  });

  arrivalStmt = this.RULE("arrivalStmt", () => {
    this.OR([{ ALT: () => this.CONSUME(Kw.rate) }, { ALT: () => this.CONSUME(Kw.every) }]);
    this.SUBRULE(this.value);
  });

  arrivalsStmt = this.RULE("arrivalsStmt", () => {
    this.CONSUME(Kw.arrivals);
    this.SUBRULE(this.value);
  });

  allocStmt = this.RULE("allocStmt", () => {
    this.CONSUME(Kw.alloc);
    this.OPTION(() => {
      this.CONSUME(T.Integer);
      this.CONSUME(Kw.x);
    });
    this.CONSUME(Kw.order);
    this.SUBRULE(this.value);
    this.CONSUME(Kw.gfp);
    this.SUBRULE(this.gfpOr);
  });

  freeStmt = this.RULE("freeStmt", () => {
    this.CONSUME(Kw.free);
    this.OPTION(() => {
      this.CONSUME(Kw.batch);
      this.SUBRULE(this.value);
    });
    this.OR([
      {
        ALT: () => {
          this.CONSUME(Kw.after);
          this.OR2([{ ALT: () => this.CONSUME(Kw.last) }, { ALT: () => this.SUBRULE(this.dist) }]);
        },
      },
      { ALT: () => this.CONSUME(Kw.immediately) },
    ]);
    this.OPTION2(() => {
      this.CONSUME(Kw.in);
      this.CONSUME(T.Identifier);
    });
  });

  gfpOr = this.RULE("gfpOr", () => {
    this.SUBRULE(this.gfpAnd);
    this.MANY(() => {
      this.CONSUME(T.Pipe);
      this.SUBRULE2(this.gfpAnd);
    });
  });

  gfpAnd = this.RULE("gfpAnd", () => {
    this.SUBRULE(this.gfpNot);
    this.MANY(() => {
      this.CONSUME(T.Amp);
      this.SUBRULE2(this.gfpNot);
    });
  });

  gfpNot = this.RULE("gfpNot", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Tilde);
          this.SUBRULE(this.gfpNot);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.gfpOr);
          this.CONSUME(T.RParen);
        },
      },
      { ALT: () => this.CONSUME(T.Identifier) },
      { ALT: () => this.CONSUME(T.Integer) },
      { ALT: () => this.CONSUME(T.HexInt) },
    ]);
  });

  expectStmt = this.RULE("expectStmt", () => {
    this.CONSUME(Kw.expect);
    this.SUBRULE(this.metric);
    this.CONSUME(T.Compare);
    this.SUBRULE(this.value);
    this.OPTION(() => {
      this.CONSUME(Kw.for);
      this.CONSUME2(T.Identifier);
    });
  });

  metric = this.RULE("metric", () => {
    this.CONSUME(T.Identifier);
    this.MANY(() => {
      this.CONSUME(T.Dot);
      this.CONSUME2(T.Identifier);
    });
  });

  value = this.RULE("value", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Quantity) },
      { ALT: () => this.CONSUME(T.HexInt) },
      {
        ALT: () => {
          this.CONSUME(T.Integer);
          this.OPTION(() => this.CONSUME(Kw.pages));
        },
      },
    ]);
  });

  dist = this.RULE("dist", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.value) },
      {
        ALT: () => {
          this.CONSUME(Kw.exp);
          this.CONSUME(T.LParen);
          this.SUBRULE2(this.value);
          this.CONSUME(T.RParen);
        },
      },
      {
        ALT: () => {
          this.CONSUME(Kw.uniform);
          this.CONSUME2(T.LParen);
          this.SUBRULE3(this.value);
          this.CONSUME(T.Comma);
          this.SUBRULE4(this.value);
          this.CONSUME2(T.RParen);
        },
      },
    ]);
  });

  // Error recovery: a statement that starts with anything the grammar does
  // not know swallows the rest of its line, and any { } block it opens.
  unknownStatement = this.RULE("unknownStatement", () => {
    const first = this.LA(1);
    this.SUBRULE(this.skipItem);
    this.MANY({
      GATE: () => this.LA(1).startLine === first.endLine,
      DEF: () => this.SUBRULE2(this.skipItem),
    });
  });

  skipItem = this.RULE("skipItem", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.skipBlock) },
      ...SKIPPABLE.map((t) => ({ ALT: () => this.CONSUME(t) })),
    ]);
  });

  skipBlock = this.RULE("skipBlock", () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.skipItem));
    this.CONSUME(T.RCurly);
  });
}

export const parser = ScenarioParser.create(true);

/** Made-up openings that put a lone statement at the right depth. */
export const SCENARIO_OPENING = T.lexer.tokenize('scenario "x" {').tokens;
export const WORKLOAD_OPENING = T.lexer.tokenize('scenario "x" { workload "w" on cpus all {').tokens;
export const CLOSING = T.lexer.tokenize("} }").tokens;

let strict: ScenarioParser | null = null;
/** Built on first use: only the editor's completion needs it. */
export function strictParser(): ScenarioParser {
  strict ??= ScenarioParser.create(false);
  return strict;
}
