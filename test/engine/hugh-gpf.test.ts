// scenarios/hugh-gpf.scn: v2 on a kernel without CONFIG_DEBUG_LIST or
// CONFIG_DEBUG_VM, truncation lists freed from task context, two zones.
// v2 has two defects there, and each crash goes with its own: without
// c3e58a70425a's list_del() a failed trylock after a commit wires the
// temporary list into a pcp list and the buddy lists, which ends in
// Hugh's GPF at 0xdead0000000000f8 or another fault on a poisoned or
// stale link; and a failed trylock at a change of zone keeps locked_zone
// with pcp NULL, which ends in a NULL pointer dereference. Fixing one
// leaves the other's crashes; fixing both, every seed runs clean.
import { afterEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { simulate } from "../../lib/engine/index.ts";
import type { Variant } from "../../lib/engine/mm/page_alloc.ts";
import { VARIANT_IMPLEMENTATIONS } from "../../lib/engine/variants/index.ts";
import { v2_free_unref_page_list } from "../../lib/engine/variants/trylock-v2.ts";
import { scenarioOf } from "../support/scenario-runs.ts";

const scenario = scenarioOf(readFileSync(new URL("../../scenarios/hugh-gpf.scn", import.meta.url), "utf8"));
const SEEDS = [7, 8, 9, 10, 11];
const GPF = "general protection fault, probably for non-canonical address 0xdead0000000000f8: 0000 [#1] PREEMPT SMP";
const NULL_PCP = "BUG: kernel NULL pointer dereference, address: 0000000000000028";
const implementations = VARIANT_IMPLEMENTATIONS as Record<string, Variant>;
const v2 = implementations["trylock-v2"]!;
const runs = (variant: string) => SEEDS.map((seed) => simulate(scenario, { variant, sweepValue: null, seed }).violation);
const withV2 = (fixes: { alwaysRemove?: boolean; forgetZoneOnFailure?: boolean }) => {
  implementations["trylock-v2"] = { ...v2, free_unref_page_list: v2_free_unref_page_list(fixes) };
  return runs("trylock-v2");
};

describe("hugh-gpf", () => {
  afterEach(() => {
    implementations["trylock-v2"] = v2;
  });

  it("ends trylock-v2's runs in Hugh's GPF, in task context, and in NULL pcp dereferences; trylock and irqsave run clean", () => {
    const crashes = runs("trylock-v2");
    const gpfs = crashes.filter((v) => v?.message === GPF);
    expect(gpfs.length).toBeGreaterThanOrEqual(1);
    expect(gpfs[0]).toMatchObject({ context: "task", function: "free_unref_page_list", trace: ["free_unref_page_list", "release_pages"] });
    expect(crashes.filter((v) => v?.message === NULL_PCP).length).toBeGreaterThanOrEqual(1);
    expect(crashes.every((v) => v !== null)).toBe(true);
    expect(runs("trylock")).toEqual(SEEDS.map(() => null));
    expect(runs("irqsave")).toEqual(SEEDS.map(() => null));
  });

  it("keeps only the NULL pcp dereferences once every page leaves the temporary list first (c3e58a70425a)", () => {
    const crashes = withV2({ alwaysRemove: true });
    expect(crashes.map((v) => v?.message)).toEqual(SEEDS.map(() => NULL_PCP));
  });

  it("keeps only the list corruption once a failed trylock forgets locked_zone", () => {
    const crashes = withV2({ forgetZoneOnFailure: true });
    expect(crashes.every((v) => v !== null && v.message !== NULL_PCP)).toBe(true);
    expect(crashes.some((v) => v?.message === GPF)).toBe(true);
  });

  it("runs clean with both fixes, as the merged patch has them", () => {
    expect(withV2({ alwaysRemove: true, forgetZoneOnFailure: true })).toEqual(SEEDS.map(() => null));
  });
});
