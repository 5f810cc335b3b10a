// A notebook or link at its connection cap, in real Chromium against the real
// server process: the page says the notebook is full and why, not that the
// link was revoked, and opens once a seat is free.
import { describe, expect, it } from "vitest";
import { api } from "../support/app-process.ts";
import { browserSession } from "../support/browser.ts";

// One tab holds two connections (the notebook and its comments): a second
// tab on the same link finds it full.
process.env.PCPLAB_MAX_CONNECTIONS_PER_LINK = "2";

const session = browserSession();

describe("connection caps", () => {
  it("tells a second tab on a full link that the notebook is full, and opens it once the first tab closes", async () => {
    const { id, token } = await api<{ id: string; token: string }>(session.app.url, "POST", "/api/notebooks", { title: "one tab" });
    const link = `${session.app.url}/notebook/${id}#share=${token}`;
    const first = await session.person("Mel");
    await first.goto(link);
    await first.locator('.editor[data-ready="true"]').first().waitFor();

    const second = await session.person("Mel");
    await second.goto(link);
    const alert = second.locator("p[role=alert]");
    await expect.poll(() => alert.innerText()).toContain("This notebook is full right now (too many connections with this link)");
    expect(await alert.innerText()).not.toContain("revoked");

    await first.close();
    await second.reload();
    await second.locator('.editor[data-ready="true"]').first().waitFor();
  }, 180_000);
});
