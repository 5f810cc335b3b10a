// Debian's Chromium driven by playwright-core (never a downloaded browser),
// with every request any page makes recorded, so a test can assert that
// nothing left the app's own origin.
import { chromium, type Browser, type BrowserContext } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
}

/** A fresh context whose requests are appended to `requests`. */
export async function context(browser: Browser, origin: string, requests: string[]): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  await ctx.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
  ctx.on("request", (r) => requests.push(r.url()));
  return ctx;
}

/** Requests that went anywhere but `origin` (data: and blob: stay in the page). */
export function foreign(requests: string[], origin: string): string[] {
  const ws = origin.replace(/^http/, "ws");
  return requests.filter((u) => !u.startsWith(origin + "/") && !u.startsWith(ws + "/") && !u.startsWith("data:") && !u.startsWith("blob:"));
}
