// Property tests: no input makes the language throw or hang, and the
// formatter is idempotent and keeps meaning, over generated scenarios.
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyze, format } from "../../lib/dsl/index.ts";
import { GFP_NAMES } from "../../lib/dsl/gfp.ts";
import { parse } from "../../lib/dsl/parse.ts";
import { complete, highlight, hover } from "../../lib/dsl/editor-services.ts";

const dir = new URL("../../scenarios/", import.meta.url);
const shipped = readdirSync(dir).filter((f) => f.endsWith(".scn")).map((f) => readFileSync(new URL(f, dir), "utf8"));

/** Everything a user could trigger on some text must return, with sane positions. */
function exercise(text: string, cursor: number): void {
  const a = analyze(text);
  for (const d of a.diagnostics) {
    expect(d.span.start).toBeGreaterThanOrEqual(0);
    expect(d.span.end).toBeLessThanOrEqual(text.length);
    expect(d.start.line).toBeGreaterThanOrEqual(1);
    expect(d.message.length).toBeGreaterThan(0);
  }
  format(text);
  if (text.length <= 20_000) {
    const at = Math.min(cursor, text.length);
    complete(text, at);
    hover(text, at);
    highlight(text);
  }
}

const tokenSoup = fc.array(
  fc.constantFrom(
    "scenario", '"x"', "{", "}", "(", ")", "~", "|", "&", ",", ".", "-", "cpus", "8", "0x1f", "1.5ms", "20k/s", "5%",
    "2GiB", "workload", "on", "all", "in", "hardirq", "alloc", "order", "gfp", "GFP_ATOMIC", "free", "after", "exp",
    "expect", "<", "==", "for", "trylock", "\n", " ", "#c\n", '"', "\\", "\0", "9".repeat(40), "x", "pages", "sweep",
  ),
  { maxLength: 200 },
).map((parts) => parts.join(" "));

const mutated = fc
  .tuple(fc.constantFrom(...shipped), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 20 }), fc.string({ maxLength: 8 })), { minLength: 1, maxLength: 6 }))
  .map(([text, edits]) => {
    let t = text;
    for (const [pos, del, ins] of edits) {
      const p = pos % (t.length + 1);
      t = t.slice(0, p) + ins + t.slice(p + del);
    }
    return t;
  });

describe("no input makes the language throw or hang", () => {
  it("survives arbitrary strings", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 300 }), fc.nat(), (s, c) => exercise(s, c)), { numRuns: 300 });
  });

  it("survives token soup", () => {
    fc.assert(fc.property(tokenSoup, fc.nat(), (s, c) => exercise(s, c)), { numRuns: 300 });
  });

  it("survives mutated shipped scenarios", () => {
    fc.assert(fc.property(mutated, fc.nat(), (s, c) => exercise(s, c)), { numRuns: 300 });
  });

  it("survives huge numbers, deep nesting, NUL bytes and unterminated strings", () => {
    const w = (line: string) => `scenario "x" {\n  workload "w" on cpus all {\n    rate 1k/s\n    ${line}\n  }\n}\n`;
    const cases = [
      w(`alloc order ${"9".repeat(10_000)} gfp GFP_ATOMIC`),
      w(`alloc order 0 gfp ${"(".repeat(100_000)}GFP_ATOMIC`),
      w(`alloc order 0 gfp ${"~".repeat(100_000)}GFP_ATOMIC`),
      "{".repeat(100_000),
      `scenario "x" {\n${"  workload \"w\" on cpus all {\n".repeat(5_000)}`,
      'scenario "x\0y" {\n  description "\0\0\0\n  cpus \0 8\n}',
      'scenario "never closed {\n  description "also open\n',
      `scenario "x" {\n  duration ${"1".repeat(25)}.${"5".repeat(25)}ms\n  rate 1e309/s\n}`,
    ];
    for (const c of cases) exercise(c, c.length >> 1);
  });

  it("refuses a 1 MB input with a positioned error, quickly", () => {
    const big = shipped[0]!.repeat(Math.ceil(1_048_576 / shipped[0]!.length));
    const a = analyze(big);
    expect(a.diagnostics).toEqual([expect.objectContaining({ code: "E108", start: expect.objectContaining({ offset: 512 * 1024 }) })]);
  });

  it("parses an input just under the limit", () => {
    const body = '  workload "w0" on cpus all {\n    rate 1k/s\n    alloc order 0 gfp GFP_KERNEL\n  }\n';
    let text = 'scenario "big" {\n';
    for (let i = 0; text.length < 500 * 1024; i++) text += body.replace("w0", `w${i}`);
    text += "}\n";
    const a = analyze(text);
    expect(a.diagnostics).toEqual([]);
    expect(a.scenario!.workloads.length).toBeGreaterThan(5000);
  });
});

// ---- generated valid scenarios in random spellings --------------------------

const space = fc.constantFrom(" ", "  ", "\n", "\t", " # note\n  ", " // note\n");
const pick = <T,>(xs: readonly T[]) => fc.constantFrom(...xs);

function spellTime(ns: number, style: number): string {
  if (style === 1 && ns % 1000 === 0) return `${ns / 1000}us`;
  if (style === 2 && ns % 100_000 === 0) return `${ns / 1e6}ms`;
  if (style === 3) return `${String(ns).replace(/\B(?=(\d{3})+$)/g, "_")}ns`;
  return `${ns}ns`;
}

