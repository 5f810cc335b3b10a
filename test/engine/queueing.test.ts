// The lock model against closed forms of queueing theory: PASTA (R. W.
// Wolff, "Poisson arrivals see time averages", Operations Research 30(2),
// 1982) and the M/M/1 queue (L. Kleinrock, "Queueing Systems, Volume 1:
// Theory", Wiley 1975, section 3.2). Runs are seeded, so these cannot flake; the tolerances say how far a correct
// model may stray by chance (about 4 standard deviations).
import { describe, expect, it } from "vitest";
import { metricsOf } from "../support/scenario-runs.ts";

describe("PASTA: trylock failures equal the time the lock is held", () => {
  // One CPU. Its task holds the pcp lock for preempt + spin_lock +
  // pcp_list_op = 3 + 8 + 1000 ns per allocation and again per free (the
  // pin is charged with the lock), every 10 us: f = 0.2022.
  // Poisson hardirqs that allocate see the lock held that fraction of the
  // time (Wolff 1982), if IRQs stay enabled while it is held: trylock.
  const text = (lock: string) => `scenario "pasta" {
  cpus 1
  memory 1GiB
  duration 1s
  lock ${lock}
  cost pcp_list_op 1000ns
  cost irq_entry 0ns
  workload "holder" on cpus all {
    every 10us
    alloc order 0 gfp GFP_KERNEL
    free immediately
  }
  workload "probe" on cpus all in hardirq {
    rate 10k/s
    alloc order 0 gfp GFP_ATOMIC
  }
}`;

  it("matches f within its statistical tolerance", () => {
    const m = metricsOf(text("trylock"));
    const attempts = m["irq.count"]!;
    const failed = m["pcp.trylock_fail.hardirq"]!;
    const f = (2 * (3 + 8 + 1000)) / 10_000;
    const sd = Math.sqrt((f * (1 - f)) / attempts);
    expect(attempts).toBeGreaterThan(9000);
    expect(Math.abs(failed / attempts - f)).toBeLessThan(4 * sd);
  });

  it("is 0 when the holder disables IRQs (the interrupt waits instead)", () => {
    const m = metricsOf(text("irqsave"));
    expect(m["pcp.trylock_fail.hardirq"]).toBe(0);
    // ...and the wait shows up as IRQ latency of up to one hold.
    expect(m["irq.latency_ns.max"]).toBeGreaterThan(1000);
  });
});

describe("zone->lock as a FIFO queue", () => {
  // 64 CPUs take zone->lock from hardirq (irq-bypass: order-0 allocations go
  // to rmqueue_buddy) at 7812.5/s each, so 500k/s in all, holding it an
  // exponential 1 us with every other cost zeroed: M/M/1 at rho = 0.5, as
  // long as one CPU rarely has two requests at once (here about 1.6%).
  // Wq = rho / (mu - lambda) = 1000 ns; P(wait) = rho.
  const text = `scenario "mm1" {
  cpus 64
  memory 4GiB
  duration 200ms
  lock irq-bypass
  cost spin_lock 0ns
  cost irq_save 0ns
  cost cacheline_transfer 0ns
  cost irq_entry 0ns
  cost buddy_level 0ns
  cost check_new_page 0ns
  cost zone_lock_per_block exp(1us)
  workload "irq" on cpus all in hardirq {
    rate 7812.5/s
    alloc order 0 gfp GFP_ATOMIC
  }
}`;

  it("waits as M/M/1 predicts", () => {
    const m = metricsOf(text);
    const n = m["lock.zone.acquisitions"]!;
    expect(n).toBeGreaterThan(90_000);
    const wq = m["lock.zone.wait_ns.total"]! / n;
    expect(Math.abs(wq - 1000) / 1000).toBeLessThan(0.08);
    expect(Math.abs(m["lock.zone.contention_rate"]! - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(m["lock.zone.hold_ns.mean"]! - 1000) / 1000).toBeLessThan(0.02);
  });
});
