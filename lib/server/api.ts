// The notebooks' HTTP API, as plain Node handlers the app's server calls:
// create (blank or from an example), the notebooks a browser holds links
// to, rename, delete, and share links (create, list, revoke). JSON in and
// out, every input checked, errors as {error} with a status, never a crash.
import type { IncomingMessage, ServerResponse } from "node:http";
import { atLeast, isRole, SHARE_ROLES, type Role } from "./access.ts";
import type { Collab } from "./collab.ts";
import type { Notebooks } from "./notebooks.ts";
import type { CreateQuota } from "./quota.ts";
import { isStoreFull } from "./store.ts";

/** What bounds what the API adds: notebooks created per client address, and
 * room in the database, checked before writing so nothing is left half
 * written. */
export interface CreateLimits {
  quota?: CreateQuota;
  hasRoomFor?: (bytes: number) => boolean;
}

// More than a seeded notebook, its first version and owner link take
// (about 3 KiB for the largest example): refusing early leaves room for
// edits to the notebooks that exist.
const CREATE_RESERVE_BYTES = 64 * 1024;
const FULL = "the notebook store is at its size limit (PCPLAB_MAX_DATABASE_BYTES): delete notebooks to make room";

const MAX_BODY = 16 * 1024;
const MAX_TITLE = 200;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers });
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

/** The bearer token of a request, if any. */
function bearer(req: IncomingMessage): string | null {
  const m = /^Bearer ([A-Za-z0-9_-]{1,128})$/.exec(req.headers.authorization ?? "");
  return m ? m[1]! : null;
}

const MAX_TOKENS = 1000;
const MAX_EXPIRY_MINUTES = 365 * 24 * 60;

/** Handles /api/examples, /api/notebooks[/:id[/shares[/:shareId]]] and
 * /api/notebooks/access; returns false for other paths. A notebook answers
 * only to a valid link token (Authorization: Bearer), and a request without
 * one gets the same 404 as a notebook that does not exist. */
