// A correctness violation ends a run the way an oops ends the kernel: it is
// thrown from deep inside a code path and caught by the machine, which adds
// the time, CPU and context. The call path is the model's own: each kernel
// function an Oops leaves adds its name on the way out (unwind()), so the
// trace is the same in Node, in a worker and in a minified bundle. Never
// read it from Error.stack: minifiers rename functions, and engines differ
// in how many frames they keep.

/** A violation as a run reports it: when, where, and the call trace. */
export interface Violation {
  time_ns: number;
  cpu: number;
  context: string;
  function: string;
  message: string;
  trace: string[];
}

/** Kernel functions a violation's call path may name (unwind());
 * tests hold every reported function and trace to this list. */
export const KERNEL_FUNCTIONS = new Set([
  "__alloc_pages", "rmqueue", "rmqueue_pcplist", "__rmqueue_pcplist", "rmqueue_bulk", "rmqueue_buddy", "__rmqueue",
  "__rmqueue_smallest", "__rmqueue_fallback", "expand", "__free_pages", "free_unref_page", "free_unref_page_list",
  "free_unref_page_commit", "free_pcppages_bulk", "free_one_page", "__free_one_page", "drain_pages_zone",
  "drain_all_pages", "release_pages", "check_invariants", "__list_del_entry_valid", "__list_add_valid",
  "get_page_from_freelist", "__alloc_pages_slowpath", "__alloc_pages_direct_compact", "__alloc_pages_direct_reclaim",
  "try_to_compact_pages", "compact_zone", "compact_pageblock", "isolate_migratepages_block", "migrate_pages",
  "isolate_freepages", "fast_isolate_freepages", "isolate_freepages_block", "__isolate_free_page", "release_freepages", "kcompactd",
  "kcompactd_do_work", "kswapd", "balance_pgdat", "shrink_node", "try_to_free_pages", "shrink_page_list",
]);

export class Oops extends Error {
  /** The kernel functions the Oops has left, innermost first. */
  readonly trace: string[] = [];

  constructor(
    message: string,
    /** The kernel function whose check fired. */
    readonly fn: string,
  ) {
    super(message);
    this.name = "Oops";
  }
}

/** A walk that cannot end. The model walks in no time, so it reports what
 * the kernel's watchdog would after 2 * watchdog_thresh (kernel/watchdog.c,
 * 6.1: 20 s; reports read 22 s or 23 s) rather than spin. */
export class SoftLockup extends Oops {
  constructor(fn: string) {
    super("watchdog: BUG: soft lockup", fn);
  }
}

/** kernel/watchdog.c (6.1) watchdog_timer_fn(), without the task's comm. */
export function softLockupMessage(cpu: number): string {
  return `watchdog: BUG: soft lockup - CPU#${cpu} stuck for 22s!`;
}

/** Called from a kernel function's catch as `throw unwind(e, "rmqueue")`:
 * an Oops leaving that function gets its name in the call trace (once, when
 * a function and the kernel helper it stands for share it); anything else
 * passes through untouched. */
export function unwind(e: unknown, fn: string): unknown {
  if (e instanceof Oops && e.trace[e.trace.length - 1] !== fn) e.trace.push(fn);
  return e;
}

/** The report of an Oops caught at `time_ns` on a CPU's context; a check
 * that fired outside any kernel function traces to itself. */
export function oopsReport(e: Oops, time_ns: number, cpu: number, context: string): Violation {
  const message = e instanceof SoftLockup ? softLockupMessage(cpu) : e.message;
  return { time_ns, cpu, context, function: e.fn, message, trace: e.trace.length > 0 ? e.trace : [e.fn] };
}

// x86-64 layout, as the addresses in a real report would read.
const VMEMMAP_START = 0xffffea0000000000n;
const STRUCT_PAGE_SIZE = 64n;
/** offsetof(struct page, lru): right after `unsigned long flags`. */
export const LRU_OFFSET = 8n;
/** include/linux/poison.h with CONFIG_ILLEGAL_POINTER_VALUE 0xdead000000000000. */
export const LIST_POISON1 = 0xdead000000000100n;
export const LIST_POISON2 = 0xdead000000000122n;

/** &page->lru for a pfn: what %px prints for a page on a list. */
export function pageLruAddress(pfn: number): bigint {
  return VMEMMAP_START + BigInt(pfn) * STRUCT_PAGE_SIZE + LRU_OFFSET;
}

/** %px: 16 hex digits, no 0x (lib/vsprintf.c). */
export function px(address: bigint): string {
  return address.toString(16).padStart(16, "0");
}

/** The message x86 prints for an access through a non-canonical pointer. */
export function gpfMessage(address: bigint): string {
  return `general protection fault, probably for non-canonical address 0x${px(address)}: 0000 [#1] PREEMPT SMP`;
}
