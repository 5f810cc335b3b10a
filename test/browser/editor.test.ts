// The scenario editor in a real Chromium against the real server process:
// typing at human speed, quick fixes, and running a cell from the keyboard.
import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { api } from "../support/app-process.ts";
import { browserSession, context } from "../support/browser.ts";

const session = browserSession();

/** A new notebook with an empty scenario cell, its editor focused. */
async function emptyScenarioCell(): Promise<{ page: Page; cell: Locator }> {
  const { id, token } = await api<{ id: string; token: string }>(session.app.url, "POST", "/api/notebooks", { title: "Editor study" });
  const page = await (await context(session.browser, session.app.url, session.requests)).newPage();
  page.on("pageerror", (e) => console.error("page error:", e.message));
  await page.goto(`${session.app.url}/notebook/${id}#share=${token}`);
  await page.waitForURL((u) => u.hash === "");
  await page.getByRole("button", { name: "+ Scenario" }).click();
  const cell = page.locator("article.cell.scenario").last();
  const editor = cell.locator('.editor[data-ready="true"]');
  await editor.waitFor();
  await editor.locator(".view-lines").click();
  return { page, cell };
}

/** The last cell's source, read from the shared document. */
const lastSource = (page: Page) =>
  page.evaluate(() => (window as unknown as { __pcplab: { cells(): { source: string }[] } }).__pcplab.cells().at(-1)!.source);

/** Types as a person does: one key at a time, about 40 ms apart. */
const type = (page: Page, text: string) => page.keyboard.type(text, { delay: 40 });

async function paste(page: Page, text: string): Promise<void> {
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.keyboard.press("Control+V");
}

describe("the scenario editor", () => {
  it("types a whole scenario key by key into exactly the intended text", async () => {
    const { page } = await emptyScenarioCell();
    const suggestion = (label: string) => page.locator(".suggest-widget .monaco-list-row", { hasText: label }).first().waitFor();
    // The editor closes quotes and braces and indents; a person types the
    // opening ones and steps past the closing ones, as here.
    await type(page, 'scenario "typed" {');
    await page.keyboard.press("Enter");
    for (const line of ["cpus 2", "memory 1GiB", "duration 10ms", "lock trylock"]) {
      await type(page, line);
      await page.keyboard.press("Enter");
    }
    // Enter still takes a suggestion while the word is unfinished.
    await type(page, "warmup 1m");
    await suggestion("ms");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Enter");
    await type(page, 'workload "rx" on cpus 0 in hardirq {');
    await page.keyboard.press("Enter");
    await type(page, "rate 20k/s");
    await page.keyboard.press("Enter");
    await type(page, "alloc 4 x order 0 gfp GFP_ATOMIC");
    await page.keyboard.press("Enter");
    await type(page, "alloc order 0 gfp GFP_KERNEL | __GFP_NOR");
    await suggestion("__GFP_NORETRY");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Enter");
    await type(page, "free after 100us");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("End");
    await page.keyboard.press("Enter");
    await type(page, "expect pcp.trylock_fail.hardirq == 0 for trylock");
    await expect.poll(() => lastSource(page)).toBe(
      [
        'scenario "typed" {',
        "  cpus 2",
        "  memory 1GiB",
        "  duration 10ms",
        "  lock trylock",
        "  warmup 1ms",
        '  workload "rx" on cpus 0 in hardirq {',
        "    rate 20k/s",
        "    alloc 4 x order 0 gfp GFP_ATOMIC",
        "    alloc order 0 gfp GFP_KERNEL | __GFP_NORETRY",
        "    free after 100us",
        "  }",
        "  expect pcp.trylock_fail.hardirq == 0 for trylock",
        "}",
      ].join("\n"),
    );
  }, 120_000);

  it("fixes a did-you-mean from Ctrl+. and shows the lightbulb", async () => {
    const { page, cell } = await emptyScenarioCell();
    await paste(page, 'scenario "q" {\n  lock trylok\n}');
    await cell.locator(".squiggly-error").first().waitFor();
    await cell.locator(".view-line", { hasText: "trylok" }).click();
    await page.keyboard.press("End");
    await page.keyboard.press("ArrowLeft");
    await cell.locator(".lightBulbWidget").waitFor();
    await page.keyboard.press("Control+Period");
    await page.locator(".action-widget", { hasText: "Change to trylock" }).waitFor();
    await page.keyboard.press("Enter");
    await expect.poll(() => lastSource(page)).toBe('scenario "q" {\n  lock trylock\n}');
    await expect.poll(() => cell.locator(".squiggly-error").count()).toBe(0);
  }, 120_000);

  it("runs the cell with Shift+Enter and Ctrl+Enter, as the Run button's tooltip says", async () => {
    const { page, cell } = await emptyScenarioCell();
    const run = cell.getByRole("button", { name: "Run", exact: true });
    expect(await run.getAttribute("title")).toMatch(/Shift\+Enter.*Ctrl\+Enter/);
    const source = 'scenario "keys" {\n  cpus 1\n  memory 64MiB\n  duration 1ms\n  workload "w" on cpus all {\n    rate 1k/s\n    alloc order 0 gfp GFP_KERNEL\n    free immediately\n  }\n}';
    await paste(page, source);
    await page.keyboard.press("Shift+Enter");
    const summary = cell.getByRole("table", { name: "Summary of headline metrics" });
    await summary.waitFor({ timeout: 60_000 });
    // Running inserted nothing into the text.
    expect(await lastSource(page)).toBe(source);

    await cell.locator(".view-line", { hasText: "duration" }).click();
    await page.keyboard.press("End");
    await page.keyboard.press("Backspace");
    await page.keyboard.press("Backspace");
    await page.keyboard.press("Backspace");
    await type(page, "2ms");
    await cell.locator(".badge.stale").waitFor();
    await page.keyboard.press("Control+Enter");
    await expect.poll(() => cell.locator(".badge.stale").count(), { timeout: 60_000 }).toBe(0);
    expect(await lastSource(page)).toBe(source.replace("1ms", "2ms"));
  }, 180_000);
});
