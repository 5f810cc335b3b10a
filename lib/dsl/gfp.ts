// gfp masks exactly as Linux 6.1 spells them (include/linux/gfp_types.h),
// for x86-64 without CONFIG_KASAN_HW_TAGS or CONFIG_LOCKDEP, so the
// ___GFP_SKIP_* and ___GFP_NOLOCKDEP bits are 0 as they are there.
import type { GfpExpr } from "./ast.ts";
import { error, type Diagnostic } from "./diagnostics.ts";
import { didYouMean } from "./suggest.ts";

const GFP_BITS: ReadonlyArray<readonly [name: string, value: number, doc: string]> = [
  ["__GFP_DMA", 0x01, "zone modifier: ZONE_DMA"],
  ["__GFP_HIGHMEM", 0x02, "zone modifier: ZONE_HIGHMEM"],
  ["__GFP_DMA32", 0x04, "zone modifier: ZONE_DMA32"],
  ["__GFP_MOVABLE", 0x08, "page can be migrated or reclaimed (MIGRATE_MOVABLE)"],
  ["__GFP_RECLAIMABLE", 0x10, "reclaimable slab (MIGRATE_RECLAIMABLE)"],
  ["__GFP_HIGH", 0x20, "high priority: may dip below min (ALLOC_HIGH, min/2)"],
  ["__GFP_IO", 0x40, "may start physical IO"],
  ["__GFP_FS", 0x80, "may call into the filesystem"],
  ["__GFP_ZERO", 0x100, "return a zeroed page"],
  ["__GFP_ATOMIC", 0x200, "cannot sleep, high priority (ALLOC_HARDER, min/4 more)"],
  ["__GFP_DIRECT_RECLAIM", 0x400, "caller may enter direct reclaim (may sleep)"],
  ["__GFP_KSWAPD_RECLAIM", 0x800, "wake kswapd at the low watermark"],
  ["__GFP_WRITE", 0x1000, "caller intends to dirty the page"],
  ["__GFP_NOWARN", 0x2000, "suppress allocation failure reports"],
  ["__GFP_RETRY_MAYFAIL", 0x4000, "retry reclaim while it makes progress; may fail"],
  ["__GFP_NOFAIL", 0x8000, "retry forever; never fails"],
  ["__GFP_NORETRY", 0x10000, "give up early: one light reclaim/compaction attempt"],
  ["__GFP_MEMALLOC", 0x20000, "access to all reserves (ALLOC_NO_WATERMARKS)"],
  ["__GFP_COMP", 0x40000, "compound page metadata"],
  ["__GFP_NOMEMALLOC", 0x80000, "forbid emergency reserves"],
  ["__GFP_HARDWALL", 0x100000, "enforce the cpuset memory policy"],
  ["__GFP_THISNODE", 0x200000, "this node only, no fallback"],
  ["__GFP_ACCOUNT", 0x400000, "account to kmemcg"],
  ["__GFP_ZEROTAGS", 0x800000, "zero memory tags with the page"],
  ["__GFP_SKIP_ZERO", 0, "0 without CONFIG_KASAN_HW_TAGS"],
  ["__GFP_SKIP_KASAN_UNPOISON", 0, "0 without CONFIG_KASAN_HW_TAGS"],
  ["__GFP_SKIP_KASAN_POISON", 0, "0 without CONFIG_KASAN_HW_TAGS"],
  ["__GFP_NOLOCKDEP", 0, "0 without CONFIG_LOCKDEP"],
];

const b = Object.fromEntries(GFP_BITS.map(([n, v]) => [n, v])) as Record<string, number>;
const RECLAIM = b.__GFP_DIRECT_RECLAIM! | b.__GFP_KSWAPD_RECLAIM!;
const USER = RECLAIM | b.__GFP_IO! | b.__GFP_FS! | b.__GFP_HARDWALL!;
const HIGHUSER_MOVABLE = USER | b.__GFP_HIGHMEM! | b.__GFP_MOVABLE! | b.__GFP_SKIP_KASAN_POISON! | b.__GFP_SKIP_KASAN_UNPOISON!;
const TRANSHUGE_LIGHT = (HIGHUSER_MOVABLE | b.__GFP_COMP! | b.__GFP_NOMEMALLOC! | b.__GFP_NOWARN!) & ~RECLAIM;

/** __GFP_BITS_SHIFT is 27 without CONFIG_LOCKDEP. */
export const GFP_BITS_MASK = (1 << 27) - 1;

