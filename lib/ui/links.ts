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

/** The notebooks these tokens open, each with the strongest role held. */
export async function lookUp(tokens: string[]): Promise<Held[]> {
  if (tokens.length === 0) return [];
  const r = await fetch("/api/notebooks/access", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ tokens }) });
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  return ((await r.json()) as { notebooks: Held[] }).notebooks;
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
