// The model against a real Linux 6.1: Debian 12's kernel booted under QEMU
// (boot-kernel61.sh) for machines from 512 MiB to 16 GiB and 1 to 16 CPUs.
// Zone setup must match field for field, and the pcp traffic of a file
// written and removed must come within the tolerances below. Run by
// `npm run conformance` (and CI), not by `npm test`: it needs QEMU.
// PCPLAB_UPDATE_DOCS=1 rewrites docs/calibration.md's table from this run.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { nodeSetup } from "../../lib/engine/index.ts";
import { compareZoneinfo, parseZoneinfo, zoneinfoOf, type ZoneinfoZone } from "../../lib/report/zoneinfo.ts";
import { metricsOf } from "../support/scenario-runs.ts";

const script = new URL("boot-kernel61.sh", import.meta.url).pathname;
const docs = new URL("../../docs/calibration.md", import.meta.url).pathname;
const MiB = 2 ** 20;
const GiB = 2 ** 30;

interface Machine {
  mem: string;
  bytes: number;
  cpus: number;
  /** MiB written to tmpfs and removed, for the pcp traffic (0: none). */
  write: number;
}
const MACHINES: Machine[] = [
  { mem: "512M", bytes: 512 * MiB, cpus: 1, write: 0 },
  { mem: "1G", bytes: 1 * GiB, cpus: 1, write: 100 },
  { mem: "1G", bytes: 1 * GiB, cpus: 4, write: 0 },
  { mem: "2G", bytes: 2 * GiB, cpus: 16, write: 0 },
  { mem: "4G", bytes: 4 * GiB, cpus: 2, write: 200 },
  { mem: "8G", bytes: 8 * GiB, cpus: 8, write: 0 },
  { mem: "16G", bytes: 16 * GiB, cpus: 16, write: 0 },
];

const missing = ["qemu-system-x86_64", "busybox", "cpio", "apt-get"].filter((tool) => spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0);
if (missing.length > 0) console.log(`conformance: skipped, ${missing.join(", ")} not installed (Debian: apt-get install qemu-system-x86 busybox-static cpio)`);

interface Boot {
  kernel: string;
  minFreeKbytes: number;
  zones: ZoneinfoZone[];
  traffic: Record<string, number>;
  /** CPU 0's pcp count in the zone the file lands in, as the window opens. */
  countAtStart: number | null;
}

function boot(m: Machine): Boot {
  const r = spawnSync("bash", [script, m.mem, String(m.cpus), String(m.write)], { encoding: "utf8", timeout: 900_000, maxBuffer: 64 * MiB });
  if (r.status !== 0) throw new Error(`boot-kernel61.sh ${m.mem} ${m.cpus} failed (${r.status}): ${r.stderr}`);
  const out = r.stdout;
  const field = (name: string) => {
    const v = new RegExp(`^==${name} (\\d+)$`, "m").exec(out);
    if (!v) throw new Error(`no ${name} in the guest's output:\n${out.slice(0, 2000)}`);
    return Number(v[1]);
  };
  const zoneinfo = out.slice(out.indexOf("==ZONEINFO\n"), out.indexOf("==ZONEINFO_END"));
  const parsed = parseZoneinfo(zoneinfo);
  if (parsed.errors.length) throw new Error(parsed.errors.join("\n"));
  const traffic: Record<string, number> = m.write ? { refill: field("REFILL_PAGES"), drain: field("PCPU_DRAIN_PAGES"), batched: field("FREE_BATCHED_PAGES") } : {};
  let countAtStart: number | null = null;
  if (m.write) {
    const before = parseZoneinfo(out.slice(out.indexOf("==ZONEINFO_BEFORE\n"), out.indexOf("==ZONEINFO_BEFORE_END")));
    const zone = before.zones.find((z) => z.name === nodeSetup(m.bytes, m.cpus).simulated[0]!.name);
    countAtStart = zone?.pagesets.find((p) => p.cpu === 0)?.count ?? null;
  }
  return { kernel: /^==KERNEL (.*)$/m.exec(out)?.[1] ?? "?", minFreeKbytes: field("MIN_FREE_KBYTES"), zones: parsed.zones, traffic, countAtStart };
}

/** The workload the guest runs, as a scenario: dd allocating the file's
 * pages as page cache, then the truncation freeing them in release_pages()
 * lists of PAGEVEC_SIZE (15), on the kernel Debian configures
 * (CONFIG_PCP_BATCH_SCALE_MAX=5 in /boot/config-6.1.0-*-amd64). */
const writeRemove = (m: Machine) => `scenario "tmpfs-write-remove" {
  cpus ${m.cpus}
  memory ${m.bytes / MiB}MiB
  duration ${Math.ceil((m.write * 256) / 1000) + 20}ms
  config PCP_BATCH_SCALE_MAX 5
  workload "dd-then-rm" on cpus 0 {
    every 1us
    arrivals ${m.write * 256}
    alloc order 0 gfp GFP_HIGHUSER_MOVABLE
    free batch 15 after last
  }
}`;

