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
import { CONTEXT_NAMES, WAIT, type Code, type Context } from "./context.ts";
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

/** The kernel config a run's locks follow. */
export interface LockConfig {
  /** CONFIG_SMP. Off: one CPU, spinlocks are preempt_disable(). */
  readonly SMP: boolean;
  /** CONFIG_DEBUG_SPINLOCK: on UP, a real lock word and spin_bug(). */
  readonly DEBUG_SPINLOCK: boolean;
}

export const SMP_LOCKS: LockConfig = { SMP: true, DEBUG_SPINLOCK: false };

/** Kernel messages a run logged without stopping (printk at KERN_EMERG). */
export class KernelLog {
  readonly messages: string[] = [];
  /** debug_locks: spin_bug() prints only while it is set, and clears it. */
  debug_locks = true;
}

export class Spinlock {
  owner: LockOwner | null = null;
  /** UP: acquisitions of the held lock by a nested context on the one CPU,
   * which the no-op arch lock let through; each release undoes one first. */
  nested = 0;
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
    // Contexts of one CPU nest, so the inner one releases first.
    if (this.nested > 0) {
      this.nested--;
      return null;
    }
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
      // Moved down in place: splice() would make an array of the removed.
      const n = this.waiters.length - this.head;
      for (let k = 0; k < n; k++) {
        this.waiters[k] = this.waiters[this.head + k]!;
        this.waitSince[k] = this.waitSince[this.head + k]!;
      }
      this.waiters.length = n;
      this.waitSince.length = n;
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
  if (!x.m.kernel.SMP) return; // lockUp() paid the preempt_disable()
  x.pending += draw(x.m.costs.spin_lock);
  if (lock.transferred) x.pending += draw(x.m.costs.cacheline_transfer);
}

// ---- CONFIG_SMP=n ------------------------------------------------------------
// include/linux/spinlock_up.h 6.1: without CONFIG_DEBUG_SPINLOCK the arch
// lock is a no-op, so spin_lock() is preempt_disable() and spin_trylock()
// always succeeds, held or not; with it, the lock word is real
// (arch_spin_trylock() fails on a held lock) and kernel/locking/
// spinlock_debug.c reports what must not happen on UP. The model does not
// name tasks: where the kernel prints current->comm/pid it prints the
// context (task, softirq, hardirq).

/** spin_dump() via spin_bug(), kernel/locking/spinlock_debug.c 6.1: printed
 * once per boot (debug_locks_off()); the kernel goes on. */
function spin_bug(x: Context, lock: Spinlock, msg: string): void {
  const log = x.m.log;
  if (!log.debug_locks) return;
  log.debug_locks = false;
  const owner = lock.owner as Context | null;
  const ownerName = owner ? CONTEXT_NAMES[owner.kind] : "<none>";
  log.messages.push(
    `BUG: spinlock ${msg} on CPU#${x.cpu.id}, ${CONTEXT_NAMES[x.kind]}`,
    ` lock: ${lock.name}, .magic: dead4ead, .owner: ${ownerName}, .owner_cpu: ${owner ? owner.cpu.id : -1}`,
  );
}

/** UP spin_lock()/spin_trylock() of a held lock: whether it goes through. */
function nestUp(x: Context, lock: Spinlock, trylock: boolean): boolean {
  if (x.m.kernel.DEBUG_SPINLOCK) {
    // do_raw_spin_trylock(): SPIN_BUG_ON(!ret, lock, "trylock failure on UP")
    // and the trylock fails. do_raw_spin_lock(): debug_spin_lock_before()
    // finds current (the interrupted task) the owner; the UP arch lock
    // does not spin, so the lock is taken anyway.
    spin_bug(x, lock, trylock ? "trylock failure on UP" : "recursion");
    if (trylock) return lock.tryAcquire(x, x.m.now);
  }
  lock.nested++;
  return true;
}

/** Takes `lock` on UP: never waits. */
function lockUp(x: Context, lock: Spinlock, trylock: boolean): boolean {
  x.pending += draw(x.m.costs.preempt);
  if (lock.owner === null) return lock.tryAcquire(x, x.m.now);
  return nestUp(x, lock, trylock);
}

/** spin_trylock() now. */
export function trylockNow(x: Context, lock: Spinlock): boolean {
  if (!x.m.kernel.SMP) return lockUp(x, lock, true);
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
  if (!x.m.kernel.SMP) return lockUp(x, lock, false);
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
