import { describe, expect, it } from "vitest";
import { checked, codes, diagnostics, scenario, workload } from "./helpers.ts";

describe("a checked scenario", () => {
  it("fills in the defaults of docs/language.md", () => {
    expect(checked(scenario(""))).toEqual({
      name: "t", description: null, kernel: "6.1", cpus: 4, memoryBytes: 2 ** 30, durationNs: 100e6, warmupNs: 0,
      seed: 1, runs: 1, variants: ["irqsave"], sweep: null, pcp: { high: null, batch: null }, fragmentation: 0,
      config: { DEBUG_LIST: true, DEBUG_VM: true, SMP: true, DEBUG_SPINLOCK: false, PCP_BATCH_SCALE_MAX: null }, costs: {}, workloads: [], expects: [],
    });
  });

  it("reads the docs/language.md example into base units", () => {
    const s = checked(
      scenario(`  cpus 8
  memory 2GiB
  duration 500ms
  warmup 20ms
  seed 7
  runs 5
  compare irqsave, trylock
  fragmentation 30%
  pcp high 512 batch 31
  cost irq_entry exp(1us)
  workload "nic-rx" on cpus 0-3, 6 in hardirq {
    rate 20k/s
    alloc 4 x order 0 gfp GFP_ATOMIC
    free batch 8 after uniform(50us, 150us) in softirq
  }
  expect pcp.fallback_rate < 5% for trylock
  expect irq.latency_ns.p99 <= 10us
  expect zone.free_pages.min > 64MiB`),
    );
    expect(s).toMatchObject({
      cpus: 8, memoryBytes: 2 ** 31, durationNs: 500e6, warmupNs: 20e6, seed: 7, runs: 5,
      variants: ["irqsave", "trylock"], fragmentation: 0.3, pcp: { high: 512, batch: 31 },
      costs: { irq_entry: { kind: "exp", meanNs: 1000 } },
    });
    expect(s.workloads).toEqual([
      {
        name: "nic-rx", cpus: [0, 1, 2, 3, 6], context: "hardirq", arrival: { kind: "rate", perSecond: 20000 }, arrivals: null,
        alloc: { count: 4, order: 0, gfp: 0xa20 },
        free: { batch: 8, after: { kind: "uniform", minNs: 50_000, maxNs: 150_000 }, context: "softirq" },
        drain: false,
      },
    ]);
    expect(s.expects).toEqual([
      { text: "expect pcp.fallback_rate < 5% for trylock", metric: "pcp.fallback_rate", op: "<", value: 0.05, variant: "trylock" },
      { text: "expect irq.latency_ns.p99 <= 10us", metric: "irq.latency_ns.p99", op: "<=", value: 10_000, variant: null },
      { text: "expect zone.free_pages.min > 64MiB", metric: "zone.free_pages.min", op: ">", value: 16384, variant: null },
    ]);
  });

  it("reads sweeps of every parameter", () => {
    const sweep = (line: string) => checked(scenario(`  ${line}\n  workload "nic" on cpus 0 {\n    rate 1k/s\n    drain\n  }`)).sweep;
    expect(sweep("sweep cpus in 1, 2, 4")).toEqual({ param: { kind: "cpus" }, values: [1, 2, 4] });
    expect(sweep("sweep memory in 512MiB, 1GiB")).toEqual({ param: { kind: "memory" }, values: [2 ** 29, 2 ** 30] });
    expect(sweep("sweep pcp.high in 0, 100")).toEqual({ param: { kind: "pcp.high" }, values: [0, 100] });
    expect(sweep("sweep pcp.batch in 1, 63")).toEqual({ param: { kind: "pcp.batch" }, values: [1, 63] });
    expect(sweep('sweep "nic".rate in 1k/s, 10k/s')).toEqual({ param: { kind: "rate", workload: "nic" }, values: [1000, 10000] });
  });

  it("lets a workload be called by a keyword's name and a size be given in pages", () => {
    const s = checked(scenario('  memory 262144 pages\n  workload "task" on cpus all {\n    every 1ms\n    drain\n  }'));
    expect(s.memoryBytes).toBe(2 ** 30);
    expect(s.workloads[0]).toMatchObject({ name: "task", cpus: "all", arrival: { kind: "every", ns: 1e6 }, alloc: null, drain: true });
  });
});

