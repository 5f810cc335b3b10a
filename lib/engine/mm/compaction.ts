// Memory compaction, mirroring mm/compaction.c of Linux 6.1 by name: the
// migrate scanner walks pageblocks up from the zone start and moves movable
// pages; the free scanner walks down from the zone end and isolates free
// pages from the buddy lists to move them to. A direct compactor captures
// the block it frees (compaction_capture); kcompactd drains every CPU after
// a run that did not succeed.
//
// Simplified, and said so: only order-0 movable pages migrate
// (a larger movable block is skipped, as THP migration is not modelled);
// a batch of sources is isolated in one step; each page compaction
// migrated away from is freed through free_unref_page() as soon as it is
// migrated, and isolated free pages it did not use go back one by one
// through __free_pages();
// ASYNC mode scans MOVABLE pageblocks only and never waits, SYNC_LIGHT
// scans every pageblock. Scanning costs compaction_scan_per_page per pfn,
// migrating migrate_per_page per page.
import { draw } from "../costs.ts";
import type { Code, Context } from "../context.ts";
import { spin_lock_irqsave, spin_unlock_irqrestore, trylockNow, type Spinlock } from "../lock.ts";
import { unwind } from "../oops.ts";
import { PG_alloc, PG_buddy, PG_isolated } from "./memmap.ts";
import {
  __free_pages, __zone_watermark_ok, del_page_from_free_list, drain_all_pages, drain_pages_zone, free_area_has,
  trace, wmark_pages, ALLOC_WMARK_LOW, ALLOC_WMARK_MIN, type AllocContext, type CaptureControl, type Mm,
} from "./page_alloc.ts";
import { MAX_ORDER, MIGRATE_MOVABLE, MIGRATE_PCPTYPES, PAGE_ALLOC_COSTLY_ORDER, pageblock_order, type Zone } from "./zone.ts";

const pageblock_nr_pages = 1 << pageblock_order;
const COMPACT_CLUSTER_MAX = 32;

// enum compact_result, include/linux/compaction.h 6.1 (the ones used here)
const COMPACT_NOT_SUITABLE_ZONE = 0;
export const COMPACT_SKIPPED = 1;
export const COMPACT_DEFERRED = 2;
const COMPACT_NO_SUITABLE_PAGE = 3;
const COMPACT_CONTINUE = 4;
const COMPACT_COMPLETE = 5;
const COMPACT_PARTIAL_SKIPPED = 6;
const COMPACT_CONTENDED = 7;
const COMPACT_SUCCESS = 8;
/** The names trace/events/compaction.h prints for them. */
const COMPACT_RESULT_NAMES = [
  "not_suitable_zone", "skipped", "deferred", "no_suitable_page", "continue", "complete", "partial_skipped", "contended", "success",
];

// enum compact_priority
const COMPACT_PRIO_SYNC_FULL = 0;
const COMPACT_PRIO_SYNC_LIGHT = 1;
const COMPACT_PRIO_ASYNC = 2;
export const MIN_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_FULL;
export const MIN_COMPACT_COSTLY_PRIORITY = COMPACT_PRIO_SYNC_LIGHT;
export const DEF_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_LIGHT;
export const INIT_COMPACT_PRIORITY = COMPACT_PRIO_ASYNC;
const COMPACT_MAX_DEFER_SHIFT = 6;

/** struct compact_control, mm/internal.h 6.1 (the fields used) */
interface CompactControl {
  zone: Zone;
  /** The allocation's highest zone, for the watermarks' lowmem_reserve. */
  highest_zoneidx: number;
  order: number;
  migratetype: number;
  alloc_flags: number;
  async: boolean;
  /** Direct compaction (a task allocating) rather than kcompactd. */
  direct: boolean;
  migrate_pfn: number;
  free_pfn: number;
  /** Isolated free pages (order 0) waiting to be migrated to. */
  freepages: number[];
  /** A direct compactor's capture_control. */
  capc: CaptureControl | null;
  /** The run covers the zone from its start: meeting scanners mean COMPLETE. */
  whole_zone: boolean;
  /** An async trylock found a lock held (compact_lock_irqsave). */
  contended: boolean;
  /** Sync full compaction (MIN_COMPACT_PRIORITY) ignores the skip hints,
   * and with them fast_find_migrateblock(). */
  ignore_skip_hint: boolean;
  /** fast_find_migrateblock() searches that found nothing: each halves
   * freelist_scan_limit(). */
  fast_search_fail: number;
}

