import { describe, expect, it } from "vitest";
import { decodeGfp, describeGfp, GFP_NAMES } from "../../lib/dsl/index.ts";
import { spellGfp } from "../../lib/dsl/gfp.ts";
import { checked, codes, workload } from "./helpers.ts";

/** The mask a scenario's only allocation evaluates to. */
function mask(expr: string): number {
  const s = checked(workload(`    rate 1k/s\n    alloc order 0 gfp ${expr}`));
  return s.workloads[0]!.alloc!.gfp;
}

describe("gfp masks as Linux 6.1 spells them", () => {
  // Linux 6.1 include/linux/gfp_types.h (x86-64, no CONFIG_KASAN_HW_TAGS or
  // CONFIG_LOCKDEP), each composite evaluated from its definition there.
  it.each([
    ["__GFP_RECLAIM", 0xc00],
    ["GFP_ATOMIC", 0xa20],
    ["GFP_KERNEL", 0xcc0],
    ["GFP_KERNEL_ACCOUNT", 0x400cc0],
    ["GFP_NOWAIT", 0x800],
    ["GFP_NOIO", 0xc00],
    ["GFP_NOFS", 0xc40],
    ["GFP_USER", 0x100cc0],
    ["GFP_DMA", 0x1],
    ["GFP_DMA32", 0x4],
    ["GFP_HIGHUSER", 0x100cc2],
    ["GFP_HIGHUSER_MOVABLE", 0x100cca],
    ["GFP_TRANSHUGE_LIGHT", 0x1c20ca],
    ["GFP_TRANSHUGE", 0x1c24ca],
    ["GFP_ZONEMASK", 0x0f],
    ["__GFP_BITS_MASK", 0x7ffffff],
  ])("%s is %s", (name, value) => {
    expect(GFP_NAMES.get(name)).toBe(value);
  });

  it("evaluates Hugh's shmem mask to 0x1d2cca", () => {
    expect(mask("GFP_TRANSHUGE_LIGHT | __GFP_RECLAIM | __GFP_NORETRY")).toBe(0x1d2cca);
  });

  it("has every single flag of gfp_types.h with its bit", () => {
    const bits: [string, number][] = [
      ["__GFP_DMA", 0x01], ["__GFP_HIGHMEM", 0x02], ["__GFP_DMA32", 0x04], ["__GFP_MOVABLE", 0x08],
      ["__GFP_RECLAIMABLE", 0x10], ["__GFP_HIGH", 0x20], ["__GFP_IO", 0x40], ["__GFP_FS", 0x80],
      ["__GFP_ZERO", 0x100], ["__GFP_ATOMIC", 0x200], ["__GFP_DIRECT_RECLAIM", 0x400],
      ["__GFP_KSWAPD_RECLAIM", 0x800], ["__GFP_WRITE", 0x1000], ["__GFP_NOWARN", 0x2000],
      ["__GFP_RETRY_MAYFAIL", 0x4000], ["__GFP_NOFAIL", 0x8000], ["__GFP_NORETRY", 0x10000],
      ["__GFP_MEMALLOC", 0x20000], ["__GFP_COMP", 0x40000], ["__GFP_NOMEMALLOC", 0x80000],
      ["__GFP_HARDWALL", 0x100000], ["__GFP_THISNODE", 0x200000], ["__GFP_ACCOUNT", 0x400000],
      ["__GFP_ZEROTAGS", 0x800000], ["__GFP_SKIP_ZERO", 0], ["__GFP_SKIP_KASAN_UNPOISON", 0],
      ["__GFP_SKIP_KASAN_POISON", 0], ["__GFP_NOLOCKDEP", 0],
    ];
    for (const [name, value] of bits) expect([name, GFP_NAMES.get(name)]).toEqual([name, value]);
  });

  it("applies | & ~ ( ) and integer literals as C does on an unsigned gfp_t", () => {
    expect(mask("GFP_KERNEL & ~__GFP_IO")).toBe(0xc80);
    expect(mask("GFP_KERNEL & ~(__GFP_IO | __GFP_FS)")).toBe(0xc00);
    expect(mask("(GFP_ATOMIC | 0x100) & ~__GFP_HIGH")).toBe(0xb00);
    expect(mask("GFP_NOWAIT | 0x10000")).toBe(0x10800);
    expect(mask("~~GFP_ATOMIC")).toBe(0xa20);
    expect(mask("__GFP_BITS_MASK & ~__GFP_BITS_MASK")).toBe(0);
  });

  it("suggests the closest name for a typo", () => {
    expect(codes(workload("    rate 1k/s\n    alloc order 0 gfp GFP_ATOMC"))).toEqual(["E104"]);
  });
});

describe("decoding a mask", () => {
  it("decodes Hugh's mask into bits, migratetype and behaviour", () => {
    const d = decodeGfp(0x1d2cca);
    expect(d.spelled).toBe("GFP_TRANSHUGE | __GFP_KSWAPD_RECLAIM | __GFP_NORETRY");
    expect(d.migratetype).toBe("MIGRATE_MOVABLE");
    expect(d).toMatchObject({ maySleep: true, wakesKswapd: true, noRetry: true, allocHigh: false, allocHarder: false, mayCompact: true });
    expect(d.flags).toContain("__GFP_COMP");
  });

  it("GFP_ATOMIC uses reserves and never sleeps", () => {
    expect(decodeGfp(0xa20)).toMatchObject({ maySleep: false, allocHigh: true, allocHarder: true, wakesKswapd: true, migratetype: "MIGRATE_UNMOVABLE" });
    expect(describeGfp(0xa20)).toMatch(/never sleeps; wakes kswapd; uses reserves \(ALLOC_HIGH, ALLOC_HARDER\)/);
  });

  it("__GFP_NOMEMALLOC takes away ALLOC_HARDER and __GFP_MEMALLOC", () => {
    expect(decodeGfp(0xa20 | 0x80000 | 0x20000)).toMatchObject({ allocHarder: false, noWatermarks: false });
    expect(decodeGfp(0x20000).noWatermarks).toBe(true);
  });

  it("reclaimable slab masks are MIGRATE_RECLAIMABLE", () => {
    expect(decodeGfp(0xcc0 | 0x10).migratetype).toBe("MIGRATE_RECLAIMABLE");
  });

  it("spells masks with the fewest names and keeps unknown bits as hex", () => {
    expect(spellGfp(0xcc0)).toBe("GFP_KERNEL");
    expect(spellGfp(0xcc0 | 0x100)).toBe("GFP_KERNEL | __GFP_ZERO");
    expect(spellGfp(0x10000000)).toBe("0x10000000");
    expect(spellGfp(0)).toBe("0");
  });
});
