// __do_softirq()'s budget and ksoftirqd (6.1 kernel/softirq.c), from
// scenario text: the passes of each __do_softirq() and where it ran are
// read off the CPU after every event, the rest from the run's metrics.
import { describe, expect, it } from "vitest";
import { SOFTIRQ, TASK } from "../../lib/engine/context.ts";
import type { Cpu } from "../../lib/engine/cpu.ts";
import { simulate, Simulation } from "../../lib/engine/index.ts";
import { COST_BY_NAME } from "../../lib/dsl/vocabulary.ts";
import { metricsOf, scenarioOf } from "../support/scenario-runs.ts";

// What an irqsave pcp lock round trip costs besides pcp_list_op, one CPU:
// pcpu_task_pin(), local_irq_save() and the spinlock (docs/model.md).
const PIN_SAVE_LOCK = ["preempt", "irq_save", "spin_lock"].reduce((ns, c) => ns + COST_BY_NAME.get(c)!.defaultNs, 0);

const spec = { variant: "irqsave", sweepValue: null, seed: 1 };
const TICK = 4_000_000; // HZ=250

/** One CPU raising a softirq every 50 us from a hardirq (entered at no
 * cost), each softirq 10 pcp allocations and frees, each of those
 * spin_lock (8 ns) + irq_save (10 ns) + `op`. */
const flood = (op: string, extra = "") => `scenario "softirq-flood" {
  cpus 1
  memory 1GiB
  duration 20ms
  lock irqsave
  cost pcp_list_op ${op}
  cost irq_entry 0ns
  workload "rx" on cpus all in softirq {
    every 50us
    alloc 10 x order 0 gfp GFP_ATOMIC
    free immediately
  }${extra}
}`;

// A task allocating and freeing one page every 20 us, beside the flood.
const TASK_WORKLOAD = `
  workload "task" on cpus all {
    every 20us
    alloc order 0 gfp GFP_KERNEL
    free immediately
  }`;

interface DoSoftirq {
  inKsoftirqd: boolean;
  /** When each pass started (its first softirq_entry). */
  passes: number[];
}

/** Every __do_softirq() of CPU 0 from its softirq_entry tracepoints, in
 * order, and when ksoftirqd was woken (sched_wakeup). */
function trace(text: string, variant = spec.variant) {
  const runs: DoSoftirq[] = [];
  const wakeups: number[] = [];
  const result = simulate(scenarioOf(text), { ...spec, variant }, {
    tracepoint: (e) => {
      if (e.name === "sched_wakeup") {
        expect(e.comm).toBe("ksoftirqd/0");
        wakeups.push(e.time_ns);
      }
      if (e.name !== "softirq_entry") return;
      const call = e.call as number;
      runs[call - 1] ??= { inKsoftirqd: e.ksoftirqd === 1, passes: [] };
      const run = runs[call - 1]!;
      if (run.passes.length < (e.pass as number)) run.passes.push(e.time_ns);
    },
  });
  return { runs, wakeups, metrics: result.metrics };
}

