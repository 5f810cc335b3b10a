// Sleeping locks (struct mutex): a task that finds one held sleeps on its
// wait list and spends no CPU until the holder's mutex_unlock() hands it
// over. Simplified, and said so: the hand-off goes to the oldest waiter
// at once (no optimistic spinning, no wakeup latency), and a sleeper keeps
// its CPU's one task context, though interrupts still run there.
import { WAIT, type Code, type Context } from "./context.ts";
import { EV_GRANT } from "./events.ts";
import type { LockOwner } from "./lock.ts";

export class Mutex {
  owner: LockOwner | null = null;
  private readonly waiters: LockOwner[] = [];

  constructor(readonly name: string) {}

  /** mutex_trylock(): takes a free mutex, or fails without sleeping. */
  tryAcquire(who: LockOwner): boolean {
    if (this.owner !== null) return false;
    this.owner = who;
    return true;
  }

  /** mutex_unlock(): returns the waiter the mutex now belongs to, if any. */
  release(who: LockOwner): LockOwner | null {
    if (this.owner !== who) throw new Error(`${this.name}: unlock by a context that does not hold it`);
    this.owner = this.waiters.shift() ?? null;
    return this.owner;
  }

  sleep(who: LockOwner): void {
    this.waiters.push(who);
  }
}

/** mutex_trylock() now; the caller has yielded its pending cost. */
export function mutex_trylock(x: Context, mutex: Mutex): boolean {
  return mutex.tryAcquire(x);
}

/** mutex_lock(): sleeps until the mutex is this context's. */
export function* mutex_lock(x: Context, mutex: Mutex): Code {
  if (x.mustYield()) yield x.pending;
  if (mutex.tryAcquire(x)) return;
  mutex.sleep(x);
  yield WAIT;
}

/** mutex_unlock(): wakes the next sleeper, which now holds it. */
export function* mutex_unlock(x: Context, mutex: Mutex): Code {
  if (x.mustYield()) yield x.pending;
  const next = mutex.release(x);
  if (next) x.m.schedule(x.m.now, EV_GRANT, next.id);
}
