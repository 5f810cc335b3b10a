// The model's page-state invariants, checked when a run ends (the list
// operations check their neighbours all along): a free page is on exactly
// one list, pcp->count equals the pages on that CPU's lists, and the zone's
// free count equals what the buddy lists hold. A count is only compared
// when nobody holds the lock that guards it: a refill in progress has
// listed its pages but not yet counted them, as in the kernel.
import { Oops } from "../oops.ts";
import { CHUNK_PAGES, PG_buddy, PG_pcp } from "./memmap.ts";
import type { Mm } from "./page_alloc.ts";
import { MAX_ORDER, MIGRATE_TYPES, NR_PCP_LISTS, pindex_to_order } from "./zone.ts";

export function check_invariants(mm: Mm): string | null {
  try {
    return walk(mm);
  } catch (e) {
    if (e instanceof Oops) return e.message;
    throw e;
  }
}

function walk(mm: Mm): string | null {
  const zone = mm.zone;
  const memmap = zone.memmap;
  const fn = "check_invariants";
  // Pages seen on a list, a bit each, by chunk of the memmap: a Set of
  // pfns stops at 2^24 entries, and a zone can hold more free blocks.
  const seen = new Map<number, Uint8Array>();
  const firstSight = (page: number): boolean => {
    const chunk = Math.floor(page / CHUNK_PAGES);
    let bits = seen.get(chunk);
    if (!bits) seen.set(chunk, (bits = new Uint8Array(CHUNK_PAGES / 8)));
    const i = page - chunk * CHUNK_PAGES;
    const mask = 1 << (i & 7);
    if (bits[i >> 3]! & mask) return false;
    bits[i >> 3]! |= mask;
    return true;
  };
  const limit = zone.managedPages + 1;
  const visit = (head: number, each: (page: number) => string | null): string | null => {
    let steps = 0;
    for (let p = memmap.next(head, fn); p !== head; p = memmap.next(p, fn)) {
      if (++steps > limit) return "a list does not lead back to its head (a cycle through other lists)";
      const page = memmap.entry(p, fn);
      if (!firstSight(page)) return `pfn ${page.toString(16)} is on two free lists`;
      const problem = each(page);
      if (problem) return problem;
    }
    return null;
  };

  for (const [cpu, pcp] of zone.per_cpu_pageset.entries()) {
    let pages = 0;
    for (let pindex = 0; pindex < NR_PCP_LISTS; pindex++) {
      const order = pindex_to_order(pindex);
      const problem = visit(pcp.lists[pindex]!, (page) => {
        if (!(memmap.flags(page) & PG_pcp) || memmap.order(page) !== order) {
          return `pfn ${page.toString(16)} is on cpu ${cpu}'s pcp list ${pindex} but is not an order-${order} pcp page`;
        }
        pages += 1 << order;
        return null;
      });
      if (problem) return problem;
    }
    if (pages !== pcp.count && pcp.lock.owner === null) return `pcp->count is ${pcp.count} on cpu ${cpu} but its lists hold ${pages} pages`;
  }

  let free = zone.untouchedBlocks * CHUNK_PAGES;
  for (let order = 0; order < MAX_ORDER; order++) {
    let blocks = order === MAX_ORDER - 1 ? zone.untouchedBlocks : 0;
    for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
      const problem = visit(zone.free_area[order]!.free_list[mt]!, (page) => {
        if (!(memmap.flags(page) & PG_buddy) || memmap.order(page) !== order) {
          return `pfn ${page.toString(16)} is on free_area[${order}] but is not a free order-${order} block`;
        }
        blocks++;
        free += 1 << order;
        return null;
      });
      if (problem) return problem;
    }
    if (blocks !== zone.free_area[order]!.nr_free && zone.lock.owner === null) {
      return `free_area[${order}].nr_free is ${zone.free_area[order]!.nr_free} but its lists hold ${blocks} blocks`;
    }
  }
  if (free !== zone.nrFree && zone.lock.owner === null) return `NR_FREE_PAGES is ${zone.nrFree} but the buddy lists hold ${free} pages`;
  return null;
}
