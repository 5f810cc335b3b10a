// CONFIG_SMP=n: the UP spinlock lets a softirq's pcp trylock through while
// kcompactd drains under a plain spin_lock(&pcp->lock), the bug
// 038a102535eb "mm/page_alloc: prevent pcp corruption with SMP=n" fixed.
// The config is set on the parsed scenario, so one text serves every case.
import { describe, expect, it } from "vitest";
import type { Scenario } from "../../lib/dsl/index.ts";
import { resultsDigest, runScenario, simulate } from "../../lib/engine/index.ts";
import { scenarioOf } from "../support/scenario-runs.ts";

const UP = `scenario "up-pcp-corruption" {
  cpus 1
  memory 1GiB
  duration 20ms
  compare trylock, irqsave, trylock-2026

  workload "kcompactd" on cpus 0 {
    every 20us
    drain
  }

  workload "munmap" on cpus 0 {
    rate 200k/s
    alloc order 0 gfp GFP_KERNEL
    free after exp(2ms) in softirq
  }

  workload "nic-rx" on cpus 0 in softirq {
    rate 1M/s
    alloc order 0 gfp GFP_ATOMIC
    free after exp(1ms) in task
  }
}`;

function run(variant: string, config: Partial<Scenario["config"]>) {
  const s = scenarioOf(UP);
  s.config = { ...s.config, ...config };
  return simulate(s, { variant, sweepValue: null, seed: 1 });
}

describe("CONFIG_SMP=n", () => {
  it("trylock: a softirq 'takes' the pcp lock kcompactd's drain holds, and the drain finds its count stale", () => {
    const r = run("trylock", { SMP: false, DEBUG_SPINLOCK: false });
    expect(r.violation).toMatchObject({
      context: "task",
      function: "free_pcppages_bulk",
      message: expect.stringMatching(/^pcplab: pcp lists empty, \d+ pages left to free \(pcp->count 0\): free_pcppages_bulk would index past pcp->lists\[\]$/),
      trace: ["free_pcppages_bulk", "drain_pages_zone", "drain_all_pages"],
    });
    // No spinlock state on UP without DEBUG_SPINLOCK: nothing is logged.
    expect(r.messages).toBeUndefined();
    // With SMP the softirq's trylock fails while the drain holds the lock.
    const smp = run("trylock", { SMP: true });
    expect(smp.violation).toBeNull();
    expect(smp.metrics["pcp.trylock_fail.softirq"]).toBeGreaterThan(0);
  });

  it("irqsave (6.1) and trylock-2026 (038a102535eb) keep IRQs off under the drain's pcp lock and run clean", () => {
    for (const variant of ["irqsave", "trylock-2026"]) {
      const r = run(variant, { SMP: false, DEBUG_SPINLOCK: false });
      expect(r.violation, variant).toBeNull();
      expect(r.metrics["pcp.trylock_fail"], variant).toBe(0);
    }
  });

  it("CONFIG_DEBUG_SPINLOCK: the held lock fails the trylock with the kernel's BUG, once, and the run goes on", () => {
    const r = run("trylock", { SMP: false, DEBUG_SPINLOCK: true });
    expect(r.violation).toBeNull();
    expect(r.messages).toEqual([
      "BUG: spinlock trylock failure on UP on CPU#0, softirq",
      " lock: &pcp->lock (cpu 0), .magic: dead4ead, .owner: task, .owner_cpu: 0",
    ]);
    expect(r.metrics["pcp.trylock_fail.softirq"]).toBeGreaterThan(0);
    expect(run("trylock-2026", { SMP: false, DEBUG_SPINLOCK: true }).messages).toBeUndefined();
  });
});

describe("kernel messages in the results", () => {
  it("are part of a run's JSON and its digest only when logged", () => {
    const s = scenarioOf(UP.replace("duration 20ms", "duration 2ms").replace("compare trylock, irqsave, trylock-2026", "lock trylock"));
    s.config = { ...s.config, SMP: false, DEBUG_SPINLOCK: true };
    const logged = runScenario(s, "sha256:test");
    expect(logged.results[0]!.runs[0]!.messages?.[0]).toBe("BUG: spinlock trylock failure on UP on CPU#0, softirq");
    const withoutMessages = logged.results.map((g) => ({ ...g, runs: g.runs.map(({ messages: _m, ...run }) => run) }));
    expect(resultsDigest(logged.results)).not.toBe(resultsDigest(withoutMessages));
    const quiet = runScenario(scenarioOf(UP.replace("duration 20ms", "duration 2ms")), "sha256:test");
    expect(quiet.results.every((g) => g.runs.every((run) => !("messages" in run)))).toBe(true);
  });
});

describe("trylock-v2 on UP", () => {
  // Task-context list frees (v2's free_unref_page_list) under softirq
  // allocations: v2's diff saves IRQs around each hold on UP
  // (pcp_trylock_prepare), so no softirq finds the task holding the lock.
  const V2_UP = `scenario "up-v2" {
  cpus 1
  config SMP off
  memory 128MiB
  duration 20ms
  lock trylock-v2

  workload "truncate" on cpus 0 in task {
    rate 200k/s
    alloc order 0 gfp GFP_KERNEL
    free batch 64 after exp(1ms)
  }

  workload "nic-rx" on cpus 0 in softirq {
    rate 1M/s
    alloc order 0 gfp GFP_ATOMIC
    free after exp(1ms) in softirq
  }
}`;

  it("keeps IRQs off while its list free holds the pcp lock: DEBUG_SPINLOCK logs nothing", () => {
    const s = scenarioOf(V2_UP);
    expect(s.config.DEBUG_SPINLOCK).toBe(true);
    const r = simulate(s, { variant: "trylock-v2", sweepValue: null, seed: 1 });
    expect(r.violation).toBeNull();
    expect(r.messages).toBeUndefined();
    expect(r.metrics["free.pages"]).toBeGreaterThan(1000);
  });
});