/** defer_compaction(), mm/compaction.c 6.1 */
export function defer_compaction(zone: Zone, order: number): void {
  zone.compact_considered = 0;
  zone.compact_defer_shift++;
  if (order < zone.compact_order_failed) zone.compact_order_failed = order;
  if (zone.compact_defer_shift > COMPACT_MAX_DEFER_SHIFT) zone.compact_defer_shift = COMPACT_MAX_DEFER_SHIFT;
}

/** compaction_deferred(), mm/compaction.c 6.1 */
function compaction_deferred(zone: Zone, order: number): boolean {
  const defer_limit = 1 << zone.compact_defer_shift;
  if (order < zone.compact_order_failed) return false;
  if (++zone.compact_considered >= defer_limit) {
    zone.compact_considered = defer_limit;
    return false;
  }
  return true;
}

/** compaction_defer_reset(), mm/compaction.c 6.1 */
export function compaction_defer_reset(zone: Zone, order: number, alloc_success: boolean): void {
  if (alloc_success) {
    zone.compact_considered = 0;
    zone.compact_defer_shift = 0;
  }
  if (order >= zone.compact_order_failed) zone.compact_order_failed = order + 1;
}

/** compact_gap(), mm/internal.h 6.1: room for the pages being migrated. */
function compact_gap(order: number): number {
  return 2 << order;
}

/** compaction_suitable(), mm/compaction.c 6.1: SUCCESS when the allocation
 * would succeed already, SKIPPED when there are too few free pages to
 * migrate into, else CONTINUE. */
export function compaction_suitable(zone: Zone, order: number, alloc_flags: number, highest_zoneidx: number): number {
  if (__zone_watermark_ok(zone, order, wmark_pages(zone, alloc_flags), highest_zoneidx, alloc_flags, zone.nrFree)) return COMPACT_SUCCESS;
  // __compaction_suitable(): costly orders want the low watermark.
  const watermark = order > PAGE_ALLOC_COSTLY_ORDER ? zone.wmark.low : zone.wmark.min;
  if (!__zone_watermark_ok(zone, 0, watermark + compact_gap(order), highest_zoneidx, ALLOC_WMARK_MIN, zone.nrFree)) return COMPACT_SKIPPED;
  return COMPACT_CONTINUE;
}

/** __compact_finished(), mm/compaction.c 6.1: meeting scanners end the run,
 * COMPLETE only when it covered the whole zone; otherwise a free block
 * of the order (or a pageblock to steal) is SUCCESS, and failing that a
 * contended run gives up. No watermark test: 6.1 has none here. The model
 * steps whole pageblocks, so every check is at a pageblock boundary. */
function __compact_finished(cc: CompactControl): number {
  const zone = cc.zone;
  if (cc.free_pfn <= cc.migrate_pfn) {
    // Let the next compaction start anew: reset_cached_positions().
    zone.compact_cached_migrate_pfn = zone.base;
    zone.compact_cached_free_pfn = zone.lastPageblock;
    return cc.whole_zone ? COMPACT_COMPLETE : COMPACT_PARTIAL_SKIPPED;
  }
  if (cc.capc && cc.capc.page >= 0) return COMPACT_SUCCESS;
  for (let order = cc.order; order < MAX_ORDER; order++) {
    if (zone.free_area[order]!.nr_free === 0) continue;
    if (free_area_has(zone, order, cc.migratetype)) return COMPACT_SUCCESS;
    // A whole pageblock of another type could be stolen (can_steal_fallback).
    if (order >= pageblock_order) {
      for (let mt = 0; mt < MIGRATE_PCPTYPES; mt++) if (free_area_has(zone, order, mt)) return COMPACT_SUCCESS;
    }
  }
  // COMPACT_NO_SUITABLE_PAGE, which compact_finished() turns into CONTINUE.
  return cc.contended ? COMPACT_CONTENDED : COMPACT_CONTINUE;
}

