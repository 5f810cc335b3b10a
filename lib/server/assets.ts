// The notebook's engine Web Worker, served by this server rather than
// bundled by Next: esbuild's bundle of lib/ui/engine.worker.ts (bin/app.js
// builds it) is the one the determinism test checks. When this was chosen,
// timing the same runs in Chromium (one-off, not a bench: the Next-built
// worker is gone) showed Next's minified build two to three times slower
// than esbuild's, and Next's unminified build as fast: the minifier, which
// the rest of the app keeps.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ENGINE_WORKER_PATH } from "../ui/runner.ts";

/** A handler for ENGINE_WORKER_PATH serving `file`; false for other paths. */
export function engineWorkerRoute(file: string): (req: IncomingMessage, res: ServerResponse) => boolean {
  const body = readFileSync(file);
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
  return (req, res) => {
    if ((req.url ?? "").split("?")[0] !== ENGINE_WORKER_PATH) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
    } else if (req.headers["if-none-match"] === etag) {
      res.writeHead(304, { etag }).end();
    } else {
      // no-cache: revalidated every time, so a page never runs an engine older than the server's.
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "content-length": body.length, etag, "cache-control": "no-cache" });
      res.end(req.method === "HEAD" ? undefined : body);
    }
    return true;
  };
}