describe("__do_softirq() on irq_exit", () => {
  it("stops after MAX_SOFTIRQ_RESTART (10) passes and wakes ksoftirqd", () => {
    // 55.3 us of work raised every 50 us: each pass finds one or two
    // softirqs raised during the last, so ten passes end well before a tick.
    const { runs, wakeups, metrics } = trace(flood("2750ns"));
    const first = runs[0]!;
    expect(first.inKsoftirqd).toBe(false);
    expect(first.passes[0]).toBe(50_000);
    expect(first.passes).toHaveLength(10);
    expect(Math.max(...runs.map((r) => r.passes.length))).toBe(10);
    expect(wakeups[0]).toBeGreaterThan(first.passes[9]!);
    expect(wakeups[0]).toBeLessThan(TICK);
    expect(runs[1]!.inKsoftirqd).toBe(true);
    expect(metrics["softirq.ksoftirqd"]).toBeGreaterThan(0);
  });

  it("restarts only while jiffies have not reached the next tick (HZ=250), then hands the rest to ksoftirqd", () => {
    // 100.3 us of work raised every 50 us: passes of 1, 2, 4, 8, 16 and 32
    // softirqs. The sixth starts at 3.16 ms, before the tick at 4 ms, and
    // ends at 6.37 ms, after it: no seventh pass; ksoftirqd takes the rest.
    const { runs, wakeups, metrics } = trace(flood("5us"));
    const first = runs[0]!;
    expect(first.inKsoftirqd).toBe(false);
    expect(first.passes).toHaveLength(6);
    expect(first.passes[5]!).toBeLessThan(TICK);
    expect(wakeups[0]).toBeGreaterThanOrEqual(TICK);
    expect(wakeups[0]).toBe(first.passes[5]! + 32 * (10 * 2 * (PIN_SAVE_LOCK + 5000)));
    expect(metrics["softirq.count"]! - metrics["softirq.ksoftirqd"]!).toBe(1 + 2 + 4 + 8 + 16 + 32);
  });

  it("is skipped by later interrupt exits while ksoftirqd is runnable", () => {
    // Twice the CPU's worth of softirqs: once woken, ksoftirqd always finds
    // work pending, so it stays runnable and no interrupt exit runs softirqs.
    const { runs, wakeups, metrics } = trace(flood("5us"));
    expect(wakeups).toHaveLength(1);
    expect(runs.slice(1).every((r) => r.inKsoftirqd)).toBe(true);
    expect(runs.length).toBeGreaterThan(1);
    expect(metrics["irq.count"]).toBe(399);
    expect(metrics["softirq.ksoftirqd_wakeups"]).toBe(1);
  });

  it("on an idle CPU, stops when task work is waiting (need_resched()), and the task runs before ksoftirqd", () => {
    // The task's 5.5 us of work every 20 us leaves the CPU idle at 50 us,
    // when the first softirq starts; the task's work of 60 us then waits
    // until the pass ends at 105.3 us with the softirq of 100 us pending.
    const runs: { call: number; ksoftirqd: number; pass: number; time: number }[] = [];
    let wake = -1;
    const sim = new Simulation(scenarioOf(flood("2750ns", TASK_WORKLOAD)), spec, {
      tracepoint: (e) => {
        if (e.name === "sched_wakeup" && wake < 0) wake = e.time_ns;
        if (e.name === "softirq_entry") runs.push({ call: e.call as number, ksoftirqd: e.ksoftirqd as number, pass: e.pass as number, time: e.time_ns });
      },
    });
    while (sim.step());
    const first = runs.filter((r) => r.call === 1);
    expect(first).toEqual([{ call: 1, ksoftirqd: 0, pass: 1, time: 50_000 }]);
    expect(wake).toBe(50_000 + 10 * 2 * (PIN_SAVE_LOCK + 2750));
    // One piece of task work, an allocation and a free of PIN_SAVE_LOCK + 2750 ns
    // each, runs before ksoftirqd does.
    expect(runs.find((r) => r.ksoftirqd === 1)!.time).toBe(wake + 2 * (PIN_SAVE_LOCK + 2750));
  });

  it("runs again on interrupt exit once ksoftirqd has emptied the queue", () => {
    // Poisson softirqs of 90.36 us at 10.5k/s, 95% of the CPU: now and
    // then a burst outlasts the budget; ksoftirqd works it off and sleeps.
    const text = flood("4500ns").replace("every 50us", "rate 10.5k/s");
    const { runs, wakeups } = trace(text);
    expect(wakeups.length).toBeGreaterThan(1);
    // Each wakeup hands over to ksoftirqd; after it sleeps, irq_exit runs softirqs again.
    let handovers = 0;
    for (let i = 1; i < runs.length; i++) if (!runs[i - 1]!.inKsoftirqd && runs[i]!.inKsoftirqd) handovers++;
    expect(handovers).toBe(wakeups.length);
    expect(runs.filter((r) => !r.inKsoftirqd).length).toBeGreaterThan(wakeups.length);
  });
});