/** freelist_scan_limit(), mm/compaction.c 6.1 */
function freelist_scan_limit(cc: CompactControl): number {
  return (COMPACT_CLUSTER_MAX >> Math.min(31, cc.fast_search_fail)) + 1;
}

/**
 * fast_find_migrateblock(), mm/compaction.c 6.1: for a costly order, walk
 * the MOVABLE free lists from cc.order - 1 down to PAGE_ALLOC_COSTLY_ORDER
 * (at most freelist_scan_limit() entries, under zone->lock) for a free
 * page in the first half (later, eighth) of the way to the free scanner:
 * its pageblock, having free pages already, is the next to migrate from.
 * The walk follows each page's lru.next, so a poisoned link there faults
 * in compact_zone. Simplified: no pageblock skip bits, so only a block at
 * or after the scanner is taken (the kernel skips blocks it marked), and
 * the list is not rotated (move_freelist_tail()).
 */
function* fast_find_migrateblock(x: Context, cc: CompactControl): Code<number> {
  try {
    const zone = cc.zone;
    const pfn = cc.migrate_pfn;
    if (cc.ignore_skip_hint || cc.order <= PAGE_ALLOC_COSTLY_ORDER) return pfn;
    if (cc.direct && cc.migratetype !== MIGRATE_MOVABLE) return pfn;
    const limit = freelist_scan_limit(cc);
    let distance = Math.floor((cc.free_pfn - cc.migrate_pfn) / 2);
    if (cc.migrate_pfn !== zone.base) distance = Math.floor(distance / 4);
    const high_pfn = cc.migrate_pfn + distance - ((cc.migrate_pfn + distance) % pageblock_nr_pages);
    let nr_scanned = 0;
    let found = -1;
    for (let order = cc.order - 1; order >= PAGE_ALLOC_COSTLY_ORDER && found < 0 && nr_scanned < limit; order--) {
      const area = zone.free_area[order]!;
      if (!area.nr_free) continue;
      yield* spin_lock_irqsave(x, zone.lock);
      const before = nr_scanned;
      const freelist = area.free_list[MIGRATE_MOVABLE]!;
      for (let walk = zone.memmap.list_for_each_entry_safe(freelist, "fast_find_migrateblock"), freepage = walk.next(); freepage !== freelist; freepage = walk.next()) {
        if (nr_scanned++ >= limit) break;
        if (freepage >= high_pfn || freepage < pfn) continue;
        found = freepage - (freepage % pageblock_nr_pages);
        break;
      }
      x.spend((nr_scanned - before) * draw(x.m.costs.compaction_scan_per_page));
      yield* spin_unlock_irqrestore(x, zone.lock);
    }
    if (found >= 0) {
      cc.fast_search_fail = 0;
      return found;
    }
    cc.fast_search_fail++;
    return pfn;
  } catch (e) {
    throw unwind(e, "fast_find_migrateblock");
  }
}

/** compact_lock_irqsave(), mm/compaction.c 6.1: async compaction tries the
 * lock first and, finding it held, notes the contention (the run then
 * gives up at its next __compact_finished()) but still takes the lock. */
function* compact_lock_irqsave(x: Context, lock: Spinlock, cc: CompactControl): Code {
  if (cc.async && !cc.contended) {
    // spin_trylock_irqsave(): IRQs are saved, and restored on failure.
    if (x.mustYield()) yield x.pending;
    x.irqSaveNow();
    if (trylockNow(x, lock)) return;
    cc.contended = true;
    if (x.irqRestoreNow()) yield 0;
  }
  yield* spin_lock_irqsave(x, lock);
}

/** suitable_migration_source(), mm/compaction.c 6.1: async compaction only
 * migrates from MOVABLE pageblocks. */
function suitable_migration_source(cc: CompactControl, pfn: number): boolean {
  if (!cc.async) return true;
  return cc.zone.memmap.pageblockMigratetype(pfn) === MIGRATE_MOVABLE;
}

