import { describe, expect, it } from "vitest";
import { format } from "../../lib/dsl/index.ts";

function fmt(text: string): string {
  const r = format(text);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join("\n"));
  return r.text;
}

describe("the canonical form", () => {
  it("normalises spacing, units, parentheses and blank lines", () => {
    const messy = `scenario   "x"{cpus 8 memory 2048MiB duration 1.5ms
      compare irqsave ,trylock
  workload "a" on cpus 0 - 3,5 in hardirq { rate 20000/s
  alloc 4 x order 0 gfp (GFP_ATOMIC) | ((__GFP_ZERO | 0x10000)) & ~__GFP_HIGH free batch 0x8 after exp( 100_000ns ) in softirq}
  expect irq.latency_ns.p99<=10000ns for trylock expect invariants.violations==0}`;
    expect(fmt(messy)).toBe(`scenario "x" {
  cpus 8
  memory 2GiB
  duration 1500us
  compare irqsave, trylock

  workload "a" on cpus 0-3, 5 in hardirq {
    rate 20k/s
    alloc 4 x order 0 gfp GFP_ATOMIC | (__GFP_ZERO | 0x10000) & ~__GFP_HIGH
    free batch 8 after exp(100us) in softirq
  }

  expect irq.latency_ns.p99 <= 10us for trylock
  expect invariants.violations == 0
}
`);
  });

  it("keeps every comment, leading, trailing and dangling", () => {
    const text = `# before
scenario "c" { # on the header
  # about cpus
  cpus 4 // trailing
  workload "w" on cpus all { # workload header
    # about the rate
    rate 1k/s
    drain   # trailing drain
    # last in the workload
  } # after the workload
  # last in the scenario
}
# after
`;
    const out = fmt(text);
    for (const c of text.match(/(#|\/\/)[^\n]*/g)!) expect(out).toContain(c.trimEnd());
    expect(out).toBe(`# before
scenario "c" {  # on the header
  # about cpus
  cpus 4  // trailing

  workload "w" on cpus all {  # workload header
    # about the rate
    rate 1k/s
    drain  # trailing drain
    # last in the workload
  }  # after the workload
  # last in the scenario
}
# after
`);
  });

  it("moves a comment from inside a statement to before it", () => {
    const text = 'scenario "c" {\n  workload "w" on cpus all {\n    rate 1k/s\n    alloc order 0 gfp GFP_KERNEL |\n      # zeroed\n      __GFP_ZERO\n  }\n}\n';
    expect(fmt(text)).toContain("    # zeroed\n    alloc order 0 gfp GFP_KERNEL | __GFP_ZERO\n");
  });

  it("wraps a mask that would pass 76 columns at its top-level ORs", () => {
    const text = 'scenario "w" {\n  workload "thp" on cpus all {\n    rate 1k/s\n    alloc 2 x order 9 gfp GFP_TRANSHUGE_LIGHT | __GFP_RECLAIM | (__GFP_NORETRY | __GFP_THISNODE) | __GFP_NOWARN # why\n  }\n}\n';
    const out = fmt(text);
    expect(out).toContain("    alloc 2 x order 9 gfp GFP_TRANSHUGE_LIGHT | __GFP_RECLAIM\n        | __GFP_NORETRY | __GFP_THISNODE | __GFP_NOWARN  # why\n");
    expect(out.split("\n").every((l) => l.length <= 76)).toBe(true);
    expect(fmt(out)).toBe(out);
  });

  it("escapes strings and is idempotent", () => {
    const once = fmt('scenario "a \\"quoted\\" \\\\ name" { description "x" }');
    expect(once).toBe('scenario "a \\"quoted\\" \\\\ name" {\n  description "x"\n}\n');
    expect(fmt(once)).toBe(once);
  });

  it("refuses to format text with errors, returning them", () => {
    const r = format('scenario "x" {\n  cpus 8 9\n}');
    expect(r.ok).toBe(false);
  });
});
