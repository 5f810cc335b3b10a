// The pending-event set: a binary min-heap on parallel typed arrays, keyed by
// (time, seq). seq is a counter stamped at push, so events due at the same
// nanosecond pop in the order they were pushed, every run.
//
// Payloads are int32 indices into a table the caller owns; push and pop
// allocate nothing (apart from doubling the arrays when full).
//
// Cancellation is left to the caller, by lazy deletion: keep a generation
// (or "cancelled" flag) in the payload's table entry, bump it to cancel, and
// skip popped payloads whose generation no longer matches. The cancelled
// entry stays in the heap until it reaches the top.

export class EventHeap {
  private times: Float64Array;
  private seqs: Float64Array;
  private payloads: Int32Array;
  private count = 0;
  private nextSeq = 0;

  /** Time of the event returned by the last pop(). */
  poppedTime = 0;
  /** Sequence number of the event returned by the last pop(). */
  poppedSeq = 0;

  constructor(initialCapacity = 1024) {
    const capacity = Math.max(1, Math.floor(initialCapacity));
    this.times = new Float64Array(capacity);
    this.seqs = new Float64Array(capacity);
    this.payloads = new Int32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  get capacity(): number {
    return this.times.length;
  }

  /**
   * Adds an event at `timeNs` (a non-negative integer below 2^53) carrying
   * an int32 `payload`. Returns the event's sequence number: 0, 1, 2, ...
   * in push order since construction or the last clear().
   */
  push(timeNs: number, payload: number): number {
    if (!Number.isSafeInteger(timeNs) || timeNs < 0) {
      throw new RangeError(`EventHeap.push: time must be a non-negative safe integer, got ${timeNs}`);
    }
    if ((payload | 0) !== payload) {
      throw new RangeError(`EventHeap.push: payload must be an int32, got ${payload}`);
    }
    if (this.count === this.times.length) this.grow();
    const times = this.times;
    const seqs = this.seqs;
    const payloads = this.payloads;
    const seq = this.nextSeq++;
    // Sift up: move parents down into the hole until the new key fits. The
    // new seq exceeds every seq in the heap, so an equal time already fits.
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent];
      if (pt <= timeNs) break;
      times[i] = pt;
      seqs[i] = seqs[parent];
      payloads[i] = payloads[parent];
      i = parent;
    }
    times[i] = timeNs;
    seqs[i] = seq;
    payloads[i] = payload;
    return seq;
  }

  /** Time of the earliest event, or Infinity when empty. */
  peekTime(): number {
    return this.count > 0 ? this.times[0] : Infinity;
  }

  /** Payload of the earliest event; throws when empty. */
  peekPayload(): number {
    if (this.count === 0) throw new RangeError("EventHeap.peekPayload: heap is empty");
    return this.payloads[0];
  }

  /**
   * Removes the earliest event and returns its payload; its time and seq are
   * left in poppedTime and poppedSeq. Throws when empty.
   */
  pop(): number {
    if (this.count === 0) throw new RangeError("EventHeap.pop: heap is empty");
    const times = this.times;
    const seqs = this.seqs;
    const payloads = this.payloads;
    const top = payloads[0];
    this.poppedTime = times[0];
    this.poppedSeq = seqs[0];
    const n = --this.count;
    if (n > 0) {
      // Sift the last element down from the root through the hole.
      const t = times[n];
      const s = seqs[n];
      const p = payloads[n];
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        let ct = times[child];
        const right = child + 1;
        if (right < n) {
          const rt = times[right];
          if (rt < ct || (rt === ct && seqs[right] < seqs[child])) {
            child = right;
            ct = rt;
          }
        }
        if (t < ct || (t === ct && s < seqs[child])) break;
        times[i] = ct;
        seqs[i] = seqs[child];
        payloads[i] = payloads[child];
        i = child;
      }
      times[i] = t;
      seqs[i] = s;
      payloads[i] = p;
    }
    return top;
  }

  /** Empties the heap and restarts sequence numbers at 0; keeps the capacity. */
  clear(): void {
    this.count = 0;
    this.nextSeq = 0;
    this.poppedTime = 0;
    this.poppedSeq = 0;
  }

  private grow(): void {
    const capacity = this.times.length * 2;
    const times = new Float64Array(capacity);
    const seqs = new Float64Array(capacity);
    const payloads = new Int32Array(capacity);
    times.set(this.times);
    seqs.set(this.seqs);
    payloads.set(this.payloads);
    this.times = times;
    this.seqs = seqs;
    this.payloads = payloads;
  }
}