/** isolate_migratepages_block(), mm/compaction.c 6.1: from `pfn` on in
 * the pageblock, up to COMPACT_CLUSTER_MAX order-0 pages workloads hold
 * movable. Returns the pfn where the scan stopped. */
function isolate_migratepages_block(x: Context, mm: Mm, pfn: number, end: number, sources: number[]): number {
  try {
    const memmap = mm.memmap;
    let scanned = 0;
    for (; pfn < end && sources.length < COMPACT_CLUSTER_MAX; pfn++) {
      scanned++;
      const flags = memmap.flags(pfn);
      if (flags & PG_buddy) {
        pfn += (1 << memmap.order(pfn)) - 1;
        continue;
      }
      if (!(flags & PG_alloc) || flags & PG_isolated) continue;
      const order = memmap.order(pfn);
      if (order > 0) pfn += (1 << order) - 1; // a compound page: skipped whole
      else if (mm.owners.movable(pfn)) {
        memmap.setFlags(pfn, flags | PG_isolated);
        sources.push(pfn);
      }
    }
    x.spend(scanned * draw(x.m.costs.compaction_scan_per_page));
    return pfn;
  } catch (e) {
    throw unwind(e, "isolate_migratepages_block");
  }
}

/** migrate_pages() -> unmap_and_move(), mm/migrate.c 6.1: one page at a
 * time, its contents move to an isolated free page, its owner follows, and
 * the old page is put_page()d at once, which for its last reference ends
 * in free_unref_page() (__folio_put_small(), mm/swap.c), before the next
 * page migrates. Pages not migrated are put back (putback_movable_pages).
 * A page its owner freed meanwhile is simply gone. Returns false when free
 * pages ran out. 6.1 has no batched migrate_pages_batch() yet. */
function* migrate_pages(x: Context, mm: Mm, cc: CompactControl, sources: number[]): Code<boolean> {
  try {
    const memmap = mm.memmap;
    if (cc.freepages.length < sources.length) yield* isolate_freepages(x, cc, sources.length);
    let ranOut = false;
    for (const page of sources) {
      const flags = memmap.flags(page);
      if (!(flags & PG_isolated)) continue;
      memmap.setFlags(page, flags & ~PG_isolated);
      if (cc.freepages.length === 0) {
        ranOut = true;
        continue;
      }
      x.spend(draw(x.m.costs.migrate_per_page));
      mm.owners.migrate(page, cc.freepages.pop()!);
      if (mm.metrics.measuring) mm.metrics.compactMigrated++;
      yield* __free_pages(x, mm, page, 0);
    }
    return !ranOut;
  } catch (e) {
    throw unwind(e, "migrate_pages");
  }
}

/** One pageblock of compact_zone()'s loop. Returns false when the free
 * scanner ran out of pages (the scanners met). */
function* compact_pageblock(x: Context, mm: Mm, cc: CompactControl, block: number): Code<boolean> {
  try {
    const end = Math.min(block + pageblock_nr_pages, cc.zone.end);
    for (let pfn = block; pfn < end; ) {
      const sources: number[] = [];
      pfn = isolate_migratepages_block(x, mm, pfn, end, sources);
      if (sources.length === 0) continue;
      const complete = yield* migrate_pages(x, mm, cc, sources);
      if (x.mustYield()) yield x.pending;
      if (!complete) return false;
      if (cc.capc && cc.capc.page >= 0) return true;
    }
    return true;
  } catch (e) {
    throw unwind(e, "compact_pageblock");
  }
}

/** fast_isolate_freepages(), mm/compaction.c 6.1 in part: before scanning
 * pfns, look along the free lists below the wanted order (at most
 * freelist_scan_limit entries each) for a page in the upper part of the
 * zone, and isolate the first found. This walks the buddy lists. */
