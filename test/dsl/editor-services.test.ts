import { describe, expect, it } from "vitest";
import { complete, highlight, hover } from "../../lib/dsl/editor-services.ts";

/** Completion labels at the `|` in the text. */
function labels(textWithCursor: string): string[] {
  const at = textWithCursor.indexOf("|");
  return complete(textWithCursor.replace("|", ""), at).map((c) => c.label);
}

const inWorkload = (line: string) => `scenario "x" {\n  workload "a" on cpus all in task {\n    ${line}`;

describe("completion", () => {
  it("offers the statements valid at the scenario level", () => {
    expect(labels('scenario "x" {\n  |')).toEqual([
      "description", "kernel", "cpus", "memory", "duration", "warmup", "seed", "runs", "fragmentation",
      "lock", "compare", "sweep", "pcp", "config", "cost", "workload", "expect",
    ]);
    expect(labels('scenario "x" {\n  cp|')).toEqual(["cpus"]);
  });

  it("offers workload statements inside a workload", () => {
    expect(labels(inWorkload("|"))).toEqual(["rate", "every", "arrivals", "alloc", "free", "drain"]);
  });

  it("completes gfp names with their values", () => {
    const text = inWorkload("alloc order 0 gfp GFP_KERNEL | __GFP_NOR");
    const items = complete(text, text.length);
    expect(items.map((c) => [c.label, c.detail])).toEqual([["__GFP_NORETRY", "0x10000"]]);
    expect(items[0]!.replace).toEqual({ start: text.length - "__GFP_NOR".length, end: text.length });
  });

  it("completes variants, metrics, costs, contexts and units", () => {
    expect(labels('scenario "x" {\n  compare irqsave, tr|')).toEqual(["trylock", "trylock-v2", "trylock-2026"]);
    expect(labels('scenario "x" {\n  expect pcp.trylock_fail.h|')).toEqual(["pcp.trylock_fail.hardirq"]);
    expect(labels('scenario "x" {\n  expect invariants.violations == 0 for irq-|')).toEqual(["irq-bypass"]);
    expect(labels('scenario "x" {\n  cost zone|')).toEqual(["zone_lock_per_block"]);
    expect(labels('scenario "x" {\n  workload "a" on cpus all in s|')).toEqual(["softirq"]);
    expect(labels('scenario "x" {\n  duration 100|')).toEqual(["ns", "us", "ms", "s"]);
    expect(labels('scenario "x" {\n  sweep pcp.|')).toEqual(["high", "batch"]);
  });

  it("completes config options, then on or off", () => {
    expect(labels('scenario "x" {\n  config |')).toEqual(["DEBUG_LIST", "DEBUG_VM", "SMP", "DEBUG_SPINLOCK", "PCP_BATCH_SCALE_MAX"]);
    expect(labels('scenario "x" {\n  config DEBUG_L|')).toEqual(["DEBUG_LIST"]);
    expect(labels('scenario "x" {\n  config SMP |')).toEqual(["on", "off"]);
    const [smp] = complete('scenario "x" {\n  config S', 'scenario "x" {\n  config S'.length);
    expect(smp).toMatchObject({ label: "SMP", detail: "default on" });
  });
});

