// The model's costs (docs/model.md), each a constant or a sampler.
//
// A sampler is drawn from exactly where the kernel would pay the cost.
import type { Dist } from "../dsl/scenario.ts";
import { COSTS } from "../dsl/vocabulary.ts";
import { sample, type Rng } from "./rng.ts";

/** A cost given as a distribution: each draw() takes the next variate from
 * the run's RNG, so call it once per payment, where the kernel pays. */
interface Sampler {
  draw(): number;
}

type Cost = number | Sampler;

/** What paying the cost `c` takes this time, in ns. */
export function draw(c: Cost): number {
  return typeof c === "number" ? c : c.draw();
}

/** The costs of docs/model.md this engine charges. */
export const COSTS_IN_USE = [
  "spin_lock", "preempt", "irq_save", "cacheline_transfer", "pcp_list_op", "zone_lock_per_block",
  "buddy_level", "check_new_page", "irq_entry", "compaction_scan_per_page", "migrate_per_page",
  "reclaim_per_page",
];

export interface Costs {
  spin_lock: Cost;
  preempt: Cost;
  irq_save: Cost;
  cacheline_transfer: Cost;
  pcp_list_op: Cost;
  zone_lock_per_block: Cost;
  buddy_level: Cost;
  check_new_page: Cost;
  irq_entry: Cost;
  compaction_scan_per_page: Cost;
  migrate_per_page: Cost;
  reclaim_per_page: Cost;
}

/** The costs of one run: the scenario's, else each cost's default. */
export function makeCosts(overrides: Record<string, Dist>, rng: Rng): Costs {
  const costs: Record<string, Cost> = {};
  for (const c of COSTS) {
    const d = overrides[c.name];
    if (!d || d.kind === "const") costs[c.name] = d ? d.ns : c.defaultNs;
    else costs[c.name] = { draw: () => sample(rng, d) };
  }
  return costs as unknown as Costs;
}