function* fast_isolate_freepages(x: Context, cc: CompactControl): Code {
  try {
    const zone = cc.zone;
    const memmap = zone.memmap;
    const limit = COMPACT_CLUSTER_MAX + 1;
    const low_pfn = cc.free_pfn - Math.floor((cc.free_pfn - cc.migrate_pfn) / 4);
    yield* spin_lock_irqsave(x, zone.lock);
    let scanned = 0;
    for (let order = Math.min(cc.order, pageblock_order) - 1; order >= 0 && cc.freepages.length === 0; order--) {
      const head = zone.free_area[order]!.free_list[MIGRATE_MOVABLE]!;
      let seen = 0;
      for (let walk = memmap.list_for_each_entry_safe(head, "fast_isolate_freepages"), page = walk.next(); page !== head; page = walk.next()) {
        scanned++;
        if (++seen > limit) break;
        if (page < low_pfn || page <= cc.migrate_pfn) continue;
        __isolate_free_page(zone, cc, page, order, "fast_isolate_freepages");
        break;
      }
    }
    x.spend(scanned * draw(x.m.costs.compaction_scan_per_page));
    zone.noteFreeMin();
    yield* spin_unlock_irqrestore(x, zone.lock);
  } catch (e) {
    throw unwind(e, "fast_isolate_freepages");
  }
}

/** __isolate_free_page() then split_map_pages(), mm/page_alloc.c and
 * mm/compaction.c 6.1: the buddy block leaves its free list and waits as
 * order-0 migration targets. Under zone->lock. */
function __isolate_free_page(zone: Zone, cc: CompactControl, page: number, order: number, fn: string): void {
  try {
    del_page_from_free_list(zone, page, order, fn);
    for (let p = page; p < page + (1 << order); p++) {
      zone.memmap.setFlags(p, PG_alloc);
      zone.memmap.setOrder(p, 0);
      cc.freepages.push(p);
    }
  } catch (e) {
    throw unwind(e, "__isolate_free_page");
  }
}

/** isolate_freepages(), mm/compaction.c 6.1: walk pageblocks down from
 * free_pfn, above the migrate scanner, isolating buddy pages below
 * pageblock order (a free pageblock is left alone: suitable_migration_target)
 * until `want` pages are isolated. */
function* isolate_freepages(x: Context, cc: CompactControl, want: number): Code {
  try {
    const zone = cc.zone;
    if (cc.order > 0) yield* fast_isolate_freepages(x, cc);
    for (; cc.free_pfn > cc.migrate_pfn && cc.freepages.length < want; cc.free_pfn -= pageblock_nr_pages) {
      const block = cc.free_pfn;
      if (zone.isUntouched(block) || !zone.memmap.hasChunk(block)) continue;
      yield* isolate_freepages_block(x, cc, block, want);
      if (cc.freepages.length >= want) break;
    }
  } catch (e) {
    throw unwind(e, "isolate_freepages");
  }
}

/** isolate_freepages_block(), mm/compaction.c 6.1: under zone->lock (taken
 * by compact_lock_irqsave(), so async compaction notes contention), each
 * PageBuddy block is taken off its free list (__isolate_free_page) and
 * split into order-0 pages for migration targets. */
function* isolate_freepages_block(x: Context, cc: CompactControl, block: number, want: number): Code {
  try {
    const zone = cc.zone;
    const memmap = zone.memmap;
    const end = Math.min(block + pageblock_nr_pages, zone.end);
    yield* compact_lock_irqsave(x, zone.lock, cc);
    let scanned = 0;
    let isolatedBlocks = 0;
    for (let pfn = block; pfn < end && cc.freepages.length < want; pfn++) {
      scanned++;
      if (!(memmap.flags(pfn) & PG_buddy)) continue;
      const order = memmap.order(pfn);
      if (order >= pageblock_order) break; // suitable_migration_target(): a free pageblock
      __isolate_free_page(zone, cc, pfn, order, "isolate_freepages_block");
      isolatedBlocks++;
      pfn += (1 << order) - 1;
    }
    // __isolate_free_page() per block under the lock; the split into order-0
    // pages (split_map_pages(), later and unlocked) is not charged.
    x.spend(scanned * draw(x.m.costs.compaction_scan_per_page) + isolatedBlocks * draw(x.m.costs.zone_lock_per_block));
    zone.noteFreeMin();
    yield* spin_unlock_irqrestore(x, zone.lock);
  } catch (e) {
    throw unwind(e, "isolate_freepages_block");
  }
}

