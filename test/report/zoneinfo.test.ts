// `pcplab zoneinfo`: the model's zones in /proc/zoneinfo's layout, against
// the /proc/zoneinfo of Debian's 6.1.192 kernel booted under QEMU's pc
// machine with nokaslr (-m 1G -smp 4 and -m 4G -smp 2, saved in fixtures/).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { nodeSetup } from "../../lib/engine/index.ts";
import { formatZoneinfo, parseZoneinfo, zoneinfoOf } from "../../lib/report/zoneinfo.ts";
import { pcplab } from "../support/pcplab-cli.ts";

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8");
const GiB = 2 ** 30;
const MACHINES = [
  { file: "proc-zoneinfo-1G-4.txt", memory: 1 * GiB, cpus: 4 },
  { file: "proc-zoneinfo-4G-2.txt", memory: 4 * GiB, cpus: 2 },
];

describe("zoneinfo of the model against a real 6.1 kernel's", () => {
  it.each(MACHINES.map((m) => [m.file, m] as const))("%s: every line the model prints, but its free, managed and count, is the kernel's own", (_, m) => {
    const real = fixture(m.file).split("\n");
    const ours = formatZoneinfo(zoneinfoOf(nodeSetup(m.memory, m.cpus))).trimEnd().split("\n");
    // Runtime state and the kernel's own reservations are not the setup.
    const setup = ours.filter((l) => !/^\s*(pages free|managed|count:)/.test(l));
    let at = 0;
    for (const line of setup) {
      const found = real.indexOf(line, at);
      expect(found, `"${line}" in order in the real file`).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
    expect(setup.length).toBeGreaterThan(40);
  });

  it.each(MACHINES.map((m) => [m.file, m] as const))("%s: managed pages within 8 of the kernel's in every zone", (_, m) => {
    const real = parseZoneinfo(fixture(m.file));
    expect(real.errors).toEqual([]);
    const ours = zoneinfoOf(nodeSetup(m.memory, m.cpus));
    expect(ours.map((z) => z.name)).toEqual(real.zones.map((z) => z.name));
    ours.forEach((z, i) => expect(Math.abs(z.managed - real.zones[i]!.managed)).toBeLessThanOrEqual(8));
  });

  it("reads a field that is not a number as an error naming its line", () => {
    const bad = fixture("proc-zoneinfo-1G-4.txt").replace("        min      177", "        min      17x");
    expect(parseZoneinfo(bad).errors).toEqual([expect.stringMatching(/^line \d+: min is not a number: 17x$/)]);
  });
});

describe("pcplab zoneinfo", () => {
  it("prints the zones on stdout and says which one the runs simulate on stderr", () => {
    const r = pcplab(["zoneinfo", "-"], 'scenario "z" {\n  cpus 4\n  memory 1GiB\n}\n');
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith("Node 0, zone      DMA\n  pages free     3840\n        min      177\n")).toBe(true);
    expect(r.stdout).toContain("Node 0, zone   Device\n");
    expect(r.stderr).toBe("pcplab zoneinfo: min_free_kbytes 45056; the runs simulate zone DMA32, the others only shape its watermarks\n");
  });

  it("shows the scenario's own pcp high and batch in the simulated zone only", () => {
    const r = pcplab(["zoneinfo", "-"], 'scenario "z" {\n  cpus 1\n  memory 1GiB\n  pcp high 512 batch 31\n}\n');
    const pagesets = [...r.stdout.matchAll(/high:\s+(\d+)\n\s+batch: (\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(pagesets).toEqual([[221, 1], [512, 31]]);
  });

  it("prints one block a value of a memory sweep", () => {
    const r = pcplab(["zoneinfo", "-"], 'scenario "z" {\n  cpus 2\n  sweep memory in 1GiB, 8GiB\n}\n');
    expect(r.stdout.match(/^# .*$/gm)).toEqual(["# memory 1GiB", "# memory 8GiB"]);
    expect(r.stderr).toContain("memory 1GiB: min_free_kbytes 45056; the runs simulate zone DMA32, the others only shape its watermarks");
    expect(r.stderr).toContain("memory 8GiB: min_free_kbytes 67584; the runs simulate zones Normal and DMA32, the others only shape their watermarks");
  });

  it("--against a real /proc/zoneinfo: lists each field that differs, exit 0 when all match", () => {
    const real = new URL("fixtures/proc-zoneinfo-1G-4.txt", import.meta.url).pathname;
    const same = pcplab(["zoneinfo", "-", "--against", real], 'scenario "z" {\n  cpus 4\n  memory 1GiB\n}\n');
    expect(same).toEqual({
      status: 0,
      stdout: "zone DMA32 managed: 241910 here, 241908 in the model\npcplab zoneinfo: every field the model has matches (managed pages within 1%)\n",
      stderr: "",
    });
    const other = pcplab(["zoneinfo", "-", "--against", real], 'scenario "z" {\n  cpus 4\n  memory 1GiB\n  pcp batch 31\n}\n');
    expect(other.status).toBe(1);
    expect(other.stdout.split("\n").filter((l) => l.startsWith("zone DMA32 cpu"))).toEqual(
      [0, 1, 2, 3].map((cpu) => `zone DMA32 cpu ${cpu} pcp high/batch: 3464/63 here, 3464/31 in the model`),
    );
    expect(other.stdout).toMatch(/pcplab zoneinfo: 5 fields differ\n$/);
  });

  it("--against refuses what is not a /proc/zoneinfo, a missing file, and stdin twice", () => {
    const scn = new URL("../../scenarios/remote-drain.scn", import.meta.url).pathname;
    expect(pcplab(["zoneinfo", scn, "--against", scn])).toMatchObject({ status: 2, stderr: expect.stringContaining('no "Node 0, zone" lines: not a /proc/zoneinfo') });
    expect(pcplab(["zoneinfo", scn, "--against", "/nonexistent/zoneinfo"])).toMatchObject({ status: 2, stderr: expect.stringContaining("cannot read /nonexistent/zoneinfo") });
    expect(pcplab(["zoneinfo", "-", "--against", "-"], 'scenario "z" {\n}\n')).toMatchObject({ status: 2, stderr: expect.stringContaining("both be stdin") });
    const sweep = 'scenario "z" {\n  sweep memory in 1GiB, 2GiB\n}\n';
    expect(pcplab(["zoneinfo", "-", "--against", scn], sweep)).toMatchObject({ status: 2, stderr: expect.stringContaining("sweeps its setup") });
  });

  it("refuses a broken scenario with its positioned error, and prints nothing", () => {
    const r = pcplab(["zoneinfo", "-"], 'scenario "z" {\n  memory 3KiB\n}\n');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^<stdin>:2:10: error E2\d\d: /);
  });
});