describe("completion stays out of the way", () => {
  it("offers only the units a value may take, and none where it takes a number", () => {
    expect(labels('scenario "x" {\n  memory 1G|')).toEqual(["GiB"]);
    expect(labels('scenario "x" {\n  fragmentation 30|')).toEqual(["%"]);
    expect(labels('scenario "x" {\n  cost zone_lock_per_block 4|')).toEqual(["ns", "us", "ms", "s"]);
    expect(labels(inWorkload("rate 20|"))).toEqual(["/s", "k/s", "M/s"]);
    expect(labels(inWorkload("free after uniform(1ms, 2|"))).toEqual(["ns", "us", "ms", "s"]);
    expect(labels('scenario "x" {\n  sweep memory in 1GiB, 2|')).toEqual(["KiB", "MiB", "GiB", "TiB"]);
    expect(labels('scenario "x" {\n  expect pcp.fallback_rate < 5|')).toEqual(["%"]);
    for (const typed of ['scenario "x" {\n  cpus 4|', inWorkload("alloc 4|"), inWorkload("alloc 4 x order 0|"), 'scenario "x" {\n  expect pcp.refills == 0|']) {
      expect(labels(typed), typed).toEqual([]);
    }
  });

  it("offers nothing once a unit is complete", () => {
    expect(labels('scenario "x" {\n  memory 1GiB|')).toEqual([]);
    expect(labels('scenario "x" {\n  duration 10ms|')).toEqual([]);
    expect(labels(inWorkload("rate 20k/s|"))).toEqual([]);
  });

  it("does not offer the next statement on the line of a complete one", () => {
    expect(labels('scenario "x" {\n  lock trylock |')).toEqual([]);
    expect(labels(inWorkload("alloc order 0 gfp GFP_ATOMIC |"))).toEqual([]);
    expect(labels('scenario "x" {\n  duration 10ms |')).toEqual([]);
    // A new line, or just inside a brace, is where a statement starts.
    expect(labels('scenario "x" {\n  lock trylock\n  |')).toContain("duration");
    expect(labels('scenario "x" { |')).toContain("duration");
    expect(labels('scenario "x" {\n  expect pcp.refills == 0 |')).toEqual(["for"]);
    expect(labels('scenario "x" {\n  memory 512 |')).toEqual(["pages"]);
    expect(labels('scenario "x" {\n  cpus 4 |')).toEqual([]);
  });
});

describe("hover", () => {
  it("explains a config option and its default", () => {
    const cfg = 'scenario "x" {\n  config DEBUG_SPINLOCK on\n}\n';
    const h = hover(cfg, cfg.indexOf("SPINLOCK"))!;
    expect(h.text).toMatch(/^config DEBUG_SPINLOCK \(default .+\): CONFIG_DEBUG_SPINLOCK/);
    expect(cfg.slice(h.span.start, h.span.end)).toBe("DEBUG_SPINLOCK");
  });

  const text = inWorkload("alloc order 9 gfp GFP_TRANSHUGE_LIGHT | __GFP_RECLAIM | __GFP_NORETRY\n    rate 1.5k/s\n  }\n}\n");

  it("decodes the whole gfp mask under the cursor", () => {
    const h = hover(text, text.indexOf("__GFP_RECLAIM") + 3)!;
    expect(h.text).toContain("__GFP_RECLAIM = 0xc00");
    expect(h.text).toContain("0x1d2cca = GFP_TRANSHUGE | __GFP_KSWAPD_RECLAIM | __GFP_NORETRY");
    expect(h.text).toContain("migratetype: MIGRATE_MOVABLE");
    expect(h.text).toContain("may sleep (direct reclaim); wakes kswapd; gives up early (__GFP_NORETRY)");
    expect(text.slice(h.span.start, h.span.end)).toBe("GFP_TRANSHUGE_LIGHT | __GFP_RECLAIM | __GFP_NORETRY");
  });

  it("gives quantities in base units", () => {
    expect(hover(text, text.indexOf("1.5k/s"))!.text).toBe("1.5k/s = 1,500 per second (mean gap 666,667 ns)");
  });

  it("explains variants and says nothing over punctuation", () => {
    const t = 'scenario "x" {\n  lock trylock\n}';
    expect(hover(t, t.indexOf("trylock"))!.text).toMatch(/^trylock: models 5749077415994 as merged in 6.2/);
    expect(hover(t, t.indexOf("{"))).toBeNull();
  });
});

describe("highlighting", () => {
  it("classifies every token, comments included", () => {
    const t = 'scenario "x" { # c\n  lock trylock\n  expect lock.zone.contentions < 5\n}';
    const kinds = highlight(t).map((h) => `${t.slice(h.start, h.end)}:${h.kind}`);
    expect(kinds).toEqual([
      "scenario:keyword", '"x":string', "{:delimiter", "# c:comment", "lock:keyword", "trylock:variant",
      "expect:keyword", "lock:metric", ".:delimiter", "zone:metric", ".:delimiter", "contentions:metric",
      "<:operator", "5:number", "}:delimiter",
    ]);
  });
});
