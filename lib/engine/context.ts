// One CPU context (task, softirq or hardirq): its work queue and its code.
//
// Code paths (mm/, variants/) are generators that run in a Context: they
// yield a delay in nanoseconds while the CPU is busy, or WAIT while it spins
// in a lock queue. Costs accumulate in ctx.pending and are only turned into
// simulated time (a yield) before an operation others can observe: taking,
// trying or dropping a lock, or re-enabling interrupts. So one fast-path
// allocation costs a couple of events, not one per line of C.
import { draw } from "./costs.ts";
import type { Cpu } from "./cpu.ts";
import { EV_STEP } from "./events.ts";
import { MAX_BACKLOG } from "./limits.ts";
import type { LockOwner } from "./lock.ts";
import type { Machine } from "./machine.ts";

export const WAIT = -1;
export type Code<T = void> = Generator<number, T, void>;

export const TASK = 0;
export const SOFTIRQ = 1;
export const HARDIRQ = 2;
type ContextKind = typeof TASK | typeof SOFTIRQ | typeof HARDIRQ;
export const CONTEXT_NAMES = ["task", "softirq", "hardirq"] as const;

const IDLE = 0;
export const BUSY = 1;
export const SPINNING = 2;
const PREEMPTED = 3;
export const READY = 4;

/** Code a context can suspend and resume: a generator, or a state machine
 * (steps.ts) that hands back one reused result object. */
export interface Resumable {
  next(): IteratorResult<number, unknown>;
}

/** One unit of work for a context: the code that performs it, given one
 * number (a workload source, a handle). Work that never waits may be a plain
 * function. Work and argument travel separately so queueing allocates
 * nothing per item. */
export type Work = (x: Context, arg: number) => Resumable | void;

/** A FIFO of work with its argument and the time it was queued. It reuses
 * its arrays: once warm, queueing allocates nothing, and emptying it costs
 * nothing (no splice, no length change, both runtime calls in V8). Holding
 * MAX_BACKLOG items, it calls `full` instead of taking another. */
export class WorkQueue {
  constructor(private readonly full: () => never) {}

  private work: Work[] = [];
  private args: number[] = [];
  private times: number[] = [];
  private head = 0;
  private tail = 0;

  get empty(): boolean {
    return this.head === this.tail;
  }

  get length(): number {
    return this.tail - this.head;
  }

  push(work: Work, arg: number, time: number): void {
    if (this.tail - this.head >= MAX_BACKLOG) this.full();
    // Full at the end, and at least half of it free at the front: move the
    // live items down. With less room the arrays grow instead; moving them
    // on every push while a backlog drains one item at a time made each
    // push cost the whole backlog.
    if (this.tail === this.work.length && this.head > 0 && 2 * this.head >= this.tail) {
      const n = this.tail - this.head;
      this.work.copyWithin(0, this.head, this.tail);
      this.args.copyWithin(0, this.head, this.tail);
      this.times.copyWithin(0, this.head, this.tail);
      this.head = 0;
      this.tail = n;
    }
    this.work[this.tail] = work;
    this.args[this.tail] = arg;
    this.times[this.tail++] = time;
  }

  // The oldest item; read these, then shift().
  get work0(): Work {
    return this.work[this.head]!;
  }
  get arg0(): number {
    return this.args[this.head]!;
  }
  get time0(): number {
    return this.times[this.head]!;
  }

  shift(): void {
    if (++this.head === this.tail) this.head = this.tail = 0;
  }
}

export class Context implements LockOwner {
  readonly id: number;
  private gen: Resumable | null = null;
  private readonly queue = new WorkQueue(() => this.m.overloaded(this.cpu.id, CONTEXT_NAMES[this.kind]));
  /** Cost spent since the last yield, not yet turned into simulated time. */
  pending = 0;
  state = IDLE;
  private stepSeq = -1;
  private stepEnd = 0;
  private remaining = 0;
  private granted = false;
  /** The work is done but its last cost is still elapsing (finishLater). */
  private finishing = false;

  constructor(
    readonly m: Machine,
    readonly cpu: Cpu,
    readonly kind: ContextKind,
  ) {
    this.id = cpu.id * 3 + kind;
  }

  /** Simulated time as this code path sees it. */
  get now(): number {
    return this.m.now + this.pending;
  }

  spend(ns: number): void {
    this.pending += ns;
  }

  get hasWork(): boolean {
    return !this.queue.empty;
  }

  /** `time`: when the work was queued, for the softirq delay (time0). */
  push(work: Work, arg: number, time = 0): void {
    this.queue.push(work, arg, time);
  }

  /** Work items queued. */
  get queued(): number {
    return this.queue.length;
  }

  /** When the next queued work was queued. */
  get time0(): number {
    return this.queue.time0;
  }

  /** Starts the next queued work, or reports that there is none. */
  startNext(): boolean {
    const q = this.queue;
    if (q.empty) return false;
    const w = q.work0;
    const arg = q.arg0;
    q.shift();
    this.start(w, arg);
    return true;
  }