/** release_freepages(), mm/compaction.c 6.1: free pages isolated but not used go back. */
function* release_freepages(x: Context, mm: Mm, cc: CompactControl): Code {
  try {
    while (cc.freepages.length > 0) yield* __free_pages(x, mm, cc.freepages.pop()!, 0);
  } catch (e) {
    throw unwind(e, "release_freepages");
  }
}

/** compact_zone(), mm/compaction.c 6.1 */
function* compact_zone(x: Context, mm: Mm, cc: CompactControl): Code<number> {
  try {
    const zone = cc.zone;
    let ret = compaction_suitable(zone, cc.order, cc.alloc_flags, cc.highest_zoneidx);
    if (mm.tracepoint) trace(x, mm, "mm_compaction_suitable", { order: cc.order, ret: COMPACT_RESULT_NAMES[ret]! });
    if (ret === COMPACT_SUCCESS || ret === COMPACT_SKIPPED) return ret;
    if (cc.whole_zone) {
      cc.migrate_pfn = zone.base;
      cc.free_pfn = zone.lastPageblock;
    } else {
      cc.migrate_pfn = zone.compact_cached_migrate_pfn;
      cc.free_pfn = zone.compact_cached_free_pfn;
      // compact_init_migrate_pfn: at the zone's start, the run covers it whole.
      if (cc.migrate_pfn <= zone.base) cc.whole_zone = true;
    }
    const mode = cc.async ? "async" : "sync_light";
    const who = cc.direct ? "direct" : "kcompactd";
    if (mm.tracepoint) trace(x, mm, "mm_compaction_begin", { order: cc.order, mode, who, migrate_pfn: cc.migrate_pfn, free_pfn: cc.free_pfn });
    while ((ret = __compact_finished(cc)) === COMPACT_CONTINUE) {
      // isolate_migratepages(): the fast search may start further on.
      const block = yield* fast_find_migrateblock(x, cc);
      if (suitable_migration_source(cc, block) && !zone.isUntouched(block) && zone.memmap.hasChunk(block)) {
        const more = yield* compact_pageblock(x, mm, cc, block);
        if (!more) {
          cc.free_pfn = cc.migrate_pfn;
          continue;
        }
        // Pages freed to this CPU's pcp lists cannot merge (or be captured)
        // until drained: lru_add_drain_cpu_zone() -> drain_local_pages().
        if (cc.direct && cc.order > 0) yield* drain_pages_zone(x, mm, x.cpu.id, zone);
      } else {
        x.spend(draw(x.m.costs.compaction_scan_per_page));
      }
      cc.migrate_pfn = block + pageblock_nr_pages;
      if (x.mustYield()) yield x.pending;
    }
    yield* release_freepages(x, mm, cc);
    // Meeting scanners reset the cached positions already.
    if (ret !== COMPACT_COMPLETE && ret !== COMPACT_PARTIAL_SKIPPED) {
      zone.compact_cached_migrate_pfn = cc.migrate_pfn;
      zone.compact_cached_free_pfn = cc.free_pfn;
    }
    // Counted as it ends, so a run begun in warmup counts whole and
    // attempts = success + fail.
    if (mm.metrics.measuring) {
      mm.metrics.compactAttempts++;
      if (ret === COMPACT_SUCCESS) mm.metrics.compactSuccess++;
      else mm.metrics.compactFail++;
    }
    if (mm.tracepoint) trace(x, mm, "mm_compaction_end", { order: cc.order, mode, who, status: COMPACT_RESULT_NAMES[ret]! });
    return ret;
  } catch (e) {
    throw unwind(e, "compact_zone");
  }
}

/**
 * compact_zone_order(), mm/compaction.c 6.1: a direct compactor publishes
 * its capture_control, so a block of the order it wants that is freed in
 * this zone on its CPU comes straight to it. Returns the result and the
 * captured block (or -1).
 */
