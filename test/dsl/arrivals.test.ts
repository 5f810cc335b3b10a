// `arrivals N` and `free ... after last`: a workload that allocates a fixed
// number of pages and then frees them all, as writing a file and removing
// it does.
import { describe, expect, it } from "vitest";
import { format } from "../../lib/dsl/index.ts";
import { checked, codes, diagnostics, workload } from "./helpers.ts";

describe("arrivals and free after last", () => {
  it("reads a workload that stops after N arrivals and frees everything at the end", () => {
    const s = checked(workload("    every 1us\n    arrivals 25600\n    alloc order 0 gfp GFP_HIGHUSER_MOVABLE\n    free batch 15 after last"));
    const w = s.workloads[0]!;
    expect(w.arrivals).toBe(25600);
    expect(w.free).toEqual({ batch: 15, after: "last", context: "task" });
  });

  it("keeps arrivals open-ended and frees timed by default", () => {
    const w = checked(workload("    rate 1k/s\n    alloc order 0 gfp GFP_KERNEL\n    free after 1ms")).workloads[0]!;
    expect(w.arrivals).toBeNull();
    expect(w.free?.after).toEqual({ kind: "const", ns: 1e6 });
  });

  it("refuses 'after last' on a workload whose arrivals never end, at the free", () => {
    const d = diagnostics(workload("    rate 1k/s\n    alloc order 0 gfp GFP_KERNEL\n    free batch 15 after last"));
    expect(d).toEqual([expect.objectContaining({ code: "E212", line: 5, column: 5 })]);
    expect(d[0]!.message).toContain("arrivals N");
  });

  it("bounds arrivals and refuses a second one", () => {
    expect(codes(workload("    rate 1k/s\n    arrivals 0\n    drain"))).toEqual(["E201"]);
    expect(codes(workload("    rate 1k/s\n    arrivals 2000000000\n    drain"))).toEqual(["E201"]);
    expect(codes(workload("    rate 1k/s\n    arrivals 5\n    arrivals 6\n    drain"))).toEqual(["E202"]);
    expect(codes(workload("    rate 1k/s\n    arrivals 1ms\n    drain"))).toEqual(["E210"]);
  });

  it("formats both as written", () => {
    const text = workload("    every 1us\n    arrivals 100\n    alloc order 0 gfp GFP_KERNEL\n    free batch 15 after last in softirq");
    const out = format(text);
    expect(out.ok && out.text).toContain("    arrivals 100\n");
    expect(out.ok && out.text).toContain("    free batch 15 after last in softirq\n");
  });
});
