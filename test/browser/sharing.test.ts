// Sharing a notebook with reviewers, in real Chromium against the real
// server process: an owner, an editor, a viewer and a commenter, each in
// their own browser context, as four people on a mailing list would be.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { startApp } from "../support/app-process.ts";
import { browserSession, context, foreign } from "../support/browser.ts";

const session = browserSession();

const person = (name: string) => session.person(name);

const sources = (page: Page) => page.evaluate(() => (window as unknown as { __pcplab: { cells(): { source: string }[] } }).__pcplab.cells().map((c) => c.source));

/** The owner makes a link with `role` in the share panel and reads it off the page. */
/** The owner makes a notebook from the home page and waits for its editor. */
async function createNotebook(owner: Page, title: string): Promise<void> {
  await owner.goto(session.app.url + "/");
  await owner.getByLabel("New notebook title").fill(title);
  await owner.getByRole("button", { name: "Create notebook" }).click();
  await owner.locator('.editor[data-ready="true"]').waitFor();
}

async function makeLink(owner: Page, role: string): Promise<string> {
  const panel = owner.getByRole("dialog", { name: "Share" });
  await panel.getByLabel("Role of the new link").selectOption(role);
  await panel.getByRole("button", { name: "Create link" }).click();
  // The previous link stays on screen until this one arrives.
  await panel.locator(".made-link", { hasText: `New ${role} link` }).waitFor();
  await expect.poll(() => panel.getByLabel("New share link").inputValue()).toMatch(new RegExp(`#share=[A-Za-z0-9_-]{43}$`));
  const url = await panel.getByLabel("New share link").inputValue();
  await expect.poll(() => panel.locator("tbody tr", { hasText: role }).count()).toBeGreaterThan(0);
  return url;
}

