// Violation classes as the kernel test robot keys them in its fail:runs
// rows: the kernel's message up to its details, numbers as "#", spaces as
// "_" (lkp-tests lib/dmesg.rb common_error_id()).
import { describe, expect, it } from "vitest";
import { violationClass } from "../../lib/engine/index.ts";

describe("violationClass", () => {
  it.each([
    ["list_del corruption. prev->next should be ffffea00004bf1c8, but was ffffea000048ddc8. (prev=ffffea0000c1b748)", "dmesg.list_del_corruption"],
    ["list_del corruption, ffffea0000001008->next is LIST_POISON1 (dead000000000100)", "dmesg.list_del_corruption"],
    ["list_add corruption. next->prev should be prev (ffffea0000001008), but was ffffea0000002008. (next=ffffea0000003008).", "dmesg.list_add_corruption"],
    ["BUG: Bad page state: pfn:1f2 freed while PageBuddy", "dmesg.BUG:Bad_page_state"],
    ["general protection fault, probably for non-canonical address 0xdead0000000000f8: 0000 [#1] PREEMPT SMP", "dmesg.general_protection_fault"],
    ["pcplab: pcp lists empty, 12 pages left to free (pcp->count 0): free_pcppages_bulk would index past pcp->lists[]", "dmesg.pcplab:pcp_lists_empty"],
    ["pcplab: list walk left its list, at another list's head ffff888100000010: the kernel would take ffff888100000008 for a struct page", "dmesg.pcplab:list_walk_left_its_list"],
  ])("%s", (message, key) => {
    expect(violationClass({ message })).toBe(key);
  });
});