/** How close the model's counts must come to the kernel's. */
const TOLERANCE = { refill: 0.02, drain: 0.1, batched: 0.1 };

/** Each machine's table rows, once all its checks passed. */
const passed = new Map<Machine, { kernel: string; rows: string[]; traffic: string | null }>();
afterAll(() => {
  if (passed.size === MACHINES.length) publish();
});

describe.skipIf(missing.length > 0)("Debian 12's Linux 6.1 under QEMU", () => {
  const label = (m: Machine) => `-m ${m.mem} -smp ${m.cpus}`;
  it.each(MACHINES.map((m) => [label(m), m] as const))("%s: zone setup, and the pcp traffic of a file written and truncated, as the model gives them", (_, m) => {
    const real = boot(m);
    const node = nodeSetup(m.bytes, m.cpus);
    const ours = zoneinfoOf(node);
    expect(node.minFreeKbytes, "min_free_kbytes").toBe(real.minFreeKbytes);
    // What `pcplab zoneinfo --against` says: every field equal, managed within 1%.
    const comparison = compareZoneinfo(real.zones, ours);
    expect(comparison.matches, comparison.differences.join("\n")).toBe(true);
    const rows: string[] = [];
    ours.forEach((z, i) => {
      const k = real.zones[i]!;
      if (k.present > 0) {
        rows.push(
          `| ${m.mem} | ${m.cpus} | ${z.name} | ${k.managed} / ${z.managed} | ${k.min}/${k.low}/${k.high} | ${z.min}/${z.low}/${z.high} | ` +
            `${k.pagesets[0]?.high}/${k.pagesets[0]?.batch} | ${z.pagesets[0]?.high}/${z.pagesets[0]?.batch} | ${i === 0 ? real.minFreeKbytes : ""} |`,
        );
      }
    });
    let traffic: string | null = null;
    if (m.write) {
      const model = metricsOf(writeRemove(m));
      const cell = (kernel: number, ours: number) => `${kernel} / ${ours} (${(((ours - kernel) / kernel) * 100).toFixed(1)}%)`;
      traffic =
        `| ${m.mem} | ${m.cpus} | ${m.write} MiB | ${real.countAtStart ?? "?"} | ${cell(real.traffic.refill!, model["pcp.refill_pages"]!)} | ` +
        `${cell(real.traffic.drain!, model["pcp.drain_pages"]!)} | ${cell(real.traffic.batched!, model["free.batched_pages"]!)} |`;
      const ours = { refill: model["pcp.refill_pages"]!, drain: model["pcp.drain_pages"]!, batched: model["free.batched_pages"]! };
      for (const k of ["refill", "drain", "batched"] as const) {
        const kernel = real.traffic[k]!;
        expect(Math.abs(ours[k] - kernel) / kernel, `${k} pages: kernel ${kernel}, model ${ours[k]}`).toBeLessThanOrEqual(TOLERANCE[k]);
      }
    }
    passed.set(m, { kernel: real.kernel, rows, traffic });
  });
});

/** The table of a run where every machine passed; docs/calibration.md's with PCPLAB_UPDATE_DOCS=1. */
function publish(): void {
  const kernel = passed.get(MACHINES[0]!)!.kernel;
  const table = [
    `Measured by \`npm run conformance\` on ${kernel} (QEMU pc, TCG, nokaslr). Kernel / model.`,
    "",
    "| -m | -smp | zone | managed | min/low/high (kernel) | min/low/high (model) | pcp high/batch (kernel) | pcp high/batch (model) | min_free_kbytes |",
    "|---|---|---|---|---|---|---|---|---|",
    ...MACHINES.flatMap((m) => passed.get(m)!.rows),
    "",
    "pcp traffic of one tmpfs file written with dd and truncated (kmem tracepoint hits, kernel / model; tolerance 2%, 10%, 10%):",
    "",
    "| -m | -smp | file | kernel's pcp count at start | refill pages | pcpu drain pages | free_batched pages |",
    "|---|---|---|---|---|---|---|",
    ...MACHINES.flatMap((m) => passed.get(m)!.traffic ?? []),
  ].join("\n");
  console.log(table);
  if (process.env.PCPLAB_UPDATE_DOCS !== "1") return;
  const text = readFileSync(docs, "utf8");
  const begin = "<!-- conformance table: npm run conformance -->";
  const end = "<!-- end of conformance table -->";
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`docs/calibration.md has no ${begin} ... ${end} section`);
  writeFileSync(docs, text.slice(0, a + begin.length) + "\n" + table + "\n" + text.slice(b));
}
