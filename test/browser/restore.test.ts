// Restoring a version keeps the review, in real Chromium
// against the real server process: comment on a cell, save "v1", edit,
// open v1's permalink, Restore. The cell keeps its comments, its run output
// and its #cell- permalink; History keeps the state the restore replaced;
// and nothing happens until the editor confirms.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { api } from "../support/app-process.ts";
import { browserSession, context, foreign } from "../support/browser.ts";

const session = browserSession();

const person = (name: string) => session.person(name);

type LiveCell = { id: string; source: string };
const cells = (page: Page) =>
  page.evaluate(() => (window as unknown as { __pcplab: { cells(): LiveCell[] } }).__pcplab.cells().map((c) => ({ id: c.id, source: c.source })));

/** When the first cell's stored output was run. */
const runOf = (page: Page) => page.evaluate(() => (window as unknown as { __pcplab: { cells(): { output: { ranAt: string } | null }[] } }).__pcplab.cells()[0]!.output?.ranAt ?? null);

describe("restoring a version", () => {
  it("keeps the cell's comments, output and permalink, checkpoints what it replaces, and asks first", async () => {
    const { id, token } = await api<{ id: string; token: string }>(session.app.url, "POST", "/api/notebooks", { title: "restore keeps the review" });
    const versionNames = async () => (await api<{ versions: { name: string | null }[] }>(session.app.url, "GET", `/api/notebooks/${id}/versions`, undefined, token)).versions.map((v) => v.name);
    const owner = await person("Mel");
    await owner.goto(`${session.app.url}/notebook/${id}#share=${token}`);
    const cell = owner.locator("article.cell.scenario").first();
    await cell.locator('.editor[data-ready="true"]').waitFor();
    const [{ id: cellId, source: original }] = (await cells(owner)) as [LiveCell];

    // Run it, and comment on it.
    await cell.getByRole("button", { name: "Run", exact: true }).click();
    await cell.getByRole("table", { name: "Summary of headline metrics" }).waitFor({ timeout: 60_000 });
    const ranAt = await runOf(owner);
    expect(ranAt).toMatch(/^\d{4}-/);
    await cell.getByRole("button", { name: "Comments on this cell: 0 open" }).click();
    await cell.getByLabel("New comment on this cell").fill("Is 32 the v2 relock batch?");
    await cell.getByRole("button", { name: "Comment", exact: true }).click();
    await cell.getByRole("button", { name: "Comments on this cell: 1 open" }).waitFor();

    // Save "v1".
    await owner.getByRole("button", { name: "History" }).click();
    const history = owner.getByRole("dialog", { name: "History" });
    await history.getByLabel("Version name").fill("v1");
    await history.getByRole("button", { name: "Save version" }).click();
    const v1 = history.getByRole("link", { name: "v1", exact: true });
    await v1.waitFor();
    const permalink = await v1.evaluate((a) => (a as HTMLAnchorElement).href);

    // Edit after v1: the output goes stale.
    await cell.locator(".view-lines").click();
    await owner.keyboard.press("Control+Home");
    await owner.keyboard.type("# edited after v1\n");
    await expect.poll(async () => (await cells(owner))[0]!.source).toBe(`# edited after v1\n${original}`);
    await cell.locator(".badge.stale").waitFor();

    // Someone else has the notebook open throughout.
    const watcher = await person("Hugh");
    await watcher.goto(`${session.app.url}/notebook/${id}#share=${token}`);
    await expect.poll(async () => (await cells(watcher))[0]?.source).toBe(`# edited after v1\n${original}`);

    // v1's permalink: Restore asks first, and Cancel changes nothing.
    await owner.goto(permalink);
    await owner.locator(".version-view pre").first().waitFor();
    expect(await owner.locator(".version-view").innerText()).not.toContain("edited after v1");
    await owner.getByRole("button", { name: "Restore this version" }).click();
    const confirm = owner.getByRole("dialog", { name: "Restore this version?" });
    await confirm.waitFor();
    expect(await confirm.innerText()).toContain("before restoring v1");
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await confirm.waitFor({ state: "detached" });
    expect(new URL(owner.url()).search).toMatch(/^\?v=/);
    expect(await versionNames()).toEqual(["v1", "created"]);
    expect((await cells(watcher))[0]!.source).toBe(`# edited after v1\n${original}`);
    // Escape cancels too.
    await owner.getByRole("button", { name: "Restore this version" }).click();
    await confirm.waitFor();
    await owner.keyboard.press("Escape");
    await confirm.waitFor({ state: "detached" });
    expect(await versionNames()).toEqual(["v1", "created"]);

    // Restore, confirmed.
    await owner.getByRole("button", { name: "Restore this version" }).click();
    await confirm.getByRole("button", { name: "Restore", exact: true }).click();
    await owner.waitForURL((u) => u.search === "");
    await cell.locator('.editor[data-ready="true"]').waitFor();
    await expect.poll(() => cells(owner)).toEqual([{ id: cellId, source: original }]);
    // The same cell, to the page open elsewhere too: its comment is still on it, and its run.
    await expect.poll(() => cells(watcher)).toEqual([{ id: cellId, source: original }]);
    for (const page of [owner, watcher]) {
      const c = page.locator(`#cell-${cellId}`);
      await c.getByRole("button", { name: "Comments on this cell: 1 open" }).waitFor();
      await c.getByRole("table", { name: "Summary of headline metrics" }).waitFor();
      expect(await runOf(page)).toBe(ranAt);
      await expect.poll(() => c.locator(".badge.stale").count()).toBe(0);
    }

    // The cell's permalink still opens at the cell.
    const reader = await person("Vlastimil");
    await reader.goto(`${session.app.url}/notebook/${id}#share=${token}`);
    await reader.locator('.editor[data-ready="true"]').waitFor();
    await reader.goto(`${session.app.url}/`);
    await reader.goto(`${session.app.url}/notebook/${id}#cell-${cellId}`);
    await expect.poll(() => reader.locator(`#cell-${cellId}`).getAttribute("class")).toMatch(/targeted/);

    // History shows the state the restore replaced, and it holds the edit.
    expect(await versionNames()).toEqual(["before restoring v1", "v1", "created"]);
    await owner.getByRole("button", { name: "History" }).click();
    const before = history.getByRole("link", { name: "before restoring v1" });
    await before.waitFor();
    await before.click();
    await owner.waitForURL((u) => u.search.startsWith("?v="));
    await owner.locator(".version-view pre").first().waitFor();
    expect(await owner.locator(".version-view pre").first().innerText()).toBe(`# edited after v1\n${original}`);
    expect(foreign(session.requests, session.app.url)).toEqual([]);
  }, 240_000);
});
