// Code paths as state machines. A generator costs a heap object per call
// and a resume per level of yield* each time it continues; the paths most
// runs take on every allocation (mm/page_alloc_steps.ts, the workloads'
// arrivals and frees) are written out as state machines instead, made
// once per context and reused, so they allocate nothing. They yield at the
// same points, with the same values, as the generators they stand for, and
// call those generators for their rare branches (a refill, a drain, the
// slow path), driving them as yield* would.
import type { Code, Resumable } from "./context.ts";
import { unwind } from "./oops.ts";

/** What step() returns once the path has finished. Yielded values are
 * delays (>= 0) or WAIT (-1). */
export const DONE = -2;

const NO_FRAMES: readonly string[] = [];

export abstract class Steps implements Resumable {
  /** The generator a rare branch runs, as yield* would, or null. */
  protected sub: Code<unknown> | null = null;
  /** What that generator returned, once done. */
  protected subValue = 0;
  /** The kernel functions the current state is inside, innermost first:
   * an Oops leaving step() is unwound through each (oops.ts unwind()). */
  protected frames: readonly string[] = NO_FRAMES;
  private readonly result = { done: false, value: 0 };

  /** Runs to the next yield: the value yielded, or DONE. An Oops on the
   * way leaves unwound through the current frames, the machine abandoned. */
  step(): number {
    try {
      return this.advance();
    } catch (e) {
      this.sub = null;
      this.abandon();
      for (const fn of this.frames) e = unwind(e, fn);
      throw e;
    }
  }

  /** step() itself, without the unwinding. */
  protected abstract advance(): number;

  /** Forgets the path in progress, after an Oops left it. */
  protected abstract abandon(): void;

  /** The generator protocol, for Context: one result object, reused (the
   * context reads it at once). */
  next(): IteratorResult<number, unknown> {
    const d = this.step();
    const r = this.result;
    r.done = d === DONE;
    r.value = d;
    return r as IteratorResult<number, unknown>;
  }

  /** Runs `sub` until it yields (its value) or returns (DONE, with its
   * return value in subValue). */
  protected drive(): number {
    const r = this.sub!.next();
    if (!r.done) return r.value;
    this.sub = null;
    this.subValue = r.value as number;
    return DONE;
  }
}
