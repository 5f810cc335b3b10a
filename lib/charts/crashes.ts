// Crashed runs in the notebook, by the rule the report follows (lkp's
// compare): perf values from complete runs only, the crashes counted apart.
// Summaries are taken again from the runs, so results stored before they
// followed the rule chart and tabulate by it too.
import { failureCounts, summarizeGroup, type RunSummary, type VariantResult } from "../engine/index.ts";

const summaries = new WeakMap<VariantResult, Record<string, RunSummary>>();

/** A group's summaries: failure metrics over every run, the rest over its
 * complete runs (absent when every run crashed). */
export function groupSummary(group: VariantResult): Record<string, RunSummary> {
  let s = summaries.get(group);
  if (!s) summaries.set(group, (s = summarizeGroup(group.runs)));
  return s;
}

export function crashedRuns(group: VariantResult): number {
  return group.runs.filter((r) => r.violation).length;
}

/** "trylock-v2: 3 of 5 runs crashed (dmesg.list_del_corruption), its
 * values are from the 2 complete runs." per group that crashed; "" when
 * none did. `label` names a group (with its sweep value, if any). */
export function crashNote(groups: VariantResult[], label: (g: VariantResult) => string = (g) => g.variant): string {
  const parts = groups.flatMap((g) => {
    const crashed = crashedRuns(g);
    if (crashed === 0) return [];
    const classes = [...failureCounts(g.runs).keys()].join(", ");
    const complete = g.runs.length - crashed;
    const rest = complete === 0 ? "it has no perf values" : `its values are from the ${complete} complete run${complete === 1 ? "" : "s"}`;
    return [`${label(g)}: ${crashed} of ${g.runs.length} runs crashed (${classes}), ${rest}.`];
  });
  return parts.length === 0 ? "" : ` ${parts.join(" ")}`;
}
