// Compaction walks the buddy free lists, so a corrupted one faults there:
// fast_isolate_freepages() follows each free page's lru.next looking for a
// migration target. A free page of the MOVABLE order-0 list (the only one
// a fragmented zone has below pageblock order), one the walk passes over,
// is put on another list without list_del (the defect class of v2), then
// list_del()ed from that, so the free list still leads to it and its next
// link is LIST_POISON1. Only THPs are allocated, so nothing else takes
// from that list first.
import { describe, expect, it } from "vitest";
import { simulate, type TraceEvent } from "../../lib/engine/index.ts";
import { MIGRATE_MOVABLE } from "../../lib/engine/mm/zone.ts";
import { scenarioOf } from "../support/scenario-runs.ts";

const thp = scenarioOf(`scenario "thp" {
  cpus 2
  memory 1GiB
  duration 20ms
  fragmentation 98%
  config DEBUG_LIST off
  workload "shmem-thp" on cpus all in task {
    rate 2k/s
    alloc order 9 gfp GFP_TRANSHUGE_LIGHT | __GFP_RECLAIM | __GFP_NORETRY
    free after exp(5ms)
  }
}`);

describe("compaction over a corrupted free list", () => {
  it("faults at 0xdead0000000000f8 in fast_isolate_freepages, in compact_zone", () => {
    let corrupted = -1;
    let compacted = false;
    const r = simulate(thp, { variant: "trylock", sweepValue: null, seed: 1 }, {
      tracepoint: (e: TraceEvent) => {
        if (e.name === "mm_compaction_begin") compacted = true;
      },
      afterEvent: (mm) => {
        const zone = mm.node_zones[0]!;
        if (corrupted >= 0 || !compacted || zone.lock.owner !== null) return;
        // A free page from the middle of the zone, moved to the head: the
        // walk passes over it (the free scanner wants targets in the top
        // quarter) and the migrate scanner, starting at the zone's start,
        // is far from its buddy.
        const head = zone.free_area[0]!.free_list[MIGRATE_MOVABLE]!;
        const middle = zone.base + zone.managedPages / 2;
        for (const page of mm.memmap.list_for_each_entry_safe(head, "test")) {
          if (corrupted < 0 || Math.abs(page - middle) < Math.abs(corrupted - middle)) corrupted = page;
        }
        mm.memmap.list_del(corrupted, "test");
        mm.memmap.list_add(corrupted, head, "test");
        const elsewhere = mm.memmap.newHead();
        mm.memmap.list_add(corrupted, elsewhere, "test");
        mm.memmap.list_del(corrupted, "test");
      },
    });
    expect(corrupted).toBeGreaterThanOrEqual(0);
    expect(r.violation).toMatchObject({
      message: "general protection fault, probably for non-canonical address 0xdead0000000000f8: 0000 [#1] PREEMPT SMP",
      function: "fast_isolate_freepages",
    });
    expect(r.violation!.trace).toContain("compact_zone");
  });
});
