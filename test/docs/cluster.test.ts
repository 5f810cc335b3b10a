// docs/cluster.md's three recipes, run as far as this machine allows: the
// GNU parallel script itself (here, or over ssh when PCPLAB_SSH_HOSTS
// names hosts), the Slurm array script run by bash as each array task,
// and the Kubernetes Indexed Job's container command run as each pod.
// Each must merge into the report one machine prints.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pcplab } from "../support/pcplab-cli.ts";
import { v2CrashScenario } from "../support/v2-crash.ts";

const root = new URL("../..", import.meta.url).pathname;
const cluster = join(root, "docs/cluster");
const dir = mkdtempSync(join(tmpdir(), "pcplab-cluster-"));
const scenario = join(dir, "sweep.scn");
writeFileSync(scenario, v2CrashScenario('runs 2\n  compare trylock-v2, trylock\n  sweep "io".rate in 20k/s, 50k/s'));
// Its 20k/s runs of trylock-v2 complete, failing the scenario's expect:
// each recipe must also end with the exit status `pcplab run` gives.
const { stdout: single, status: singleStatus } = pcplab(["run", scenario]);

function sh(command: string, args: string[], env: Record<string, string> = {}, cwd = dir) {
  const r = spawnSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8", timeout: 240_000, maxBuffer: 1 << 26 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;

function mergeParts(out: string, shards: number): string {
  const parts = Array.from({ length: shards }, (_, k) => join(out, `part-${k + 1}.json`));
  const r = pcplab(["merge", ...parts]);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(singleStatus);
  return r.stdout;
}

describe("GNU parallel", () => {
  const parallel = has("parallel");
  if (!parallel) console.log("docs/cluster.md: GNU parallel is not installed here, so its recipe is not run (apt-get install parallel)");

  it.skipIf(!parallel)("runs the shards on this machine and merges them into the one-machine report", { timeout: 240_000 }, () => {
    const r = sh(join(cluster, "parallel-ssh.sh"), [scenario, "3"]);
    expect(r.status, r.stderr).toBe(singleStatus);
    expect(r.stdout).toBe(single);
  });

  const hosts = process.env.PCPLAB_SSH_HOSTS;
  it.skipIf(!parallel || !hosts)("runs them over ssh on PCPLAB_SSH_HOSTS", { timeout: 240_000 }, () => {
    const r = sh(join(cluster, "parallel-ssh.sh"), [scenario, "5"], { PCPLAB_HOSTS: hosts! });
    expect(r.status, r.stderr).toBe(singleStatus);
    expect(r.stdout).toBe(single);
  });
});

describe("Slurm job array", () => {
  const script = join(cluster, "pcplab-shards.sbatch");

  it("is a bash script whose array tasks, each run as Slurm would, merge into the one-machine report", { timeout: 240_000 }, () => {
    expect(sh("bash", ["-n", script]).status).toBe(0);
    const out = join(dir, "slurm");
    for (let k = 1; k <= 4; k++) {
      const r = sh("bash", [script, scenario, out], { SLURM_ARRAY_TASK_ID: String(k), SLURM_ARRAY_TASK_COUNT: "4", SLURM_SUBMIT_DIR: root }, root);
      expect(r.status, r.stderr).toBe(0);
    }
    expect(mergeParts(out, 4)).toBe(single);
  });
});

describe("Kubernetes Indexed Job", () => {
  const yaml = readFileSync(join(cluster, "pcplab-shards.yaml"), "utf8");
  const field = (name: string) => new RegExp(`^\\s*${name}: (\\S+)$`, "m").exec(yaml)?.[1];
  const env = (name: string) => new RegExp(`- name: ${name}\\n\\s*value: "?([^"\\n]+)"?`).exec(yaml)?.[1];

  it("is an Indexed Job with one completion per shard", () => {
    expect(field("completionMode")).toBe("Indexed");
    expect(field("completions")).toBe(env("SHARDS"));
    expect(field("parallelism")).toBe(env("SHARDS"));
  });

  it("runs, pod by pod, the container's command into parts that merge into the one-machine report", { timeout: 240_000 }, () => {
    const command = /- -c\n\s*- '(.+)'$/m.exec(yaml)?.[1];
    expect(command).toBeDefined();
    const shards = Number(env("SHARDS"));
    const out = join(dir, "k8s");
    mkdirSync(out, { recursive: true });
    for (let index = 0; index < shards; index++) {
      const r = sh("sh", ["-c", command!], { JOB_COMPLETION_INDEX: String(index), SCENARIO: scenario, SHARDS: String(shards), OUT: out, PATH: `${root}bin:${process.env.PATH}` });
      expect(r.status, r.stderr).toBe(0);
    }
    expect(mergeParts(out, shards)).toBe(single);
  });

  const kubectl = has("kubectl");
  if (!kubectl) console.log("docs/cluster.md: kubectl is not installed here, so the Job's YAML is not parsed by it");
  // kubectl's own --dry-run needs an API server; kustomize reads the
  // resource offline, so it catches YAML kubectl would not take.
  it.skipIf(!kubectl)("is read by kubectl kustomize as one batch/v1 Job", () => {
    const k = join(dir, "kustomize");
    mkdirSync(k, { recursive: true });
    writeFileSync(join(k, "job.yaml"), yaml);
    writeFileSync(join(k, "kustomization.yaml"), "resources:\n  - job.yaml\n");
    const r = sh("kubectl", ["kustomize", k]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^apiVersion: batch\/v1\nkind: Job\n/);
    expect(r.stdout).toContain("completionMode: Indexed");
  });
});
