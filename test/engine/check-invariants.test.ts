// check_invariants() on states no correct run reaches: a small scenario
// runs until both CPUs have pages on their pcp lists; then a test corrupts
// the lists as a locking bug would, and reads what the checker says.
import { describe, expect, it } from "vitest";
import { simulate } from "../../lib/engine/index.ts";
import { check_invariants } from "../../lib/engine/mm/check_invariants.ts";
import type { Mm } from "../../lib/engine/mm/page_alloc.ts";
import { MIGRATE_UNMOVABLE, order_to_pindex } from "../../lib/engine/mm/zone.ts";
import { scenarioOf } from "../support/scenario-runs.ts";

const TWO_CPUS = scenarioOf(`scenario "two-pcp-lists" {
  cpus 2
  memory 1GiB
  duration 1ms
  workload "kmalloc" on cpus all {
    every 100us
    alloc 10 x order 0 gfp GFP_KERNEL
    free immediately
  }
}`);

class Checked extends Error {
  constructor(readonly said: string | null) {
    super("checked");
  }
}

/** What check_invariants() says once `corrupt` has run on the first state
 * in which both CPUs' unmovable order-0 pcp lists hold pages, unlocked. */
function checkerSays(corrupt: (mm: Mm, lists: number[]) => void): string | null {
  try {
    simulate(TWO_CPUS, { variant: "irqsave", sweepValue: null, seed: 1 }, {
      afterEvent: (mm) => {
        const pcps = mm.node_zones[0]!.per_cpu_pageset;
        if (pcps.some((pcp) => pcp.lock.owner !== null || pcp.count < 3)) return;
        expect(check_invariants(mm)).toBeNull();
        corrupt(mm, pcps.map((pcp) => pcp.lists[order_to_pindex(MIGRATE_UNMOVABLE, 0)]!));
        throw new Checked(check_invariants(mm)); // a corrupted run cannot go on
      },
    });
  } catch (e) {
    if (e instanceof Checked) return e.said;
    throw e;
  }
  throw new Error("the lists never both held pages");
}

describe("check_invariants", () => {
  it("finds a page added to a second list without list_del (a double list_add CONFIG_DEBUG_LIST cannot see)", () => {
    let pfn = -1;
    const said = checkerSays((mm, [cpu0, cpu1]) => {
      const memmap = mm.memmap;
      pfn = memmap.list_first_entry(cpu0!, "test");
      memmap.list_add(pfn, cpu1!, "test");
    });
    expect(said).toBe(
      `pfn ${pfn.toString(16)} is listed twice: cpu 0's pcp list 0 reaches it from cpu 0's pcp list 0, but its prev link is cpu 1's pcp list 0 (a list_add without list_del)`,
    );
  });

  it("finds a page listed twice on one list", () => {
    let pfn = -1;
    const said = checkerSays((mm, [cpu0]) => {
      const memmap = mm.memmap;
      pfn = memmap.list_first_entry(cpu0!, "test");
      memmap.list_add_tail(pfn, cpu0!, "test");
    });
    expect(said).toMatch(new RegExp(`^pfn ${pfn.toString(16)} is listed twice: cpu 0's pcp list 0 reaches it from cpu 0's pcp list 0, but its prev link is pfn [0-9a-f]+ `));
  });

  it("finds a pcp list that holds a page in another state", () => {
    let pfn = -1;
    const said = checkerSays((mm, [, cpu1]) => {
      const memmap = mm.memmap;
      pfn = memmap.list_first_entry(cpu1!, "test");
      memmap.setFlags(pfn, 0);
    });
    expect(said).toBe(`pfn ${pfn.toString(16)} is on cpu 1's pcp list 0 but is not an order-0 pcp page`);
  });

  it("finds counts that disagree with the lists", () => {
    let count = 0;
    expect(checkerSays((mm) => (count = ++mm.node_zones[0]!.per_cpu_pageset[1]!.count))).toBe(`pcp->count is ${count} on cpu 1 but its lists hold ${count - 1} pages`);
    expect(checkerSays((mm) => mm.node_zones[0]!.free_area[3]!.nr_free++)).toMatch(/^free_area\[3\]\.nr_free is \d+ but its lists hold \d+ blocks$/);
    expect(checkerSays((mm) => mm.node_zones[0]!.nrFree--)).toMatch(/^NR_FREE_PAGES is (\d+) but the buddy lists hold (\d+) pages$/);
  });
});
