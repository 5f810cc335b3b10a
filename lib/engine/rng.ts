// Seeded random numbers for the engine: xoshiro128** (Blackman & Vigna)
// seeded through splitmix64, plus a log built only from IEEE-754 + - * /
// so that exponential variates are bit-identical in every JavaScript engine
// (Math.log is implementation-approximated by ECMAScript).
import type { Dist } from "../dsl/scenario.ts";

const MASK64 = (1n << 64n) - 1n;
const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;

/** splitmix64 (Vigna, prng.di.unimi.it/splitmix64.c). BigInt: it only runs at seeding. */
export class SplitMix64 {
  private state: bigint;

  /** `seed` is taken modulo 2^64. */
  constructor(seed: bigint) {
    this.state = BigInt.asUintN(64, seed);
  }

  /** Next 64-bit output as a BigInt in [0, 2^64). */
  next(): bigint {
    this.state = (this.state + 0x9e3779b97f4a7c15n) & MASK64;
    let z = this.state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    return z ^ (z >> 31n);
  }
}

export type Seed = number | bigint;

/**
 * xoshiro128** 1.1 with 32-bit outputs.
 *
 * The seed is a 64-bit unsigned value: a non-negative safe integer
 * (number, < 2^53) or a bigint in [0, 2^64). With p, q the first two
 * splitmix64(seed) outputs the state is
 *   s0 = lo32(p), s1 = hi32(p), s2 = lo32(q), s3 = hi32(q).
 * The state is never all zero: splitmix64's mixer is a bijection with
 * mix(0) = 0, so p = 0 forces q = mix(0x9e3779b97f4a7c15) != 0.
 */
/** Pairs of draws made ahead at a time (see Rng.refill()). */
const AHEAD_PAIRS = 64;
const AHEAD = 2 * AHEAD_PAIRS;

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** Draws taken from the state ahead of use, handed out in stream order:
   * the sequence is the generator's, whatever mix of draws consumes it. */
  private readonly ahead = new Uint32Array(AHEAD);
  /** For each pair ahead[2k], ahead[2k + 1]: -pureLog(1 - U), U being
   * what nextFloat() makes of the pair, so that an exponential variate
   * starting at an even position is one multiplication. A loop over a
   * block overlaps the logarithm's long chain of dependent operations
   * from one pair to the next; one at a time they ran back to back. */
  private readonly minusLogs = new Float64Array(AHEAD_PAIRS);
  /** The next unused position in `ahead`; AHEAD when none is left. */
  private aheadNext = AHEAD;

  constructor(seed: Seed) {
    const sm = new SplitMix64(checkSeed(seed));
    const p = sm.next();
    const q = sm.next();
    // Held as int32 (| 0) like every later state value; outputs use >>> 0.
    this.s0 = Number(p & 0xffffffffn) | 0;
    this.s1 = Number(p >> 32n) | 0;
    this.s2 = Number(q & 0xffffffffn) | 0;
    this.s3 = Number(q >> 32n) | 0;
  }

  /** Uniform integer in [0, 2^32). */
  nextU32(): number {
    if (this.aheadNext === AHEAD) this.refill();
    return this.ahead[this.aheadNext++]!;
  }

  /** The next AHEAD draws of the generator, and their pairs' logarithms.
   * Lazily, on the first draw: tests set the state of a fresh Rng. */
  private refill(): void {
    const ahead = this.ahead;
    for (let k = 0; k < AHEAD_PAIRS; k++) {
      const hi = this.step();
      const lo = this.step();
      ahead[2 * k] = hi;
      ahead[2 * k + 1] = lo;
      this.minusLogs[k] = -pureLog(1 - ((hi >>> 5) * 67108864 + (lo >>> 6)) / TWO_53);
    }
    this.aheadNext = 0;
  }

  /** xoshiro128** itself: the next output of the state. */
  private step(): number {
    const s1 = this.s1;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 = s1 ^ this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /**
   * Uniform double in [0, 1) with 53 random bits, from two draws:
   * (first >>> 5) * 2^26 + (second >>> 6), divided by 2^53. Every value is
   * a multiple of 2^-53, so 1 - nextFloat() is exact and lies in (0, 1].
   */
  nextFloat(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / TWO_53;
  }

  /**
   * Unbiased integer in [0, n) for an integer 1 <= n <= 2^32. Draws at or
   * above the largest multiple of n not above 2^32 are rejected, so the
   * result is exactly uniform; the number of draws consumed varies.
   */
  nextBelow(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_32) {
      throw new RangeError(`nextBelow: n must be an integer in [1, 2^32], got ${n}`);
    }
    // All operands are integers below 2^33, so % and - are exact.
    const limit = TWO_32 - (TWO_32 % n);
    let x = this.nextU32();
    while (x >= limit) x = this.nextU32();
    return x % n;
  }

  /**
   * Unbiased integer in [0, n) for an integer 1 <= n <= 2^53. Up to 2^32 it
   * is nextBelow, draw for draw, so narrow ranges keep their sequences.
   * Wider ranges take 53 bits from two draws (21 high bits of the first,
   * all of the second) and reject at or above the largest multiple of n not
   * above 2^53, so they are exactly uniform too.
   */
  nextBelowWide(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_53) {
      throw new RangeError(`nextBelowWide: n must be an integer in [1, 2^53], got ${n}`);
    }
    if (n <= TWO_32) return this.nextBelow(n);
    // Integers below 2^54: % and - on them are exact in doubles.
    const limit = TWO_53 - (TWO_53 % n);
    let x: number;
    do x = (this.nextU32() >>> 11) * TWO_32 + this.nextU32();
    while (x >= limit);
    return x % n;
  }

  /**
   * Exponential variate with mean `meanNs`, rounded to the nearest integer
   * nanosecond (Math.round: halves go up). Uses -mean * pureLog(1 - U) with
   * U = nextFloat(), so it consumes exactly two 32-bit draws and the result
   * is at most about 36.7 * meanNs (keep that below 2^53 for EventHeap).
   */
  exponentialNs(meanNs: number): number {
    if (!(meanNs >= 0) || meanNs === Infinity) {
      throw new RangeError(`exponentialNs: mean must be finite and >= 0, got ${meanNs}`);
    }
    // meanNs * -log(1 - U) is -meanNs * log(1 - U) bit for bit: negation is exact.
    const i = this.aheadNext;
    let minusLog: number;
    if ((i & 1) === 0 && i < AHEAD) {
      minusLog = this.minusLogs[i >> 1]!;
      this.aheadNext = i + 2;
    } else minusLog = -pureLog(1 - this.nextFloat());
    const x = meanNs * minusLog;
    return Math.round(x) + 0; // + 0 turns the -0 from U = 0 into 0
  }
}

