import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CODES, type Code } from "../../lib/dsl/index.ts";
import { diagnostics, scenario, workload } from "./helpers.ts";

const nic = (alloc: string, ctx = "task") => workload(`    rate 1k/s\n    ${alloc}`, `workload "w" on cpus all in ${ctx}`);

// One case per code: the text a user might type, and what they are told.
const CASES: [Code, string, RegExp][] = [
  ["E101", scenario("  cpus 4 ;"), /unexpected character ';'; statements end with the line/],
  ["E102", scenario('  description "no end'), /unterminated string/],
  ["E103", scenario("  memory 2GB"), /unknown unit 'GB' in '2GB'.*did you mean '2GiB'\?/],
  ["E104", nic("alloc order 9 gfp GFP_TRANSHUGE_LIGHT | __GFP_NORETY"), /^unknown gfp flag __GFP_NORETY; did you mean __GFP_NORETRY\?$/],
  ["E105", scenario("  compare irqsave trylock"), /.+/],
  ["E106", scenario("  cpu 8"), /^unknown statement 'cpu'; did you mean cpus\?$/],
  ["E107", scenario("  cpus 1__0"), /malformed number '1__0'/],
  ["E108", "#".repeat(600 * 1024), /scenario is 600 KiB; the limit is 512 KiB/],
  ["E109", nic(`alloc order 0 gfp ${"(".repeat(70)}GFP_ATOMIC${")".repeat(70)}`), /nesting deeper than 64 levels/],
  ["E110", scenario('  description "a\\tb"'), /invalid escape '\\t'/],
  ["E111", scenario("  seed 99999999999999999999999"), /number too large/],
  ["E112", scenario("  duration 1.5ns"), /^1\.5ns is not a whole number of nanoseconds$/],
  ["E201", scenario("  cpus 0"), /^cpus must be between 1 and 256, got 0$/],
  ["E202", scenario("  cpus 4\n  cpus 8"), /'cpus' is set twice/],
  ["E203", scenario("  compare irqsave, irqsave"), /variant 'irqsave' is listed twice/],
  ["E204", scenario('  sweep "nic".rate in 1k/s, 2k/s'), /unknown workload "nic" in sweep/],
  ["E205", scenario("  expect pcp.fallback_rat < 5%"), /unknown metric 'pcp.fallback_rat'; did you mean pcp.fallback_rate\?/],
  ["E206", scenario("  lock trylok"), /unknown lock variant 'trylok'; did you mean trylock\?/],
  ["E207", scenario("  lock irqsave\n  expect pcp.fallback_rate < 5% for trylock"), /trylock is not run/],
  ["E208", nic("alloc order 0 gfp GFP_KERNEL", "hardirq"), /allocation in hardirq context with GFP_KERNEL \(0xcc0\) may sleep/],
  ["E209", scenario('  cpus 4\n  workload "w" on cpus 2-7 {\n    rate 1k/s\n    drain\n  }'), /cpu 7 is outside the machine: the machine has cpus 4/],
  ["E210", scenario("  duration 500"), /^duration needs a time such as 100us, got 500; did you mean 500ms\?$/],
  ["E211", scenario("  cost irq_entri 1us"), /unknown cost 'irq_entri'; did you mean irq_entry\?/],
  ["E211", scenario("  cost zone_lock_per_page 40ns"), /unknown cost 'zone_lock_per_page': pcplab 0\.4\.0 charges zone->lock per block: zone_lock_per_block/],
  ["E212", scenario('  workload "w" on cpus all {\n    drain\n  }'), /needs 'rate R'/],
  ["E213", scenario('  kernel "6.2"'), /kernel "6.2" is not modelled/],
  ["E214", nic("alloc order 0 gfp GFP_ATOMIC", "hardriq"), /unknown context 'hardriq'; did you mean hardirq\?/],
  ["E215", nic("alloc order 0 gfp ~__GFP_IO"), /sets bits 0xf8000000 that no 6.1 gfp flag defines/],
  ["E216", scenario('  workload "w" on cpus 3-1 {\n    rate 1k/s\n    drain\n  }'), /cpu range 3-1 is reversed/],
  ["E217", scenario("  memory 4098KiB"), /not a whole number of 4 KiB pages/],
  ["E218", scenario("  expect engine.wall_ms < 10"), /wall-clock/],
  ["E219", scenario("  sweep pcp.size in 1, 2"), /unknown sweep parameter pcp.size/],
  ["E220", scenario("  cpus 1024"), /^cpus 1024 is beyond the model's limit of 256: /],
  ["E221", scenario("  config DEBUG_LISTS off"), /^unknown config option 'DEBUG_LISTS'; did you mean DEBUG_LIST\?/],
  ["E222", scenario("  config DEBUG_LIST yes"), /^config DEBUG_LIST is on or off, got 'yes'$/],
  ["E222", scenario("  config SMP 0"), /^config SMP is on or off, got '0'$/],
  ["E223", scenario("  cpus 4\n  config SMP off"), /^config SMP off runs one CPU, but cpus is 4; drop cpus or set it to 1$/],
  ["E223", scenario("  config SMP off\n  sweep cpus in 1, 2"), /a sweep of cpus needs SMP on/],
  ["W301", nic("alloc order 0 gfp __GFP_MOVABLE | __GFP_RECLAIMABLE"), /MIGRATE_HIGHATOMIC/],
  ["W302", nic("alloc order 0 gfp GFP_DMA"), /does not simulate ZONE_DMA/],
  ["W303", nic("alloc order 9 gfp GFP_KERNEL | __GFP_NOFAIL"), /__GFP_NOFAIL on order 9/],
  ["W304", scenario(`  description "${"x".repeat(80)}"`), /^this line is 96 columns in canonical form; a mail report keeps to 76/],
];

describe("every diagnostic code", () => {
  it.each(CASES)("%s", (code, text, message) => {
    const found = diagnostics(text).filter((d) => d.code === code);
    expect(found.length, JSON.stringify(diagnostics(text))).toBeGreaterThan(0);
    expect(found[0]!.message).toMatch(message);
  });

  it("covers every code in the table", () => {
    expect(new Set(CASES.map(([c]) => c))).toEqual(new Set(Object.keys(CODES)));
  });

  it("is documented in docs/errors.md, one row per code", () => {
    const doc = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");
    const rows = [...doc.matchAll(/^\| (E\d{3}|W\d{3}) \| ([^|]+) \|/gm)].map((m) => [m[1], m[2]!.trim()]);
    expect(rows).toEqual(Object.entries(CODES));
  });
});

describe("positions", () => {
  it("points at the offending text with line, column and end", () => {
    const text = scenario("  cpus 8\n  memory 2GB\n  cpus 0");
    expect(diagnostics(text)).toEqual([
      expect.objectContaining({ code: "E103", line: 3, column: 10, endLine: 3, endColumn: 13 }),
      expect.objectContaining({ code: "E202", line: 4, column: 3 }),
    ]);
  });

  it("reports a gfp typo where it is, as in docs/language.md", () => {
    const text = nic("alloc order 9 gfp GFP_TRANSHUGE_LIGHT | __GFP_RECLAIM | __GFP_NORETY");
    const [d] = diagnostics(text);
    expect(d).toMatchObject({ code: "E104", line: 4 });
    expect(text.split("\n")[3]!.slice(d!.column - 1, d!.endColumn - 1)).toBe("__GFP_NORETY");
  });

  it("puts a missing closing brace at the end of the file", () => {
    const text = 'scenario "t" {\n  cpus 4\n';
    expect(diagnostics(text)).toEqual([
      expect.objectContaining({ code: "E105", line: 3, column: 1, message: expect.stringMatching(/expected '}' to close the scenario block/) }),
    ]);
  });
});

describe("recovery", () => {
  it("reports five mistakes as five diagnostics", () => {
    const text = [
      'scenario "five" {',
      "  cpu 8",
      "  memory 2GB",
      "  duration 1.5ns",
      '  workload "w" on cpus all in task {',
      "    rate 1k/s",
      "    alloc order 0 gfp GFP_KERNL",
      "  }",
      "  lock trylok",
      "}",
    ].join("\n");
    expect(diagnostics(text).map((d) => [d.code, d.line])).toEqual([
      ["E106", 2],
      ["E103", 3],
      ["E112", 4],
      ["E104", 7],
      ["E206", 9],
    ]);
  });

  it("skips a misspelled workload block whole and goes on", () => {
    const text = scenario('  worklaod "w" on cpus all {\n    rate 1k/s\n    drain\n  }\n  cpus 0');
    expect(diagnostics(text).map((d) => [d.code, d.message])).toEqual([
      ["E106", "unknown statement 'worklaod'; did you mean workload?"],
      ["E201", "cpus must be between 1 and 256, got 0"],
    ]);
  });

  it("still checks what is inside a misspelled workload block", () => {
    const text = scenario('  worklaod "w" on cpus all in hardirq {\n    rate 1k/s\n    alloc order 0 gfp GFP_KERNL\n    rtae 2k/s\n  }\n  cpus 0');
    expect(diagnostics(text).map((d) => [d.code, d.line, d.message])).toEqual([
      ["E106", 2, "unknown statement 'worklaod'; did you mean workload?"],
      ["E104", 4, "unknown gfp flag GFP_KERNL; did you mean GFP_KERNEL?"],
      ["E106", 5, "unknown workload statement 'rtae'; did you mean rate?"],
      ["E201", 7, "cpus must be between 1 and 256, got 0"],
    ]);
  });

  it("says what an incomplete statement lacks, where, and how to write it", () => {
    expect(diagnostics(scenario("  seed\n  runs 2"))).toEqual([
      expect.objectContaining({
        code: "E105", line: 2, column: 7,
        message: "expected a number or a quantity (100us, 2GiB, 20k/s, 5%), found the end of the statement (in 'seed'; e.g. seed 1)",
      }),
    ]);
    expect(diagnostics(workload("    rate 1k/s\n    free aftr 5ms"))).toEqual([
      expect.objectContaining({ code: "E105", line: 4, column: 10, message: expect.stringMatching(/found .aftr.; did you mean after\?/) }),
    ]);
  });

  it("suggests the keyword a statement misspells, and adds no echo errors", () => {
    const text = workload("    rate 1k/s\n    alloc 4 x ordr 0 gfp GFP_KERNEL");
    expect(diagnostics(text).map((d) => [d.code, d.line, d.message])).toEqual([
      ["E105", 4, "expected 'order', found 'ordr'; did you mean order?"],
    ]);
    const variants = scenario("  compare irqsave, trylock-3\n  expect pcp.fallback_rate < 5% for trylock");
    expect(diagnostics(variants).map((d) => d.code)).toEqual(["E206"]);
  });

  it("still checks the statements after a workload block left open", () => {
    const text = [
      'scenario "open" {',
      '  workload "w" on cpus all {',
      "    rate 1k/s",
      "    alloc order 0 gfp GFP_KERNL",
      "  lock trylok",
      "  duration 500",
      '  workload "v" on cpus 0-9 {',
      "    rate 1k/s",
      "    drain",
      "  }",
      "}",
    ].join("\n");
    expect(diagnostics(text).map((d) => [d.code, d.line, d.message])).toEqual([
      ["E104", 4, "unknown gfp flag GFP_KERNL; did you mean GFP_KERNEL?"],
      ["E106", 5, "unknown workload statement 'lock'; 'lock' belongs at the scenario level"],
      ["E206", 5, "unknown lock variant 'trylok'; did you mean trylock? (variants: irqsave, trylock, trylock-v2, irq-bypass, trylock-2026)"],
      ["E106", 6, "unknown workload statement 'duration'; 'duration' belongs at the scenario level"],
      ["E210", 6, "duration needs a time such as 100us, got 500; did you mean 500ms?"],
      ["E106", 7, "unknown workload statement 'workload'; 'workload' belongs at the scenario level"],
      ["E209", 7, "cpu 9 is outside the machine: the machine has cpus 4 (cpus 0-3)"],
      ["E105", 11, "expected '}' to close the scenario block, found the end of the file"],
    ]);
  });

  it("tells where a statement belongs", () => {
    expect(diagnostics(scenario("  rate 1k/s"))[0]!.message).toBe("unknown statement 'rate'; 'rate' belongs inside a workload block");
  });

  it("rejects a second scenario in one file", () => {
    const text = scenario("  cpus 1") + scenario("  cpus 2");
    expect(diagnostics(text)).toEqual([expect.objectContaining({ code: "E105", line: 4, message: expect.stringMatching(/one scenario per file/) })]);
  });
});
