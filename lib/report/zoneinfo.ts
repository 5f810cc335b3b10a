// /proc/zoneinfo, both ways: the zone setup the model gives a machine,
// printed in the kernel's own layout (zoneinfo_show_print(), mm/vmstat.c
// 6.1) so it diffs against a real machine's file, and a reader of the real
// file for the conformance suite. Only the fields the model has are
// printed; the kernel's vmstat counters, boost, cma and per-CPU stat
// thresholds are left out rather than made up.
import type { Scenario } from "../dsl/scenario.ts";
import { applySweep, nodeSetup, simulatedZones, sweepParamName, ZONEINFO_ZONES, type NodeSetup } from "../engine/index.ts";
import { sweepValueText } from "./format.ts";
import { SETUP_SWEEPS } from "./zone.ts";

export interface ZoneinfoPageset {
  cpu: number;
  count: number;
  high: number;
  batch: number;
}

export interface ZoneinfoZone {
  name: string;
  free: number;
  min: number;
  low: number;
  high: number;
  spanned: number;
  present: number;
  managed: number;
  protection: number[];
  pagesets: ZoneinfoPageset[];
  startPfn: number | null;
}

/** The zones of node 0 in the kernel's order, as zoneinfo_show_print() lists them. */
export function zoneinfoOf(node: NodeSetup, pcp: { high: number | null; batch: number | null } = { high: null, batch: null }): ZoneinfoZone[] {
  return ZONEINFO_ZONES.map((name, idx) => {
    const z = node.zones[idx];
    if (!z) {
      // ZONE_MOVABLE and ZONE_DEVICE: configured in Debian's kernel, never populated here.
      return { name, free: 0, min: 0, low: 0, high: 0, spanned: 0, present: 0, managed: 0, protection: node.protection[idx]!, pagesets: [], startPfn: null };
    }
    // The scenario's `pcp high/batch` apply to the zones the runs simulate only.
    const simulated = simulatedZones(node.memoryBytes, node.cpus, pcp).find((sz) => sz.idx === z.idx);
    const { pcpHigh: high, pcpBatch: batch } = simulated ?? z;
    const pagesets = z.presentPages > 0 ? Array.from({ length: node.cpus }, (_, cpu) => ({ cpu, count: 0, high, batch })) : [];
    return {
      name,
      free: z.managedPages,
      min: z.min,
      low: z.low,
      high: z.high,
      spanned: z.spannedPages,
      present: z.presentPages,
      managed: z.managedPages,
      protection: node.protection[idx]!,
      pagesets,
      startPfn: z.presentPages > 0 ? z.startPfn : null,
    };
  });
}

/** The zones as /proc/zoneinfo prints them, for the fields the model has. */
export function formatZoneinfo(zones: readonly ZoneinfoZone[]): string {
  const out: string[] = [];
  for (const z of zones) {
    out.push(`Node 0, zone ${z.name.padStart(8)}`);
    out.push(`  pages free     ${z.free}`);
    out.push(`        min      ${z.min}`);
    out.push(`        low      ${z.low}`);
    out.push(`        high     ${z.high}`);
    out.push(`        spanned  ${z.spanned}`);
    out.push(`        present  ${z.present}`);
    out.push(`        managed  ${z.managed}`);
    out.push(`        protection: (${z.protection.join(", ")})`);
    if (z.present === 0) continue;
    out.push("  pagesets");
    for (const p of z.pagesets) {
      out.push(`    cpu: ${p.cpu}`, `              count: ${p.count}`, `              high:  ${p.high}`, `              batch: ${p.batch}`);
    }
    if (z.startPfn !== null) out.push(`  start_pfn:           ${z.startPfn}`);
  }
  return out.join("\n") + "\n";
}

export interface ParsedZoneinfo {
  zones: ZoneinfoZone[];
  /** Problems found, each with its 1-based line. */
  errors: string[];
}

const NUMBER = /^\d+$/;

/**
 * A real /proc/zoneinfo (any node count, any extra counters): node 0's zones
 * with the fields zoneinfoOf() gives. Lines it does not know are skipped;
 * a known field with a value that is not a number is an error naming the line.
 */
