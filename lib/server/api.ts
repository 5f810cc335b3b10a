// The notebook list's HTTP API, as plain Node handlers the app's server (or
// a Next route) calls: list, create, rename, delete. JSON in and out, every
// input checked, errors as {error} with a status, never a crash.
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import type { NotebookStore } from "./store.ts";

const MAX_BODY = 16 * 1024;
const MAX_TITLE = 200;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(status === 204 ? undefined : JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function title(v: unknown): string | null {
  if (v === undefined) return "Untitled notebook";
  if (typeof v !== "string") return null;
  const t = v.replace(/[\u0000-\u001f]/g, " ").trim();
  return t.length > 0 && t.length <= MAX_TITLE ? t : null;
}

/** Handles /api/notebooks and /api/notebooks/:id; returns false for other paths. */
export async function handleNotebookApi(store: NotebookStore, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const path = (req.url ?? "").split("?")[0]!;
  const m = /^\/api\/notebooks(?:\/([A-Za-z0-9_-]{1,64}))?\/?$/.exec(path);
  if (!m) {
    if (path.startsWith("/api/notebooks")) send(res, 404, { error: "no such notebook" });
    return path.startsWith("/api/notebooks");
  }
  const id = m[1];
  const reply = (status: number, body: unknown) => {
    send(res, status, body);
    return true;
  };
  try {
    if (!id && req.method === "GET") return reply(200, { notebooks: store.list() });
    if (!id && req.method === "POST") {
      const body = await readJson(req);
      const t = body && title(body["title"]);
      if (!t) return reply(400, { error: `title must be 1 to ${MAX_TITLE} characters` });
      const newId = randomBytes(9).toString("base64url");
      store.create(newId, t);
      return reply(201, { id: newId, title: t });
    }
    if (id && !store.exists(id)) return reply(404, { error: "no such notebook" });
    if (id && req.method === "PATCH") {
      const body = await readJson(req);
      const t = body && title(body["title"]);
      if (!t) return reply(400, { error: `title must be 1 to ${MAX_TITLE} characters` });
      store.rename(id, t);
      return reply(200, { id, title: t });
    }
    if (id && req.method === "DELETE") {
      store.delete(id);
      return reply(204, null);
    }
    send(res, 405, { error: `${req.method} is not allowed here` });
  } catch {
    send(res, 500, { error: "the notebook store failed" });
  }
  return true;
}
