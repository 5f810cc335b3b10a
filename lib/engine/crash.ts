// Crashed runs as the kernel test robot (intel/lkp-tests) treats them: a
// run that ends in an oops is an incomplete run. Its truncated counts say
// when it stopped, not how fast it went, so lkp's compare takes perf stats
// over complete runs only and counts the crash under a dmesg key in the
// failure stats, over every run (lib/compare.rb each_changed_stat).
import type { Violation } from "./oops.ts";

/** The metrics that count failures: taken over every run, crashed or not.
 * Every other metric is a perf metric, taken over complete runs only. */
const FAILURE_METRICS = new Set(["invariants.violations"]);

export function isFailureMetric(metric: string): boolean {
  return FAILURE_METRICS.has(metric);
}

/** A run as results list it: whether it ended in a violation. */
interface RunLike {
  violation: Violation | null;
}

export function crashed(run: RunLike): boolean {
  return run.violation !== null;
}

/** The kernel's message up to where its details start: the first ". ",
 * ", " or ": " after any "BUG: " or "WARNING: " prefix ("list_del
 * corruption. prev->next should be ..." is "list_del corruption"), or
 * the "pcplab: " of an end the model words itself. */
function messageHead(message: string): string {
  const prefix = /^(BUG|WARNING|pcplab): /.exec(message)?.[0] ?? "";
  const rest = message.slice(prefix.length);
  const cut = /\.\s|,\s|:\s/.exec(rest);
  return prefix + (cut ? rest.slice(0, cut.index) : rest);
}

/** A violation's class as an lkp dmesg key: the message's head with
 * numbers as "#" and spaces as "_", as lkp-tests lib/dmesg.rb
 * common_error_id() writes them ("dmesg.list_del_corruption",
 * "dmesg.BUG:Bad_page_state", "dmesg.general_protection_fault").
 * Simplified: lkp's table of known patterns is not modelled, only the
 * rewriting every key goes through. */
export function violationClass(v: Pick<Violation, "message">): string {
  const id = messageHead(v.message)
    .replace(/\b0x[0-9a-f]+\b/g, "#")
    .replace(/\b[0-9][0-9.]*/g, "#")
    .replace(/[ \t]+/g, " ")
    .replace(/([^a-zA-Z0-9]) /g, "$1")
    .replace(/ ([^a-zA-Z])/g, "$1")
    .replace(/^ /, "")
    .replace(/ /g, "_")
    .replace(/[-_.,;:#!*[(]+$/, "");
  return `dmesg.${id}`;
}

/** How often each violation class ended a run, over `runs` runs: lkp's
 * fail:runs. Classes in the order their first crash is listed. */
export function failureCounts(runs: readonly RunLike[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const run of runs) {
    if (!run.violation) continue;
    const key = violationClass(run.violation);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
