// Quantities: a number glued to a unit. Values are computed exactly from the
// decimal digits (BigInt), never through floating-point multiplication, so
// "1.1ms" is 1100000 ns on every host and times are whole nanoseconds.

export const PAGE_SIZE = 4096;

export type Quantity =
  | { kind: "int"; value: number }
  | { kind: "decimal"; value: number }
  | { kind: "time"; ns: number }
  | { kind: "size"; bytes: number }
  | { kind: "rate"; perSecond: number }
  | { kind: "percent"; percent: number };

const TIME_UNITS: Record<string, bigint> = { ns: 1n, us: 1_000n, ms: 1_000_000n, s: 1_000_000_000n };
const SIZE_UNITS: Record<string, bigint> = { KiB: 1n << 10n, MiB: 1n << 20n, GiB: 1n << 30n, TiB: 1n << 40n };
const RATE_UNITS: Record<string, bigint> = { "/s": 1n, "k/s": 1_000n, "M/s": 1_000_000n };

export const UNITS = {
  time: Object.keys(TIME_UNITS),
  size: [...Object.keys(SIZE_UNITS), "pages"],
  rate: Object.keys(RATE_UNITS),
  percent: ["%"],
} as const;

const ALL_UNITS: readonly string[] = [...UNITS.time, ...Object.keys(SIZE_UNITS), ...UNITS.rate, "%"];

/** At most this many digits after the point: enough for any sane scenario and
 * short enough that every value prints back without an exponent. */
const MAX_DECIMALS = 6;
const MAX_DIGITS = 30;

type QuantityResult =
  | { ok: true; quantity: Quantity }
  | { ok: false; code: "E103" | "E107" | "E111" | "E112" | "E217"; message: string };

const NUMBER_PART = /^([0-9][0-9_]*)(?:\.([0-9][0-9_]*))?/;

function digitsOk(part: string): boolean {
  return !part.endsWith("_") && !part.includes("__");
}

/** Reads a decimal integer or hex literal. */
export function parseInteger(image: string): QuantityResult {
  const hex = /^0[xX]/.test(image);
  const body = hex ? image.slice(2) : image;
  const valid = hex ? /^[0-9a-fA-F][0-9a-fA-F_]*$/.test(body) : /^[0-9][0-9_]*$/.test(body);
  if (!valid || !digitsOk(body)) {
    return { ok: false, code: "E107", message: `malformed number '${clip(image)}'` };
  }
  const digits = body.replaceAll("_", "");
  if (digits.replace(/^0+/, "").length > MAX_DIGITS) return tooLarge(image);
  const value = BigInt(hex ? "0x" + digits : digits);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) return tooLarge(image);
  return { ok: true, quantity: { kind: "int", value: Number(value) } };
}

/** Reads a number with a unit (or a bare decimal, which the checker rejects
 * where a unit is needed). */
export function parseQuantity(image: string): QuantityResult {
  const m = NUMBER_PART.exec(image);
  if (!m) return { ok: false, code: "E107", message: `malformed number '${clip(image)}'` };
  const intPart = m[1]!;
  const fracPart = m[2] ?? "";
  const unit = image.slice(m[0].length);
  if (!digitsOk(intPart) || (m[2] !== undefined && !digitsOk(fracPart))) {
    return { ok: false, code: "E107", message: `malformed number '${clip(image)}'` };
  }
  const frac = fracPart.replaceAll("_", "");
  if (frac.length > MAX_DECIMALS) {
    return { ok: false, code: "E107", message: `'${clip(image)}' has more than ${MAX_DECIMALS} digits after the point` };
  }
  const intDigits = intPart.replaceAll("_", "").replace(/^0+(?=.)/, "");
  if (intDigits.length + frac.length > MAX_DIGITS) return tooLarge(image);
  const mantissa = BigInt(intDigits + frac);
  const scale = 10n ** BigInt(frac.length);

  if (unit === "") {
    return { ok: true, quantity: { kind: "decimal", value: ratio(mantissa, 1n, scale) } };
  }
  if (unit in TIME_UNITS) {
    const exact = mantissa * TIME_UNITS[unit]!;
    if (exact % scale !== 0n) {
      return { ok: false, code: "E112", message: `${image} is not a whole number of nanoseconds` };
    }
    return safe(image, exact / scale, (ns) => ({ kind: "time", ns }));
  }
  if (unit in SIZE_UNITS) {
    const exact = mantissa * SIZE_UNITS[unit]!;
    if (exact % scale !== 0n) {
      return { ok: false, code: "E217", message: `${image} is not a whole number of bytes` };
    }
    return safe(image, exact / scale, (bytes) => ({ kind: "size", bytes }));
  }
  if (unit in RATE_UNITS) {
    const perSecond = ratio(mantissa, RATE_UNITS[unit]!, scale);
    if (perSecond > Number.MAX_SAFE_INTEGER) return tooLarge(image);
    return { ok: true, quantity: { kind: "rate", perSecond } };
  }
  if (unit === "%") {
    return { ok: true, quantity: { kind: "percent", percent: ratio(mantissa, 1n, scale) } };
  }
  return { ok: false, code: "E103", message: unknownUnitMessage(image, unit) };
}

