import type { Variant } from "../mm/page_alloc.ts";
import { irqBypass } from "./irq-bypass.ts";
import { irqsave } from "./irqsave.ts";
import { trylock } from "./trylock.ts";
import { trylock2026 } from "./trylock-2026.ts";
import { trylockV2 } from "./trylock-v2.ts";

export const VARIANT_IMPLEMENTATIONS: Readonly<Record<string, Variant>> = {
  irqsave,
  trylock,
  "trylock-v2": trylockV2,
  "irq-bypass": irqBypass,
  "trylock-2026": trylock2026,
};
