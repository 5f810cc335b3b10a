// With CONFIG_DEBUG_LIST off the engine must survive any list corruption:
// whatever a run runs into is a reported end (a GPF, a bad page state, a
// soft lockup, or a `pcplab:` end where the kernel would go on into memory
// the model does not have), never an exception inside the engine and never
// a walk without end. Here every Nth list_del() of shipped scenarios is
// broken on purpose, two ways: skipped (the page stays linked where it
// was), or poisoning the page while its neighbours still point at it.
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { simulate } from "../../lib/engine/index.ts";
import { MemMap } from "../../lib/engine/mm/memmap.ts";
import { scenarioOf } from "../support/scenario-runs.ts";

type ListDel = (this: MemMap, entry: number, fn: string) => void;
const proto = MemMap.prototype as unknown as { list_del: ListDel; setNext: (id: number, v: number, fn: string) => void; setPrev: (id: number, v: number, fn: string) => void };
const listDel = proto.list_del;
afterEach(() => {
  proto.list_del = listDel;
});

function breakEvery(every: number, poison: boolean): void {
  let n = 0;
  proto.list_del = function (this: MemMap, entry: number, fn: string) {
    if (++n % every !== 0) return listDel.call(this, entry, fn);
    if (poison) {
      // LIST_POISON1 and LIST_POISON2 (memmap.ts), neighbours untouched.
      proto.setNext.call(this, entry, -1, fn);
      proto.setPrev.call(this, entry, -2, fn);
    }
  };
}

const REPORTED_ENDS = [
  /^general protection fault, probably for non-canonical address 0xdead0000000001[0-2][0-9a-f]: /,
  /^general protection fault, probably for non-canonical address 0xdead0000000000f8: /,
  /^BUG: Bad page state: pfn:[0-9a-f]+ /,
  /^watchdog: BUG: soft lockup - CPU#\d+ stuck for 22s!$/,
  /^pcplab: (pcp lists empty|list walk left its list), /,
];

function shipped(name: string): string {
  return readFileSync(new URL(`../../scenarios/${name}.scn`, import.meta.url), "utf8")
    .replace(/\n {2}(expect|runs)[^\n]*/g, "")
    .replace(/scenario ("[^"]+") \{/, "scenario $1 {\n  config DEBUG_LIST off")
    .replace(/duration \d+ms/, "duration 20ms")
    .replace(/warmup \d+ms/, "warmup 5ms");
}

describe("a broken list_del() with DEBUG_LIST off", () => {
  for (const name of ["v2-list-corruption", "thp-compaction-stress", "io-completion-softirq"]) {
    for (const poison of [false, true]) {
      it(`${poison ? "poisons" : "skips"}: every run of ${name} ends clean or in a reported end`, () => {
        const s = scenarioOf(shipped(name));
        const ends: string[] = [];
        for (const every of [997, 20011]) {
          for (const variant of s.variants) {
            breakEvery(every, poison);
            const r = simulate(s, { variant, sweepValue: null, seed: 1 });
            if (r.violation) {
              expect(REPORTED_ENDS.some((re) => re.test(r.violation!.message)), r.violation.message).toBe(true);
              ends.push(r.violation.message);
            }
          }
        }
        // Breaking one list_del() in a thousand is never harmless.
        expect(ends.length).toBeGreaterThan(0);
      });
    }
  }
});
