// Parse+check time of a 1,000-line scenario (target: under 50 ms on the
// 2-core machines), and completion/hover latency at its end.
import { analyze } from "../lib/dsl/index.ts";
import { complete, hover } from "../lib/dsl/editor-services.ts";

function thousandLines(): string {
  const lines = ['scenario "bench-1000" {', '  description "1,000 lines"', "  cpus 64", "  memory 16GiB", "  compare irqsave, trylock"];
  for (let i = 0; lines.length < 994; i++) {
    lines.push(
      `  workload "w${i}" on cpus ${i % 64}-${Math.min(63, (i % 64) + 3)} in ${["task", "softirq", "hardirq"][i % 3]} {`,
      `    rate ${(i % 50) + 1}k/s`,
      `    alloc ${(i % 4) + 1} x order ${i % 4} gfp GFP_ATOMIC | __GFP_ZERO & ~__GFP_HIGH`,
      `    free batch ${(i % 31) + 1} after exp(${(i % 9) + 1}00us) in softirq  # comment ${i}`,
      "  }",
    );
  }
  while (lines.length < 999) lines.push("  expect invariants.violations == 0");
  lines.push("}");
  return lines.join("\n") + "\n";
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function time(f: () => void, runs: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    out.push(performance.now() - t0);
  }
  return out;
}

export function benchDsl(): void {
  const text = thousandLines();
  const lineCount = text.split("\n").length - 1;
  const first = time(() => analyze(text), 1)[0]!;
  const a = analyze(text);
  if (!a.scenario) throw new Error("bench scenario does not check: " + a.diagnostics[0]?.message);
  const runs = time(() => analyze(text), 30);
  const at = text.lastIndexOf("GFP_ATOMIC") + 5;
  const completion = time(() => complete(text, at), 30);
  const hovering = time(() => hover(text, at), 30);
  console.log(`dsl: parse+check ${lineCount} lines (${(text.length / 1024).toFixed(0)} KiB, ${a.scenario.workloads.length} workloads)`);
  console.log(`  first run (cold JIT)  ${first.toFixed(1)} ms`);
  console.log(`  median of 30          ${median(runs).toFixed(1)} ms   (target < 50 ms)`);
  console.log(`  worst of 30           ${Math.max(...runs).toFixed(1)} ms`);
  console.log(`  completion at the end ${median(completion).toFixed(1)} ms median`);
  console.log(`  hover at the end      ${median(hovering).toFixed(1)} ms median`);
}
