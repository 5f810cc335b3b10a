// A CPU as Linux 6.1 runs it: context stack, IRQs off, IRQs raised.
//
// Interrupts: a hardirq preempts task or softirq work on its CPU unless IRQs
// are disabled there (then it waits: IRQ latency); the preempted step is
// lengthened by the whole interrupt, lock holds included. Hardirqs do not
// nest.
//
// Softirqs: work raised is pending until __do_softirq() runs it, in passes
// that each take the work pending at their start, within MAX_SOFTIRQ_RESTART
// passes and the jiffies budget (softirq.ts). irq_exit() -> invoke_softirq()
// runs it above the interrupted context, unless ksoftirqd is runnable; what
// is left over goes to ksoftirqd, a kthread of this CPU that takes turns
// with the task context and is preemptible by hardirqs.
import { draw } from "./costs.ts";
import { BUSY, Context, HARDIRQ, READY, SOFTIRQ, SPINNING, TASK, WorkQueue, type Work } from "./context.ts";
import type { Machine } from "./machine.ts";
import { MAX_SOFTIRQ_RESTART, softirqBudgetEnd } from "./softirq.ts";

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
  // __do_softirq() in progress: the softirq context is on the stack.
  /** Passes run so far, the current one included. */
  private passes = 0;
  /** Work items of the current pass not yet started. */
  private passLeft = 0;
  /** When the jiffies budget runs out. */
  private softirqEnd = 0;
  /** The softirq context runs as ksoftirqd, at the bottom of the stack. */
  private inKsoftirqd = false;
  /** ksoftirqd is woken and has not yet found nothing pending. */
  private ksoftirqdWoken = false;
  /** __do_softirq() calls so far, for tracepoints. */
  private doSoftirqCalls = 0;

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

  /** ksoftirqd is runnable: irq_exit() leaves pending softirqs to it. */
  get ksoftirqdRunnable(): boolean {
    return this.ksoftirqdWoken;
  }

  /** The __do_softirq() in progress runs in ksoftirqd. */
  get softirqInKsoftirqd(): boolean {
    return this.inKsoftirqd;
  }

  // 6.1 kernel/softirq.c raise_softirq_irqoff()
  /** raise_softirq(): pending until the next interrupt exit, or ksoftirqd. */
  raiseSoftirq(work: Work, arg: number): void {
    this.softirq.push(work, arg, this.m.now);
    // Raised outside interrupt context, nothing would run it soon: wake ksoftirqd.
    const top = this.top;
    if (top === undefined || top.kind === TASK) this.wakeup_softirqd();
  }

  // 6.1 kernel/softirq.c wakeup_softirqd()
  private wakeup_softirqd(): void {
    if (this.ksoftirqdWoken) return;
    this.ksoftirqdWoken = true;
    this.m.metrics.ksoftirqdWoken();
    this.m.tracepoint?.({ name: "sched_wakeup", cpu: this.id, time_ns: this.m.now, comm: `ksoftirqd/${this.id}` });
    if (this.stack.length === 0) this.schedule(false);
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

  // 6.1 kernel/softirq.c __do_softirq(), from irq_exit() or ksoftirqd.
  private __do_softirq(inKsoftirqd: boolean): void {
    this.inKsoftirqd = inKsoftirqd;
    this.doSoftirqCalls++;
    this.stack.push(this.softirq);
    this.softirqEnd = softirqBudgetEnd(this.m.now);
    this.passes = 0;
    this.softirqPass();
  }

  /** The `restart:` label: this pass runs the work pending now. */
  private softirqPass(): void {
    this.passes++;
    this.passLeft = this.softirq.queued;
    this.nextSoftirq();
  }

  private nextSoftirq(): void {
    const x = this.softirq;
    this.passLeft--;
    const m = this.m;
    m.metrics.softirqRan(m.now - x.time0, this.inKsoftirqd);
    // The kernel's softirq_entry, with which __do_softirq() call, its pass, and where it runs.
    m.tracepoint?.({ name: "softirq_entry", cpu: this.id, time_ns: m.now, call: this.doSoftirqCalls, pass: this.passes, ksoftirqd: this.inKsoftirqd ? 1 : 0 });
    x.startNext();
  }

  /** The softirq context finished a work item: the next of the pass, a new
   * pass, or the end of __do_softirq() (false). */
  private softirqNext(): boolean {
    if (this.passLeft > 0) {
      this.nextSoftirq();
      return true;
    }
    if (!this.softirq.hasWork) return false;
    // need_resched(): see needResched(). `--max_restart` comes last, as in the kernel.
    if (this.m.now < this.softirqEnd && !this.needResched() && this.passes < MAX_SOFTIRQ_RESTART) {
      this.softirqPass();
      return true;
    }
    this.wakeup_softirqd();
    return false;
  }

  /** need_resched() in __do_softirq(): task work waits and the softirqs
   * do not run above the task context. That is in ksoftirqd, where the
   * model switches to the task at once (CFS would wait for the wakeup
   * granularity), or on irq_exit() of an idle CPU, whose idle task the
   * woken one preempts. Above the task context it is false: the only other
   * task modelled is ksoftirqd, not runnable then (or irq_exit() would not
   * run softirqs). */
  private needResched(): boolean {
    return this.task.hasWork && this.stack[0] === this.softirq;
  }

  /** The CPU has nothing on its stack: run ksoftirqd or the task context,
   * taking turns; `softirqRan`: softirqs have just run, in ksoftirqd or
   * on the irq_exit() of an idle CPU. */
  private schedule(softirqRan: boolean): void {
    const task = this.task.hasWork;
    if (this.ksoftirqdWoken && !(softirqRan && task)) {
      // 6.1 kernel/softirq.c run_ksoftirqd(): ksoftirqd_should_run() is "work pending".
      if (this.softirq.hasWork) {
        this.__do_softirq(true);
        return;
      }
      this.ksoftirqdWoken = false;
    }
    if (task) this.run(this.task);
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
    let softirqRan = false;
    if (x.kind === SOFTIRQ) {
      if (this.softirqNext()) return;
      softirqRan = true;
      // Nothing pending: ksoftirqd sleeps (smpboot_thread_fn()).
      if (this.inKsoftirqd && !this.softirq.hasWork) this.ksoftirqdWoken = false;
      this.inKsoftirqd = false;
      this.stack.pop();
    } else if (x.kind === TASK) {
      // ksoftirqd woken meanwhile gets its turn before the task's next work.
      if (!this.ksoftirqdWoken && x.startNext()) return;
      this.stack.pop();
    } else {
      if (x.startNext()) return;
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
      // 6.1 kernel/softirq.c invoke_softirq(): not while ksoftirqd is
      // runnable, nor inside a softirq (in_interrupt()).
      if (this.softirq.hasWork && !this.ksoftirqdWoken && !this.stack.includes(this.softirq)) {
        this.__do_softirq(false);
        return;
      }
    }
    const below = this.top;
    if (below) below.continueAfterInterrupt();
    else this.schedule(softirqRan);
  }
}
