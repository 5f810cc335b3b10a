// bin/pcplab spawned as a user runs it, with its exit code and both streams.
// The timeout turns a command that would run for hours into a failed test.
import { spawnSync } from "node:child_process";

export const bin = new URL("../../bin/pcplab", import.meta.url).pathname;

export function pcplab(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { input, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