const timeNs = fc.integer({ min: 1, max: 5_000_000 }).map((n) => n * 100);
const time = fc.tuple(timeNs, fc.nat({ max: 3 })).map(([ns, s]) => spellTime(ns, s));
const rate = fc.tuple(fc.integer({ min: 1, max: 100_000 }), fc.boolean()).map(([r, k]) => (k && r % 100 === 0 ? `${r / 1000}k/s` : `${r}/s`));
const uniform = fc.tuple(timeNs, timeNs, fc.nat({ max: 3 })).map(([a, b, s]) => `uniform(${spellTime(Math.min(a, b), s)}, ${spellTime(Math.max(a, b), 3 - s)})`);
const dist = fc.oneof(time, time.map((t) => `exp(${t})`), uniform);

const gfpName = pick([...GFP_NAMES.keys()].filter((n) => !n.includes("BITS") && !/RECLAIM|GFP_KERNEL|GFP_NO|GFP_USER|GFP_HIGHUSER|TRANSHUGE|NOFAIL|DMA|MOVABLE|RECLAIMABLE/.test(n)));
const { gfp } = fc.letrec<{ gfp: string; atom: string }>((tie) => ({
  atom: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    gfpName,
    fc.integer({ min: 0, max: 0xffff }).map((n) => (n % 2 ? `0x${n.toString(16)}` : String(n))),
    tie("gfp").map((g) => `(${g})`),
    tie("atom").map((a) => `~${a}`),
  ),
  gfp: fc.array(fc.array(tie("atom"), { minLength: 1, maxLength: 3 }).map((xs) => xs.join(" & ")), { minLength: 1, maxLength: 3 }).map((xs) => xs.join(" | ")),
}));
// Masks with ~ may set undefined bits, or __GFP_DIRECT_RECLAIM in an
// interrupt context: keep them inside __GFP_BITS_MASK and non-sleeping.
const safeGfp = gfp.map((g) => `(${g}) & __GFP_BITS_MASK & ~__GFP_DIRECT_RECLAIM`);

const workloadText = fc
  .record({
    name: fc.string({ unit: "grapheme-ascii", maxLength: 8 }).filter((s) => !s.includes('"') && !s.includes("\\")),
    cpus: fc.oneof(fc.constant("all"), fc.constant("0-1, 3"), fc.constant("2")),
    ctx: pick(["", " in task", " in softirq", " in hardirq"]),
    arrival: fc.oneof(rate.map((r) => `rate ${r}`), time.map((t) => `every ${t}`)),
    count: pick(["", "1 x ", "4 x "]),
    order: fc.integer({ min: 0, max: 10 }),
    mask: safeGfp,
    free: fc.option(fc.tuple(pick(["", " batch 8"]), fc.oneof(dist.map((d) => ` after ${d}`), fc.constant(" immediately")), pick(["", " in softirq", " in task"])).map((x) => `free${x.join("")}`)),
    drain: fc.boolean(),
    ws: space,
  })
  .map((w) => (unique: string) =>
    [
      `workload "${w.name}${unique}" on cpus ${w.cpus}${w.ctx} {`,
      w.arrival,
      `alloc ${w.count}order ${w.order} gfp ${w.mask}`,
      w.free ?? "",
      // drain_all_pages() may sleep: task context only.
      w.drain && (w.ctx === "" || w.ctx === " in task") ? "drain" : "",
      "}",
    ].join(w.ws),
  );

const scenarioText = fc
  .record({
    settings: fc.subarray(["cpus 4", "memory 2048MiB", "duration 1.5ms", "warmup 100us", "seed 0x10", "runs 2", "fragmentation 12.5%", "pcp high 0x40 batch 7", "cost irq_entry exp(1us)", 'description "d \\"q\\""']),
    variants: pick(["lock trylock", "compare irqsave, trylock-v2", "compare trylock, irqsave, irq-bypass", ""]),
    workloads: fc.array(workloadText, { maxLength: 3 }),
    expects: fc.subarray(["expect invariants.violations == 0", "expect pcp.fallback_rate < 2.5%", "expect irq.latency_ns.p99 <= 10us", "expect zone.free_pages.min > 64MiB"]),
    ws: space,
  })
  .map((s) => [`scenario "gen" {`, ...s.settings, s.variants, ...s.workloads.map((w, i) => w(`-${i}`)), ...s.expects, "}"].join(s.ws));

/** The tree without positions: what the formatter must keep. */
function meaning(text: string): unknown {
  return JSON.parse(JSON.stringify(parse(text).ast, (key, value) => (key === "span" ? undefined : value)));
}

describe("the formatter", () => {
  it("generates valid scenarios (the generator is not vacuous)", () => {
    fc.assert(
      fc.property(scenarioText, (text) => {
        const bad = analyze(text).diagnostics.filter((d) => d.severity === "error");
        expect(bad.map((d) => `${d.code} ${d.message}`), text).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it("is idempotent and keeps the meaning of what it formats", () => {
    fc.assert(
      fc.property(scenarioText, (text) => {
        const once = format(text);
        expect(once.ok, text).toBe(true);
        if (!once.ok) return;
        const twice = format(once.text);
        expect(twice).toEqual({ ok: true, text: once.text });
        expect(meaning(once.text)).toEqual(meaning(text));
        expect(analyze(once.text).scenario).toEqual(analyze(text).scenario);
        expect(once.text.match(/#|\/\//g)?.length ?? 0).toBe(text.match(/#|\/\//g)?.length ?? 0);
      }),
      { numRuns: 300 },
    );
  });

  it("is idempotent on anything it accepts, mutated scenarios included", () => {
    fc.assert(
      fc.property(mutated, (text) => {
        const once = format(text);
        if (!once.ok) return;
        expect(format(once.text)).toEqual(once);
        expect(meaning(once.text)).toEqual(meaning(text));
      }),
      { numRuns: 300 },
    );
  });
});