export async function handleNotebookApi(notebooks: Notebooks, collab: Collab, req: IncomingMessage, res: ServerResponse, limits: CreateLimits = {}): Promise<boolean> {
  const path = (req.url ?? "").split("?")[0]!;
  const access = notebooks.access;
  const reply = (status: number, body: unknown, headers?: Record<string, string>) => {
    send(res, status, body, headers);
    return true;
  };
  if (path === "/api/examples") {
    return req.method === "GET" ? reply(200, { examples: notebooks.examples() }) : reply(405, { error: `${req.method} is not allowed here` });
  }
  try {
    if (path === "/api/notebooks/access") {
      // The notebooks a browser holds links to: it sends its tokens, and
      // hears back only about those that are still valid.
      if (req.method !== "POST") return reply(405, { error: `${req.method} is not allowed here` });
      const body = await readJson(req);
      const tokens = body?.["tokens"];
      if (!Array.isArray(tokens) || tokens.length > MAX_TOKENS) return reply(400, { error: `tokens must be a list of at most ${MAX_TOKENS} link tokens` });
      // One row per notebook, with the strongest link held for it.
      const best = new Map<string, { id: string; title: string; updatedAt: number; role: Role; token: string }>();
      for (const token of tokens) {
        const share = access.resolve(token);
        const row = share && notebooks.get(share.notebookId);
        if (!share || !row) continue;
        const held = best.get(row.id);
        if (!held || !atLeast(held.role, share.role)) best.set(row.id, { ...row, role: share.role, token: token as string });
      }
      const rows = [...best.values()].sort((a, b) => b.updatedAt - a.updatedAt || a.id.localeCompare(b.id));
      return reply(200, { notebooks: rows });
    }
    const m = /^\/api\/notebooks(?:\/([A-Za-z0-9_-]{1,64})(?:\/(shares|versions)(?:\/([A-Za-z0-9_-]{1,64})(\/restore)?)?)?)?\/?$/.exec(path);
    if (!m) return path.startsWith("/api/") ? reply(404, { error: "no such API" }) : false;
    const [, id, sub, subId, restore] = m;
    // Deleting frees room, so only adding is refused once the store is full.
    if ((req.method === "POST" || req.method === "PATCH") && limits.hasRoomFor && !limits.hasRoomFor(id ? 0 : CREATE_RESERVE_BYTES)) {
      return reply(507, { error: FULL });
    }
    const shares = sub === "shares" && !restore;
    const shareId = shares ? subId : undefined;
    if (!id) {
      if (req.method !== "POST") return reply(405, { error: `${req.method} is not allowed here; POST creates a notebook, POST /api/notebooks/access lists yours` });
      const wait = limits.quota?.take(req.socket.remoteAddress ?? "");
      if (wait) {
        return reply(429, { error: `too many notebooks created from your address; try again in ${wait} s` }, { "retry-after": String(wait) });
      }
      const body = await readJson(req);
      if (body && typeof body["example"] === "string") {
        const row = notebooks.createFromExample(body["example"]);
        return row ? reply(201, { ...row, role: "owner" }) : reply(404, { error: "no such example" });
      }
      const t = body && title(body["title"]);
      if (!t) return reply(400, { error: `title must be 1 to ${MAX_TITLE} characters` });
      return reply(201, { ...notebooks.create(t), role: "owner" });
    }
    const role = access.roleOn(id, bearer(req));
    const row = role && notebooks.get(id);
    if (!role || !row) return reply(404, { error: "no such notebook, or your link to it is not valid" });
    const need = (wanted: Role, what: string) => (atLeast(role, wanted) ? null : reply(403, { error: `your link lets you ${VERB[role]} this notebook, not ${what}` }));

    if (sub === "versions") {
      if (!subId && req.method === "GET") return reply(200, { versions: notebooks.versions(id) });
      if (!subId && req.method === "POST") {
        const refused = need("editor", "save versions of it");
        if (refused) return refused;
        const body = await readJson(req);
        const name = typeof body?.["name"] === "string" && title(body["name"]);
        if (!name) return reply(400, { error: `name must be 1 to ${MAX_TITLE} characters` });
        return reply(201, notebooks.saveVersion(id, name));
      }
      if (subId && !restore && req.method === "GET") {
        const v = notebooks.version(id, subId);
        return v ? reply(200, v) : reply(404, { error: "no such version" });
      }
      if (subId && restore && req.method === "POST") {
        const refused = need("editor", "restore versions of it");
        if (refused) return refused;
        const before = await notebooks.restore(id, subId);
        return before ? reply(200, { restored: subId, before }) : reply(404, { error: "no such version" });
      }
      return reply(405, { error: `${req.method} is not allowed here` });
    }
    if (sub === "shares" && restore) return reply(404, { error: "no such API" });
    if (shares) {
      const refused = need("owner", "manage its links");
      if (refused) return refused;
      if (!shareId && req.method === "GET") return reply(200, { shares: notebooks.shares(id) });
      if (!shareId && req.method === "POST") {
        const body = await readJson(req);
        const wanted = body?.["role"];
        if (!isRole(wanted) || !SHARE_ROLES.includes(wanted)) return reply(400, { error: `role must be one of ${SHARE_ROLES.join(", ")}` });
        const minutes = body?.["expiresInMinutes"];
        if (minutes !== undefined && minutes !== null && (typeof minutes !== "number" || !Number.isInteger(minutes) || minutes < 1 || minutes > MAX_EXPIRY_MINUTES)) {
          return reply(400, { error: `expiresInMinutes must be a whole number from 1 to ${MAX_EXPIRY_MINUTES}` });
        }
        const expiresAt = typeof minutes === "number" ? Date.now() + minutes * 60_000 : null;
        const { token, share } = access.grant(id, wanted, expiresAt);
        return reply(201, { share, token, path: `/notebook/${id}#share=${token}` });
      }
      if (shareId && req.method === "DELETE") {
        if (!notebooks.revoke(id, shareId)) return reply(404, { error: "no such live link" });
        collab.revoked(shareId);
        return reply(204, null);
      }
      return reply(405, { error: `${req.method} is not allowed here` });
    }
    if (req.method === "GET") return reply(200, { ...row, role });
    if (req.method === "PATCH") {
      const refused = need("editor", "rename it");
      if (refused) return refused;
      const body = await readJson(req);
      const t = body && title(body["title"]);
      if (!t) return reply(400, { error: `title must be 1 to ${MAX_TITLE} characters` });
      await notebooks.rename(id, t);
      return reply(200, { ...notebooks.get(id), role });
    }
    if (req.method === "DELETE") {
      const refused = need("owner", "delete it");
      if (refused) return refused;
      notebooks.delete(id);
      return reply(204, null);
    }
    return reply(405, { error: `${req.method} is not allowed here` });
  } catch (e) {
    return isStoreFull(e) ? reply(507, { error: FULL }) : reply(500, { error: "the notebook store failed" });
  }
}

const VERB: Record<Role, string> = { viewer: "view", commenter: "comment on", editor: "edit", owner: "own" };
