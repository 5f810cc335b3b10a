// The machine: its CPUs, the event heap and the loop that steps through it.
import { CONTEXT_NAMES, SOFTIRQ, TASK, type Context } from "./context.ts";
import { draw, type Costs } from "./costs.ts";
import { Cpu } from "./cpu.ts";
import { EV_CALL, EV_END, EV_GRANT, EV_STEP, EV_ARRIVAL, EV_TIMER } from "./events.ts";
import { EventHeap } from "./heap.ts";
import { backlogFull, Cancelled, framesFull } from "./limits.ts";
import { KernelLog, SMP_LOCKS, type LockConfig } from "./lock.ts";
import { Oops, oopsReport, type Violation } from "./oops.ts";
import type { Rng } from "./rng.ts";
import type { TraceEvent } from "./mm/page_alloc.ts";

/** What the machine reports to whoever collects metrics. */
export interface MachineMetrics {
  irqEntered(latencyNs: number, now: number): void;
  irqOff(ns: number): void;
  /** A softirq work item starts, `delayNs` after it was raised. */
  softirqRan(delayNs: number, inKsoftirqd: boolean): void;
  ksoftirqdWoken(): void;
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
  /** CONFIG_SMP and CONFIG_DEBUG_SPINLOCK as the locks follow them. */
  kernel: LockConfig = SMP_LOCKS;
  /** Kernel messages that did not stop the run. */
  readonly log = new KernelLog();
  private stopped = false;
  private started = false;
  driver: Driver | null = null;
  /** Test hook: called after every event. */
  afterEvent?: (kind: number, id: number) => void;
  /** Tests and tools: the CPUs' tracepoints (softirq_entry, ...). */
  tracepoint?: (event: TraceEvent) => void;

  /** The critical section of the `nowait` paths: the pin, the pcp lock, one
   * list operation and, where the pcp lock disables IRQs, an IRQ save. Infinity
   * when one of these costs is a distribution, since each payment draws
   * from the RNG, or when a test turns the plain paths off. */
  nowaitNs = Infinity;

  constructor(
    nrCpus: number,
    readonly rng: Rng,
    /** Each paid through draw(): a constant, or a sampler of the run's RNG. */
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
    const section = pcpLockSavesIrqs ? (["preempt", "spin_lock", "irq_save", "pcp_list_op"] as const) : (["preempt", "spin_lock", "pcp_list_op"] as const);
    const constant = section.every((c) => typeof this.costs[c] === "number");
    this.nowaitNs = constant ? section.reduce((ns, c) => ns + draw(this.costs[c]), 0) : Infinity;
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
    throw backlogFull(this.runName, cpu, context, this.now);
  }

  outOfFrames(): never {
    throw framesFull(this.runName, this.now);
  }

  crash(x: Context, e: unknown): void {
    if (!(e instanceof Oops)) throw e;
    this.violation = oopsReport(e, x.now, x.cpu.id, CONTEXT_NAMES[x.kind]);
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
