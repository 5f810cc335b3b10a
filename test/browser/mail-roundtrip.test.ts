// The round trip a reviewer makes first: open a shipped example, Run, Copy
// for mail, save the mail, `pcplab verify` it. Every example must come back
// `reproduced`: the browser's minified engine worker and the command line
// are one model.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { browserSession, context } from "../support/browser.ts";

const root = new URL("../..", import.meta.url).pathname;
const examples = readdirSync(join(root, "scenarios"))
  .filter((f) => f.endsWith(".scn"))
  .map((f) => f.replace(/\.scn$/, ""));
const session = browserSession();

describe("a report copied from the notebook", () => {
  it.each(examples)("verifies as reproduced: %s", async (example) => {
    const page = await (await context(session.browser, session.app.url, [])).newPage();
    await page.goto(session.app.url + "/");
    await page.getByRole("button", { name: example, exact: true }).click();
    await page.waitForURL(/\/notebook\//);
    const cell = page.locator("article.cell.scenario").first();
    await cell.getByRole("button", { name: "Run", exact: true }).click();
    const copy = cell.getByRole("button", { name: "Copy for mail" });
    await copy.waitFor({ timeout: 240_000 });
    await page.evaluate(() => navigator.clipboard.writeText(""));
    await copy.click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toMatch(/---8<--- pcplab results sha256:[0-9a-f]{12} ---8<---\n$/);
    const mail = join(mkdtempSync(join(tmpdir(), "pcplab-mail-")), `${example}.txt`);
    writeFileSync(mail, await page.evaluate(() => navigator.clipboard.readText()));
    const verify = spawnSync(process.execPath, [join(root, "bin", "pcplab"), "verify", mail], { encoding: "utf8" });
    expect(verify.stdout + verify.stderr).toMatch(/reproduced/);
    expect(verify.status).toBe(0);
    await page.context().close();
  }, 600_000);
});
