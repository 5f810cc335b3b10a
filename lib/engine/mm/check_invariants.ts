// The model's page-state invariants, checked when a run ends (the list
// operations check their neighbours all along): a free page is on exactly
// one list, pcp->count equals the pages on that CPU's lists, and the zone's
// free count equals what the buddy lists hold. A count is only compared
// when nobody holds the lock that guards it: a refill in progress has
// listed its pages but not yet counted them, as in the kernel.
import { Oops } from "../oops.ts";
import { CHUNK_PAGES, PG_buddy, PG_pcp } from "./memmap.ts";
import type { Mm } from "./page_alloc.ts";
import { MAX_ORDER, MIGRATE_TYPES, NR_PCP_LISTS, pindex_to_order, type Zone } from "./zone.ts";

export function check_invariants(mm: Mm): string | null {
  try {
    return walk(mm);
  } catch (e) {
    if (e instanceof Oops) return e.message;
    throw e;
  }
}

function walk(mm: Mm): string | null {
  const memmap = mm.memmap;
  const fn = "check_invariants";
  // With one zone the lists need no zone in their names.
  const named = mm.node_zones.length > 1;
  const names = mm.node_zones.map((zone) => listNames(zone, named));
  const headNames = new Map<number, string>();
  for (const [i, zone] of mm.node_zones.entries()) {
    const { pcpListName, freeListName } = names[i]!;
    zone.per_cpu_pageset.forEach((pcp, cpu) => pcp.lists.forEach((head, pindex) => headNames.set(head, pcpListName(cpu, pindex))));
    zone.free_area.forEach((area, order) => area.free_list.forEach((head, mt) => headNames.set(head, freeListName(order, mt))));
  }
  const nameOf = (link: number) => (link >= 0 ? `pfn ${link.toString(16)}` : (headNames.get(link) ?? "another list's head"));
  // Each step checks that the page's prev link leads back where the walk
  // came from. With one link pair per page, that also rules out a page on
  // two lists, or twice on one, and a cycle that misses the head: the walk
  // meets a page whose prev is not its predecessor first.
  const visit = (head: number, name: string, each: (page: number) => string | null): string | null => {
    for (let from = head, p = memmap.next(head, fn); p !== head; from = p, p = memmap.next(p, fn)) {
      const page = memmap.entry(p, fn);
      if (page < 0) return `${name} runs into ${nameOf(page)} after ${nameOf(from)}: a page is on two lists`;
      const prev = memmap.prev(page, fn);
      if (prev !== from) {
        return `pfn ${page.toString(16)} is listed twice: ${name} reaches it from ${nameOf(from)}, but its prev link is ${nameOf(prev)} (a list_add without list_del)`;
      }
      const problem = each(page);
      if (problem) return problem;
    }
    return null;
  };
  for (const [i, zone] of mm.node_zones.entries()) {
    const problem = walkZone(zone, names[i]!, visit);
    if (problem) return problem;
  }
  return null;
}

function listNames(zone: Zone, named: boolean) {
  const z = named ? `${zone.name}: ` : "";
  return {
    zoneName: z,
    pcpListName: (cpu: number, pindex: number) => `${z}cpu ${cpu}'s pcp list ${pindex}`,
    freeListName: (order: number, mt: number) => `${z}free_area[${order}].free_list[${mt}]`,
  };
}

function walkZone(
  zone: Zone,
  { zoneName, pcpListName, freeListName }: ReturnType<typeof listNames>,
  visit: (head: number, name: string, each: (page: number) => string | null) => string | null,
): string | null {
  const memmap = zone.memmap;

  for (const [cpu, pcp] of zone.per_cpu_pageset.entries()) {
    let pages = 0;
    for (let pindex = 0; pindex < NR_PCP_LISTS; pindex++) {
      const order = pindex_to_order(pindex);
      const problem = visit(pcp.lists[pindex]!, pcpListName(cpu, pindex), (page) => {
        if (!(memmap.flags(page) & PG_pcp) || memmap.order(page) !== order) {
          return `pfn ${page.toString(16)} is on ${pcpListName(cpu, pindex)} but is not an order-${order} pcp page`;
        }
        if (!zone.spans(page)) return `pfn ${page.toString(16)} is on ${pcpListName(cpu, pindex)} but is not a page of zone ${zone.name}`;
        pages += 1 << order;
        return null;
      });
      if (problem) return problem;
    }
    if (pages !== pcp.count && pcp.lock.owner === null) return `${zoneName}pcp->count is ${pcp.count} on cpu ${cpu} but its lists hold ${pages} pages`;
  }

  let free = zone.untouchedBlocks * CHUNK_PAGES;
  for (let order = 0; order < MAX_ORDER; order++) {
    let blocks = order === MAX_ORDER - 1 ? zone.untouchedBlocks : 0;
    for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
      const problem = visit(zone.free_area[order]!.free_list[mt]!, freeListName(order, mt), (page) => {
        if (!(memmap.flags(page) & PG_buddy) || memmap.order(page) !== order) {
          return `pfn ${page.toString(16)} is on ${freeListName(order, mt)} but is not a free order-${order} block`;
        }
        if (!zone.spans(page)) return `pfn ${page.toString(16)} is on ${freeListName(order, mt)} but is not a page of zone ${zone.name}`;
        blocks++;
        free += 1 << order;
        return null;
      });
      if (problem) return problem;
    }
    if (blocks !== zone.free_area[order]!.nr_free && zone.lock.owner === null) {
      return `${zoneName}free_area[${order}].nr_free is ${zone.free_area[order]!.nr_free} but its lists hold ${blocks} blocks`;
    }
  }
  if (free !== zone.nrFree && zone.lock.owner === null) return `${zoneName}NR_FREE_PAGES is ${zone.nrFree} but the buddy lists hold ${free} pages`;
  return null;
}
