// Security headers on every response the app sends: pages, API, the engine
// worker, Next's static files and errors alike.
//
// Scripts: Next's pages carry inline scripts (the RSC payload pushed into
// self.__next_f). Their text differs per page and per notebook, so hashes
// would have to be computed per response; a nonce per request does the same
// job with no build step. Next reads the nonce from the request's
// Content-Security-Policy header (getScriptNonceFromHeaders) and stamps it
// on every script it emits, so the server puts the policy on the request as
// well as the response; the pages render per request (app/layout.tsx) so no
// prerendered page goes out with a nonce of its own.
//
// Styles: Monaco injects <style> elements and Vega and React set style
// attributes, none of which take a nonce, so style-src allows inline styles.
// CSS cannot run script, and no user text reaches the page unescaped.
//
// No 'unsafe-eval': Vega's expressions go through vega-embed's interpreter
// (Charts.tsx, ast: true) instead of the Function constructor.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/** A host as a browser may name this server: a DNS name, IPv4 or bracketed IPv6, with a port. */
const HOST = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$/;

function newNonce(): string {
  return randomBytes(18).toString("base64");
}

/** The policy for one response. `host` (the request's Host header) names the
 * collaboration WebSocket's origin; it is left out unless it is a plain host. */
function contentSecurityPolicy(nonce: string, host: string | undefined, dev = false): string {
  const sockets = host && HOST.test(host) ? ` ws://${host} wss://${host}` : "";
  return [
    "default-src 'self'",
    // Next's dev server evaluates modules; the production build never does.
    `script-src 'self' 'nonce-${nonce}'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    // data: for the inline images markdown cells may hold (Markdown.tsx).
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self'${sockets}`,
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Puts the security headers on `res`, and the policy on `req` for Next to
 * take the nonce from (a policy the client sent is replaced). */
export function applySecurityHeaders(req: IncomingMessage, res: ServerResponse, dev = false): void {
  const csp = contentSecurityPolicy(newNonce(), req.headers.host, dev);
  req.headers["content-security-policy"] = csp;
  delete req.headers["content-security-policy-report-only"];
  res.setHeader("content-security-policy", csp);
  res.setHeader("referrer-policy", "no-referrer");
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("x-frame-options", "DENY");
}
