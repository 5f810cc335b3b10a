// The notebook list's HTTP API, as plain Node handlers the app's server
// calls: list, create (blank or from an example), rename, delete. JSON in and out, every
// input checked, errors as {error} with a status, never a crash.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Notebooks } from "./notebooks.ts";

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

/** Handles /api/examples, /api/notebooks and /api/notebooks/:id; returns
 * false for other paths. */
export async function handleNotebookApi(notebooks: Notebooks, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const path = (req.url ?? "").split("?")[0]!;
  const reply = (status: number, body: unknown) => {
    send(res, status, body);
    return true;
  };
  if (path === "/api/examples") {
    return req.method === "GET" ? reply(200, { examples: notebooks.examples() }) : reply(405, { error: `${req.method} is not allowed here` });
  }
  const m = /^\/api\/notebooks(?:\/([A-Za-z0-9_-]{1,64}))?\/?$/.exec(path);
  if (!m) return path.startsWith("/api/") ? reply(404, { error: "no such API" }) : false;
  const id = m[1];
  try {
    if (!id && req.method === "GET") return reply(200, { notebooks: notebooks.list() });
    if (!id && req.method === "POST") {
      const body = await readJson(req);
      if (body && typeof body["example"] === "string") {
        const row = notebooks.createFromExample(body["example"]);
        return row ? reply(201, row) : reply(404, { error: "no such example" });
      }
      const t = body && title(body["title"]);
      if (!t) return reply(400, { error: `title must be 1 to ${MAX_TITLE} characters` });
      return reply(201, notebooks.create(t));
    }
    if (!id) return reply(405, { error: `${req.method} is not allowed here` });
    const row = notebooks.get(id);
    if (!row) return reply(404, { error: "no such notebook" });
    if (req.method === "GET") return reply(200, row);
    if (req.method === "PATCH") {
      const body = await readJson(req);
      const t = body && title(body["title"]);
      if (!t) return reply(400, { error: `title must be 1 to ${MAX_TITLE} characters` });
      await notebooks.rename(id, t);
      return reply(200, notebooks.get(id));
    }
    if (req.method === "DELETE") {
      notebooks.delete(id);
      return reply(204, null);
    }
    return reply(405, { error: `${req.method} is not allowed here` });
  } catch {
    return reply(500, { error: "the notebook store failed" });
  }
}
