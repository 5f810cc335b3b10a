// Throughput of the engine's core pieces. Prints figures only; asserts nothing.
// Run: npx tsx bench/engine-core.ts
import { EventHeap } from "../lib/engine/heap.ts";
import { MemMap } from "../lib/engine/mm/memmap.ts";
import { Rng } from "../lib/engine/rng.ts";

const EVENTS = 1_000_000;
const DRAWS = 10_000_000;
let sink = 0; // consumed results, so the JIT cannot drop the work

function rate(count: number, ms: number): string {
  return `${(count / (ms / 1000) / 1e6).toFixed(1)} M/s`;
}

function time(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

// Times drawn up front so the heap figures exclude the generator.
const rng = new Rng(1);
const times = new Float64Array(EVENTS);
for (let i = 0; i < EVENTS; i++) times[i] = rng.nextBelow(1_000_000_000);

function fillAndDrain(heap: EventHeap): void {
  for (let i = 0; i < EVENTS; i++) heap.push(times[i], i);
  while (heap.size > 0) sink += heap.pop();
}

// Hold model: keep `size` events pending, pop the earliest and push a new
// one at a later time, as a simulation loop does.
function hold(heap: EventHeap, size: number): void {
  for (let i = 0; i < size; i++) heap.push(times[i], i);
  for (let i = 0; i < EVENTS; i++) {
    const payload = heap.pop();
    heap.push(heap.poppedTime + (times[i] % 100_000), payload);
  }
  sink += heap.size;
  heap.clear();
}

const heap = new EventHeap(1024);
fillAndDrain(heap); // warm-up, also grows the arrays
heap.clear();
const fillMs = time(() => fillAndDrain(heap));
console.log(`heap: ${EVENTS} random pushes then ${EVENTS} pops: ${fillMs.toFixed(0)} ms, ${rate(EVENTS, fillMs)} events (push+pop)`);
for (const size of [14, 115, 10_000]) {
  hold(heap, size); // warm-up
  const holdMs = time(() => hold(heap, size));
  console.log(`heap: hold model, ${size} pending, ${EVENTS} pop+push: ${holdMs.toFixed(0)} ms, ${rate(EVENTS, holdMs)} events`);
}

const draws: [string, (r: Rng) => number][] = [
  ["nextU32()", (r) => r.nextU32()],
  ["nextFloat()", (r) => r.nextFloat()],
  ["nextBelow(1000)", (r) => r.nextBelow(1000)],
  ["nextBelow(3 * 2^30)", (r) => r.nextBelow(3221225472)],
  ["exponentialNs(1000)", (r) => r.exponentialNs(1000)],
];
for (const [name, draw] of draws) {
  const r = new Rng(2);
  for (let i = 0; i < 100_000; i++) sink += draw(r); // warm-up
  const ms = time(() => {
    for (let i = 0; i < DRAWS; i++) sink += draw(r);
  });
  console.log(`rng: ${name}: ${rate(DRAWS, ms)} draws`);
}

// A pcp hit and a free, as far as the lists go: take the head page off a
// list of 100 and put it back, with CONFIG_DEBUG_LIST's checks.
const memmap = new MemMap(1 << 20, 1);
const list = memmap.newHead();
for (let i = 0; i < 100; i++) memmap.list_add(i * 7, list, "bench");
const listOps = () => {
  for (let i = 0; i < DRAWS / 2; i++) {
    const page = memmap.list_first_entry(list, "bench");
    memmap.list_del(page, "bench");
    memmap.list_add(page, list, "bench");
    sink += page;
  }
};
listOps(); // warm-up
const listMs = time(listOps);
console.log(`memmap: list_first_entry + list_del + list_add: ${((listMs * 1e6) / (DRAWS / 2)).toFixed(0)} ns`);

console.log(`(checksum ${sink})`);