function unknownUnitMessage(image: string, unit: string): string {
  const number = image.slice(0, image.length - unit.length);
  if (unit === "x") return `unknown unit 'x' in '${clip(image)}'; write '${number} x order ...' with spaces`;
  const lower = unit.toLowerCase();
  const hints: Record<string, string> = {
    kb: "KiB", mb: "MiB", g: "GiB", gb: "GiB", t: "TiB", tb: "TiB",
    sec: "s", secs: "s", msec: "ms", usec: "us", nsec: "ns",
    hz: "/s", k: "k/s", khz: "k/s", mhz: "M/s", page: " pages", pages: " pages",
  };
  const hint = hints[lower];
  const suggestion = hint ? `; did you mean '${number}${hint}'?` : "";
  return `unknown unit '${clip(unit)}' in '${clip(image)}' (units: ${ALL_UNITS.join(" ")} and 'N pages')${suggestion}`;
}

/** m * mult / scale, exact when the quotient is an integer, else rounded once. */
function ratio(mantissa: bigint, mult: bigint, scale: bigint): number {
  const num = mantissa * mult;
  if (num % scale === 0n) return Number(num / scale);
  return Number(num) / Number(scale);
}

function safe(image: string, value: bigint, make: (n: number) => Quantity): QuantityResult {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) return tooLarge(image);
  return { ok: true, quantity: make(Number(value)) };
}

function tooLarge(image: string): QuantityResult {
  return { ok: false, code: "E111", message: `number too large: '${clip(image)}' (at most 2^53 in base units)` };
}

function clip(s: string): string {
  return s.length > 40 ? s.slice(0, 37) + "..." : s;
}

// ---- canonical spelling -------------------------------------------------

/** Largest unit that keeps the number whole: 1500000ns prints as 1500us. */
export function formatTime(ns: number): string {
  for (const [unit, f] of [["s", 1e9], ["ms", 1e6], ["us", 1e3]] as const) {
    if (ns !== 0 && ns % f === 0) return `${ns / f}${unit}`;
  }
  return `${ns}ns`;
}

export function formatSize(bytes: number): string {
  for (const [unit, f] of [["TiB", 2 ** 40], ["GiB", 2 ** 30], ["MiB", 2 ** 20], ["KiB", 2 ** 10]] as const) {
    if (bytes !== 0 && bytes % f === 0) return `${bytes / f}${unit}`;
  }
  if (bytes === 0) return "0KiB";
  return `${bytes / 1024}KiB`;
}

export function formatRate(perSecond: number): string {
  if (Number.isInteger(perSecond) && perSecond !== 0) {
    if (perSecond % 1e6 === 0) return `${perSecond / 1e6}M/s`;
    if (perSecond % 1e3 === 0) return `${perSecond / 1e3}k/s`;
  }
  return `${perSecond}/s`;
}

export function formatQuantity(q: Quantity, hex = false): string {
  switch (q.kind) {
    case "int":
      return hex ? "0x" + q.value.toString(16) : String(q.value);
    case "decimal":
      return String(q.value);
    case "time":
      return formatTime(q.ns);
    case "size":
      return formatSize(q.bytes);
    case "rate":
      return formatRate(q.perSecond);
    case "percent":
      return `${q.percent}%`;
  }
}

/** Human text for hover: the value in base units. */
export function describeQuantity(q: Quantity): string {
  const n = (v: number) => v.toLocaleString("en-US", { maximumFractionDigits: 6 });
  switch (q.kind) {
    case "int":
      return `${n(q.value)} (0x${q.value.toString(16)})`;
    case "decimal":
      return `${q.value} (a bare decimal needs a unit)`;
    case "time":
      return `${n(q.ns)} ns`;
    case "size": {
      const pages = q.bytes / PAGE_SIZE;
      return `${n(q.bytes)} bytes = ${n(pages)} pages of 4 KiB`;
    }
    case "rate": {
      const mean = q.perSecond > 0 ? 1e9 / q.perSecond : Infinity;
      return `${n(q.perSecond)} per second (mean gap ${Number.isFinite(mean) ? n(Math.round(mean)) + " ns" : "infinite"})`;
    }
    case "percent":
      return `${q.percent}% = ${q.percent / 100}`;
  }
}