function checkSeed(seed: Seed): bigint {
  if (typeof seed === "number") {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`Rng seed must be a non-negative safe integer, got ${seed}`);
    }
    return BigInt(seed);
  }
  if (seed < 0n || seed > MASK64) {
    throw new RangeError(`Rng seed must be in [0, 2^64), got ${seed}`);
  }
  return seed;
}

// ---------------------------------------------------------------------------
// Natural logarithm from + - * / only.
//
// x = m * 2^e with m in [sqrt(1/2), sqrt(2)): e comes from the exponent bits
// and m = x * 2^-e is an exact multiplication by a table entry. (Writing the
// exponent bits back and re-reading the double stalls store forwarding and
// made pureLog several times slower in V8.)
// f = m - 1 is exact (Sterbenz). With s = f / (2 + f):
//   log(1 + f) = 2 atanh(s) = 2s + s*R,  R = 2s^2/3 + 2s^4/5 + ...
// and since 2s = f - s*f, log(1 + f) = f - s*(f - R). Keeping the exact f as
// the leading term keeps the relative error small near x = 1.
// |s| <= 0.1716 and s^2 <= 0.0295, so stopping R at s^18 leaves a relative
// truncation error below 3e-17.
// ln2 is split into a high part with trailing zero bits (e * LN2_HI is exact
// for |e| < 2^20) and a low correction.

const LN2_HI = 6.93147180369123816490e-1; // 0x3fe62e42fee00000
const LN2_LO = 1.90821492927058770002e-10; // ln2 - LN2_HI
const SQRT2 = 1.4142135623730951;
const TWO_54 = 18014398509481984;

// Coefficients of R in z = s^2: 2/3, 2/5, ..., 2/19 (correctly rounded divisions).
const C1 = 2 / 3, C2 = 2 / 5, C3 = 2 / 7, C4 = 2 / 9, C5 = 2 / 11;
const C6 = 2 / 13, C7 = 2 / 15, C8 = 2 / 17, C9 = 2 / 19;

// SCALE[b] = 2^(1023 - b) for each biased exponent b of a normal double,
// built by exact doublings and halvings.
const SCALE = new Float64Array(2047);
for (let b = 1023, p = 1; b >= 1; b--, p *= 2) SCALE[b] = p;
for (let b = 1023, p = 1; b <= 2046; b++, p *= 0.5) SCALE[b] = p;

const bits = new DataView(new ArrayBuffer(8));

/** Natural log, deterministic across engines; within about 1 ulp. */
export function pureLog(x: number): number {
  if (!(x > 0)) return x === 0 ? -Infinity : NaN;
  if (x === Infinity) return x;
  let e = 0;
  if (x < 2.2250738585072014e-308) {
    x *= TWO_54; // subnormal: scale into the normal range (exact)
    e = -54;
  }
  bits.setFloat64(0, x);
  const biased = bits.getUint32(0) >>> 20; // sign bit is 0
  e += biased - 1023;
  let m = x * SCALE[biased]; // in [1, 2)
  if (m >= SQRT2) {
    m *= 0.5;
    e += 1;
  }
  const f = m - 1;
  const s = f / (2 + f);
  const z = s * s;
  const r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * (C6 + z * (C7 + z * (C8 + z * C9))))))));
  const logM = f - s * (f - r);
  return e * LN2_HI + (e * LN2_LO + logM);
}

/** One draw from a scenario's distribution, in ns. */
export function sample(rng: Rng, d: Dist): number {
  switch (d.kind) {
    case "const":
      return d.ns;
    case "exp":
      return rng.exponentialNs(d.meanNs);
    case "uniform":
      return d.minNs + rng.nextBelowWide(d.maxNs - d.minNs + 1);
  }
}
