// A correctness violation ends a run the way an oops ends the kernel: it is
// thrown from deep inside a code path and caught by the machine, which adds
// the time, CPU and context. The call path is the model's own: each kernel
// function an Oops leaves adds its name on the way out (unwind()), so the
// trace is the same in Node, in a worker and in a minified bundle. Never
// read it from Error.stack: minifiers rename functions, and engines differ
// in how many frames they keep.

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

/** Called from a kernel function's catch as `throw unwind(e, "rmqueue")`:
 * an Oops leaving that function gets its name in the call trace (once, when
 * a function and the kernel helper it stands for share it); anything else
 * passes through untouched. */
export function unwind(e: unknown, fn: string): unknown {
  if (e instanceof Oops && e.trace[e.trace.length - 1] !== fn) e.trace.push(fn);
  return e;
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
