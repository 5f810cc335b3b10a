// An edit the server cannot store, in real Chromium against the real server
// process: the page says it is not saved and kept locally, and saves it once
// the server can store it again.
import { describe, expect, it } from "vitest";
import { startApp } from "../support/app-process.ts";
import { browserSession } from "../support/browser.ts";

// The app this file starts (and its restarts, unless lifted) holds the
// database to 1 MiB: room for a notebook, not for a megabyte more.
process.env.PCPLAB_MAX_DATABASE_BYTES = String(1024 * 1024);

const session = browserSession();

describe("saving", () => {
  it("says an edit the server refused is not saved but kept, and saves it when the server has room", async () => {
    const owner = await session.person("Mel");
    await owner.goto(session.app.url + "/");
    await owner.getByLabel("New notebook title").fill("big paste");
    await owner.getByRole("button", { name: "Create notebook" }).click();
    await owner.locator('.editor[data-ready="true"]').waitFor();
    const status = owner.getByRole("status", { name: "Sync status" });
    await expect.poll(() => status.innerText()).toBe("saved");

    await owner.evaluate(() =>
      (window as unknown as { __pcplab: { insertCell(kind: string, index: number, source: string): string } }).__pcplab.insertCell("markdown", 1, "pasted ".repeat(200_000)),
    );
    await expect.poll(() => status.innerText(), { timeout: 15_000 }).toBe("not saved: the server cannot store changes now; kept locally");
    // The provider keeps trying; the page keeps saying so.
    await new Promise((r) => setTimeout(r, 2500));
    expect(await status.innerText()).toBe("not saved: the server cannot store changes now; kept locally");

    const port = Number(new URL(session.app.url).port);
    await session.app.stop();
    delete process.env.PCPLAB_MAX_DATABASE_BYTES;
    session.app = await startApp(session.app.dataDir, port);
    await expect.poll(() => status.innerText(), { timeout: 30_000 }).toBe("saved");

    // Stored: someone else with the link, in a browser of their own, loads it from the server.
    const token = await owner.evaluate(() => Object.values(JSON.parse(localStorage.getItem("pcplab.links")!) as Record<string, string[]>)[0]![0]!);
    const again = await session.person("Hugh");
    await again.goto(`${owner.url().split("#")[0]}#share=${token}`);
    await again.locator('.editor[data-ready="true"]').waitFor();
    await expect
      .poll(() => again.evaluate(() => (window as unknown as { __pcplab: { cells(): { source: string }[] } }).__pcplab.cells().map((c) => c.source.length)))
      .toContain(1_400_000);
  }, 240_000);
});
