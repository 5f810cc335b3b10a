// A cost given as a distribution draws from the run's RNG only when the
// model pays it, never when code merely looks at it.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/engine/index.ts";
import { scenarioOf } from "../support/scenario-runs.ts";

const DIST_COST = `scenario "dist-cost" {
  cpus 2
  memory 256MiB
  duration 1ms
  cost spin_lock exp(20ns)
  workload "w" on cpus all {
    rate 100k/s
    alloc order 0 gfp GFP_KERNEL
    free immediately
  }
}
`;

describe("distribution costs", () => {
  it("leave the run's RNG alone when read, however often", () => {
    const s = scenarioOf(DIST_COST);
    const spec = { variant: s.variants[0]!, sweepValue: null, seed: 7 };
    const looked = new Simulation(s, spec);
    const untouched = new Simulation(s, spec);
    for (let i = 0; i < 3; i++) void looked.machine.costs.spin_lock;
    expect(looked.machine.rng.nextFloat()).toBe(untouched.machine.rng.nextFloat());
  });
});
