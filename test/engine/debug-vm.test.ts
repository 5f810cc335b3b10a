// CONFIG_DEBUG_VM: whether a page a pcp list hands out is checked. A free
// block of the buddy lists is slipped onto CPU 0's pcp list, still
// PageBuddy, as a corrupted list would lead an allocation to it; with the
// check the allocation is the Bad page state, without it the page goes out
// and its free is.
import { describe, expect, it } from "vitest";
import { simulate } from "../../lib/engine/index.ts";
import { PG_buddy } from "../../lib/engine/mm/memmap.ts";
import type { Mm } from "../../lib/engine/mm/page_alloc.ts";
import { MAX_ORDER, MIGRATE_UNMOVABLE, MIGRATE_TYPES, order_to_pindex } from "../../lib/engine/mm/zone.ts";
import { scenarioOf } from "../support/scenario-runs.ts";

const scenario = (debugVm: string) =>
  scenarioOf(`scenario "one-pcp-list" {
  cpus 2
  memory 1GiB
  duration 1ms
  config DEBUG_VM ${debugVm}
  workload "kmalloc" on cpus 0 {
    every 100us
    alloc 10 x order 0 gfp GFP_KERNEL
    free immediately
  }
}`);

/** Moves the first free buddy block onto CPU 0's unmovable order-0 pcp
 * list once that list holds pages; returns its pfn. */
function slipBuddyPageOnPcp(mm: Mm): number {
  const zone = mm.node_zones[0]!;
  const pcp = zone.per_cpu_pageset[0]!;
  for (let order = 0; order < MAX_ORDER; order++) {
    for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
      const head = zone.free_area[order]!.free_list[mt]!;
      if (mm.memmap.list_empty(head, "test")) continue;
      const page = mm.memmap.list_first_entry(head, "test");
      mm.memmap.list_del(page, "test");
      mm.memmap.list_add(page, pcp.lists[order_to_pindex(MIGRATE_UNMOVABLE, 0)]!, "test");
      pcp.count++;
      return page;
    }
  }
  throw new Error("no free block");
}

function run(debugVm: string) {
  let slipped = -1;
  const r = simulate(scenario(debugVm), { variant: "irqsave", sweepValue: null, seed: 1 }, {
    afterEvent: (mm) => {
      const pcp = mm.node_zones[0]!.per_cpu_pageset[0]!;
      if (slipped >= 0 || pcp.count < 3 || pcp.lock.owner !== null) return;
      slipped = slipBuddyPageOnPcp(mm);
      expect(mm.memmap.flags(slipped) & PG_buddy).toBe(PG_buddy);
    },
  });
  return { r, slipped };
}

describe("config DEBUG_VM", () => {
  it("on (the default): the allocation that takes a PageBuddy page from a pcp list is the Bad page state", () => {
    const { r, slipped } = run("on");
    expect(r.violation).toMatchObject({
      function: "__alloc_pages",
      message: `BUG: Bad page state: pfn:${slipped.toString(16)} allocated while PageBuddy`,
    });
  });

  it("off: the page goes out as it is, and freeing it is the Bad page state (nonzero mapcount)", () => {
    const { r, slipped } = run("off");
    expect(r.violation).toMatchObject({
      function: "__free_pages",
      message: `BUG: Bad page state: pfn:${slipped.toString(16)} freed while PageBuddy (nonzero mapcount)`,
    });
    expect(r.violation!.trace.slice(0, 1)).toEqual(["__free_pages"]);
  });
});
