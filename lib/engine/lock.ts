// Queued spinlocks (qspinlock: FIFO waiters) with lockstat accounting, and
// the spin_lock() family code paths call them through. The lock records who
// owns it, who waits and which CPU held it last; the machine decides when a
// waiter runs again (context.ts).
//
// Cache-line transfer: the lock word's line sits in the cache of the CPU
// that last held it, so an acquisition from another CPU (a trylock that
// succeeds, an uncontended take, or the grant to a queued waiter) first
// fetches it: one `cacheline_transfer` per such acquisition. Contexts of one
// CPU share its caches, so a hardirq taking a lock its task dropped pays
// nothing. Only the lock's own line is modelled; the lines the holder then
// touches are in the per-block cost.
import { draw } from "./costs.ts";
import { WAIT, type Code, type Context } from "./context.ts";
import { EV_GRANT } from "./events.ts";

/** What a lock needs to know about whoever takes it. */
export interface LockOwner {
  readonly id: number;
  readonly cpu: { readonly id: number };
}

export interface LockStat {
  acquisitions: number;
  contentions: number;
  waitTotalNs: number;
  waitMaxNs: number;
  holdTotalNs: number;
  holdMaxNs: number;
  /** Trylocks that found the lock held. */
  trylockFailures: number;
  /** Acquisitions that fetched the lock's cache line from another CPU. */
  transfers: number;
}

export function newLockStat(): LockStat {
  return { acquisitions: 0, contentions: 0, waitTotalNs: 0, waitMaxNs: 0, holdTotalNs: 0, holdMaxNs: 0, trylockFailures: 0, transfers: 0 };
}

/** Whether lockstat counts now: false during warmup. A field read, not a
 * call: it is consulted on every acquisition and release. */
export interface Measuring {
  readonly measuring: boolean;
}

export class Spinlock {
  owner: LockOwner | null = null;
  /** The CPU whose cache holds the lock's line: its last holder's; -1 before any. */
  lastCpu = -1;
  /** Whether the latest acquisition fetched the line from another CPU. */
  transferred = false;
  private acquiredAt = 0;
  private readonly waiters: LockOwner[] = [];
  private readonly waitSince: number[] = [];
  private head = 0;

  /** `stat` is shared by every lock of a class (all pcp locks, the zone lock),
   * as lockstat reports per lock class. */
  constructor(
    readonly name: string,
    readonly address: bigint,
    readonly stat: LockStat,
    private readonly gate: Measuring,
    private readonly onContended?: (now: number) => void,
  ) {}

  get contended(): boolean {
    return this.head < this.waiters.length;
  }

  /** spin_trylock(): takes a free lock, or fails without waiting. */
  tryAcquire(who: LockOwner, now: number): boolean {
    if (this.owner !== null || this.contended) {
      if (this.gate.measuring) this.stat.trylockFailures++;
      return false;
    }
    this.take(who, now);
    return true;
  }

  /** The slow path of spin_lock(): queue behind the holder. */
  enqueue(who: LockOwner, now: number): void {
    this.onContended?.(now);
    this.waiters.push(who);
    this.waitSince.push(now);
  }

  /** spin_unlock(): returns the waiter the lock now belongs to, if any. */
  release(who: LockOwner, now: number): LockOwner | null {
    if (this.owner !== who) throw new Error(`${this.name}: unlock by a context that does not hold it`);
    const held = now - this.acquiredAt;
    if (this.gate.measuring) {
      this.stat.holdTotalNs += held;
      if (held > this.stat.holdMaxNs) this.stat.holdMaxNs = held;
    }
    this.owner = null;
    if (!this.contended) return null;
    const next = this.waiters[this.head]!;
    const waited = now - this.waitSince[this.head]!;
    this.head++;
    if (this.head > 64 && this.head * 2 > this.waiters.length) {
      this.waiters.splice(0, this.head);
      this.waitSince.splice(0, this.head);
      this.head = 0;
    }
    if (this.gate.measuring) {
      this.stat.contentions++;
      this.stat.waitTotalNs += waited;
      if (waited > this.stat.waitMaxNs) this.stat.waitMaxNs = waited;
    }
    this.take(next, now);
    return next;
  }

  /** Whether `cpu` taking the lock now would fetch its line from another CPU. */
  wouldTransfer(cpu: number): boolean {
    return this.lastCpu !== -1 && this.lastCpu !== cpu;
  }

  private take(who: LockOwner, now: number): void {
    this.owner = who;
    this.acquiredAt = now;
    this.transferred = this.wouldTransfer(who.cpu.id);
    this.lastCpu = who.cpu.id;
    if (this.gate.measuring) {
      this.stat.acquisitions++;
      if (this.transferred) this.stat.transfers++;
    }
  }
}

// ---- spin_lock() and friends, as code paths call them ---------------------

// Each first turns the context's accumulated cost into simulated time (a
// yield), so the operation happens at the right moment for the other CPUs.
// The bodies are written out rather than delegated: a yield* costs a
// generator object, and these run several times per allocation.

// Plain forms for the hot paths: the caller has already yielded its pending
// cost (`if (x.mustYield()) yield x.pending;`), so the operation happens at
// the right time without a generator of its own.

/** What the context that just got `lock` pays: the lock and unlock, and the
 * line's transfer when it came from another CPU. */
function acquired(x: Context, lock: Spinlock): void {
  x.pending += draw(x.m.costs.spin_lock);
  if (lock.transferred) x.pending += draw(x.m.costs.cacheline_transfer);
}

/** spin_trylock() now. */
export function trylockNow(x: Context, lock: Spinlock): boolean {
  const ok = lock.tryAcquire(x, x.m.now);
  if (ok) acquired(x, lock);
  return ok;
}

/** spin_unlock() now. The next waiter owns the lock at once; it pays the
 * line's transfer when it resumes (acquired()), inside its hold. */
export function unlockNow(x: Context, lock: Spinlock): void {
  const next = lock.release(x, x.m.now);
  if (next) x.m.schedule(x.m.now, EV_GRANT, next.id);
}

/** Takes a free lock now, or joins its queue (the caller then yields WAIT). */
function takeOrQueue(x: Context, lock: Spinlock): boolean {
  if (lock.tryAcquire(x, x.m.now)) return true;
  lock.enqueue(x, x.m.now);
  return false;
}

export function* spin_lock(x: Context, lock: Spinlock): Code {
  if (x.mustYield()) yield x.pending;
  if (!takeOrQueue(x, lock)) yield WAIT;
  acquired(x, lock);
}

export function* spin_unlock(x: Context, lock: Spinlock): Code {
  if (x.mustYield()) yield x.pending;
  unlockNow(x, lock);
}

export function* spin_lock_irqsave(x: Context, lock: Spinlock): Code {
  if (x.mustYield()) yield x.pending;
  x.irqSaveNow();
  if (!takeOrQueue(x, lock)) yield WAIT;
  acquired(x, lock);
}

export function* spin_unlock_irqrestore(x: Context, lock: Spinlock): Code {
  if (x.mustYield()) yield x.pending;
  unlockNow(x, lock);
  if (x.irqRestoreNow()) yield 0;
}
