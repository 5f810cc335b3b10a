// Hugh Dickins' report on the v2 patch, re-run: THP compaction stress with
// his gfp mask. The crash must come out of the modelled paths (reclaim's
// drain_all_pages() taking a remote pcp lock while a page list is freed, in
// task context by truncation or in softirq by an IO completion), never
// from a special case.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { Results } from "../../lib/engine/index.ts";
import { KERNEL_FUNCTIONS } from "../../lib/engine/oops.ts";

const bin = new URL("../../bin/pcplab", import.meta.url).pathname;
const file = new URL("../../scenarios/thp-compaction-stress.scn", import.meta.url).pathname;

describe("thp-compaction-stress (Hugh's scenario)", () => {
  // The CLI runs the 15 runs on worker threads, as a user would.
  const r = spawnSync(process.execPath, [bin, "run", "--json", file], { encoding: "utf8", maxBuffer: 1 << 28 });
  const results = JSON.parse(r.stdout) as Results;
  const runs = (variant: string) => results.results.find((v) => v.variant === variant)!.runs;

  it("crashes trylock-v2 in at least one of five seeds, with the kernel's message, inside an allocator list walk", () => {
    const bad = runs("trylock-v2").filter((run) => run.violation);
    expect(bad.length).toBeGreaterThanOrEqual(1);
    for (const { violation: v } of bad) {
      expect(v!.message).toMatch(
        /^(list_(add|del) corruption\. (prev->next|next->prev) should be ffffea[0-9a-f]+, but was [0-9a-f]+|general protection fault, probably for non-canonical address 0xdead0000000000f8)/,
      );
      expect(KERNEL_FUNCTIONS.has(v!.function)).toBe(true);
      expect(v!.trace.filter((f) => !KERNEL_FUNCTIONS.has(f))).toEqual([]);
      expect(v!.trace.some((f) => ["free_unref_page_list", "compact_zone", "isolate_freepages_block", "fast_isolate_freepages"].includes(f))).toBe(true);
      expect(v!.time_ns).toBeGreaterThan(0);
    }
    expect(r.status).toBe(0); // the scenario expects it
  });

  it("runs clean on every seed with the merged trylock and with irqsave", () => {
    expect(runs("trylock").map((run) => run.violation)).toEqual([null, null, null, null, null]);
    expect(runs("irqsave").map((run) => run.violation)).toEqual([null, null, null, null, null]);
    expect(results.expectations.every((e) => e.passed)).toBe(true);
  });

  it("is the load Hugh described: THP faults failing and compacting, reclaim, and softirq frees that miss the pcp lock", () => {
    for (const run of runs("trylock")) {
      const m = run.metrics;
      expect(m["alloc.failed"]).toBeGreaterThan(0);
      expect(m["reclaim.direct_pages"]).toBeGreaterThan(0);
      expect(m["reclaim.kswapd_pages"]).toBeGreaterThan(0);
      expect(m["pcp.trylock_fail.softirq"]).toBeGreaterThan(0);
    }
    expect(runs("trylock").some((run) => run.metrics["compaction.pages_migrated"]! > 0)).toBe(true);
  });
});
