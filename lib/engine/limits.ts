// The limits a run stops at, and the errors that stop it.
//
// They guard the host's memory and the user's patience, not the kernel's.

/** RunHooks.shouldStop asked the run to stop. */
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

/**
 * Page frames the model makes at most in one run: 2^25 (128 GiB of
 * memory touched), about 800 MB at 23 bytes each. Frames exist only for
 * pages a run touches, so `memory 4TiB` costs nothing until workloads
 * allocate it; holding most of it would need about 25 GB, more than a
 * host or a browser tab has.
 */
export const MAX_TOUCHED_PAGES = 1 << 25;

/** A CPU context, or its interrupts, reached MAX_BACKLOG. */
export function backlogFull(runName: string, cpu: number, context: string, now: number): Overloaded {
  return new Overloaded(
    `${runName}: CPU ${cpu}'s ${context} context has ${MAX_BACKLOG} pieces of work waiting at ${(now / 1e6).toFixed(3)} ms: ` +
      `the workloads on it ask for more than it can do, so the backlog would only grow. Lower their rates, or what each arrival does.`,
  );
}

/** The workloads touched MAX_TOUCHED_PAGES page frames. */
export function framesFull(runName: string, now: number): Overloaded {
  const pages = MAX_TOUCHED_PAGES;
  return new Overloaded(
    `${runName}: the workloads have touched ${pages} pages (${pages / 262144} GiB) by ${(now / 1e6).toFixed(3)} ms, ` +
      `the most page frames the model keeps in one run (about 23 bytes each). Let them hold less memory: lower their rates, orders or counts, or free sooner.`,
  );
}
