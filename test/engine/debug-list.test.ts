// config DEBUG_LIST: on, a list operation checks its neighbours and reports
// list corruption where it finds it; off, list_del() only poisons, and a
// fault comes where something follows a poisoned or stale link.
import { describe, expect, it } from "vitest";
import { simulate } from "../../lib/engine/index.ts";
import { MemMap } from "../../lib/engine/mm/memmap.ts";
import { Oops, oopsReport } from "../../lib/engine/oops.ts";
import { scenarioOf } from "../support/scenario-runs.ts";
import { v2CrashScenario } from "../support/v2-crash.ts";

const v2 = (config: string) => scenarioOf(v2CrashScenario(`compare trylock-v2, trylock\n  ${config}`));

function oopsOf(f: () => void, cpu = 2) {
  try {
    f();
  } catch (e) {
    if (e instanceof Oops) return oopsReport(e, 0, cpu, "softirq");
    throw e;
  }
  return null;
}

/** Pages 0..n-1 on a fresh list. */
function listOf(mm: MemMap, n: number): number {
  const head = mm.newHead();
  for (let p = 0; p < n; p++) mm.list_add_tail(p, head, "test");
  return head;
}

describe("DEBUG_LIST on (the default)", () => {
  it("reports v2's missing list_del as list_del corruption, as before", () => {
    const r = simulate(v2(""), { variant: "trylock-v2", sweepValue: null, seed: 3 });
    expect(r.violation?.message).toMatch(/^list_del corruption\. prev->next should be /);
    expect(r.violation?.trace).toEqual(["__list_del_entry_valid", "free_unref_page_list", "release_pages"]);
  });
});

describe("DEBUG_LIST off", () => {
  it("lets v2's stale list_del through: no list_del corruption, the run goes on", () => {
    const on = simulate(v2(""), { variant: "trylock-v2", sweepValue: null, seed: 3 });
    const off = simulate(v2("config DEBUG_LIST off"), { variant: "trylock-v2", sweepValue: null, seed: 3 });
    expect(off.violation?.message ?? "").not.toMatch(/corruption/);
    if (off.violation) expect(off.violation.time_ns).toBeGreaterThan(on.violation!.time_ns);
    expect(off.metrics["engine.events"]).toBeGreaterThan(on.metrics["engine.events"]!);
  });

  it("leaves trylock, which list_del()s every page, clean either way", () => {
    for (const config of ["", "config DEBUG_LIST off"]) {
      expect(simulate(v2(config), { variant: "trylock", sweepValue: null, seed: 3 }).violation).toBeNull();
    }
  });

  it("a second list_del writes through LIST_POISON1: a GPF at 0xdead000000000108", () => {
    const mm = new MemMap(4096, 1);
    mm.debugList = false;
    listOf(mm, 3);
    mm.list_del(1, "free_pcppages_bulk");
    const v = oopsOf(() => mm.list_del(1, "free_pcppages_bulk"));
    expect(v?.message).toBe("general protection fault, probably for non-canonical address 0xdead000000000108: 0000 [#1] PREEMPT SMP");
    expect(v?.function).toBe("free_pcppages_bulk");
  });

  it("with the check on, the same second list_del is list_del corruption", () => {
    const mm = new MemMap(4096, 1);
    listOf(mm, 3);
    mm.list_del(1, "free_pcppages_bulk");
    expect(oopsOf(() => mm.list_del(1, "free_pcppages_bulk"))?.message).toBe(
      "list_del corruption, ffffea0000000048->next is LIST_POISON1 (dead000000000100)",
    );
  });

  // v2's free_unref_page_list in miniature: page 0 goes to the pcp list
  // without list_del (the commit), pages 1 and 2 are list_del()ed with their
  // stale neighbours (the failed trylock), then the pcp list is drained.
  const v2Walk = (debugList: boolean) => {
    const mm = new MemMap(4096, 1);
    mm.debugList = debugList;
    const head = listOf(mm, 3);
    const pcp = mm.newHead();
    return oopsOf(() => {
      for (const page of mm.list_for_each_entry_safe(head, "free_unref_page_list")) {
        if (page === 0) mm.list_add(0, pcp, "free_unref_page_commit");
        else mm.list_del(page, "free_unref_page_list");
      }
      for (const _ of mm.list_for_each_entry_safe(pcp, "free_pcppages_bulk"));
    });
  };

  it("v2's stale list_del splices the temporary list into the pcp list: the drain walks onto its head", () => {
    expect(v2Walk(false)).toMatchObject({ message: expect.stringMatching(/^pcplab: list walk left its list, at another list's head /), function: "free_pcppages_bulk" });
    expect(v2Walk(true)?.message).toMatch(/^list_del corruption\. prev->next should be ffffea0000000048, but was /);
  });

  it("a list whose links loop without the head is a soft lockup, not a hang", () => {
    const mm = new MemMap(4096, 1);
    mm.debugList = false;
    const head = listOf(mm, 3);
    // Page 2 re-added after page 0: 0 -> 2 -> 1 -> 2 -> ... never reaches head.
    mm.list_add(2, 0, "test");
    mm.list_add(1, 2, "test");
    const v = oopsOf(() => {
      for (const _ of mm.list_for_each_entry_safe(head, "free_pcppages_bulk"));
    }, 2);
    expect(v?.message).toBe("watchdog: BUG: soft lockup - CPU#2 stuck for 22s!");
    expect(v?.function).toBe("free_pcppages_bulk");
  });

  it("a walk that a corrupted link leads onto another list's head ends the run with a report, not an engine error", () => {
    const mm = new MemMap(4096, 1);
    mm.debugList = false;
    const head = listOf(mm, 2);
    const other = listOf(mm, 0);
    // A stale list_add: page 1's next now leads to the other list's head.
    mm.list_add(1, other, "test");
    const v = oopsOf(() => {
      for (const _ of mm.list_for_each_entry_safe(head, "free_pcppages_bulk"));
    });
    expect(v?.message).toMatch(/^pcplab: list walk left its list, at another list's head ffff[0-9a-f]+: the kernel would take ffff[0-9a-f]+ for a struct page$/);
    expect(v?.function).toBe("free_pcppages_bulk");
  });
});