export function parseZoneinfo(text: string): ParsedZoneinfo {
  const zones: ZoneinfoZone[] = [];
  const errors: string[] = [];
  let zone: ZoneinfoZone | null = null;
  let pageset: ZoneinfoPageset | null = null;
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    const head = /^Node (\d+), zone\s+(\S+)$/.exec(line);
    if (head) {
      pageset = null;
      zone = head[1] === "0" ? { name: head[2]!, free: 0, min: 0, low: 0, high: 0, spanned: 0, present: 0, managed: 0, protection: [], pagesets: [], startPfn: null } : null;
      if (zone) zones.push(zone);
      continue;
    }
    if (!zone) continue;
    const z = zone;
    const field = /^(pages free|min|low|high|spanned|present|managed|count:|high:|batch:|cpu:|start_pfn:)\s+(\S+)$/.exec(line);
    const protection = /^protection: \(([-\d, ]*)\)$/.exec(line);
    if (protection) {
      z.protection = protection[1]!.split(",").map((v) => Number(v.trim()));
      continue;
    }
    if (!field) continue;
    const [, key, value] = field;
    if (!NUMBER.test(value!)) {
      errors.push(`line ${i + 1}: ${key} is not a number: ${value}`);
      continue;
    }
    const n = Number(value);
    switch (key) {
      case "pages free": z.free = n; break;
      case "min": z.min = n; break;
      case "low": z.low = n; break;
      case "high": z.high = n; break;
      case "spanned": z.spanned = n; break;
      case "present": z.present = n; break;
      case "managed": z.managed = n; break;
      case "start_pfn:": z.startPfn = n; break;
      case "cpu:":
        pageset = { cpu: n, count: 0, high: 0, batch: 0 };
        z.pagesets.push(pageset);
        break;
      default:
        if (!pageset) errors.push(`line ${i + 1}: ${key} outside a pageset`);
        else if (key === "count:") pageset.count = n;
        else if (key === "high:") pageset.high = n;
        else pageset.batch = n;
    }
  }
  return { zones, errors };
}

export interface ScenarioZoneinfo {
  /** /proc/zoneinfo's layout; a sweep of memory, cpus or pcp gets one
   * block a value, each after a `# PARAM VALUE` line. */
  text: string;
  /** What zoneinfo has no field for: min_free_kbytes and the simulated zone. */
  notes: string[];
}


export function scenarioZoneinfo(s: Scenario): ScenarioZoneinfo {
  const one = (at: Scenario) => {
    const node = nodeSetup(at.memoryBytes, at.cpus);
    return { node, text: formatZoneinfo(zoneinfoOf(node, at.pcp)) };
  };
  const describe = (node: NodeSetup) => {
    const names = node.simulated.map((z) => z.name);
    const zones = names.length > 1 ? `zones ${names.join(" and ")}` : `zone ${names[0]}`;
    const others = names.length > 1 ? "their" : "its";
    return `min_free_kbytes ${node.minFreeKbytes}; the runs simulate ${zones}, the others only shape ${others} watermarks`;
  };
  if (!s.sweep || !SETUP_SWEEPS.has(s.sweep.param.kind)) {
    const { node, text } = one(s);
    return { text, notes: [describe(node)] };
  }
  const blocks = s.sweep.values.map((v) => {
    const label = `${sweepParamName(s)} ${sweepValueText(s, v)}`;
    const { node, text } = one(applySweep(s, v));
    return { text: `# ${label}\n${text}`, note: `${label}: ${describe(node)}` };
  });
  return { text: blocks.map((b) => b.text).join(""), notes: blocks.map((b) => b.note) };
}

export interface ZoneinfoComparison {
  /** One line a field that differs, the real figure first. */
  differences: string[];
  /** Every field equal, but managed pages within 1% (the kernel's own
   * reservations are estimated). */
  matches: boolean;
}

/** The model's zones against a real /proc/zoneinfo, field by field, for the
 * fields the model has but runtime state (pages free, pcp count). */
export function compareZoneinfo(real: readonly ZoneinfoZone[], model: readonly ZoneinfoZone[]): ZoneinfoComparison {
  const differences: string[] = [];
  let matches = true;
  const differ = (what: string, here: unknown, ours: unknown, tolerated = false) => {
    differences.push(`${what}: ${String(here)} here, ${String(ours)} in the model`);
    if (!tolerated) matches = false;
  };
  const names = (zs: readonly ZoneinfoZone[]) => zs.map((z) => z.name).join(", ");
  if (names(real) !== names(model)) differ("zones", names(real), names(model));
  for (const z of model) {
    const k = real.find((r) => r.name === z.name);
    if (!k) continue;
    for (const f of ["min", "low", "high", "spanned", "present", "startPfn"] as const) {
      if (k[f] !== z[f]) differ(`zone ${z.name} ${f === "startPfn" ? "start_pfn" : f}`, k[f], z[f]);
    }
    if (k.managed !== z.managed) differ(`zone ${z.name} managed`, k.managed, z.managed, Math.abs(k.managed - z.managed) <= k.managed / 100);
    if (k.protection.join(", ") !== z.protection.join(", ")) differ(`zone ${z.name} protection`, `(${k.protection.join(", ")})`, `(${z.protection.join(", ")})`);
    if (k.pagesets.length !== z.pagesets.length) differ(`zone ${z.name} cpus`, k.pagesets.length, z.pagesets.length);
    k.pagesets.forEach((p, i) => {
      const q = z.pagesets[i];
      if (q && (p.high !== q.high || p.batch !== q.batch)) differ(`zone ${z.name} cpu ${p.cpu} pcp high/batch`, `${p.high}/${p.batch}`, `${q.high}/${q.batch}`);
    });
  }
  return { differences, matches };
}