const GFP_COMPOSITES: ReadonlyArray<readonly [name: string, value: number, definition: string]> = [
  ["GFP_ZONEMASK", b.__GFP_DMA! | b.__GFP_HIGHMEM! | b.__GFP_DMA32! | b.__GFP_MOVABLE!, "__GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32 | __GFP_MOVABLE"],
  ["__GFP_RECLAIM", RECLAIM, "__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM"],
  ["__GFP_BITS_MASK", GFP_BITS_MASK, "(1 << __GFP_BITS_SHIFT) - 1"],
  ["GFP_ATOMIC", b.__GFP_HIGH! | b.__GFP_ATOMIC! | b.__GFP_KSWAPD_RECLAIM!, "__GFP_HIGH | __GFP_ATOMIC | __GFP_KSWAPD_RECLAIM"],
  ["GFP_KERNEL", RECLAIM | b.__GFP_IO! | b.__GFP_FS!, "__GFP_RECLAIM | __GFP_IO | __GFP_FS"],
  ["GFP_KERNEL_ACCOUNT", RECLAIM | b.__GFP_IO! | b.__GFP_FS! | b.__GFP_ACCOUNT!, "GFP_KERNEL | __GFP_ACCOUNT"],
  ["GFP_NOWAIT", b.__GFP_KSWAPD_RECLAIM!, "__GFP_KSWAPD_RECLAIM"],
  ["GFP_NOIO", RECLAIM, "__GFP_RECLAIM"],
  ["GFP_NOFS", RECLAIM | b.__GFP_IO!, "__GFP_RECLAIM | __GFP_IO"],
  ["GFP_USER", USER, "__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL"],
  ["GFP_DMA", b.__GFP_DMA!, "__GFP_DMA"],
  ["GFP_DMA32", b.__GFP_DMA32!, "__GFP_DMA32"],
  ["GFP_HIGHUSER", USER | b.__GFP_HIGHMEM!, "GFP_USER | __GFP_HIGHMEM"],
  ["GFP_HIGHUSER_MOVABLE", HIGHUSER_MOVABLE, "GFP_HIGHUSER | __GFP_MOVABLE | __GFP_SKIP_KASAN_POISON | __GFP_SKIP_KASAN_UNPOISON"],
  ["GFP_TRANSHUGE_LIGHT", TRANSHUGE_LIGHT, "(GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NOWARN) & ~__GFP_RECLAIM"],
  ["GFP_TRANSHUGE", TRANSHUGE_LIGHT | b.__GFP_DIRECT_RECLAIM!, "GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM"],
];

export const GFP_NAMES: ReadonlyMap<string, number> = new Map([
  ...GFP_BITS.map(([n, v]) => [n, v] as const),
  ...GFP_COMPOSITES.map(([n, v]) => [n, v] as const),
]);

export const GFP_DOCS: ReadonlyMap<string, string> = new Map([
  ...GFP_BITS.map(([n, , doc]) => [n, doc] as const),
  ...GFP_COMPOSITES.map(([n, , def]) => [n, def] as const),
]);

export function hex(value: number): string {
  return "0x" + (value >>> 0).toString(16);
}

/** Evaluates a mask as C does on an unsigned int gfp_t. Unknown names are
 * E104 with the closest known name; the result is null if any part failed. */
export function evaluateGfp(expr: GfpExpr, diagnostics: Diagnostic[]): number | null {
  switch (expr.kind) {
    case "flag": {
      const v = GFP_NAMES.get(expr.name);
      if (v === undefined) {
        diagnostics.push(error("E104", `unknown gfp flag ${expr.name}${didYouMean(expr.name, GFP_NAMES.keys())}`, expr.span));
        return null;
      }
      return v;
    }
    case "int":
      if (expr.value === null) return null;
      if (expr.value > 0xffffffff) {
        diagnostics.push(error("E215", `${hex(expr.value)} does not fit in a 32-bit gfp_t`, expr.span));
        return null;
      }
      return expr.value;
    case "not": {
      const v = evaluateGfp(expr.operand, diagnostics);
      return v === null ? null : ~v >>> 0;
    }
    case "or":
    case "and": {
      let acc: number | null = expr.kind === "or" ? 0 : 0xffffffff;
      for (const term of expr.terms) {
        const v = evaluateGfp(term, diagnostics);
        if (v === null || acc === null) acc = null;
        else acc = (expr.kind === "or" ? acc | v : acc & v) >>> 0;
      }
      return acc;
    }
  }
}

const MIGRATETYPES = ["MIGRATE_UNMOVABLE", "MIGRATE_MOVABLE", "MIGRATE_RECLAIMABLE", "MIGRATE_HIGHATOMIC"] as const;

/** gfp_migratetype() (include/linux/gfp.h, 6.1): 0 unmovable, 1 movable, 2 reclaimable. */
export function gfp_migratetype(gfp: number): number {
  return (gfp & (b.__GFP_RECLAIMABLE! | b.__GFP_MOVABLE!)) >>> 3;
}

