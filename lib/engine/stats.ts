// Latency statistics: an HDR-style histogram of integer nanoseconds, and a
// mean / sample standard deviation summary of a list of numbers. Everything
// here uses only exact integer steps and correctly rounded IEEE-754
// operations (+ - * / Math.floor Math.sqrt), so results are identical in
// every JavaScript engine.

const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;

/** Values below this are counted exactly, one bucket per value. */
const EXACT_LIMIT = 256;
/** log2 of the number of linear sub-buckets per power-of-two magnitude. */
const SUB_BITS = 7;
const SUB_COUNT = 128; // 2^SUB_BITS
/** Smallest magnitude with sub-buckets: 2^FIRST_MAG = EXACT_LIMIT. */
const FIRST_MAG = 8;
/** Largest magnitude: 2^53 itself falls in [2^53, 2^54). */
const LAST_MAG = 53;

// POW2[i] = 2^i for 0 <= i <= 54, built by exact doublings.
const POW2 = new Float64Array(55);
for (let i = 0, p = 1; i <= 54; i++, p *= 2) POW2[i] = p;

/** floor(log2(v)) for an integer 1 <= v <= 2^53, exactly. */
function magnitude(v: number): number {
  const hi = Math.floor(v / TWO_32); // exact: division by a power of two
  return hi > 0 ? 63 - Math.clz32(hi) : 31 - Math.clz32(v >>> 0);
}

/**
 * Histogram of non-negative integer nanosecond values up to 2^53.
 *
 * Values below 256 are counted exactly. A value v >= 256 with
 * 2^m <= v < 2^(m+1) falls in one of 128 equal sub-buckets of that
 * magnitude, of width 2^(m-7) <= v/128; percentiles report the bucket's
 * midpoint (rounded down), so their relative error is at most 1/256.
 * Bucket arrays are allocated per magnitude on first use: at most
 * 256 + 46 * 128 counts (about 49 KiB), typically far fewer.
 *
 * The sum is kept exactly as two words (sumHi * 2^32 + sumLo), so it never
 * overflows in practice: it stays exact while the total is below 2^85
 * (e.g. 1e9 values of 1e12 ns total 1e21, about 2^70, far beyond the 2^53
 * a single double could hold exactly). Counts are exact up to 2^53.
 */
export class LatencyHistogram {
  private readonly exact = new Float64Array(EXACT_LIMIT);
  /** sub[m] holds the 128 sub-bucket counts of magnitude m (FIRST_MAG <= m <= LAST_MAG). */
  private readonly sub: (Float64Array | undefined)[] = new Array<Float64Array | undefined>(LAST_MAG + 1).fill(undefined);
  private n = 0;
  private sumHi = 0;
  private sumLo = 0;
  private minV = Infinity;
  private maxV = -Infinity;

  /** Number of recorded values. */
  get count(): number {
    return this.n;
  }

