// The link tokens this browser holds, per notebook, in localStorage: a
// notebook's creator keeps its owner token here, and opening a share link
// (/notebook/<id>#share=<token>) adds that one. The server says which are
// still valid and what each allows.

const KEY = "pcplab.links";

function all(): Record<string, string[]> {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? "{}") as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, string[]>) : {};
  } catch {
    return {};
  }
}

export function tokensFor(id: string): string[] {
  const t = all()[id];
  return Array.isArray(t) ? t.filter((x) => typeof x === "string") : [];
}

export function allTokens(): string[] {
  return Object.keys(all()).flatMap(tokensFor);
}

export function remember(id: string, token: string): void {
  const links = all();
  links[id] = [...new Set([...(links[id] ?? []), token])];
  localStorage.setItem(KEY, JSON.stringify(links));
}

export function forgetNotebook(id: string): void {
  const links = all();
  delete links[id];
  localStorage.setItem(KEY, JSON.stringify(links));
}

/** A share link's token, moved from the address bar into storage, so it is
 * neither bookmarked nor shown over a shoulder. */
export function takeShareFromHash(id: string): void {
  const m = /^#share=([A-Za-z0-9_-]{43})$/.exec(location.hash);
  if (!m) return;
  remember(id, m[1]!);
  history.replaceState(null, "", location.pathname + location.search);
}

export type Role = "owner" | "editor" | "commenter" | "viewer";

export interface Held {
  id: string;
  title: string;
  updatedAt: number;
  role: Role;
  token: string;
}

/** A JSON call to the app's API, with a link token when one is given; an
 * error status throws the server's reason. 204 gives null. */
export async function api<T>(method: string, url: string, body?: unknown, token?: string): Promise<T> {
  const r = await fetch(url, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!r.ok) throw new Error(((await r.json().catch(() => ({}))) as { error?: string }).error ?? `HTTP ${r.status}`);
  return (r.status === 204 ? null : await r.json()) as T;
}

/** The notebooks these tokens open, each with the strongest role held. */
export async function lookUp(tokens: string[]): Promise<Held[]> {
  if (tokens.length === 0) return [];
  return (await api<{ notebooks: Held[] }>("POST", "/api/notebooks/access", { tokens })).notebooks;
}
