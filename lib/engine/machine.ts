// CPUs, their three contexts, interrupts and the event loop.
//
// Code paths (mm/, variants/) are generators that run in a Context: they
// yield a delay in nanoseconds while the CPU is busy, or WAIT while it spins
// in a lock queue. Costs accumulate in ctx.pending and are only turned into
// simulated time (a yield) before an operation others can observe: taking,
// trying or dropping a lock, or re-enabling interrupts. So one fast-path
// allocation costs a couple of events, not one per line of C.
//
// Interrupts: a hardirq preempts task or softirq work on its CPU unless IRQs
// are disabled there (then it waits: IRQ latency); the preempted step is
// lengthened by the whole interrupt, lock holds included. Softirq work runs
// on interrupt exit, as irq_exit() -> invoke_softirq() does, and is itself
// preemptible by hardirqs. Hardirqs do not nest.
import { EventHeap } from "./heap.ts";
import { Spinlock, type LockOwner } from "./lock.ts";
import { Oops } from "./oops.ts";
import type { Rng } from "./rng.ts";

export const WAIT = -1;
export type Code<T = void> = Generator<number, T, void>;

export const TASK = 0;
export const SOFTIRQ = 1;
export const HARDIRQ = 2;
export type ContextKind = typeof TASK | typeof SOFTIRQ | typeof HARDIRQ;
export const CONTEXT_NAMES = ["task", "softirq", "hardirq"] as const;

const IDLE = 0;
const BUSY = 1;
const SPINNING = 2;
const PREEMPTED = 3;
const READY = 4;

// Event kinds, in the low 3 bits of a heap payload.
const EV_STEP = 0;
const EV_GRANT = 1;
export const EV_ARRIVAL = 2;
export const EV_TIMER = 3;
const EV_END = 4;
const EV_CALL = 5;

/** One unit of work for a context: the code that performs it, given one
 * number (a workload source, a handle). Work that never waits may be a plain
 * function. Work and argument travel separately so queueing allocates
 * nothing per item. */
export type Work = (x: Context, arg: number) => Code | void;

/** A FIFO of work with its argument and the time it was queued. It reuses
 * its arrays: once warm, queueing allocates nothing, and emptying it costs
 * nothing (no splice, no length change, both runtime calls in V8). Holding
 * MAX_BACKLOG items, it calls `full` instead of taking another. */
class WorkQueue {
  constructor(private readonly full: () => never) {}

  private work: Work[] = [];
  private args: number[] = [];
  private times: number[] = [];
  private head = 0;
  private tail = 0;

