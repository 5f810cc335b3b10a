// Chromium (the system's, or the npm package's: chromium.ts) driven by
// playwright-core, with every request any page makes recorded, so a test
// can assert that nothing left the app's own origin.
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { startApp, type AppProcess } from "./app-process.ts";
import { chromiumPath } from "./chromium.ts";

export const BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: await chromiumPath(), args: BROWSER_ARGS });
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

export interface BrowserSession {
  /** The real app (`node bin/app.js`) on its own port and data directory;
   * a test that restarts it puts the new one here. */
  app: AppProcess;
  browser: Browser;
  /** Every request the session's pages made, for foreign(). */
  readonly requests: string[];
  /** A page in a fresh context whose person goes by `name`. */
  person(name: string): Promise<Page>;
}

/** The app and Chromium for one test file: started before its tests (in
 * parallel, as each takes seconds), stopped after them. */
export function browserSession(): BrowserSession {
  const session = {
    requests: [] as string[],
    async person(name: string): Promise<Page> {
      const ctx = await context(session.browser, session.app.url, session.requests);
      await ctx.addInitScript((n) => localStorage.setItem("pcplab.name", n), name);
      const page = await ctx.newPage();
      page.on("pageerror", (e) => console.error(`${name}: page error:`, e.message));
      return page;
    },
  } as BrowserSession;
  beforeAll(async () => {
    [session.app, session.browser] = await Promise.all([startApp(), launch()]);
  }, 180_000);
  afterAll(async () => {
    await session.browser?.close();
    await session.app?.stop();
  });
  return session;
}