  /** Records one value: an integer in [0, 2^53]. */
  record(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > TWO_53) {
      throw new RangeError(`LatencyHistogram.record: value must be an integer in [0, 2^53], got ${v}`);
    }
    if (v < EXACT_LIMIT) {
      this.exact[v]++;
    } else {
      const m = magnitude(v);
      // v / 2^(m-7) lies in [128, 256); dividing by a power of two is exact.
      const s = Math.floor(v / POW2[m - SUB_BITS]) - SUB_COUNT;
      let buckets = this.sub[m];
      if (buckets === undefined) buckets = this.sub[m] = new Float64Array(SUB_COUNT);
      buckets[s]++;
    }
    this.n++;
    this.addToSum(Math.floor(v / TWO_32), v >>> 0);
    if (v < this.minV) this.minV = v;
    if (v > this.maxV) this.maxV = v;
  }

  /** Adds hi * 2^32 + lo (0 <= lo < 2^33) to the two-word sum, keeping 0 <= sumLo < 2^32. */
  private addToSum(hi: number, lo: number): void {
    let l = this.sumLo + lo;
    let h = this.sumHi + hi;
    while (l >= TWO_32) {
      l -= TWO_32;
      h += 1;
    }
    this.sumLo = l;
    this.sumHi = h;
  }

  /** Smallest recorded value (exact); 0 when empty. */
  min(): number {
    return this.n === 0 ? 0 : this.minV;
  }

  /** Largest recorded value (exact); 0 when empty. */
  max(): number {
    return this.n === 0 ? 0 : this.maxV;
  }

  /**
   * Mean of the recorded values, from the exact sum; 0 when empty. While the
   * sum is at most 2^53 this is the correctly rounded sum / count; beyond,
   * it is the exact integer quotient plus the correctly rounded
   * remainder / count (within 1 ulp).
   */
  mean(): number {
    if (this.n === 0) return 0;
    if (this.sumHi < 2097152 || (this.sumHi === 2097152 && this.sumLo === 0)) {
      // sum <= 2^53: sumHi * 2^32 + sumLo is exact.
      return (this.sumHi * TWO_32 + this.sumLo) / this.n;
    }
    const sum = (BigInt(this.sumHi) << 32n) + BigInt(this.sumLo);
    const c = BigInt(this.n);
    // The quotient is at most max() <= 2^53, so Number() is exact.
    return Number(sum / c) + Number(sum % c) / this.n;
  }

  /**
   * The p-th percentile, p in (0, 100], as an integer; 0 when empty.
   * The target rank is r = ceil(p * count / 100) (at least 1); the result
   * is the smallest bucket whose cumulative count reaches r, reported as
   * the midpoint of the integers it covers, rounded down, then clamped to
   * [min(), max()]. Ranks 1 and count return min() and max() exactly (so
   * percentile(100) === max()), and values below 256 are reported exactly.
   * The result is non-decreasing in p and within 1/256 of the exact
   * rank-r order statistic.
   */
  percentile(p: number): number {
    if (!(p > 0 && p <= 100)) {
      throw new RangeError(`LatencyHistogram.percentile: p must be in (0, 100], got ${p}`);
    }
    const n = this.n;
    if (n === 0) return 0;
    const rank = Math.min(n, Math.max(1, Math.ceil((p * n) / 100)));
    // The first and last order statistics are known exactly. (Clamping alone
    // would not give p100 == max: max may lie above its bucket's midpoint.)
    if (rank === n) return this.maxV;
    if (rank === 1) return this.minV;
    let seen = 0;
    const exact = this.exact;
    for (let v = 0; v < EXACT_LIMIT; v++) {
      seen += exact[v];
      if (seen >= rank) return this.clamp(v);
    }
    for (let m = FIRST_MAG; m <= LAST_MAG; m++) {
      const buckets = this.sub[m];
      if (buckets === undefined) continue;
      const width = POW2[m - SUB_BITS];
      for (let s = 0; s < SUB_COUNT; s++) {
        seen += buckets[s];
        if (seen >= rank) {
          const lower = POW2[m] + s * width;
          // Integers covered: [lower, lower + width - 1]; width >= 2 is even.
          return this.clamp(lower + width / 2 - 1);
        }
      }
    }
    return this.maxV; // unreachable: the buckets hold n values
  }

  private clamp(v: number): number {
    return v < this.minV ? this.minV : v > this.maxV ? this.maxV : v;
  }

  /** Adds every value recorded in `other` to this histogram. */
  merge(other: LatencyHistogram): void {
    if (other.n === 0) return;
    for (let v = 0; v < EXACT_LIMIT; v++) this.exact[v] += other.exact[v];
    for (let m = FIRST_MAG; m <= LAST_MAG; m++) {
      const theirs = other.sub[m];
      if (theirs === undefined) continue;
      let mine = this.sub[m];
      if (mine === undefined) mine = this.sub[m] = new Float64Array(SUB_COUNT);
      for (let s = 0; s < SUB_COUNT; s++) mine[s] += theirs[s];
    }
    this.n += other.n;
    this.addToSum(other.sumHi, other.sumLo);
    if (other.minV < this.minV) this.minV = other.minV;
    if (other.maxV > this.maxV) this.maxV = other.maxV;
  }
}

export interface Summary {
  mean: number;
  stddev: number;
  min: number;
  max: number;
}

/**
 * Mean, sample standard deviation (n - 1 denominator; 0 for one value),
 * min and max of finite numbers; all zeros for an empty list.
 *
 * Two passes: the mean, then the corrected sum of squared deviations
 * sum(d^2) - (sum d)^2 / n with d = x - mean (Chan, Golub & LeVeque), whose
 * second term cancels most of the rounding error left in the mean.
 * The sum in the first pass is a plain double sum: values whose total
 * overflows to Infinity are not supported.
 */
export function summarize(values: readonly number[]): Summary {
  const n = values.length;
  if (n === 0) return { mean: 0, stddev: 0, min: 0, max: 0 };
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) throw new RangeError(`summarize: values[${i}] is not a finite number: ${x}`);
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  // Rounding can push sum / n just outside [min, max] (e.g. for equal values).
  const mean = Math.min(max, Math.max(min, sum / n));
  if (n === 1) return { mean, stddev: 0, min, max };
  let sd = 0;
  let sd2 = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean;
    sd += d;
    sd2 += d * d;
  }
  const variance = (sd2 - (sd * sd) / n) / (n - 1);
  return { mean, stddev: variance > 0 ? Math.sqrt(variance) : 0, min, max };
}
