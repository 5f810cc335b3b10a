// A run event by event: Simulation.step() is the same run as simulate(),
// one event at a time, so a test or a tool can stop anywhere and look.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { digest, MAX_BACKLOG, MAX_TOUCHED_PAGES, Overloaded, simulate, Simulation, type RunResult } from "../../lib/engine/index.ts";
import { scenarioOf } from "../support/scenario-runs.ts";

const SMALL = `scenario "step" {
  cpus 2
  memory 256MiB
  duration 2ms
  warmup 200us
  workload "faults" on cpus all {
    rate 200k/s
    alloc order 0 gfp GFP_HIGHUSER_MOVABLE
    free after exp(50us)
  }
  workload "nic-rx" on cpus 0 in hardirq {
    rate 50k/s
    alloc order 0 gfp GFP_ATOMIC
    free immediately
  }
}`;

/** The result without its wall time, which no two runs share. */
const modelOf = (r: RunResult) => digest({ ...r, metrics: { ...r.metrics, "engine.wall_ms": 0 } });

describe("Simulation.step()", () => {
  const s = scenarioOf(SMALL);
  const spec = { variant: "trylock", sweepValue: null, seed: 3 };

  it("steps to the same result as simulate(), one event per step, time never going back", () => {
    const sim = new Simulation(s, spec);
    let steps = 0;
    let last = 0;
    let backwards = 0;
    for (;;) {
      const more = sim.step();
      steps++;
      if (sim.machine.now < last) backwards++;
      last = sim.machine.now;
      if (!more) break;
    }
    const stepped = sim.result();
    expect(backwards).toBe(0);
    expect(steps).toBe(stepped.metrics["engine.events"]);
    expect(last).toBe(s.warmupNs + s.durationNs);
    expect(stepped.metrics["alloc.requests"]).toBeGreaterThan(700);
    expect(modelOf(stepped)).toBe(modelOf(simulate(s, spec)));
  });

  it("says when the run is over, and gives results only then", () => {
    const sim = new Simulation(s, spec);
    for (let i = 0; i < 100; i++) sim.step();
    expect(sim.machine.done).toBe(false);
    expect(() => sim.result()).toThrow(/not over/);
    while (sim.step());
    expect(sim.machine.done).toBe(true);
    expect(sim.step()).toBe(false);
    expect(sim.result().metrics["engine.events"]).toBe(simulate(s, spec).metrics["engine.events"]);
  });

  it("stops a run whose CPU cannot keep up, naming the run, the CPU and the context", () => {
    // One hardirq every 100 ns on CPU 1, each taking irq_entry's 500 ns:
    // the backlog grows by about 4 every 500 ns, and would for 50 ms.
    const storm = scenarioOf(SMALL.replace("duration 2ms", "duration 50ms").replace("on cpus 0 in hardirq {\n    rate 50k/s", "on cpus 1 in hardirq {\n    every 100ns"));
    expect(() => simulate(storm, spec)).toThrow(Overloaded);
    expect(() => simulate(storm, spec)).toThrow(new RegExp(`^run trylock, seed 3: CPU 1's hardirq context has ${MAX_BACKLOG} pieces of work waiting at [\\d.]+ ms`));
    // A sweep's run is named by its value, as the report names it.
    const sweep = scenarioOf(SMALL.replace("duration 2ms", "duration 50ms\n  sweep \"nic-rx\".rate in 10k/s, 10M/s"));
    expect(() => simulate(sweep, { ...spec, sweepValue: 1e7 })).toThrow(/^run trylock, seed 3 at "nic-rx"\.rate 10000000: CPU 0's hardirq context/);
    // The shipped scenario whose CPUs stall longest stays well below the limit.
    const thp = scenarioOf(readFileSync(new URL("../../scenarios/thp-compaction-stress.scn", import.meta.url), "utf8"));
    expect(() => simulate(thp, { variant: "trylock", sweepValue: null, seed: 1 })).not.toThrow();
  });

  it("stops a run whose workloads would hold more page frames than the model keeps", () => {
    // 64 order-10 blocks every 100 us on each of 4 CPUs, never freed: 4 TiB
    // would fill in 0.4 s. Until the limit, 1.25 TiB of it took 89 s and
    // 8.2 GB, and all of it would have taken the host down.
    const hog = scenarioOf(`scenario "hog" {
  cpus 4
  memory 4TiB
  duration 500ms
  cost zone_lock_per_block 0ns
  cost check_new_page 0ns
  workload "hog" on cpus all {
    every 100us
    alloc 64 x order 10 gfp GFP_KERNEL
  }
}`);
    expect(MAX_TOUCHED_PAGES).toBe(2 ** 25);
    expect(() => simulate(hog, spec)).toThrow(
      /^run trylock, seed 3: the workloads have touched 33554432 pages \(128 GiB\) by [\d.]+ ms, the most page frames the model keeps in one run/,
    );
  });

  it("works off a long backlog of arrivals that cost nothing, as well by steps as in one go", () => {
    // Refilling the pcp list costs 40 us a page, so while the 629 pages of
    // the 4 MiB DMA zone last, arrivals at 1M/s queue up by the ten
    // thousand. Then the zone is empty, and each queued GFP_ATOMIC
    // allocation fails at once, at no cost. Until the fix each of those nested a call chain in the last,
    // and the run died of a stack overflow.
    const backlog = scenarioOf(`scenario "backlog" {
  cpus 1
  memory 4MiB
  duration 50ms
  lock trylock
  cost zone_lock_per_block 40us
  workload "atomic" on cpus all {
    rate 1M/s
    alloc order 0 gfp GFP_ATOMIC
  }
}`);
    const r = simulate(backlog, spec);
    expect(r.metrics["alloc.requests"]).toBeGreaterThan(45_000);
    // GFP_ATOMIC may take the zone down to 19 pages (min 49, halved for
    // __GFP_HIGH, less a quarter for ALLOC_HARDER).
    expect(r.metrics["alloc.failed"]).toBe(r.metrics["alloc.requests"]! - (629 - 19));
    expect(r.metrics["alloc.latency_ns.p50"]).toBe(0);
    const sim = new Simulation(backlog, spec);
    while (sim.step());
    expect(modelOf(sim.result())).toBe(modelOf(r));
  });

  it("stops at a violation, before the run's end", () => {
    const v2 = scenarioOf(readFileSync(new URL("../../scenarios/v2-list-corruption.scn", import.meta.url), "utf8"));
    // `pcplab run` on the shipped scenario reports trylock-v2's first crash at seed 3.
    const crashing = { variant: "trylock-v2", sweepValue: null, seed: 3 };
    const expected = simulate(v2, crashing);
    expect(expected.violation).not.toBeNull();
    const sim = new Simulation(v2, crashing);
    while (sim.step());
    const r = sim.result();
    expect(r.violation).toEqual(expected.violation);
    expect(sim.machine.now).toBeLessThan(v2.warmupNs + v2.durationNs);
  });
});
