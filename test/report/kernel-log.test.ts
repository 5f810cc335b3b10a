// The report's kernel log: per variant, the first run that crashed (or
// that logged a message and went on), printed as the kernel prints an
// oops, and reproduced by `pcplab verify` line for line.
import { describe, expect, it } from "vitest";
import { analyze, format } from "../../lib/dsl/index.ts";
import { runScenario, scenarioDigest } from "../../lib/engine/index.ts";
import { renderReport } from "../../lib/report/render.ts";
import { verify, type VerifyHooks } from "../../lib/report/verify.ts";
import { v2CrashScenario } from "../support/v2-crash.ts";

function report(text: string): string {
  const a = analyze(text);
  const f = format(text);
  if (!a.scenario || !f.ok) throw new Error(JSON.stringify(a.diagnostics));
  return renderReport(a.scenario, f.text, runScenario(a.scenario, scenarioDigest(f.text)));
}

const engine: VerifyHooks = { run: async (s, canonical) => runScenario(s, scenarioDigest(canonical)) };

/** The lines of the kernel log section, heading to the blank line. */
function kernelLog(text: string): string[] {
  const lines = text.split("\n");
  const at = lines.indexOf("kernel log, first run per variant and kind of oops, or that logged:");
  expect(at).toBeGreaterThan(0);
  return lines.slice(at + 1, lines.indexOf("", at));
}

describe("a crashed run's oops", () => {
  const text = report(v2CrashScenario("runs 5\n  compare trylock, trylock-v2"));

  it("reads as the kernel prints it: message, CPU, RIP, then the call trace inside the stack's markers", () => {
    const log = kernelLog(text);
    expect(log[0]).toMatch(/^trylock-v2, seed 3, crashed at \d+\.\d{6} ms:$/);
    expect(log[1]).toMatch(/^ {2}list_del corruption\. prev->next should be ffffea[0-9a-f]{10}, but was$/);
    expect(log.slice(3)).toEqual([
      expect.stringMatching(/^ {2}CPU: \d \(softirq\)$/),
      "  RIP: __list_del_entry_valid",
      "  Call Trace:",
      "   <IRQ>",
      "   free_unref_page_list",
      "   release_pages",
      "   </IRQ>",
      "  (also seed 4 of 5)",
    ]);
  });

  it("names no variant that ran clean", () => {
    expect(kernelLog(text).some((l) => l.startsWith("trylock,"))).toBe(false);
  });

  it("is reproduced by verify", async () => {
    expect((await verify(text, engine)).status).toBe("reproduced");
  });
});

describe("a run that logged and went on", () => {
  // CONFIG_SMP=n with DEBUG_SPINLOCK: the softirq's trylock of the lock
  // kcompactd's drain holds fails with the spinlock BUG, and nothing breaks.
  const text = report(`scenario "up-debug-spinlock" {
  cpus 1
  config SMP off
  memory 1GiB
  duration 5ms
  compare trylock-2026, trylock

  workload "kcompactd" on cpus 0 {
    every 20us
    drain
  }

  workload "munmap" on cpus 0 {
    rate 200k/s
    alloc order 0 gfp GFP_KERNEL
    free after exp(2ms) in softirq
  }
}`);

  it("prints what the run logged, in the kernel's words, with the kernel's own indent", () => {
    expect(kernelLog(text)).toEqual([
      "trylock, seed 1, completed:",
      "  BUG: spinlock trylock failure on UP on CPU#0, softirq",
      "   lock: &pcp->lock (cpu 0), .magic: dead4ead, .owner: task, .owner_cpu: 0",
      "  (1 of 1 runs)",
    ]);
  });

  it("is reproduced by verify, and a changed message is a difference", async () => {
    expect((await verify(text, engine)).status).toBe("reproduced");
    const edited = text.replace("on UP on CPU#0, softirq", "on UP on CPU#0, hardirq");
    expect((await verify(edited, engine)).status).toBe("differs");
  });
});
