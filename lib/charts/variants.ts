// Variants in the scenario's order (the base, named first in `compare`,
// leads) and one colour per variant name, the same in every chart and every
// notebook: Vega would otherwise sort them alphabetically and colour them by
// their place in that order, so a variant could change colour between two
// scenarios or between charts that show different variants.
import type { Results } from "../engine/index.ts";
import { VARIANT_NAMES } from "../dsl/vocabulary.ts";

/** Tableau 10's first colours, one per lock variant the language knows, in
 * vocabulary order; readable on white and told apart by colour-blind readers. */
const PALETTE = ["#4c78a8", "#f58518", "#e45756", "#54a24b", "#b279a2", "#9d755d", "#72b7b2", "#eeca3b"];

/** The variants of these results in the scenario's order. */
export function variantOrder(results: Results): string[] {
  const seen: string[] = [];
  for (const g of results.results) if (!seen.includes(g.variant)) seen.push(g.variant);
  return seen;
}

function variantColour(variant: string): string {
  const known = VARIANT_NAMES.indexOf(variant);
  if (known >= 0) return PALETTE[known % PALETTE.length]!;
  // A name this build does not know (results from a later engine): a
  // colour of its own past the known ones, derived from the name alone.
  let h = 0;
  for (const c of variant) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const spare = PALETTE.length - VARIANT_NAMES.length;
  return PALETTE[VARIANT_NAMES.length + (spare > 0 ? h % spare : 0)] ?? PALETTE[h % PALETTE.length]!;
}

/** The colour channel every chart uses: domain in scenario order, each
 * variant's own colour. */
export function variantColourScale(results: Results): { domain: string[]; range: string[] } {
  const domain = variantOrder(results);
  return { domain, range: domain.map(variantColour) };
}
