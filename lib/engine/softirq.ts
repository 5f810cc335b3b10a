// __do_softirq()'s restart budget (6.1 kernel/softirq.c), on a jiffies clock.
//
// The model's kernel runs at HZ=250, Debian's amd64 CONFIG_HZ, with jiffies
// counting ticks from the start of the run on every CPU at once (jiffies is
// one global counter; skew_tick is off by default).

export const HZ = 250;
export const TICK_NS = 1_000_000_000 / HZ;

/** 6.1 kernel/softirq.c MAX_SOFTIRQ_RESTART: passes of one __do_softirq(). */
export const MAX_SOFTIRQ_RESTART = 10;

/** 6.1 kernel/softirq.c MAX_SOFTIRQ_TIME = msecs_to_jiffies(2), which rounds
 * up: one jiffy at HZ=250. */
export const MAX_SOFTIRQ_TIME = Math.ceil((2 * HZ) / 1000);

/** The time at which `time_before(jiffies, end)` turns false for a
 * __do_softirq() that started at `now` (ns): `end = jiffies +
 * MAX_SOFTIRQ_TIME` is reached at that tick, so at HZ=250 restarts stop at
 * the next tick, 0 to 4 ms later, not 2 ms later. */
export function softirqBudgetEnd(now: number): number {
  return (Math.floor(now / TICK_NS) + MAX_SOFTIRQ_TIME) * TICK_NS;
}
