// The notebook's small courtesies, in real Chromium against the real server
// process: how long a long run will take, whose cursor that is, how a
// reader gets edit rights, and where "Report copied" appears.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { api } from "../support/app-process.ts";
import { browserSession, context } from "../support/browser.ts";

const session = browserSession();

const person = (name: string) => session.person(name);

/** Gives `page`'s browser a link to the notebook, as opening a share link does. */
async function open(page: Page, id: string, token: string): Promise<void> {
  await page.goto(`${session.app.url}/notebook/${id}#share=${token}`);
  await page.waitForURL((u) => u.hash === "");
  await page.locator('.editor[data-ready="true"]').first().waitFor();
}

async function notebook(): Promise<{ id: string; token: string }> {
  return api<{ id: string; token: string }>(session.app.url, "POST", "/api/notebooks", { title: "ux" });
}

/** The long run: 256 CPUs for 10 s of simulated time. */
const LONG = `scenario "long" {
  cpus 256
  memory 64GiB
  duration 10s
  workload "faults" on cpus all {
    rate 100k/s
    alloc order 0 gfp GFP_HIGHUSER_MOVABLE
    free after exp(50us)
  }
}
`;

describe("the notebook's rough edges", () => {
  it("says about how long a long run will take before it starts, and how long is left while it runs", async () => {
    const { id, token } = await notebook();
    const page = await person("Mel");
    await open(page, id, token);
    const short = page.locator("article.cell.scenario").first();
    await page.evaluate((source) => (window as unknown as { __pcplab: { insertCell(kind: string, index: number, source: string): string } }).__pcplab.insertCell("scenario", 1, source), LONG);
    const long = page.locator("article.cell.scenario").nth(1);
    await long.locator('.editor[data-ready="true"]').waitFor();

    // Before running: an estimate on the long cell, none on the quick one.
    const estimate = long.getByLabel("Estimated run time");
    await expect.poll(() => estimate.innerText()).toMatch(/^about \d+ (s|min|h)$/);
    expect(await short.getByLabel("Estimated run time").count()).toBe(0);

    // While it runs: the time left, from the speed measured on this machine.
    await long.getByRole("button", { name: "Run", exact: true }).click();
    await long.getByRole("progressbar", { name: "Run progress" }).waitFor();
    await expect.poll(() => long.getByLabel("Estimated time left").innerText(), { timeout: 30_000 }).toMatch(/^about \d+ (s|min|h) left$/);
    await long.getByRole("button", { name: "Cancel" }).click();
    await long.getByRole("button", { name: "Run", exact: true }).waitFor();
    expect(await long.getByLabel("Estimated time left").count()).toBe(0);
    await expect.poll(() => estimate.innerText()).toMatch(/^about \d+ (s|min|h)$/);
  }, 120_000);

  it("labels a remote cursor with its owner's name", async () => {
    const { id, token } = await notebook();
    const [mel, hugh] = [await person("Mel"), await person("Hugh")];
    await Promise.all([open(mel, id, token), open(hugh, id, token)]);
    await hugh.locator(".view-line", { hasText: "duration" }).click();
    await hugh.keyboard.press("End");
    // Mel sees Hugh's cursor, and the name on it is Hugh's.
    const head = mel.locator(".yRemoteSelectionHead").first();
    await expect.poll(() => head.count()).toBeGreaterThan(0);
    await expect.poll(() => head.evaluate((el) => getComputedStyle(el, "::after").content)).toBe('"Hugh"');
    expect(await head.evaluate((el) => getComputedStyle(el, "::after").display)).not.toBe("none");
    // A new name follows at once.
    await hugh.getByLabel("Your name").fill("Hugh D");
    await hugh.locator(".view-line", { hasText: "memory" }).click();
    await expect.poll(() => mel.locator(".yRemoteSelectionHead").first().evaluate((el) => getComputedStyle(el, "::after").content)).toBe('"Hugh D"');
  }, 120_000);

  it("tells viewers and commenters how to get edit rights", async () => {
    const { id, token } = await notebook();
    for (const role of ["viewer", "commenter"]) {
      const link = await api<{ token: string }>(session.app.url, "POST", `/api/notebooks/${id}/shares`, { role }, token);
      const page = await person(role);
      await open(page, id, link.token);
      const notice = page.getByRole("note", { name: "Read-only" });
      await expect.poll(() => notice.innerText()).toMatch(/ask the owner for an editor link/);
    }
    const owner = await person("owner");
    await open(owner, id, token);
    expect(await owner.getByRole("note", { name: "Read-only" }).count()).toBe(0);
  }, 120_000);

  it("says 'Report copied' next to the Copy for mail button that copied it", async () => {
    const { id, token } = await notebook();
    const page = await person("Mel");
    await open(page, id, token);
    const cell = page.locator("article.cell.scenario").first();
    await cell.getByRole("button", { name: "Run", exact: true }).click();
    await cell.getByRole("table", { name: "Summary of headline metrics" }).waitFor({ timeout: 60_000 });
    const button = cell.getByRole("button", { name: "Copy for mail" });
    await button.click();
    const note = cell.getByText(/^Report copied/);
    await note.waitFor();
    const [b, n] = [(await button.boundingBox())!, (await note.boundingBox())!];
    // On the button's row, just after it.
    expect(Math.abs(n.y + n.height / 2 - (b.y + b.height / 2))).toBeLessThan(b.height / 2);
    expect(n.x - (b.x + b.width)).toBeGreaterThanOrEqual(0);
    expect(n.x - (b.x + b.width)).toBeLessThan(24);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(/pcplab results sha256:/);
  }, 120_000);
});
