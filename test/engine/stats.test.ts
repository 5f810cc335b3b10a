import { describe, expect, it } from "vitest";
import { Rng } from "../../lib/engine/rng.ts";
import { LatencyHistogram, summarize } from "../../lib/engine/stats.ts";

const PS = [0.001, 0.1, 1, 5, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 99.999, 100];

/** The exact order statistic the histogram approximates: the ceil(p/100 * n)-th smallest. */
function exactPercentile(sorted: readonly number[], p: number): number {
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p * sorted.length) / 100)));
  return sorted[rank - 1];
}

function histogramOf(values: readonly number[]): LatencyHistogram {
  const h = new LatencyHistogram();
  for (const v of values) h.record(v);
  return h;
}

/** 1e5 latencies spanning many magnitudes: exponential bodies with a long tail, plus small exact values. */
function latencies(seed: number, n = 100_000): number[] {
  const rng = new Rng(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const kind = rng.nextBelow(10);
    if (kind < 2) out.push(rng.nextBelow(300)); // around the exact/bucketed boundary
    else if (kind < 8) out.push(rng.exponentialNs(20_000));
    else if (kind < 9) out.push(rng.exponentialNs(3_000_000));
    else out.push(rng.exponentialNs(1e12)); // seconds-to-hours tail
  }
  return out;
}

const sortNumeric = (values: readonly number[]) => [...values].sort((a, b) => a - b);

describe("LatencyHistogram", () => {
  it("reports percentiles within 1% of the exact order statistic (1e5 values)", () => {
    const values = latencies(42);
    const sorted = sortNumeric(values);
    const h = histogramOf(values);
    expect(h.count).toBe(values.length);
    const ps = [...PS, ...Array.from({ length: 200 }, (_, i) => (i + 1) / 2)];
    for (const p of ps) {
      const exact = exactPercentile(sorted, p);
      const got = h.percentile(p);
      expect(Number.isInteger(got), `p${p}`).toBe(true);
      expect(Math.abs(got - exact), `p${p}: got ${got}, exact ${exact}`).toBeLessThanOrEqual(exact * 0.01);
      // The design bound: half a sub-bucket, at most 1/256 of the value.
      expect(Math.abs(got - exact), `p${p}`).toBeLessThanOrEqual(exact / 256);
    }
  });

  it("is exact below 256", () => {
    const rng = new Rng(7);
    const values = Array.from({ length: 20_000 }, () => rng.nextBelow(256));
    const sorted = sortNumeric(values);
    const h = histogramOf(values);
    for (let p = 0.01; p <= 100; p += 0.37) expect(h.percentile(p), `p${p}`).toBe(exactPercentile(sorted, p));
    for (const v of [0, 1, 127, 128, 200, 255]) {
      const one = histogramOf([v]);
      expect([one.percentile(1), one.percentile(50), one.percentile(100)]).toEqual([v, v, v]);
    }
  });

  it("has p100 == max and never reports outside [min, max]", () => {
    const values = latencies(9, 10_000);
    const h = histogramOf(values);
    const sorted = sortNumeric(values);
    expect(h.max()).toBe(sorted[sorted.length - 1]);
    expect(h.min()).toBe(sorted[0]);
    expect(h.percentile(100)).toBe(h.max());
    expect(h.percentile(1e-9)).toBe(h.min());
    // Percentiles never decrease with p.
    let prev = -1;
    for (let p = 0.01; p <= 100; p += 0.01) {
      const q = h.percentile(p);
      expect(q, `p${p}`).toBeGreaterThanOrEqual(prev);
      prev = q;
    }
    // A single large value: its bucket's midpoint is clamped to the value itself.
    for (const v of [256, 257, 1000, 123_456_789, 2 ** 40 + 12345, 2 ** 53 - 1, 2 ** 53]) {
      const one = histogramOf([v]);
      expect([one.min(), one.max(), one.percentile(0.1), one.percentile(100)]).toEqual([v, v, v, v]);
    }
    // Two values in the same bucket: every percentile stays within [min, max].
    const pair = histogramOf([1_000_001, 1_000_002]);
    for (const p of [1, 50, 100]) {
      expect(pair.percentile(p)).toBeGreaterThanOrEqual(1_000_001);
      expect(pair.percentile(p)).toBeLessThanOrEqual(1_000_002);
    }
    expect(pair.percentile(100)).toBe(1_000_002);
  });

  it("keeps every bucket within 1/128 relative width at magnitude boundaries up to 2^53", () => {
    for (let m = 8; m <= 53; m++) {
      const lo = 2 ** m;
      for (const v of [lo, lo + 1, lo + lo / 2, 2 * lo - 1]) {
        if (v > 2 ** 53) continue;
        // Put v in the middle of a population spread well away from it, so the result is v's bucket midpoint.
        const h = histogramOf([0, v, 2 ** 53]);
        const got = h.percentile(50);
        expect(Math.abs(got - v), `2^${m}: v=${v}, got ${got}`).toBeLessThanOrEqual(v / 256);
      }
    }
  });

  it("merges to the same result as recording everything in one", () => {
    const a = latencies(1, 30_000);
    const b = latencies(2, 50_000).map((v) => v * 3);
    const all = histogramOf([...a, ...b]);
    const merged = histogramOf(a);
    merged.merge(histogramOf(b));
    expect(merged.count).toBe(all.count);
    expect(merged.min()).toBe(all.min());
    expect(merged.max()).toBe(all.max());
    expect(merged.mean()).toBe(all.mean());
    for (let p = 0.1; p <= 100; p += 0.1) expect(merged.percentile(p), `p${p}`).toBe(all.percentile(p));
    expect(merged.percentile(100)).toBe(all.percentile(100));

    // Merging into and from an empty histogram.
    const intoEmpty = new LatencyHistogram();
    intoEmpty.merge(all);
    intoEmpty.merge(new LatencyHistogram());
    expect([intoEmpty.count, intoEmpty.min(), intoEmpty.max(), intoEmpty.mean(), intoEmpty.percentile(99)]).toEqual(
      [all.count, all.min(), all.max(), all.mean(), all.percentile(99)],
    );
  });

  it("keeps an exact mean", () => {
    const values = latencies(3);
    const h = histogramOf(values);
    const exactSum = values.reduce((s, v) => s + BigInt(v), 0n);
    // The sum here is far above 2^53 (the tail is ~1e12 per value).
    expect(exactSum > 2n ** 53n).toBe(true);
    const n = BigInt(values.length);
    const expected = Number(exactSum / n) + Number(exactSum % n) / values.length;
    expect(h.mean()).toBe(expected);
    // Close to the exact rational mean by far more than any bucketed estimate could be.
    expect(Math.abs(h.mean() - Number(exactSum) / values.length)).toBeLessThanOrEqual(h.mean() * 2 ** -52);

    // Small sums are divided exactly once.
    expect(histogramOf([1, 2]).mean()).toBe(1.5);
    expect(histogramOf([1000, 1001, 1003]).mean()).toBe(3004 / 3);
    // Sums well past 2^53 stay exact: 2^53 + 2^53 + 1 + 1.
    expect(histogramOf([2 ** 53, 2 ** 53, 1, 1]).mean()).toBe(2 ** 52 + 0.5);
    // A naive double sum would lose the +1s: (2^53 + 1) rounds to 2^53.
    const many = new LatencyHistogram();
    for (let i = 0; i < 1000; i++) many.record(2 ** 53);
    for (let i = 0; i < 1000; i++) many.record(3);
    expect(many.mean()).toBe(2 ** 52 + 1.5);
  });

  it("returns zeros when empty and rejects bad input", () => {
    const h = new LatencyHistogram();
    expect([h.count, h.mean(), h.min(), h.max(), h.percentile(50), h.percentile(100)]).toEqual([0, 0, 0, 0, 0, 0]);
    for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 53 + 2]) expect(() => h.record(bad)).toThrow(RangeError);
    for (const p of [0, -1, 100.0001, NaN]) expect(() => h.percentile(p)).toThrow(RangeError);
    expect(h.count).toBe(0);
  });

  it("allocates sub-buckets only for magnitudes it has seen", () => {
    const h = histogramOf([1, 2, 255, 300, 100_000]);
    const sub = (h as unknown as { sub: (Float64Array | undefined)[] }).sub;
    expect(sub.filter((b) => b !== undefined)).toHaveLength(2); // 2^8 and 2^16
  });
});

