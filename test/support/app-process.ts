// The real app as a child process (`node bin/app.js`, what `npm start`
// runs), on a free port with its own data directory. Tests start it, stop it
// the way a user does (Ctrl-C, SIGINT), and start it again on the same data.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;

export interface AppProcess {
  url: string;
  dataDir: string;
  child: ChildProcess;
  /** Everything the process has printed so far, stdout and stderr. */
  output(): string;
  /** Ctrl-C: resolves with the exit code once the process has saved and exited. */
  stop(): Promise<number | null>;
}

export async function startApp(dataDir = mkdtempSync(join(tmpdir(), "pcplab-app-")), port = 0, env: Record<string, string> = {}): Promise<AppProcess> {
  const child = spawn(process.execPath, [join(root, "bin", "app.js")], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dataDir, NEXT_TELEMETRY_DISABLED: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the app did not start:\n${output}`)), 120_000);
    child.stdout!.on("data", (d: Buffer) => {
      output += d.toString();
      const m = /serving on (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    child.on("exit", (code) => reject(new Error(`the app exited with ${code}:\n${output}`)));
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return {
    url,
    dataDir,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGINT");
      return exited;
    },
  };
}

export async function api<T = unknown>(base: string, method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const r = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${method} ${path}: HTTP ${r.status}`);
  return (r.status === 204 ? null : await r.json()) as T;
}
