// The header's account of the zones a run simulates (docs/model.md "Zones
// and watermarks"): a function of memory and cpus, so a sweep of either
// gets one line per value.
import type { Scenario } from "../dsl/scenario.ts";
import { applySweep, simulatedZones, sweepParamName, type SimulatedZone } from "../engine/index.ts";
import { sweepValueText } from "./format.ts";

/** The zones in zonelist order (the one allocations try first leads). */
function describe(zones: SimulatedZone[]): string {
  const each = zones.map(
    (z) => `zone ${z.name}: ${z.managedPages} pages, min/low/high ${z.min}/${z.low}/${z.high}, pcp high/batch ${z.pcpHigh}/${z.pcpBatch}`,
  );
  return `${each.join("; ")}, min_free_kbytes ${zones[0]!.minFreeKbytes}`;
}

/** Sweeps that change the machine's zone setup. */
export const SETUP_SWEEPS: ReadonlySet<string> = new Set(["memory", "cpus", "pcp.high", "pcp.batch"]);

export function zoneLines(s: Scenario): string[] {
  if (!s.sweep || !SETUP_SWEEPS.has(s.sweep.param.kind)) {
    return [describe(simulatedZones(s.memoryBytes, s.cpus, s.pcp))];
  }
  return s.sweep.values.map((v) => {
    const at = applySweep(s, v);
    return `${sweepParamName(s)} ${sweepValueText(s, v)}: ${describe(simulatedZones(at.memoryBytes, at.cpus, at.pcp))}`;
  });
}