describe("summarize", () => {
  it("matches hand-computed values", () => {
    // Deviations from 5: -3,-1,-1,-1,0,0,2,4; squares sum to 32; sample variance 32/7.
    const s = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(s.mean).toBe(5);
    expect(s.stddev).toBe(Math.sqrt(32 / 7));
    expect(s.stddev).toBeCloseTo(2.138089935299395, 14);
    expect([s.min, s.max]).toEqual([2, 9]);
    expect(summarize([1, 2, 3, 4])).toEqual({ mean: 2.5, stddev: Math.sqrt(5 / 3), min: 1, max: 4 });
  });

  it("gives 0 stddev for a single value and zeros for no values", () => {
    expect(summarize([42.5])).toEqual({ mean: 42.5, stddev: 0, min: 42.5, max: 42.5 });
    expect(summarize([])).toEqual({ mean: 0, stddev: 0, min: 0, max: 0 });
    expect(summarize([0.1, 0.1, 0.1]).stddev).toBe(0);
    expect(summarize([0.1, 0.1, 0.1]).mean).toBe(0.1);
  });

  it("is numerically stable for a large offset", () => {
    // Sample variance of [4, 7, 13, 16] is 30; a one-pass sum of squares loses it entirely at 1e9.
    for (const offset of [0, 1e6, 1e9]) {
      const s = summarize([4, 7, 13, 16].map((x) => x + offset));
      expect(s.mean).toBe(10 + offset);
      expect(s.stddev).toBeCloseTo(Math.sqrt(30), 9);
    }
  });

  it("rejects non-finite values", () => {
    expect(() => summarize([1, NaN])).toThrow(/values\[1\]/);
    expect(() => summarize([Infinity])).toThrow(RangeError);
  });
});
