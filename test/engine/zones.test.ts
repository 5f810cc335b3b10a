// The node's zones and watermarks against what a real 6.1 kernel reports:
// Debian's 6.1.192 booted under QEMU (pc machine) with -m and -smp as in
// each row, read from /proc/zoneinfo and /proc/sys/vm/min_free_kbytes
// (docs/model.md "Zones and watermarks").
import { describe, expect, it } from "vitest";
import { simulate } from "../../lib/engine/index.ts";
import { init_per_zone_wmark_min, nodeSetup } from "../../lib/engine/mm/node.ts";
import { scenarioOf } from "../support/scenario-runs.ts";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

type ZoneRow = [zone: string, managed: number, min: number, low: number, high: number, pcpHigh: number, pcpBatch: number];
const MEASURED: { memory: number; cpus: number; minFreeKbytes: number; zones: ZoneRow[] }[] = [
  { memory: 512 * MiB, cpus: 1, minFreeKbytes: 2711, zones: [["DMA", 3840, 22, 27, 32, 27, 1], ["DMA32", 113264, 654, 817, 980, 817, 31]] },
  { memory: 1 * GiB, cpus: 1, minFreeKbytes: 45056, zones: [["DMA", 3840, 177, 221, 265, 221, 1], ["DMA32", 242096, 11086, 13857, 16628, 13857, 63]] },
  { memory: 1 * GiB, cpus: 4, minFreeKbytes: 45056, zones: [["DMA", 3840, 177, 221, 265, 55, 1], ["DMA32", 241910, 11086, 13857, 16628, 3464, 63]] },
  {
    memory: 4 * GiB, cpus: 2, minFreeKbytes: 67584,
    zones: [["DMA", 3840, 64, 80, 96, 40, 1], ["DMA32", 754602, 12711, 15888, 19065, 7944, 63], ["Normal", 243845, 4119, 5148, 6177, 2574, 63]],
  },
  {
    memory: 8 * GiB, cpus: 8, minFreeKbytes: 67584,
    zones: [["DMA", 3840, 31, 38, 45, 4, 1], ["DMA32", 754602, 6260, 7825, 9390, 978, 63], ["Normal", 1274129, 10603, 13253, 15903, 1656, 63]],
  },
  { memory: 2 * GiB, cpus: 16, minFreeKbytes: 45056, zones: [["DMA", 3840, 86, 107, 128, 6, 1], ["DMA32", 498829, 11177, 13971, 16765, 873, 63]] },
  { memory: 3 * GiB, cpus: 2, minFreeKbytes: 45056, zones: [["DMA", 3840, 57, 71, 85, 35, 1], ["DMA32", 756977, 11206, 14007, 16808, 7003, 63]] },
  {
    memory: 12 * GiB, cpus: 3, minFreeKbytes: 67584,
    zones: [["DMA", 3840, 21, 26, 31, 8, 1], ["DMA32", 754602, 4154, 5192, 6230, 1730, 63], ["Normal", 2303558, 12720, 15900, 19080, 5300, 63]],
  },
  {
    memory: 16 * GiB, cpus: 16, minFreeKbytes: 67584,
    zones: [["DMA", 3840, 15, 18, 21, 4, 1], ["DMA32", 754602, 3107, 3883, 4659, 252, 63], ["Normal", 3334941, 13773, 17216, 20659, 1076, 63]],
  },
];

// /proc/zoneinfo's managed counts come after free_initmem() and the
// initramfs went back to DMA32: pages the watermark initcalls did not see.
// 2254 pages, the boot log's 9016K (initramfs 1008K, the unused kernel
// image 8008K), fits every row.
const FREED_AFTER_INIT = 2254;

const label = (r: (typeof MEASURED)[number]) => `${r.memory / MiB} MiB, ${r.cpus} cpu`;

describe("init_per_zone_wmark_min(), given the managed pages the kernel had at the time", () => {
  it.each(MEASURED.map((r) => [label(r), r] as const))("%s: min_free_kbytes, every zone's watermarks and pcp high/batch as measured", (_, row) => {
    const atBoot = row.zones.map(([name, managed]) => (name === "DMA32" ? managed - FREED_AFTER_INIT : managed));
    const got = init_per_zone_wmark_min(atBoot, row.cpus);
    expect(got.minFreeKbytes).toBe(row.minFreeKbytes);
    expect(got.zones.map((z) => [z.min, z.low, z.high, z.pcpHigh, z.pcpBatch])).toEqual(row.zones.map((z) => z.slice(2)));
  });
});

