// A CPU as Linux 6.1 runs it: context stack, IRQs off, IRQs raised.
//
// Interrupts: a hardirq preempts task or softirq work on its CPU unless IRQs
// are disabled there (then it waits: IRQ latency); the preempted step is
// lengthened by the whole interrupt, lock holds included. Softirq work runs
// on interrupt exit, as irq_exit() -> invoke_softirq() does, and is itself
// preemptible by hardirqs. Hardirqs do not nest.
import { draw } from "./costs.ts";
import { BUSY, Context, HARDIRQ, READY, SOFTIRQ, SPINNING, TASK, WorkQueue, type Work } from "./context.ts";
import type { Machine } from "./machine.ts";

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
    x.pending += draw(this.m.costs.irq_entry);
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