describe("sharing a notebook", () => {
  it("gives each link its role, shows who is here, enforces read-only, and revokes", async () => {
    const owner = await person("Mel");
    await createNotebook(owner, "pcp lock review");
    await owner.waitForURL(/\/notebook\//);
    await expect.poll(() => owner.getByLabel("Your role").innerText()).toBe("owner");

    await owner.getByRole("button", { name: "Share" }).click();
    await owner.getByRole("dialog", { name: "Share" }).getByText("No links yet: only you can open this notebook.").waitFor();
    const editorLink = await makeLink(owner, "editor");
    const viewerLink = await makeLink(owner, "viewer");
    const commenterLink = await makeLink(owner, "commenter");
    const notebookUrl = owner.url();

    // Without a link: nothing, not even the title.
    const stranger = await person("Eve");
    await stranger.goto(notebookUrl);
    await stranger.getByText("There is no notebook here").waitFor();
    expect(await stranger.locator("body").innerText()).not.toContain("pcp lock review");
    await stranger.goto(session.app.url + "/");
    await stranger.goto(notebookUrl + "#share=" + "A".repeat(43));
    await stranger.getByText("There is no notebook here").waitFor();
    expect(await stranger.locator("body").innerText()).not.toContain("pcp lock review");

    const [editor, viewer, commenter] = [await person("Hugh"), await person("Vlastimil"), await person("Michal")];
    await Promise.all([editor.goto(editorLink), viewer.goto(viewerLink), commenter.goto(commenterLink)]);
    for (const page of [editor, viewer, commenter]) await page.locator('.editor[data-ready="true"]').waitFor();
    // The token leaves the address bar for the browser's storage.
    expect(new URL(viewer.url()).hash).toBe("");
    await expect.poll(() => editor.getByLabel("Your role").innerText()).toBe("editor");
    await expect.poll(() => viewer.getByLabel("Your role").innerText()).toBe("viewer (read-only)");
    await expect.poll(() => commenter.getByLabel("Your role").innerText()).toBe("commenter (read-only)");

    // Presence: everyone is listed, by name, on everyone's page.
    for (const page of [owner, editor, viewer]) {
      for (const name of ["Hugh", "Vlastimil", "Michal"]) {
        await expect.poll(async () => (await page.getByLabel("Participants").innerText()) + (await page.getByLabel("Your name").inputValue())).toContain(name);
      }
    }

    // The editor types; everyone sees it.
    await editor.locator(".view-lines").first().click();
    await editor.keyboard.press("Control+Home");
    await editor.keyboard.type("# reviewed by Hugh\n");
    for (const page of [owner, viewer, commenter]) await expect.poll(async () => (await sources(page))[0]).toMatch(/^# reviewed by Hugh\n/);
    // Hugh's cursor shows in the owner's editor, in his colour.
    await expect.poll(() => owner.locator('[class*="yRemoteSelectionHead-"]').count()).toBeGreaterThan(0);
    // Follow Hugh: the owner's button says so.
    const follow = owner.getByRole("button", { name: "Hugh" });
    await follow.click();
    await expect.poll(() => follow.getAttribute("aria-pressed")).toBe("true");

    // The viewer and commenter cannot change the notebook from the page.
    for (const page of [viewer, commenter]) {
      expect(await page.getByRole("button", { name: "Run", exact: true }).count()).toBe(0);
      expect(await page.getByRole("button", { name: "+ Scenario" }).count()).toBe(0);
      await page.locator(".view-lines").first().click();
      await page.keyboard.type("vandalism");
    }
    await new Promise((r) => setTimeout(r, 500));
    for (const page of [owner, editor]) expect((await sources(page)).join("")).not.toContain("vandalism");

    // Comments: the commenter starts a thread on the cell; the editor
    // replies; the owner resolves it; the viewer reads it but cannot write.
    const commentsOn = (page: Page) => page.locator("article.cell").first();
    await commentsOn(commenter).getByRole("button", { name: /^Comments on this cell/ }).click();
    await commentsOn(commenter).getByLabel("New comment on this cell").fill("Is 32 the v2 relock batch?");
    await commentsOn(commenter).getByRole("button", { name: "Comment", exact: true }).click();
    await commentsOn(editor).getByRole("button", { name: "Comments on this cell: 1 open" }).click();
    await commentsOn(editor).getByText("Is 32 the v2 relock batch?").waitFor();
    await commentsOn(editor).getByLabel("Reply to this thread").fill("Yes, SWAP_CLUSTER_MAX.");
    await commentsOn(editor).getByRole("button", { name: "Reply", exact: true }).click();
    await commentsOn(owner).getByRole("button", { name: "Comments on this cell: 1 open" }).click();
    await commentsOn(owner).getByText("Yes, SWAP_CLUSTER_MAX.").waitFor();
    expect(await commentsOn(owner).locator(".comment .author").allInnerTexts()).toEqual(["Michal", "Hugh"]);
    await commentsOn(owner).getByRole("button", { name: "Resolve" }).click();
    await commentsOn(commenter).getByRole("region", { name: "Resolved thread" }).waitFor();
    await commentsOn(viewer).getByRole("button", { name: /^Comments on this cell/ }).click();
    await commentsOn(viewer).getByText("Yes, SWAP_CLUSTER_MAX.").waitFor();
    expect(await commentsOn(viewer).getByLabel("New comment on this cell").count()).toBe(0);
    expect(await commentsOn(viewer).getByRole("button", { name: "Reopen" }).count()).toBe(0);
    // The comments never touched the notebook, which stays as the editor left it.
    expect((await sources(owner))[0]).toMatch(/^# reviewed by Hugh\n/);

    // Revoking the viewer's link ends their session at once.
    const panel = owner.getByRole("dialog", { name: "Share" });
    await panel.getByRole("button", { name: "Revoke viewer link" }).click();
    await viewer.getByText("Your link to this notebook no longer works").waitFor({ timeout: 10_000 });
    await viewer.reload();
    await viewer.getByText("There is no notebook here").waitFor();
    expect(await viewer.locator("body").innerText()).not.toContain("reviewed by Hugh");
    // The others go on.
    await editor.locator(".view-lines").first().click();
    await editor.keyboard.press("Control+End");
    await editor.keyboard.type("still editing");
    await expect.poll(async () => (await sources(owner))[0]).toContain("still editing");

    // The home page lists what each browser holds, with its role.
    await commenter.goto(session.app.url + "/");
    await expect.poll(() => commenter.locator(".notebook-row").innerText()).toMatch(/pcp lock review[\s\S]*commenter/);
    expect(foreign(session.requests, session.app.url)).toEqual([]);
  }, 180_000);

  it("keeps versions anyone can open by permalink, read-only, and an editor can restore as a new change", async () => {
    const owner = await person("Mel");
    await createNotebook(owner, "versions");
    await owner.getByRole("button", { name: "Share" }).click();
    const editorLink = await makeLink(owner, "editor");
    const viewerLink = await makeLink(owner, "viewer");

    await owner.getByRole("button", { name: "History" }).click();
    const history = owner.getByRole("dialog", { name: "History" });
    await history.getByLabel("Version name").fill("as posted");
    await history.getByRole("button", { name: "Save version" }).click();
    await history.getByRole("link", { name: "as posted" }).waitFor();
    const permalink = await history.getByRole("link", { name: "as posted" }).evaluate((a) => (a as HTMLAnchorElement).href);
    expect(permalink).toMatch(/\/notebook\/[A-Za-z0-9_-]+\?v=[A-Za-z0-9_-]+$/);

    const editor = await person("Hugh");
    await editor.goto(editorLink);
    await editor.locator('.editor[data-ready="true"]').waitFor();
    await editor.locator(".view-lines").first().click();
    await editor.keyboard.press("Control+Home");
    await editor.keyboard.type("# changed after the version\n");
    await expect.poll(async () => (await sources(owner))[0]).toMatch(/^# changed after the version/);

    // A viewer opens the permalink: the version, read-only, without the later change.
    const viewer = await person("Vlastimil");
    await viewer.goto(viewerLink);
    await viewer.locator('.editor[data-ready="true"]').waitFor();
    await viewer.goto(permalink);
    await viewer.getByText("read-only").first().waitFor();
    await viewer.locator(".version-view pre").first().waitFor();
    expect(await viewer.locator(".version-view").innerText()).not.toContain("changed after the version");
    expect(await viewer.getByRole("button", { name: "Restore this version" }).count()).toBe(0);

    // The editor restores it: a new change everyone sees; the history keeps both.
    await editor.goto(permalink);
    await editor.getByRole("button", { name: "Restore this version" }).click();
    await editor.getByRole("dialog", { name: "Restore this version?" }).getByRole("button", { name: "Restore", exact: true }).click();
    await editor.waitForURL((u) => u.search === "");
    await expect.poll(async () => (await sources(owner))[0]).not.toMatch(/changed after the version/);
    await owner.getByRole("button", { name: "History" }).click();
    await owner.getByRole("button", { name: "History" }).click();
    await history.getByRole("link", { name: "as posted", exact: true }).waitFor();
    expect(await history.getByRole("link", { name: "created" }).count()).toBe(1);
    expect(foreign(session.requests, session.app.url)).toEqual([]);
  }, 180_000);

  it("keeps an editor's offline edits in the browser until the server is back, even across closing the tab", async () => {
    const owner = await person("Mel");
    await createNotebook(owner, "offline");
    await expect.poll(() => owner.getByRole("status", { name: "Sync status" }).innerText()).toBe("saved");
    const url = owner.url();

    const port = Number(new URL(session.app.url).port);
    await session.app.stop();
    await expect.poll(() => owner.getByRole("status", { name: "Sync status" }).innerText(), { timeout: 15_000 }).toBe("offline, changes kept locally");
    // The engine's worker comes from the server too; a page that has not run anything yet says so.
    const scenario = owner.locator("article.cell.scenario").first();
    await scenario.getByRole("button", { name: "Run", exact: true }).click();
    await expect.poll(() => scenario.getByRole("alert").innerText()).toBe("the engine worker could not be loaded from the server");
    await owner.locator(".view-lines").first().click();
    await owner.keyboard.press("Control+Home");
    await owner.keyboard.type("# written while the server was down\n");
    // Give the browser's own store a moment, then close the tab.
    await new Promise((r) => setTimeout(r, 500));
    const ctx = owner.context();
    await owner.close();

    session.app = await startApp(session.app.dataDir, port);
    const again = await ctx.newPage();
    await again.goto(url);
    await again.locator('.editor[data-ready="true"]').waitFor();
    await expect.poll(async () => (await sources(again))[0]).toMatch(/^# written while the server was down\n/);
    await expect.poll(() => again.getByRole("status", { name: "Sync status" }).innerText()).toBe("saved");
    // And it reached the server: a fresh browser with the link sees it.
    const token = await again.evaluate(() => Object.values(JSON.parse(localStorage.getItem("pcplab.links")!) as Record<string, string[]>)[0]![0]!);
    const other = await person("Hugh");
    await other.goto(`${url}#share=${token}`);
    await expect.poll(async () => (await sources(other))[0]).toMatch(/^# written while the server was down\n/);
  }, 180_000);

  it("follows a participant: the page keeps their cell in view until you move", async () => {
    const owner = await person("Mel");
    await owner.setViewportSize({ width: 1280, height: 600 });
    await createNotebook(owner, "follow");
    await owner.evaluate(() => {
      const nb = (window as unknown as { __pcplab: { insertCell(kind: string, at: number, source: string): string } }).__pcplab;
      for (let i = 1; i <= 6; i++) nb.insertCell("scenario", i, `scenario "cell-${i}" {\n  cpus 2\n}\n`);
    });
    await owner.getByRole("button", { name: "Share" }).click();
    const editorLink = await makeLink(owner, "editor");
    await owner.getByRole("button", { name: "Close" }).click();
    await owner.evaluate(() => window.scrollTo(0, 0));

    const editor = await person("Hugh");
    await editor.goto(editorLink);
    await expect.poll(() => editor.locator('.editor[data-ready="true"]').count()).toBe(7);
    await owner.getByRole("button", { name: "Hugh" }).click();
    // Hugh starts typing in the last cell, far below the owner's screen.
    const last = editor.locator("article.cell").last();
    await last.scrollIntoViewIfNeeded();
    await last.locator(".view-lines").click();
    await editor.keyboard.type("# here");
    const id = await last.getAttribute("id");
    const target = owner.locator(`#${id}`);
    await expect.poll(() => target.evaluate((el) => el.getBoundingClientRect().top)).toBeLessThan(600);
    expect(await target.evaluate((el) => el.getBoundingClientRect().bottom)).toBeGreaterThan(0);
    // Scrolling ends following.
    await owner.mouse.wheel(0, -2000);
    await expect.poll(() => owner.getByRole("button", { name: "Hugh" }).getAttribute("aria-pressed")).toBe("false");
  }, 180_000);
});
