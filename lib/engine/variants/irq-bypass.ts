// irq-bypass: 374ad05ab64d "mm, page_alloc: only use per-cpu allocator for
// irq-safe requests" (4.11-rc, reverted by d34b0733b452). Task context uses
// the pcp lists as 6.1 does (irqsave here); allocations and frees from
// hardirq or softirq never touch them: rmqueue() goes straight to the buddy
// lists and free_hot_cold_page() to __free_pages_ok(), both under zone->lock.
import type { Code, Context } from "../context.ts";
import { unwind } from "../oops.ts";
import { free_one_page, free_unref_page_list_prepare, pcp_migratetype, type Mm, type Variant } from "../mm/page_alloc.ts";
import { free_unref_page_list_61, irqsave } from "./irqsave.ts";

/** free_hot_cold_page_list(), 4.11-rc: each page through free_hot_cold_page(),
 * which in interrupt context frees it straight to the buddy lists. */
function* free_unref_page_list(x: Context, mm: Mm, list: number): Code {
  try {
    if (!x.in_interrupt()) {
      yield* free_unref_page_list_61(x, mm, list);
      return;
    }
    free_unref_page_list_prepare(mm, list);
    const memmap = mm.zone.memmap;
    for (const page of memmap.list_for_each_entry_safe(list, "free_unref_page_list")) {
      yield* free_one_page(x, mm, page, 0, pcp_migratetype(mm, page));
    }
  } catch (e) {
    throw unwind(e, "free_unref_page_list");
  }
}

export const irqBypass: Variant = { ...irqsave, name: "irq-bypass", bypassPcpInInterrupt: true, free_unref_page_list };