describe("semantic errors", () => {
  it("checks cpus against every value of a cpus sweep", () => {
    const text = scenario('  cpus 8\n  sweep cpus in 2, 8\n  workload "w" on cpus 0-3 {\n    rate 1k/s\n    drain\n  }');
    expect(diagnostics(text)).toEqual([
      expect.objectContaining({ code: "E209", message: "cpu 3 is outside the machine: when the sweep sets cpus 2 (cpus 0-1)" }),
    ]);
  });

  it("refuses more fragmented memory than the engine can set up, at the fragmentation, for every memory a sweep sets", () => {
    // The engine died of it: memory 1TiB at 50% ran a minute to 6 GiB and
    // failed its end-of-run check; 4TiB at 100% took the process down.
    expect(diagnostics(scenario("  memory 1TiB\n  fragmentation 50%"))).toEqual([
      expect.objectContaining({
        code: "E201",
        message: "fragmentation 50% of memory 1TiB breaks up 134217728 pages; the model sets up at most 16777216 (64GiB at 100%): lower the fragmentation, or the memory to 128GiB at most",
        line: 3,
        column: 17,
        endColumn: 20,
      }),
    ]);
    expect(codes(scenario("  memory 64GiB\n  fragmentation 100%"))).toEqual([]);
    expect(codes(scenario("  memory 1TiB\n  fragmentation 6.25%"))).toEqual([]);
    expect(diagnostics(scenario("  fragmentation 10%\n  sweep memory in 1GiB, 4TiB"))).toEqual([
      expect.objectContaining({ code: "E201", message: expect.stringMatching(/^fragmentation 10% of the sweep's memory 4TiB breaks up 107374182 pages; .* to 640GiB at most$/) }),
    ]);
  });

  it("rejects orders beyond MAX_ORDER-1 and sleeping masks in softirq", () => {
    expect(codes(workload("    rate 1k/s\n    alloc order 11 gfp GFP_KERNEL"))).toEqual(["E201"]);
    expect(codes(workload("    rate 1k/s\n    alloc order 0 gfp GFP_NOIO", 'workload "w" on cpus all in softirq'))).toEqual(["E208"]);
    // GFP_NOWAIT and GFP_ATOMIC are fine in interrupts; sleeping is fine in task context.
    expect(codes(workload("    rate 1k/s\n    alloc order 0 gfp GFP_NOWAIT", 'workload "w" on cpus all in hardirq'))).toEqual([]);
    expect(codes(workload("    rate 1k/s\n    alloc order 9 gfp GFP_TRANSHUGE"))).toEqual([]);
    expect(codes(workload("    rate 1k/s\n    drain", 'workload "w" on cpus all in hardirq'))).toEqual(["E208"]);
  });

  it("asks for the right kind of value in expectations", () => {
    expect(diagnostics(scenario("  expect pcp.fallback_rate < 5"))[0]!.message).toBe(
      "pcp.fallback_rate is a rate; compare it with a percentage such as 5%",
    );
    expect(codes(scenario("  expect pcp.fallback_rate == 0"))).toEqual([]);
    expect(codes(scenario("  expect irq.latency_ns.max < 5%"))).toEqual(["E210"]);
    expect(codes(scenario("  expect alloc.failed == 1ms"))).toEqual(["E210"]);
  });

  it("finds conflicting and incomplete workloads", () => {
    expect(codes(workload("    rate 1k/s\n    every 1ms\n    drain"))).toEqual(["E212"]);
    expect(codes(workload("    rate 1k/s"))).toEqual(["E212"]);
    expect(codes(workload("    rate 1k/s\n    drain\n    free immediately"))).toEqual(["E212"]);
    expect(codes(workload("    rate 1k/s\n    drain\n    drain"))).toEqual(["E202"]);
    expect(codes(scenario('  workload "w" on cpus 0 {\n    rate 1k/s\n    drain\n  }\n  workload "w" on cpus 1 {\n    rate 1k/s\n    drain\n  }'))).toEqual(["E203"]);
  });

  it("rejects a reversed uniform and a duplicate sweep value", () => {
    expect(codes(workload("    rate 1k/s\n    alloc order 0 gfp GFP_KERNEL\n    free after uniform(2us, 1us)"))).toEqual(["E216"]);
    expect(codes(scenario("  sweep cpus in 2, 2"))).toEqual(["E203"]);
  });

  it("refuses lock and compare together, and compare with one variant", () => {
    expect(codes(scenario("  lock irqsave\n  compare irqsave, trylock"))).toEqual(["E202"]);
    expect(codes(scenario("  compare irqsave"))).toEqual(["E105"]);
  });
});

describe("the model's limits", () => {
  it("refuses cpus beyond 256, at the number, saying the limit and why", () => {
    expect(checked(scenario("  cpus 256")).cpus).toBe(256);
    expect(diagnostics(scenario("  cpus 1024"))).toEqual([
      {
        code: "E220",
        message: expect.stringMatching(/^cpus 1024 is beyond the model's limit of 256: each simulated CPU .* peaked near 0\.9 GB/),
        line: 2, column: 8, endLine: 2, endColumn: 12,
      },
    ]);
  });

  it("refuses a cpus sweep that goes past the limit, at the value", () => {
    const d = diagnostics(scenario("  sweep cpus in 64, 512"));
    expect(d.map((x) => [x.code, x.column])).toEqual([["E220", 21]]);
    expect(d[0]!.message).toMatch(/^cpus 512 is beyond the model's limit of 256/);
  });

  it("refuses runs beyond 200, saying why", () => {
    expect(checked(scenario("  runs 200")).runs).toBe(200);
    const d = diagnostics(scenario("  runs 1000"));
    expect(d.map((x) => [x.code, x.line, x.column])).toEqual([["E220", 2, 8]]);
    expect(d[0]!.message).toMatch(/^runs 1000 is beyond the model's limit of 200: every run's results stay in memory/);
  });

  it("still says the range below the limit", () => {
    expect(diagnostics(scenario("  runs 0"))[0]).toMatchObject({ code: "E201", message: "runs must be between 1 and 200, got 0" });
  });
});

