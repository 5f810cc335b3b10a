import { describe, expect, it } from "vitest";
import { format } from "../../lib/dsl/index.ts";
import { complete, hover } from "../../lib/dsl/editor-services.ts";
import { checked, codes, diagnostics, scenario } from "./helpers.ts";

describe("config", () => {
  it("defaults to DEBUG_LIST on, DEBUG_VM on, SMP on, DEBUG_SPINLOCK off", () => {
    expect(checked(scenario("  cpus 2")).config).toEqual({ DEBUG_LIST: true, DEBUG_VM: true, SMP: true, DEBUG_SPINLOCK: false, PCP_BATCH_SCALE_MAX: null });
  });

  it("reads each option on or off", () => {
    const s = checked(scenario("  config DEBUG_LIST off\n  config DEBUG_VM off\n  config DEBUG_SPINLOCK on"));
    expect(s.config).toEqual({ DEBUG_LIST: false, DEBUG_VM: false, SMP: true, DEBUG_SPINLOCK: true, PCP_BATCH_SCALE_MAX: null });
  });

  it("reads PCP_BATCH_SCALE_MAX as a number from 0 to 6, with positioned errors", () => {
    expect(checked(scenario("  config PCP_BATCH_SCALE_MAX 5")).config.PCP_BATCH_SCALE_MAX).toBe(5);
    expect(diagnostics(scenario("  config PCP_BATCH_SCALE_MAX on"))).toEqual([
      expect.objectContaining({ code: "E222", line: 2, column: 30, message: "config PCP_BATCH_SCALE_MAX is a number from 0 to 6, got 'on'" }),
    ]);
    expect(codes(scenario("  config PCP_BATCH_SCALE_MAX 7"))).toEqual(["E201"]);
    expect(codes(scenario("  config DEBUG_LIST 5"))).toEqual(["E222"]);
    expect(format(scenario("  config PCP_BATCH_SCALE_MAX   5"))).toEqual({ ok: true, text: scenario("  config PCP_BATCH_SCALE_MAX 5") });
    const value = 'scenario "x" {\n  config PCP_BATCH_SCALE_MAX ';
    expect(complete(value, value.length)).toEqual([]);
  });

  it("runs one CPU with SMP off, and DEBUG_SPINLOCK follows unless set", () => {
    const up = checked(scenario("  config SMP off"));
    expect([up.cpus, up.config.SMP, up.config.DEBUG_SPINLOCK]).toEqual([1, false, true]);
    const bare = checked(scenario("  config SMP off\n  config DEBUG_SPINLOCK off\n  cpus 1"));
    expect([bare.cpus, bare.config.DEBUG_SPINLOCK]).toEqual([1, false]);
  });

  it("refuses a repeated option and a workload on a cpu a UP kernel lacks", () => {
    expect(codes(scenario("  config SMP on\n  config SMP off"))).toEqual(["E202"]);
    const w = '  config SMP off\n  workload "w" on cpus 0-1 {\n    rate 1k/s\n    drain\n  }';
    expect(codes(scenario(w))).toEqual(["E209"]);
  });

  it("prints canonically and leaves a scenario without config as it was", () => {
    expect(format(scenario("  config   DEBUG_LIST    off"))).toEqual({ ok: true, text: scenario("  config DEBUG_LIST off") });
    expect(format(scenario("  cpus 2"))).toEqual({ ok: true, text: scenario("  cpus 2") });
  });

  it("completes option names and on/off, and explains an option on hover", () => {
    const names = 'scenario "x" {\n  config ';
    expect(complete(names, names.length).map((c) => c.label)).toEqual(["DEBUG_LIST", "DEBUG_VM", "SMP", "DEBUG_SPINLOCK", "PCP_BATCH_SCALE_MAX"]);
    const values = 'scenario "x" {\n  config SMP ';
    expect(complete(values, values.length).map((c) => c.label)).toEqual(["on", "off"]);
    const text = scenario("  config DEBUG_LIST off");
    expect(hover(text, text.indexOf("DEBUG_LIST") + 2)!.text).toMatch(/^config DEBUG_LIST \(default on\): CONFIG_DEBUG_LIST/);
  });
});