describe("nodeSetup(): the node of a scenario's memory and cpus", () => {
  it.each(MEASURED.map((r) => [label(r), r] as const))("%s: managed pages within 8 of the kernel's, watermarks as measured", (_, row) => {
    const node = nodeSetup(row.memory, row.cpus);
    const populated = node.zones.filter((z) => z.managedPages > 0);
    expect(populated.map((z) => z.name)).toEqual(row.zones.map((z) => z[0]));
    row.zones.forEach(([, managed], i) => expect(Math.abs(populated[i]!.managedPages - managed)).toBeLessThanOrEqual(8));
    expect(node.minFreeKbytes).toBe(row.minFreeKbytes);
    // The rows of 1 GiB show the model's own boot-time estimate is close
    // enough for the exact watermarks too.
    expect(populated.map((z) => [z.min, z.low, z.high, z.pcpHigh, z.pcpBatch])).toEqual(row.zones.map((z) => z.slice(2)));
  });

  it("simulates DMA32 while all RAM is below 4 GiB, Normal then DMA32 once some is above, DMA on a machine too small for DMA32", () => {
    const zonelist = (m: number) => nodeSetup(m, 2).simulated.map((z) => z.name).join(" ");
    expect([4 * MiB, 16 * MiB, 64 * MiB, 1 * GiB, 4 * GiB, 4 * GiB + 4 * MiB, 1024 * GiB].map(zonelist)).toEqual([
      // From 3.5 GiB QEMU's pc maps 3 GiB below 4 GiB and the rest above.
      "DMA", "DMA", "DMA32", "DMA32", "Normal DMA32", "Normal DMA32", "Normal DMA32",
    ]);
  });

  it("leaves every size the language accepts (4 MiB to 4 TiB) a zone with pages and watermarks in order", () => {
    for (let m = 4 * MiB; m <= 4 * 1024 * GiB; m *= 2) {
      for (const extra of [0, 4 * MiB]) {
        for (const z of nodeSetup(m + extra, 64).simulated) {
          expect(z.managedPages, `${m + extra}`).toBeGreaterThan(0);
          expect(0 < z.min && z.min < z.low && z.low < z.high && z.high < z.managedPages, `${m + extra}`).toBe(true);
        }
      }
    }
  });

  it("turns THP off, and with it khugepaged's min_free_kbytes, under 512 MiB of managed pages", () => {
    expect(nodeSetup(512 * MiB, 1).thp).toBe(false);
    expect(nodeSetup(1 * GiB, 1).thp).toBe(true);
    // 64 MiB: int_sqrt((3840 + 10265) * 4 * 16), no recommendation.
    expect(nodeSetup(64 * MiB, 1).minFreeKbytes).toBe(950);
  });
});

const scenario = (memory: string, cpus: number) => `scenario "zones" {
  cpus ${cpus}
  memory ${memory}
  duration 1ms
  workload "w" on cpus all {
    every 100us
    alloc order 0 gfp GFP_KERNEL
    free immediately
  }
}`;
const spec = { variant: "irqsave", sweepValue: null, seed: 1 };

describe("a run's zone", () => {
  it("memory 1GiB on 4 CPUs: DMA32 with the kernel's watermarks 11086/13857/16628 and pcp high 3464", () => {
    const r = simulate(scenarioOf(scenario("1GiB", 4)), spec);
    expect(r.zones).toHaveLength(1);
    expect(r.zones[0]).toMatchObject({ name: "DMA32", minFreeKbytes: 45056, min: 11086, low: 13857, high: 16628, pcpHigh: 3464, pcpBatch: 63 });
    // The zone holds its managed pages, not the whole of `memory`: all
    // free at the end but what each CPU's first pcp refill (63 pages) keeps.
    expect(r.zones[0]!.managedPages).toBe(241908);
    expect(r.metrics["zone.free_pages.end"]).toBe(241908 - 4 * 63);
  });

  it("memory 8GiB on 8 CPUs: Normal, then DMA32 behind its lowmem_reserve, as the kernel sets them up", () => {
    const r = simulate(scenarioOf(scenario("8GiB", 8)), spec);
    expect(r.zones.map((z) => z.name)).toEqual(["Normal", "DMA32"]);
    expect(r.zones[0]).toMatchObject({ min: 10603, low: 13253, high: 15903, pcpHigh: 1656, pcpBatch: 63 });
    // DMA32 keeps lowmem_reserve[Normal] = Normal's managed pages / 256 from Normal's allocations.
    expect(r.zones[1]!.lowmemReserve[2]).toBe(Math.floor(1274129 / 256));
    // Allocations take Normal's pages first, so every page freed at the end
    // but the pcp refills is Normal's and DMA32's together.
    expect(r.metrics["zone.free_pages.end"]).toBe(r.zones[0]!.managedPages + r.zones[1]!.managedPages - 8 * 63);
  });

  it.each(["4MiB", "64MiB", "4TiB"])("memory %s runs", (memory) => {
    const r = simulate(scenarioOf(scenario(memory, 2)), spec);
    expect(r.violation).toBeNull();
    expect(r.metrics["alloc.requests"]).toBeGreaterThan(0);
    expect(r.metrics["alloc.failed"]).toBe(0);
  });
});