describe("ksoftirqd", () => {
  it("takes turns with the task context and never runs above it, so it never finds the task's pcp lock held", () => {
    // The task holds the pcp lock (IRQs on, trylock) for 5 us of every
    // 10 us it runs. A softirq run on irq_exit can interrupt it there and
    // fail its trylocks; ksoftirqd runs only between the task's work.
    let aboveTask = 0;
    let ranInKsoftirqd = 0;
    const text = flood("5us", TASK_WORKLOAD);
    const sim = new Simulation(scenarioOf(text), { ...spec, variant: "trylock" }, {
      afterEvent: (_mm, m) => {
        const cpu = m.cpus[0]!;
        if (!cpu.softirqInKsoftirqd) return;
        ranInKsoftirqd++;
        if (cpu.stack[0] !== cpu.softirq) aboveTask++;
      },
    });
    while (sim.step());
    const metrics = sim.result().metrics;
    expect(ranInKsoftirqd).toBeGreaterThan(1000);
    expect(aboveTask).toBe(0);
    // Each softirq makes 20 pcp attempts; only those run on irq_exit can fail.
    const onIrqExit = metrics["softirq.count"]! - metrics["softirq.ksoftirqd"]!;
    expect(metrics["softirq.ksoftirqd"]).toBeGreaterThan(100);
    expect(metrics["pcp.trylock_fail.softirq"]).toBeLessThanOrEqual(20 * onIrqExit);
  });

  it("runs softirq context: irq-bypass keeps its allocations off the pcp lists", () => {
    // in_interrupt() is true in ksoftirqd's __do_softirq() (softirq_handle_begin()).
    // Bypassing, each allocation and free is a block under zone->lock, at 5 us.
    const m = metricsOf(flood("5us").replace("lock irqsave", "lock irq-bypass").replace("pcp_list_op", "zone_lock_per_block"));
    expect(m["softirq.ksoftirqd"]).toBeGreaterThan(100);
    expect(m["alloc.requests"]).toBeGreaterThan(1000);
    expect(m["pcp.alloc_hits"]).toBe(0);
  });

  it("is woken by a raise from task context, and runs it in softirq context", () => {
    const sim = new Simulation(scenarioOf(flood("5us").replace(/workload[\s\S]*?\n  }\n/, "")), spec);
    const cpu = sim.machine.cpus[0]!;
    const seen: string[] = [];
    cpu.queueTask((x) => {
      x.cpu.raiseSoftirq((y) => {
        seen.push(`softirq ran: kind ${y.kind === SOFTIRQ ? "softirq" : y.kind}, in_interrupt ${y.in_interrupt()}, ksoftirqd ${y.cpu.softirqInKsoftirqd}`);
      }, 0);
      seen.push(`raised from ${x.kind === TASK ? "task" : x.kind}: ksoftirqd runnable ${x.cpu.ksoftirqdRunnable}`);
    }, 0);
    while (sim.step());
    expect(seen).toEqual(["raised from task: ksoftirqd runnable true", "softirq ran: kind softirq, in_interrupt true, ksoftirqd true"]);
    expect(cpu.ksoftirqdRunnable).toBe(false);
  });
});

describe("a task interrupted by a softirq storm", () => {
  it("gets the CPU back within about a jiffy, where the storm used to run to its end on top of it", () => {
    // Poisson softirqs at 90% of the CPU, each an order-4 allocation and
    // free under zone->lock (16 pages at 3 us), interrupt a task that
    // allocates with IRQs on (trylock). An allocation they interrupt waits
    // for the irq_exit run: that run now ends with the first pass to end
    // after the next tick (at most 4 ms at HZ=250, plus that pass), and
    // ksoftirqd waits for the task's allocation to finish.
    const text = `scenario "storm" {
  cpus 1
  memory 1GiB
  duration 200ms
  lock trylock
  cost pcp_list_op 5us
  cost zone_lock_per_block 3us
  cost irq_entry 0ns
  workload "task" on cpus all {
    every 100us
    alloc order 0 gfp GFP_KERNEL
    free immediately
  }
  workload "rx" on cpus all in softirq {
    rate 9k/s
    alloc order 4 gfp GFP_ATOMIC
    free immediately
  }
}`;
    const m = metricsOf(text);
    expect(m["alloc.latency_ns.max"]).toBeLessThan(TICK);
    expect(m["softirq.ksoftirqd"]).toBeGreaterThan(0);
  });
});