  get empty(): boolean {
    return this.head === this.tail;
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
  private gen: Code | null = null;
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

  push(work: Work, arg: number): void {
    this.queue.push(work, arg, 0);
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
    let gen: Code | void;
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
      let r: IteratorResult<number, void>;
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

  // Each helper first turns accumulated cost into simulated time (a yield),
  // so the operation happens at the right moment for the other CPUs. The
  // bodies are written out rather than delegated: a yield* costs a
  // generator object, and these run several times per allocation.

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

  // Plain forms for the hot paths: the caller has already yielded its
  // pending cost (`if (x.mustYield()) yield x.pending;`), so the operation
  // happens at the right time without a generator of its own.

  /** spin_trylock() now. */
  trylockNow(lock: Spinlock): boolean {
    const ok = lock.tryAcquire(this, this.m.now);
    if (ok) this.pending += this.m.costs.spin_lock;
    return ok;
  }

  /** spin_unlock() now; the next waiter gets the lock after a handoff. */
  unlockNow(lock: Spinlock): void {
    const next = lock.release(this, this.m.now);
    if (next) this.m.schedule(this.m.now + this.m.costs.lock_handoff, EV_GRANT, next.id);
  }

  /** local_irq_save() now. */
  irqSaveNow(): void {
    this.cpu.irqDisable(this);
    this.pending += this.m.costs.irq_save;
  }

  /** local_irq_restore() now: true when an interrupt waits to be taken, in
   * which case the caller yields 0 so it is delivered before the next line. */
  irqRestoreNow(): boolean {
    this.cpu.irqEnable(this);
    return this.cpu.irqDeliverable();
  }

  /** Takes a free lock now, or joins its queue (the caller then yields WAIT). */
  private takeOrQueue(lock: Spinlock): boolean {
    if (lock.tryAcquire(this, this.m.now)) return true;
    lock.enqueue(this, this.m.now);
    return false;
  }

  *spin_lock(lock: Spinlock): Code {
    if (this.mustYield()) yield this.pending;
    if (!this.takeOrQueue(lock)) yield WAIT;
    this.pending += this.m.costs.spin_lock;
  }

  *spin_unlock(lock: Spinlock): Code {
    if (this.mustYield()) yield this.pending;
    this.unlockNow(lock);
  }

  *spin_lock_irqsave(lock: Spinlock): Code {
    if (this.mustYield()) yield this.pending;
    this.irqSaveNow();
    if (!this.takeOrQueue(lock)) yield WAIT;
    this.pending += this.m.costs.spin_lock;
  }

  *spin_unlock_irqrestore(lock: Spinlock): Code {
    if (this.mustYield()) yield this.pending;
    this.unlockNow(lock);
    if (this.irqRestoreNow()) yield 0;
  }

  in_interrupt(): boolean {
    return this.kind !== TASK;
  }
}

export class Cpu {
  readonly task: Context;
  readonly softirq: Context;
  readonly hardirq: Context;
  /** Contexts in progress, innermost last; the last one runs. */
  readonly stack: Context[] = [];
  private irqOffDepth = 0;
  private irqOffSince = 0;
  /** Interrupts raised and not yet taken: handler, argument, raise time. */
  private readonly irqs = new WorkQueue(() => this.m.overloaded(this.id, "hardirq"));
  /** contextDone() is running on this CPU. */
  private inContextDone = false;
  /** A context that finished within it, to be handled next. */
  private doneNext: Context | null = null;

  constructor(
    readonly m: Machine,
    readonly id: number,
  ) {
    this.task = new Context(m, this, TASK);
    this.softirq = new Context(m, this, SOFTIRQ);
    this.hardirq = new Context(m, this, HARDIRQ);
  }

  get top(): Context | undefined {
    // Never stack[-1]: V8 looks an out-of-bounds index up the prototype chain.
    const n = this.stack.length;
    return n > 0 ? this.stack[n - 1] : undefined;
  }

  get irqsDisabled(): boolean {
    return this.irqOffDepth > 0;
  }

  irqDisable(x: Context): void {
    if (this.irqOffDepth++ === 0 && x.kind !== HARDIRQ) this.irqOffSince = this.m.now;
  }

  irqEnable(x: Context): void {
    if (--this.irqOffDepth === 0 && x.kind !== HARDIRQ) this.m.metrics.irqOff(this.m.now - this.irqOffSince);
  }

  /** An interrupt is waiting and could be taken right now. */
  irqDeliverable(): boolean {
    // A hardirq in progress holds irqOffDepth above 0 itself: no nesting.
    return !this.irqs.empty && this.irqOffDepth === 0;
  }

  /** raise_softirq(): runs on the next interrupt exit. */
  raiseSoftirq(work: Work, arg: number): void {
    this.softirq.push(work, arg);
  }

  /** Queues work for this CPU's task context. */
  queueTask(work: Work, arg: number): void {
    if (this.stack.length === 0 && !this.task.hasWork) {
      // An idle CPU: the work starts at once, without a trip through the queue.
      this.stack.push(this.task);
      this.task.start(work, arg);
      return;
    }
    this.task.push(work, arg);
    if (this.stack.length === 0) this.run(this.task);
  }

  /** Raises a hardirq whose handler runs `work`. */
  raiseIrq(work: Work, arg: number): void {
    this.irqs.push(work, arg, this.m.now);
    if (!this.irqDeliverable()) return;
    const top = this.top;
    if (top && (top.state === BUSY || top.state === SPINNING || top.state === READY)) top.preempt();
    this.takeIrq();
  }

  /** Runs the oldest pending interrupt's handler on the hardirq context.
   * The cost of entering and leaving the interrupt elapses first (a step,
   * or the clock moves on), so the handler reads the machine as it is when
   * its code starts, and its allocations can take the plain paths
   * (mm/page_alloc.ts `nowait`). */
  private nextIrq(): void {
    const irqs = this.irqs;
    const x = this.hardirq;
    this.m.metrics.irqEntered(this.m.now - irqs.time0, this.m.now);
    x.pending += this.m.costs.irq_entry;
    x.push(irqs.work0, irqs.arg0);
    irqs.shift();
    // After the step, contextDone() starts the handler.
    if (x.mustYield()) x.finishLater();
    else x.startNext();
  }

  /** Enters the hardirq context for the oldest pending interrupt. */
  takeIrq(): void {
    this.stack.push(this.hardirq);
    this.irqOffDepth++;
    this.nextIrq();
  }

  private run(x: Context): void {
    this.stack.push(x);
    x.startNext();
  }

  /** `x` finished its work: what runs next on this CPU. Work that finishes
   * at once (no cost, or the clock just moved on) comes back here before
   * the call that started it returns, so a long backlog of it would nest
   * one call chain per item and overflow the stack. Every such call is the
   * last thing its callers do, so it is queued and run by this loop
   * instead, in the same order. */
  contextDone(x: Context): void {
    if (this.inContextDone) {
      if (this.doneNext !== null) throw new Error("engine: two contexts finished in one step of a CPU");
      this.doneNext = x;
      return;
    }
    this.inContextDone = true;
    try {
      for (let next: Context | null = x; next !== null; ) {
        this.doneNext = null;
        this.nextAfter(next);
        next = this.doneNext;
      }
    } finally {
      this.inContextDone = false;
      this.doneNext = null;
    }
  }

  private nextAfter(x: Context): void {
    if (x.startNext()) return;
    if (x.kind === HARDIRQ) {
      if (x.mustYield()) {
        x.finishLater();
        return;
      }
      if (!this.irqs.empty) {
        // Interrupts raised meanwhile were held off; take the next one.
        this.nextIrq();
        return;
      }
      this.irqOffDepth--;
      this.stack.pop();
      // irq_exit(): run softirqs unless one is already running below us.
      if (this.softirq.hasWork && !this.stack.includes(this.softirq)) {
        this.run(this.softirq);
        return;
      }
    } else {
      this.stack.pop();
    }
    const below = this.top;
    if (below) below.continueAfterInterrupt();
    else if (this.task.hasWork) this.run(this.task);
  }
}

/** The model.md costs this engine charges. */
export const COSTS_IN_USE = [
  "spin_lock", "irq_save", "lock_handoff", "pcp_list_op", "zone_lock_per_page", "irq_entry",
  "compaction_scan_per_page", "migrate_per_page", "reclaim_per_page",
];

export interface Costs {
  spin_lock: number;
  irq_save: number;
  lock_handoff: number;
  pcp_list_op: number;
  zone_lock_per_page: number;
  irq_entry: number;
  compaction_scan_per_page: number;
  migrate_per_page: number;
  reclaim_per_page: number;
}

/** What the machine reports to whoever collects metrics. */
export interface MachineMetrics {
  irqEntered(latencyNs: number, now: number): void;
  irqOff(ns: number): void;
}

export interface Violation {
  time_ns: number;
  cpu: number;
  context: string;
  function: string;
  message: string;
  trace: string[];
}

export interface Driver {
  onArrival(source: number): void;
  onTimer(handle: number): void;
}

export class Machine {
  now = 0;
  events = 0;
  readonly cpus: Cpu[];
  private readonly heap = new EventHeap(4096);
  violation: Violation | null = null;
  private stopped = false;
  private started = false;
  driver: Driver | null = null;
  /** Test hook: called after every event. */
  afterEvent?: (kind: number, id: number) => void;

  /** The critical section of the `nowait` paths: the pcp lock, one list
   * operation and, where the pcp lock disables IRQs, an IRQ save. Infinity
   * when one of these costs is a distribution, since reading it draws from
   * the RNG, or when a test turns the plain paths off. */
  nowaitNs = Infinity;

  constructor(
    nrCpus: number,
    readonly rng: Rng,
    /** Constant costs; dist costs are drawn through sample(). */
    readonly costs: Costs,
    readonly metrics: MachineMetrics,
    /** Which of a scenario's runs this is ("run trylock, seed 3"), for messages. */
    private readonly runName: string,
  ) {
    this.cpus = Array.from({ length: nrCpus }, (_, i) => new Cpu(this, i));
  }

  /** Sets nowaitNs. A window as long as the section itself is enough: every
   * mustYield() inside it then returns false, as the plain paths assume. */
  allowPlainPaths(pcpLockSavesIrqs: boolean): void {
    const section = pcpLockSavesIrqs ? (["spin_lock", "irq_save", "pcp_list_op"] as const) : (["spin_lock", "pcp_list_op"] as const);
    const constant = section.every((c) => Object.getOwnPropertyDescriptor(this.costs, c)?.get === undefined);
    this.nowaitNs = constant ? section.reduce((ns, c) => ns + this.costs[c], 0) : Infinity;
  }

  // Slots of calls due, reused once run: a long run wakes its kthreads
  // again and again, and a slot per wakeup would grow without end.
  private readonly calls: ((() => void) | null)[] = [];
  private readonly freeCalls: number[] = [];

  /** Runs `f` at `time` (a kthread's wakeup, say). */
  at(time: number, f: () => void): void {
    const id = this.freeCalls.pop() ?? this.calls.length;
    this.calls[id] = f;
    this.schedule(time, EV_CALL, id);
  }

  // Bookkeeping fixed before the run (the end of warmup, the series'
  // samples) waits outside the heap: a hundred samples in it made every
  // pop and push sift through four more levels. It keeps the order it
  // would have had in the heap: scheduled before any event, it runs first
  // among events due at the same nanosecond.
  private readonly presetTimes: number[] = [];
  private readonly presetCalls: (() => void)[] = [];
  private presetNext = 0;
  private nextPresetTime = Infinity;

  /** Runs `f` at `time`; only before any event is scheduled, in time order. */
  preset(time: number, f: () => void): void {
    const last = this.presetTimes.length > 0 ? this.presetTimes[this.presetTimes.length - 1]! : 0;
    if (this.heap.size > 0 || time < last) throw new Error("Machine.preset: before any event, in time order");
    this.presetTimes.push(time);
    this.presetCalls.push(f);
    this.nextPresetTime = this.presetTimes[this.presetNext]!;
  }

  nextEventTime(): number {
    const t = this.heap.peekTime();
    return this.nextPresetTime < t ? this.nextPresetTime : t;
  }

  schedule(time: number, kind: number, id: number): number {
    return this.heap.push(time, id * 8 + kind);
  }

  workDone(x: Context): void {
    x.cpu.contextDone(x);
  }

  overloaded(cpu: number, context: string): never {
    throw new Overloaded(
      `${this.runName}: CPU ${cpu}'s ${context} context has ${MAX_BACKLOG} pieces of work waiting at ${(this.now / 1e6).toFixed(3)} ms: ` +
        `the workloads on it ask for more than it can do, so the backlog would only grow. Lower their rates, or what each arrival does.`,
    );
  }

  outOfFrames(pages: number): never {
    throw new Overloaded(
      `${this.runName}: the workloads have touched ${pages} pages (${pages / 262144} GiB) by ${(this.now / 1e6).toFixed(3)} ms, ` +
        `the most page frames the model keeps in one run (about 23 bytes each). Let them hold less memory: lower their rates, orders or counts, or free sooner.`,
    );
  }

  crash(x: Context, e: unknown): void {
    if (!(e instanceof Oops)) throw e;
    this.violation = {
      time_ns: x.now,
      cpu: x.cpu.id,
      context: CONTEXT_NAMES[x.kind],
      function: e.fn,
      message: e.message,
      trace: e.trace.length > 0 ? e.trace : [e.fn],
    };
    this.stopped = true;
  }

  /** Sets the end of the run; once, before the first step(). */
  start(endNs: number): void {
    if (this.started) throw new Error("Machine.start: the run has started");
    this.started = true;
    this.schedule(endNs, EV_END, 0);
  }

  /** The run is over: its end was reached, or a violation stopped it. */
  get done(): boolean {
    return this.stopped;
  }

  /** Processes the next event. Returns false once the run is over. */
  step(): boolean {
    if (this.stopped) return false;
    const heap = this.heap;
    if (this.nextPresetTime <= heap.peekTime()) {
      const i = this.presetNext++;
      this.now = this.nextPresetTime;
      this.nextPresetTime = this.presetNext < this.presetTimes.length ? this.presetTimes[this.presetNext]! : Infinity;
      this.events++;
      this.presetCalls[i]!();
      this.afterEvent?.(EV_CALL, i);
      return !this.stopped;
    }
    // EV_END is always pending until it runs, so the heap is empty only
    // when start() was never called.
    if (heap.size === 0) throw new Error("Machine.step: start() first");
    const payload = heap.pop();
    this.now = heap.poppedTime;
    this.events++;
    const kind = payload & 7;
    const id = (payload - kind) / 8;
    switch (kind) {
      case EV_STEP:
        this.contextById(id).onStep(heap.poppedSeq);
        break;
      case EV_GRANT:
        this.contextById(id).onGrant();
        break;
      case EV_ARRIVAL:
        this.driver!.onArrival(id);
        break;
      case EV_TIMER:
        this.driver!.onTimer(id);
        break;
      case EV_END:
        this.stopped = true;
        break;
      case EV_CALL: {
        const f = this.calls[id]!;
        this.calls[id] = null;
        this.freeCalls.push(id);
        f();
        break;
      }
    }
    this.afterEvent?.(kind, id);
    return !this.stopped;
  }

  /** Steps until the run is over, reporting progress and polling for
   * cancellation every 65536 events. */
  run(shouldStop: () => boolean = () => false, onProgress?: (now: number) => void): void {
    let sinceCheck = 0;
    while (this.step()) {
      if (++sinceCheck === 65536) {
        sinceCheck = 0;
        onProgress?.(this.now);
        if (shouldStop()) throw new Cancelled();
      }
    }
  }

  private contextById(id: number): Context {
    const cpu = this.cpus[(id / 3) | 0]!;
    return id % 3 === TASK ? cpu.task : id % 3 === SOFTIRQ ? cpu.softirq : cpu.hardirq;
  }
}

export class Cancelled extends Error {
  constructor() {
    super("run cancelled");
    this.name = "Cancelled";
  }
}

/**
 * Work waiting on one CPU context, or interrupts raised and not yet taken,
 * beyond which a run stops: its workloads ask for more than the CPU can
 * do, and the backlog would grow until the host ran out of memory. The
 * shipped thp-compaction-stress, whose CPUs stall in compaction and
 * reclaim, peaks at 1735.
 */
export const MAX_BACKLOG = 100_000;

/** A run stopped because it asked more than the model can do: a CPU that
 * cannot keep up with its workloads (MAX_BACKLOG), or more page frames than
 * it keeps (MAX_TOUCHED_PAGES). */
export class Overloaded extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Overloaded";
  }
}
