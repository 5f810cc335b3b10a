// drain_all_pages() and pcpu_drain_mutex as 6.1's __drain_all_pages()
// (mm/page_alloc.c) has them: one drain at a time; a caller without a zone
// (direct reclaim) returns when one is running, a caller with a zone
// (kcompactd, the `drain` statement) sleeps and then drains.
import { describe, expect, it } from "vitest";
import { simulate } from "../../lib/engine/index.ts";
import type { Context } from "../../lib/engine/context.ts";
import { drain_all_pages, type Mm } from "../../lib/engine/mm/page_alloc.ts";
import { scenarioOf } from "../support/scenario-runs.ts";

/** Two CPUs fill their pcp lists; `drainers` CPUs drain every 100 us, all at the same instants. */
const drains = (drainers: string) => `scenario "drains" {
  cpus 4
  memory 64MiB
  duration 5ms
  workload "fill" on cpus 2,3 in task {
    rate 2M/s
    alloc order 0 gfp GFP_KERNEL
    free after 20us
  }
  workload "drainer" on cpus ${drainers} in task {
    every 100us
    drain
  }
}`;

const run = (text: string, hooks: Parameters<typeof simulate>[2] = {}) =>
  simulate(scenarioOf(text), { variant: "irqsave", sweepValue: null, seed: 1 }, hooks).metrics;

describe("pcpu_drain_mutex", () => {
  it("makes a drain with a zone that finds another running sleep, then drain what is left", () => {
    const one = run(drains("0"));
    const two = run(drains("0,1"));
    expect(one["drain.waited"]).toBe(0);
    // Every 100 us one of the two sleeps while the other drains: 49 of 50 rounds
    // (the first falls in warmup).
    expect(two["drain.waited"]).toBeGreaterThanOrEqual(40);
    // The sleeper drains after the other, not beside it: the pcp locks see
    // no more contention than with one drainer (65 when the two overlapped).
    expect(two["lock.pcp.contentions"]).toBeLessThan(2 * one["lock.pcp.contentions"]! + 2);
  });

  it("makes a drain without a zone (direct reclaim's) return at once while another runs", () => {
    // While CPU 0's drain holds the mutex, CPU 1 calls drain_all_pages(NULL)
    // and then drain_all_pages(zone): the first returns, the second sleeps.
    const seen: string[] = [];
    let injected = false;
    const metrics = run(drains("0"), {
      afterEvent: (mm: Mm, m) => {
        if (injected || mm.pcpu_drain_mutex.owner === null || m.now < 1_000_000) return;
        const cpu = m.cpus[1]!;
        if (cpu.stack.length > 0) return;
        injected = true;
        cpu.queueTask(function* (x: Context) {
          yield* drain_all_pages(x, mm, null);
          seen.push(mm.pcpu_drain_mutex.owner === x ? "null: holds" : "null: returned");
          yield* drain_all_pages(x, mm, mm.node_zones[0]!);
          seen.push("zone: drained");
        }, 0);
      },
    });
    expect(injected).toBe(true);
    expect(seen).toEqual(["null: returned", "zone: drained"]);
    expect(metrics["drain.skipped"]).toBe(1);
    expect(metrics["drain.waited"]).toBe(1);
  });
});