function* compact_zone_order(x: Context, mm: Mm, zone: Zone, order: number, migratetype: number, alloc_flags: number, prio: number, highest_zoneidx: number): Code<[number, number]> {
  try {
    const capc: CaptureControl = { cpu: x.cpu.id, zone, order, page: -1 };
    const cc: CompactControl = {
      zone, highest_zoneidx, order, migratetype, alloc_flags, async: prio === COMPACT_PRIO_ASYNC, direct: true,
      migrate_pfn: 0, free_pfn: 0, freepages: [], capc,
      whole_zone: prio === MIN_COMPACT_PRIORITY, contended: false,
      ignore_skip_hint: prio === MIN_COMPACT_PRIORITY, fast_search_fail: 0,
    };
    mm.capc[x.cpu.id] = capc;
    let status = COMPACT_SKIPPED;
    try {
      status = yield* compact_zone(x, mm, cc);
    } finally {
      // WRITE_ONCE(current->capture_control, NULL): a captured block is ours.
      mm.capc[x.cpu.id] = null;
    }
    const page = capc.page;
    if (page >= 0 && mm.tracepoint) trace(x, mm, "mm_compaction_captured", { order, pfn: page });
    return [page >= 0 ? COMPACT_SUCCESS : status, page];
  } catch (e) {
    throw unwind(e, "compact_zone_order");
  }
}

/**
 * try_to_compact_pages(), mm/compaction.c 6.1: each zone of the zonelist in
 * turn until one succeeds; a deferred zone is skipped. Returns the best result and the captured block (or -1).
 */
export function* try_to_compact_pages(x: Context, mm: Mm, order: number, migratetype: number, alloc_flags: number, prio: number, ac: AllocContext): Code<[number, number]> {
  try {
    let rc = COMPACT_SKIPPED;
    for (const zone of ac.zonelist) {
      if (prio > MIN_COMPACT_PRIORITY && compaction_deferred(zone, order)) {
        if (mm.tracepoint) trace(x, mm, "mm_compaction_deferred", { order, defer_shift: zone.compact_defer_shift });
        rc = Math.max(rc, COMPACT_DEFERRED);
        continue;
      }
      const [status, page] = yield* compact_zone_order(x, mm, zone, order, migratetype, alloc_flags, prio, ac.highest_zoneidx);
      rc = Math.max(rc, status);
      if (status === COMPACT_SUCCESS) {
        compaction_defer_reset(zone, order, false);
        return [rc, page];
      }
      if (prio !== COMPACT_PRIO_ASYNC && (status === COMPACT_COMPLETE || status === COMPACT_PARTIAL_SKIPPED)) defer_compaction(zone, order);
    }
    return [rc, -1];
  } catch (e) {
    throw unwind(e, "try_to_compact_pages");
  }
}

/** kcompactd_do_work(), mm/compaction.c 6.1: sync-light compaction of each
 * zone, lowest first, for the order that woke it; on COMPLETE or
 * PARTIAL_SKIPPED it drains the zone from every CPU's pcp lists ("Buddy
 * pages may become stranded on pcps") and defers. */
export function* kcompactd_do_work(x: Context, mm: Mm, order: number): Code {
  try {
    if (mm.tracepoint) trace(x, mm, "mm_compaction_kcompactd_wake", { order });
    const highest_zoneidx = mm.node_zones[mm.node_zones.length - 1]!.idx;
    for (const zone of mm.node_zones) {
      if (compaction_deferred(zone, order)) continue;
      if (compaction_suitable(zone, order, ALLOC_WMARK_MIN, zone.idx) !== COMPACT_CONTINUE) continue;
      const cc: CompactControl = {
        zone, highest_zoneidx, order, migratetype: MIGRATE_MOVABLE, alloc_flags: ALLOC_WMARK_LOW, async: false, direct: false,
        migrate_pfn: 0, free_pfn: 0, freepages: [], capc: null, whole_zone: false, contended: false,
        ignore_skip_hint: false, fast_search_fail: 0,
      };
      const status = yield* compact_zone(x, mm, cc);
      if (status === COMPACT_SUCCESS) compaction_defer_reset(zone, order, false);
      else if (status === COMPACT_PARTIAL_SKIPPED || status === COMPACT_COMPLETE) {
        yield* drain_all_pages(x, mm, zone);
        defer_compaction(zone, order);
      }
    }
  } catch (e) {
    throw unwind(e, "kcompactd_do_work");
  }
}
