// Comments in real Chromium against the real server process: each person
// may edit and delete only their own comments, the owner moderates anyone's
// on record, and the page never offers what the server would refuse.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { browserSession } from "../support/browser.ts";

const session = browserSession();

/** The owner makes a link with `role` in the share panel and reads it off the page, once it is not `previous`. */
async function makeLink(owner: Page, role: string, previous = ""): Promise<string> {
  const panel = owner.getByRole("dialog", { name: "Share" });
  await panel.getByLabel("Role of the new link").selectOption(role);
  await panel.getByRole("button", { name: "Create link" }).click();
  const link = panel.getByLabel("New share link");
  await expect.poll(async () => { const v = await link.inputValue().catch(() => ""); return /#share=[A-Za-z0-9_-]{43}$/.test(v) && v !== previous; }).toBe(true);
  return link.inputValue();
}

const panelOf = (page: Page) => page.locator("article.cell").first();
const comment = (page: Page, text: string) => panelOf(page).locator(".comment", { hasText: text });

describe("comments", () => {
  it("offers edit and delete only on one's own comments, and shows the owner's moderation", async () => {
    const owner = await session.person("Mel");
    await owner.goto(session.app.url + "/");
    await owner.getByLabel("New notebook title").fill("comment review");
    await owner.getByRole("button", { name: "Create notebook" }).click();
    await owner.locator('.editor[data-ready="true"]').waitFor();
    await owner.getByRole("button", { name: "Share" }).click();
    const aliceLink = await makeLink(owner, "commenter");
    const bobLink = await makeLink(owner, "commenter", aliceLink);

    const [alice, bob] = [await session.person("Alice"), await session.person("Bob")];
    await Promise.all([alice.goto(aliceLink), bob.goto(bobLink)]);
    for (const page of [alice, bob]) await panelOf(page).getByRole("button", { name: /^Comments on this cell/ }).click();
    await panelOf(alice).getByLabel("New comment on this cell").fill("Is 32 the v2 relock batch?");
    await panelOf(alice).getByRole("button", { name: "Comment", exact: true }).click();
    await comment(bob, "Is 32 the v2 relock batch?").waitFor();
    await panelOf(bob).getByLabel("Reply to this thread").fill("Yes, SWAP_CLUSTER_MAX");
    await panelOf(bob).getByRole("button", { name: "Reply", exact: true }).click();
    await comment(alice, "Yes, SWAP_CLUSTER_MAX").waitFor();

    // Each sees Edit and Delete on their own comment only.
    expect(await comment(bob, "Is 32").getByRole("button", { name: "Edit" }).count()).toBe(0);
    expect(await comment(alice, "SWAP_CLUSTER_MAX").getByRole("button", { name: "Delete" }).count()).toBe(0);
    await comment(bob, "SWAP_CLUSTER_MAX").getByRole("button", { name: "Edit" }).click();
    await panelOf(bob).getByLabel("Edit comment").fill("Yes, SWAP_CLUSTER_MAX (32)");
    await panelOf(bob).getByRole("button", { name: "Save" }).click();
    await comment(alice, "SWAP_CLUSTER_MAX (32)").getByText("edited").waitFor();

    // The owner moderates: Alice's question goes, on record, for everyone.
    await owner.getByRole("dialog", { name: "Share" }).getByRole("button", { name: "Close" }).click();
    await panelOf(owner).getByRole("button", { name: /^Comments on this cell/ }).click();
    await comment(owner, "Is 32 the v2 relock batch?").getByRole("button", { name: "Delete" }).click();
    await panelOf(alice).getByText("comment removed by Mel (moderator)").waitFor();
    await panelOf(bob).getByText("comment removed by Mel (moderator)").waitFor();
    expect(await panelOf(alice).innerText()).not.toContain("Is 32 the v2 relock batch?");
    // Four people in Chromium on a shared 2-core machine: allow for the load.
  }, 150_000);
});
