import { describe, expect, it } from "vitest";
import { EventHeap } from "../../lib/engine/heap.ts";
import { Rng } from "../../lib/engine/rng.ts";

type Entry = { time: number; seq: number; payload: number };

// Reference model: a plain array kept sorted by (time, seq).
class Oracle {
  private entries: Entry[] = [];
  push(e: Entry): void {
    let i = this.entries.length;
    while (i > 0 && (this.entries[i - 1].time > e.time || (this.entries[i - 1].time === e.time && this.entries[i - 1].seq > e.seq))) i--;
    this.entries.splice(i, 0, e);
  }
  pop(): Entry {
    const e = this.entries.shift();
    if (e === undefined) throw new Error("oracle empty");
    return e;
  }
  get size(): number {
    return this.entries.length;
  }
}

function popEntry(heap: EventHeap): Entry {
  const payload = heap.pop();
  return { time: heap.poppedTime, seq: heap.poppedSeq, payload };
}

describe("EventHeap", () => {
  // Time ranges: 20 ns gives many ties, 2^53 gives large exact times.
  for (const [seed, timeRange] of [[1, 20], [2, 1000], [3, 2 ** 53]] as const) {
    it(`matches a sorted-array oracle under interleaved push/pop (times below ${timeRange})`, () => {
      const rng = new Rng(seed);
      const heap = new EventHeap(2);
      const oracle = new Oracle();
      const drawTime = () => (timeRange > 2 ** 32 ? Math.floor(rng.nextFloat() * timeRange) : rng.nextBelow(timeRange));
      // Plain comparisons in the loop (expect() per step is slow); report the first mismatch.
      let mismatch: string | null = null;
      const same = (want: Entry, step: number) => {
        const peekTime = heap.peekTime();
        const peekPayload = heap.peekPayload();
        const got = popEntry(heap);
        if (peekTime !== want.time || peekPayload !== want.payload || got.time !== want.time || got.seq !== want.seq || got.payload !== want.payload) {
          mismatch ??= `step ${step}: want ${JSON.stringify(want)}, got ${JSON.stringify(got)} (peeked ${peekTime}, ${peekPayload})`;
        }
      };
      for (let step = 0; step < 30_000; step++) {
        // Mostly pushes for the first half, mostly pops afterwards.
        const pushPercent = step < 15_000 ? 65 : 35;
        if (oracle.size === 0 || rng.nextBelow(100) < pushPercent) {
          const time = drawTime();
          const payload = rng.nextU32() | 0;
          oracle.push({ time, seq: heap.push(time, payload), payload });
        } else {
          same(oracle.pop(), step);
        }
        if (heap.size !== oracle.size) mismatch ??= `step ${step}: size ${heap.size}, want ${oracle.size}`;
      }
      while (oracle.size > 0) same(oracle.pop(), -1);
      expect(mismatch).toBeNull();
      expect(heap.size).toBe(0);
    });
  }

  it("pops events with equal times in push order", () => {
    const heap = new EventHeap();
    const times = [5, 3, 5, 3, 5, 0, 3, 5, 0];
    times.forEach((t, i) => heap.push(t, i));
    const order: number[] = [];
    while (heap.size > 0) order.push(heap.pop());
    expect(order).toEqual([5, 8, 1, 3, 6, 0, 2, 4, 7]);

    const same = new EventHeap(1);
    for (let i = 0; i < 5000; i++) same.push(42, i);
    for (let i = 0; i < 5000; i++) expect(same.pop()).toBe(i);
  });

  it("grows past its initial capacity", () => {
    const heap = new EventHeap(1);
    const n = 10_000;
    for (let i = 0; i < n; i++) heap.push(n - i, i);
    expect(heap.size).toBe(n);
    expect(heap.capacity).toBeGreaterThanOrEqual(n);
    for (let i = 0; i < n; i++) {
      expect(heap.pop()).toBe(n - 1 - i);
      expect(heap.poppedTime).toBe(i + 1);
    }
  });

  it("returns sequence numbers 0, 1, 2, ... and restarts them on clear", () => {
    const heap = new EventHeap();
    expect([heap.push(9, 0), heap.push(1, 0), heap.push(5, 0)]).toEqual([0, 1, 2]);
    heap.clear();
    expect(heap.size).toBe(0);
    expect(heap.peekTime()).toBe(Infinity);
    expect(heap.push(7, 3)).toBe(0);
    expect(heap.pop()).toBe(3);
    expect(heap.poppedSeq).toBe(0);
  });

  it("reports emptiness and rejects bad arguments", () => {
    const heap = new EventHeap();
    expect(heap.peekTime()).toBe(Infinity);
    expect(() => heap.pop()).toThrow(RangeError);
    expect(() => heap.peekPayload()).toThrow(RangeError);
    for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 53]) expect(() => heap.push(bad, 0)).toThrow(RangeError);
    for (const bad of [1.5, 2 ** 31, NaN]) expect(() => heap.push(0, bad)).toThrow(RangeError);
    expect(heap.size).toBe(0);
    heap.push(2 ** 53 - 1, -(2 ** 31));
    expect(heap.pop()).toBe(-(2 ** 31));
    expect(heap.poppedTime).toBe(2 ** 53 - 1);
  });
});
