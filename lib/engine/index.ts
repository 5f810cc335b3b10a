// The engine's public face: plain TypeScript, no DOM or Node APIs, so the
// same code runs in Node, worker_threads and a browser Web Worker.
import { sha256Hex } from "./sha256.ts";

export { simulate, applySweep, Simulation, sweepParamName, type RunSpec, type RunResult, type RunHooks } from "./run.ts";
export type { TraceEvent } from "./mm/page_alloc.ts";
export { arrivalsPerSecond, assemble, longestFirst, plan, runScenario, resultsDigest, summarizeGroup, unexpectedViolations, type Results, type RunJson, type RunSummary, type VariantResult } from "./results.ts";
export { mergeShardRuns, parseShard, readShardPart, shardIndices, shardPart, MAX_SHARDS, SHARD_FORMAT, type NamedPart, type Shard, type ShardPart } from "./shard.ts";
export { crashed, failureCounts, isFailureMetric, violationClass } from "./crash.ts";
export { COSTS_IN_USE } from "./costs.ts";
export { nodeSetup, simulatedZones, ZONEINFO_ZONES, type NodeSetup, type SimulatedZone, type ZoneSetup } from "./mm/node.ts";
export { Cancelled, MAX_BACKLOG, MAX_TOUCHED_PAGES, Overloaded } from "./limits.ts";
export type { Violation } from "./oops.ts";
export { ENGINE_VERSION, MODEL } from "./version.ts";
export { canonicalJson, digest } from "./canonical.ts";

/** docs/results.md: the scenario digest is the SHA-256 of its canonical text. */
export function scenarioDigest(canonicalText: string): string {
  return "sha256:" + sha256Hex(canonicalText);
}
