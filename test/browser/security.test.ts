// The notebook under its Content-Security-Policy, in a real Chromium against
// the real server: a markdown image from another site is shown as a link and
// never fetched, and running, charting and editing all work with no request
// leaving the origin and no policy violation.
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { Notebook } from "../../lib/notebook/notebook.ts";
import { api } from "../support/app-process.ts";
import { eventually } from "../support/eventually.ts";
import { browserSession, context, foreign } from "../support/browser.ts";

const session = browserSession();

const IMAGE = "https://elsewhere.example/p.png";
const SOURCE = 'scenario "csp" {\n  cpus 2\n  memory 64MiB\n  duration 1ms\n  compare irqsave, trylock\n  workload "w" on cpus all {\n    rate 10k/s\n    alloc order 0 gfp GFP_KERNEL\n    free immediately\n  }\n}';

/** Adds a markdown cell the way another editor would, over /collab. */
async function addMarkdownCell(id: string, token: string, text: string): Promise<void> {
  const websocketProvider = new HocuspocusProviderWebsocket({ url: session.app.url.replace("http", "ws") + "/collab", WebSocketPolyfill: WebSocket });
  const provider = new HocuspocusProvider({ websocketProvider, name: id, token });
  provider.attach();
  await new Promise<void>((resolve) => provider.on("synced", () => resolve()));
  new Notebook(provider.document).insertCell("markdown", 1, text);
  await eventually(() => !provider.hasUnsyncedChanges);
  provider.destroy();
  websocketProvider.destroy();
}

describe("the notebook under its Content-Security-Policy", () => {
  it("shows an off-site markdown image as a link, runs, charts and edits with nothing fetched from elsewhere and no violation", async () => {
    const { id, token } = await api<{ id: string; token: string }>(session.app.url, "POST", "/api/notebooks", { title: "CSP study" });
    await addMarkdownCell(id, token, `A plot from elsewhere: ![x](${IMAGE})`);

    const requests: string[] = [];
    const ctx = await context(session.browser, session.app.url, requests);
    // Violations in the page, as the page itself hears of them...
    await ctx.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { __violations: string[] }).__violations = seen;
      document.addEventListener("securitypolicyviolation", (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const page = await ctx.newPage();
    // ...and as Chromium reports them, workers' included.
    const refused: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text());
    });
    page.on("pageerror", (e) => console.error("page error:", e.message));
    await page.goto(`${session.app.url}/notebook/${id}#share=${token}`);
    await page.waitForURL((u) => u.hash === "");

    const markdown = page.locator(".markdown", { hasText: "A plot from elsewhere" });
    const link = markdown.locator("a.offsite-image");
    await link.waitFor();
    expect(await link.innerText()).toBe(`x (${IMAGE})`);
    expect(await link.getAttribute("href")).toBe(IMAGE);
    expect(await markdown.locator("img").count()).toBe(0);

    // Editing: Monaco takes the scenario, and the shared document has it.
    const cell = page.locator("article.cell.scenario").first();
    await cell.locator('.editor[data-ready="true"]').waitFor();
    await cell.locator(".view-lines").click();
    await page.keyboard.press("Control+A");
    await page.evaluate((t) => navigator.clipboard.writeText(t), SOURCE);
    await page.keyboard.press("Control+V");
    await page.keyboard.press("Control+End");
    await page.keyboard.type("\n# typed under the policy", { delay: 20 });
    const firstSource = () => page.evaluate(() => (window as unknown as { __pcplab: { cells(): { source: string }[] } }).__pcplab.cells()[0]!.source);
    await expect.poll(firstSource).toBe(`${SOURCE}\n# typed under the policy`);

    // Running: the engine's workers, the table and Vega's charts.
    await cell.getByRole("button", { name: "Run", exact: true }).click();
    await cell.getByRole("table", { name: "Summary of headline metrics" }).waitFor({ timeout: 90_000 });
    await expect.poll(() => cell.locator("figure.chart svg").count(), { timeout: 60_000 }).toBeGreaterThan(0);
    expect(await cell.locator("p.error", { hasText: "chart failed" }).count()).toBe(0);

    expect(requests.length).toBeGreaterThan(0);
    expect(requests).not.toContain(IMAGE);
    expect(foreign(requests, session.app.url)).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
    expect(refused).toEqual([]);

    // The policy holds: an inline script without the page's nonce does not
    // run, and even a nonced one cannot evaluate strings. (Run from a timer:
    // code inside page.evaluate itself is exempt from the eval check.)
    await page.evaluate(() =>
      setTimeout(() => {
        const w = window as unknown as { __evaluated: string; __inline: string };
        const nonced = document.createElement("script");
        nonced.nonce = document.querySelector<HTMLScriptElement>("script[nonce]")!.nonce;
        nonced.textContent = 'try { window.__evaluated = String(new Function("return 1")()); } catch (e) { window.__evaluated = e.name; }';
        document.body.append(nonced);
        const inline = document.createElement("script");
        inline.textContent = 'window.__inline = "ran";';
        document.body.append(inline);
        w.__inline ??= "refused";
      }),
    );
    await expect.poll(() => page.evaluate(() => (window as unknown as { __inline?: string }).__inline)).toBe("refused");
    expect(await page.evaluate(() => (window as unknown as { __evaluated?: string }).__evaluated)).toBe("EvalError");
    expect(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual(["script-src eval", "script-src-elem inline"]);
  }, 240_000);
});
