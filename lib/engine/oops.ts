// A correctness violation ends a run the way an oops ends the kernel: it is
// thrown from deep inside a code path and caught by the machine, which adds
// the time, CPU and context. The call path is read from the JavaScript stack,
// whose generator frames carry the kernel function names (not minified).

export class Oops extends Error {
  constructor(
    message: string,
    /** The kernel function whose check fired. */
    readonly fn: string,
  ) {
    super(message);
    this.name = "Oops";
  }
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