  /** Runs `w` now, as if it were the next queued work. */
  start(w: Work, arg: number): void {
    this.mustBeOnTop();
    let gen: Resumable | void;
    try {
      gen = w(this, arg);
    } catch (e) {
      this.m.crash(this, e);
      return;
    }
    if (gen) {
      this.gen = gen;
      this.resume();
    } else {
      // Plain work: a generator that finished without yielding.
      this.finished();
    }
  }

  /** Only the innermost context of a CPU runs: work that starts or resumes
   * anywhere else is an engine bug, which would quietly skew every number. */
  private mustBeOnTop(): void {
    if (this.cpu.top !== this) throw new Error(`engine: CPU ${this.cpu.id}'s ${CONTEXT_NAMES[this.kind]} context ran while not on top of its stack`);
  }

  /** Runs the generator until it blocks, waits or finishes. */
  resume(): void {
    this.mustBeOnTop();
    const m = this.m;
    for (;;) {
      let r: IteratorResult<number, unknown>;
      try {
        r = this.gen!.next();
      } catch (e) {
        m.crash(this, e);
        return;
      }
      if (r.done) {
        this.gen = null;
        this.finished();
        return;
      }
      const d = r.value;
      this.pending = 0;
      if (d === WAIT) {
        this.state = SPINNING;
        return;
      }
      if (this.cpu.irqDeliverable()) {
        this.remaining = d;
        this.state = PREEMPTED;
        this.cpu.takeIrq();
        return;
      }
      if (d === 0) continue;
      this.scheduleStep(d);
      return;
    }
  }

  /** The work is done; its last costs still take time before the next
   * starts, on a step event unless nothing can happen meanwhile. */
  private finished(): void {
    if (this.mustYield()) this.finishLater();
    else {
      this.state = IDLE;
      this.m.workDone(this);
    }
  }

  /** Lets the cost still pending elapse, then reports the work done. */
  finishLater(): void {
    this.finishing = true;
    this.scheduleStep(this.pending);
    this.pending = 0;
  }

  private scheduleStep(d: number): void {
    this.state = BUSY;
    this.stepEnd = this.m.now + d;
    this.stepSeq = this.m.schedule(this.stepEnd, EV_STEP, this.id);
  }

  onStep(seq: number): void {
    if (this.state !== BUSY || seq !== this.stepSeq) return; // cancelled by a preemption
    if (this.finishing) {
      this.finishing = false;
      this.finished();
    } else this.resume();
  }

  /** A hardirq takes the CPU: remember how much of the step is left. */
  preempt(): void {
    if (this.state === BUSY) {
      this.remaining = this.stepEnd - this.m.now;
      this.state = PREEMPTED;
      this.stepSeq = -1;
    }
  }

  /** The interrupt is over and this context is on top again. */
  continueAfterInterrupt(): void {
    if (this.state === PREEMPTED) this.scheduleStep(this.remaining);
    else if (this.state === SPINNING && this.granted) {
      this.granted = false;
      this.state = READY;
      this.resume();
    } else if (this.state === IDLE) this.m.workDone(this);
  }

  /** The lock this context spins on was handed to it. */
  onGrant(): void {
    if (this.cpu.top === this) {
      this.state = READY;
      this.resume();
    } else this.granted = true;
  }

  // ---- helpers for code paths -------------------------------------------------

  /**
   * Nothing can happen on this machine for `ns` past this context's pending
   * cost: no event is due and no interrupt can be taken. Every mustYield()
   * in that span returns false, so a code path that fits in it may run as a
   * plain function (mm/page_alloc.ts `nowait`).
   */
  quietFor(ns: number): boolean {
    return !this.cpu.irqDeliverable() && this.m.nextEventTime() > this.m.now + this.pending + ns;
  }

  /**
   * Turns pending cost into simulated time. When no event is due before the
   * cost ends, nothing else in the machine can happen meanwhile, so the
   * clock simply moves on, exactly as if this context's step were the next
   * event. Otherwise the caller must yield the pending cost. Use:
   * `if (x.mustYield()) yield x.pending;`
   */
  mustYield(): boolean {
    if (this.pending <= 0) return false;
    const m = this.m;
    if (m.nextEventTime() > m.now + this.pending && !this.cpu.irqDeliverable()) {
      m.now += this.pending;
      this.pending = 0;
      return false;
    }
    return true;
  }

  /** local_irq_save() now. */
  irqSaveNow(): void {
    this.cpu.irqDisable(this);
    this.pending += draw(this.m.costs.irq_save);
  }

  /** local_irq_restore() now: true when an interrupt waits to be taken, in
   * which case the caller yields 0 so it is delivered before the next line. */
  irqRestoreNow(): boolean {
    this.cpu.irqEnable(this);
    return this.cpu.irqDeliverable();
  }

  in_interrupt(): boolean {
    return this.kind !== TASK;
  }
}
