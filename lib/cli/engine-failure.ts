// A run the engine could not finish is a bug in the model, not in the
// scenario and not a failed expect: the user gets one line that names the
// run (so it can be re-run alone) and exit 2, never a stack trace.
import type { Scenario } from "../dsl/index.ts";
import { sweepParamName, type RunSpec } from "../engine/index.ts";

export class EngineFailure extends Error {
  /** `run` is named as the report names a run. */
  constructor(readonly run: string, readonly reason: string) {
    super(`${run}: engine error: ${reason}`);
    this.name = "EngineFailure";
  }
}

/** The run as the report names it: variant, seed, sweep value. */
export function runName(scenario: Scenario, spec: RunSpec): string {
  const sweep = spec.sweepValue === null ? "" : ` at ${sweepParamName(scenario)} ${spec.sweepValue}`;
  return `run ${spec.variant}, seed ${spec.seed}${sweep}`;
}

/** What was thrown, as one line: its message only (never its stack). */
export function reasonOf(thrown: unknown): string {
  const text = thrown instanceof Error ? thrown.message : String(thrown);
  return text.split("\n")[0]!.trim() || "unknown error";
}

/** The line `pcplab run` prints for a failure. */
export function engineFailureLine(command: string, failure: EngineFailure): string {
  return `pcplab ${command}: ${failure.message}`;
}
