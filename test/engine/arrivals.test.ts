// A file written then removed, as the conformance suite's workload: a fixed
// number of page-cache allocations, then every page freed in release_pages()
// lists. The pcp traffic follows from 6.1's rules alone, so the counts are
// exact: rmqueue_bulk() refills a batch (63) whenever the list is empty,
// and free_unref_page_commit() drains nr_pcp_free() pages, doubling while
// frees run without an allocation, each time the count reaches pcp->high.
import { describe, expect, it } from "vitest";
import { nodeSetup } from "../../lib/engine/index.ts";
import { metricsOf } from "../support/scenario-runs.ts";

const fileWriteRemove = (pages: number, batch = 15, context = "", config = "") => `scenario "write-remove" {
  cpus 1
  memory 1GiB
  duration 40ms
  ${config}
  workload "dd-then-rm" on cpus 0 {
    every 1us
    arrivals ${pages}
    alloc order 0 gfp GFP_HIGHUSER_MOVABLE
    free batch ${batch} after last${context}
  }
}`;

/** What free_unref_page_commit()'s drains add up to for `frees` frees from
 * an empty-ish pcp list holding `start` pages, computed here from the rule. */
function drainedBy6_1(start: number, frees: number, high: number, batch: number, scaleMax = Infinity): number {
  let count = start;
  let factor = 0;
  let drained = 0;
  for (let i = 0; i < frees; i++) {
    if (++count < high) continue;
    const max = high - batch;
    let n = batch * 2 ** factor;
    if (n < max && factor < scaleMax) factor++;
    n = Math.min(Math.max(n, batch), max);
    count -= n;
    drained += n;
  }
  return drained;
}

describe("arrivals N, then free after last", () => {
  it("allocates exactly N pages, then frees every one as lists, the last one short", () => {
    const m = metricsOf(fileWriteRemove(25600));
    expect(m["alloc.requests"]).toBe(25600);
    expect(m["free.pages"]).toBe(25600);
    expect(m["free.batched_pages"]).toBe(25600);
    // 25600 = 1706 lists of 15 and one of 10
    expect(m["free.requests"]).toBe(25600);
  });

  it("counts pcp traffic as the kernel's kmem tracepoints would", () => {
    const m = metricsOf(fileWriteRemove(25600));
    const { pcpHigh, pcpBatch } = nodeSetup(2 ** 30, 1).simulated[0]!;
    const refills = Math.ceil(25600 / pcpBatch);
    expect(m["pcp.refills"]).toBe(refills);
    expect(m["pcp.refill_pages"]).toBe(refills * pcpBatch);
    expect(m["pcp.drain_pages"]).toBe(drainedBy6_1(refills * pcpBatch - 25600, 25600, pcpHigh, pcpBatch));
    expect(m["pcp.drain_pages"]).toBeGreaterThan(0);
  });

  it("stops doubling the drain batch at batch << PCP_BATCH_SCALE_MAX, as 6.1.y stable does", () => {
    const { pcpHigh, pcpBatch } = nodeSetup(2 ** 30, 1).simulated[0]!;
    const start = Math.ceil(25600 / pcpBatch) * pcpBatch - 25600;
    const capped = metricsOf(fileWriteRemove(25600, 15, "", "config PCP_BATCH_SCALE_MAX 5"));
    // The drains a Debian 6.1.192 guest logs for this file: 63, 126, 252, 504, 1008, then 2016 five times.
    expect(capped["pcp.drain_pages"]).toBe(drainedBy6_1(start, 25600, pcpHigh, pcpBatch, 5));
    expect(capped["pcp.drain_pages"]).toBe(63 + 126 + 252 + 504 + 1008 + 5 * 2016);
    expect(metricsOf(fileWriteRemove(25600))["pcp.drain_pages"]).toBe(63 + 126 + 252 + 504 + 1008 + 2016 + 4032 + 8064);
  });

  it("frees in another context when told to", () => {
    const m = metricsOf(fileWriteRemove(3000, 31, " in softirq"));
    expect(m["free.batched_pages"]).toBe(3000);
    expect(m["softirq.count"]).toBe(Math.ceil(3000 / 31));
  });

  it("frees nothing when the run ends before the last arrival", () => {
    const m = metricsOf(fileWriteRemove(50000));
    expect(m["alloc.requests"]).toBe(40000 - 1);
    expect(m["free.pages"]).toBe(0);
  });
});