interface GfpDecoded {
  value: number;
  hex: string;
  /** Single flags set, in bit order. */
  flags: string[];
  /** The mask spelled with the fewest names (composites first), e.g. GFP_KERNEL | __GFP_ZERO. */
  spelled: string;
  migratetype: (typeof MIGRATETYPES)[number];
  /** __GFP_DIRECT_RECLAIM: gfpflags_allow_blocking(). */
  maySleep: boolean;
  wakesKswapd: boolean;
  /** ALLOC_HIGH from __GFP_HIGH. */
  allocHigh: boolean;
  /** ALLOC_HARDER from __GFP_ATOMIC without __GFP_NOMEMALLOC. */
  allocHarder: boolean;
  /** ALLOC_NO_WATERMARKS from __GFP_MEMALLOC without __GFP_NOMEMALLOC. */
  noWatermarks: boolean;
  noRetry: boolean;
  retryMayFail: boolean;
  noFail: boolean;
  /** try_to_compact_pages() skips compaction without __GFP_IO. */
  mayCompact: boolean;
}

export function decodeGfp(value: number): GfpDecoded {
  const v = value >>> 0;
  const has = (name: string) => (v & b[name]!) !== 0;
  const flags = GFP_BITS.filter(([, bit]) => bit !== 0 && (v & bit) === bit).map(([n]) => n);
  return {
    value: v,
    hex: hex(v),
    flags,
    spelled: spellGfp(v),
    migratetype: MIGRATETYPES[gfp_migratetype(v)]!,
    maySleep: has("__GFP_DIRECT_RECLAIM"),
    wakesKswapd: has("__GFP_KSWAPD_RECLAIM"),
    allocHigh: has("__GFP_HIGH"),
    allocHarder: has("__GFP_ATOMIC") && !has("__GFP_NOMEMALLOC"),
    noWatermarks: has("__GFP_MEMALLOC") && !has("__GFP_NOMEMALLOC"),
    noRetry: has("__GFP_NORETRY"),
    retryMayFail: has("__GFP_RETRY_MAYFAIL"),
    noFail: has("__GFP_NOFAIL"),
    mayCompact: has("__GFP_IO"),
  };
}

const SPELLING_ORDER = GFP_COMPOSITES.filter(([n]) => n !== "__GFP_BITS_MASK" && n !== "GFP_ZONEMASK" && n !== "GFP_NOIO")
  .slice()
  .sort((x, y) => popcount(y[1]) - popcount(x[1]));

function popcount(v: number): number {
  let n = 0;
  for (let x = v >>> 0; x; x &= x - 1) n++;
  return n;
}

/** Greedy: the biggest composite contained in the mask, then single flags.
 * If that leaves bits of a big composite unused, spell it as that composite
 * minus what is missing only when that is shorter (GFP_TRANSHUGE_LIGHT is
 * itself defined that way, so it is simply a composite here). */
export function spellGfp(value: number): string {
  let rest = value >>> 0;
  if (rest === 0) return "0";
  const parts: string[] = [];
  for (const [name, bits] of SPELLING_ORDER) {
    if (bits !== 0 && (rest & bits) === bits && popcount(bits) > 1) {
      parts.push(name);
      rest &= ~bits;
    }
  }
  for (const [name, bit] of GFP_BITS) {
    if (bit !== 0 && (rest & bit) === bit) {
      parts.push(name);
      rest &= ~bit;
    }
  }
  if (rest !== 0) parts.push(hex(rest));
  return parts.join(" | ");
}

/** Hover text: the value, the named bits, and what the allocator will do. */
export function describeGfp(value: number): string {
  const d = decodeGfp(value);
  const allows: string[] = [];
  allows.push(d.maySleep ? "may sleep (direct reclaim)" : "never sleeps");
  if (d.wakesKswapd) allows.push("wakes kswapd");
  if (d.noWatermarks) allows.push("ignores watermarks (__GFP_MEMALLOC)");
  else if (d.allocHigh || d.allocHarder) {
    allows.push(`uses reserves (${[d.allocHigh && "ALLOC_HIGH", d.allocHarder && "ALLOC_HARDER"].filter(Boolean).join(", ")})`);
  }
  if (d.noRetry) allows.push("gives up early (__GFP_NORETRY)");
  if (d.retryMayFail) allows.push("retries while reclaim progresses (__GFP_RETRY_MAYFAIL)");
  if (d.noFail) allows.push("never fails (__GFP_NOFAIL)");
  if (d.maySleep && !d.mayCompact) allows.push("no compaction (no __GFP_IO)");
  return [
    `${d.hex} = ${d.spelled}`,
    `bits: ${d.flags.join(" | ") || "none"}`,
    `migratetype: ${d.migratetype}`,
    allows.join("; "),
  ].join("\n");
}
