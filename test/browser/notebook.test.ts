// The notebook app in a real Chromium against the real server process: what
// a kernel developer does with it, step by step.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { api } from "../support/app-process.ts";
import { compose, GOLDEN, reply } from "../support/mail-compose.ts";
import { browserSession, context, foreign } from "../support/browser.ts";

const root = new URL("../..", import.meta.url).pathname;
const session = browserSession();

async function newPage(): Promise<Page> {
  const page = await (await context(session.browser, session.app.url, session.requests)).newPage();
  page.on("pageerror", (e) => console.error("page error:", e.message));
  return page;
}

/** Gives `page`'s browser the notebook's link, as opening a share link would. */
async function holdLink(page: Page, id: string, token: string): Promise<void> {
  await page.goto(`${session.app.url}/notebook/${id}#share=${token}`);
  await page.waitForURL((u) => u.hash === "");
}

/** The notebooks a page's browser holds links to, as the home page lists them. */
const held = (page: Page) =>
  page.evaluate(async () => {
    const links = JSON.parse(localStorage.getItem("pcplab.links") ?? "{}") as Record<string, string[]>;
    const r = await fetch("/api/notebooks/access", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ tokens: Object.values(links).flat() }) });
    return ((await r.json()) as { notebooks: { title: string }[] }).notebooks.map((n) => n.title);
  });

/** The sources of the notebook's cells, read from the shared document. */
const sources = (page: Page) => page.evaluate(() => (window as unknown as { __pcplab: { cells(): { source: string }[] } }).__pcplab.cells().map((c) => c.source));

async function paste(page: Page, text: string): Promise<void> {
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.keyboard.press("Control+V");
}

function cliReport(source: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "pcplab-cli-")), "typed.scn");
  writeFileSync(file, source);
  const r = spawnSync(process.execPath, [join(root, "bin", "pcplab"), "run", file], { encoding: "utf8" });
  expect(r.stderr).toBe("");
  return r.stdout;
}

const TYPED_HEAD = `scenario "typed-in-the-browser" {
  cpus 2
  memroy 256MiB
  duration 5ms
  compare irqsave, trylock
  workload "rx" on cpus 0 in hardirq {
    rate 50k/s
    alloc order 0 gfp GFP_ATOMIC | `;
const TYPED_TAIL = `
    free immediately
  }
}
`;

describe("the notebook list", () => {
  it("creates, renames, deletes, and opens an example", async () => {
    const page = await newPage();
    page.on("dialog", (d) => void d.accept());
    await page.goto(session.app.url + "/");
    await page.getByRole("button", { name: "thp-compaction-stress" }).click();
    await page.waitForURL(/\/notebook\//);
    await expect.poll(() => sources(page)).toEqual([expect.stringContaining("# thp-compaction-stress"), expect.stringContaining("GFP_TRANSHUGE_LIGHT")]);
    await page.getByRole("link", { name: "pcplab" }).click();
    const row = page.locator(".notebook-row", { hasText: "thp-compaction-stress" });
    await row.getByRole("button", { name: /^Rename/ }).click();
    await page.getByLabel("New title").fill("Hugh's THP stress");
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator(".notebook-row", { hasText: "Hugh's THP stress" }).waitFor();
    await page.locator(".notebook-row", { hasText: "Hugh's THP stress" }).getByRole("button", { name: /^Delete/ }).click();
    await expect.poll(() => page.locator(".notebook-row", { hasText: "Hugh's THP stress" }).count()).toBe(0);
    expect(await held(page)).not.toContain("Hugh's THP stress");
  }, 60_000);
});

describe("a notebook in the browser", () => {
  it("creates a notebook, types a scenario with live diagnostics and completion, runs it, charts it, and copies the same report as the CLI", async () => {
    const page = await newPage();
    await page.goto(session.app.url + "/");
    await page.getByLabel("New notebook title").fill("Browser study");
    await page.getByRole("button", { name: "Create notebook" }).click();
    await page.waitForURL(/\/notebook\/[A-Za-z0-9_-]+$/);
    await page.getByRole("button", { name: "+ Scenario" }).click();
    const cell = page.locator("article.cell.scenario").nth(1);
    const editor = cell.locator('.editor[data-ready="true"]');
    await editor.waitFor();
    await editor.locator(".view-lines").click();

    // Pasted, as people do with scenarios (typing would auto-indent and
    // auto-close braces); the parts that matter are typed key by key.
    await paste(page, TYPED_HEAD);
    await page.keyboard.type("__GFP_NOR");
    await page.keyboard.press("Control+Space");
    const suggestion = page.locator(".suggest-widget .monaco-list-row", { hasText: "__GFP_NORETRY" }).first();
    await suggestion.waitFor();
    await page.keyboard.press("Enter");
    await paste(page, TYPED_TAIL);
    const typed = TYPED_HEAD + "__GFP_NORETRY" + TYPED_TAIL;
    await expect.poll(() => sources(page)).toEqual([expect.any(String), typed]);

    // The typo is marked, and the marker names the fix and its code.
    await cell.locator(".squiggly-error").first().waitFor();
    const marker = page.locator(".marker-widget");
    const nextProblem = async () => {
      await page.keyboard.press("F8");
      return marker.innerText();
    };
    await expect.poll(nextProblem).toMatch(/memory/);
    expect(await marker.innerText()).toMatch(/E1\d\d/);
    await page.keyboard.press("Escape");
    await cell.locator(".view-line", { hasText: "memroy" }).click();
    await page.keyboard.press("End");
    await page.keyboard.press("Home");
    await page.keyboard.press("Control+Shift+ArrowRight");
    await page.keyboard.type("memory");
    await expect.poll(() => cell.locator(".squiggly-error").count()).toBe(0);
    const fixed = typed.replace("memroy", "memory");
    await expect.poll(() => sources(page)).toEqual([expect.any(String), fixed]);

    await cell.getByRole("button", { name: "Run", exact: true }).click();
    await expect.poll(() => cell.locator("figure.chart svg").count(), { timeout: 60_000 }).toBe(3);
    for (const name of ["pcp fallbacks and zone->lock contentions per second", "Headline metrics per variant", "IRQ and allocation latency percentiles"]) {
      await expect.poll(() => cell.getByRole("figure", { name }).count()).toBe(1);
    }
    await expect.poll(() => cell.getByRole("table", { name: "Summary of headline metrics" }).count()).toBe(1);

    await cell.getByRole("button", { name: "Copy for mail" }).click();
    await cell.getByText(/^Report copied/).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    const cli = cliReport(fixed);
    const digest = (r: string) => /pcplab results (sha256:[0-9a-f]+)/.exec(r)?.[1];
    expect(digest(copied)).toMatch(/^sha256:/);
    expect(digest(copied)).toBe(digest(cli));
    expect(copied).toBe(cli);

    // Editing after the run marks the output stale.
    await cell.locator(".view-line", { hasText: "duration" }).click();
    await page.keyboard.press("End");
    await page.keyboard.press("Control+Shift+ArrowLeft");
    await page.keyboard.type("6ms");
    await cell.locator(".badge.stale").waitFor();

    // A reload keeps the text and the output.
    await page.reload();
    await expect.poll(() => sources(page)).toEqual([expect.any(String), fixed.replace("5ms", "6ms")]);
    await cell.getByRole("table", { name: "Summary of headline metrics" }).waitFor();
    await cell.locator(".badge.stale").waitFor();
    expect(foreign(session.requests, session.app.url)).toEqual([]);
  }, 180_000);

  it("shows each participant the other's typing within a second", async () => {
    const { id, token } = await api<{ id: string; token: string }>(session.app.url, "POST", "/api/notebooks", { title: "Two reviewers" });
    const [alice, bob] = [await newPage(), await newPage()];
    await Promise.all([holdLink(alice, id, token), holdLink(bob, id, token)]);
    for (const page of [alice, bob]) await page.locator('.editor[data-ready="true"]').waitFor();

    await alice.locator(".view-lines").click();
    await alice.keyboard.press("Control+Home");
    await alice.keyboard.type("# alice was here\n");
    await expect.poll(async () => (await sources(bob))[0], { timeout: 1000 }).toMatch(/^# alice was here\n/);
    await bob.locator(".view-lines").click();
    await bob.keyboard.press("Control+End");
    await bob.keyboard.type("# bob too");
    await expect.poll(async () => (await sources(alice))[0], { timeout: 1000 }).toMatch(/# bob too$/);
    // And the editor on screen shows it, not only the document.
    await expect.poll(() => alice.locator(".view-lines").innerText()).toMatch(/bob\stoo/);

    // Undo takes back only your own typing, never the other person's.
    await alice.locator(".view-line", { hasText: "alice was here" }).click();
    await alice.keyboard.press("Control+z");
    await expect.poll(async () => (await sources(bob))[0]).not.toMatch(/alice was here/);
    expect((await sources(bob))[0]).toMatch(/# bob too$/);
    await alice.keyboard.press("Control+Shift+z");
    await expect.poll(async () => (await sources(bob))[0]).toMatch(/^# alice was here\n[\s\S]*# bob too$/);
    expect(foreign(session.requests, session.app.url)).toEqual([]);
  }, 120_000);

  it("hovers a gfp mask into its bits, formats the document, imports a mailed report, and opens a permalink at its cell", async () => {
    const { id, token } = await api<{ id: string; token: string }>(session.app.url, "POST", "/api/notebooks", { example: "remote-drain" });
    const page = await newPage();
    await holdLink(page, id, token);
    const cell = page.locator("article.cell.scenario").first();
    await cell.locator('.editor[data-ready="true"]').waitFor();

    await cell.locator(".view-lines span span", { hasText: /^GFP_HIGHUSER_MOVABLE$/ }).first().hover();
    const hover = page.locator(".monaco-hover-content", { hasText: "0x" });
    await expect.poll(() => hover.innerText()).toMatch(/0x[0-9a-f]+/);
    await expect.poll(() => hover.innerText()).toMatch(/bits: .*__GFP_DIRECT_RECLAIM[\s\S]*migratetype: MIGRATE_MOVABLE/);

    // Format document puts a messy statement back in canonical form.
    await cell.locator(".view-line", { hasText: "cpus" }).first().click();
    await page.keyboard.press("End");
    await page.keyboard.type("   ");
    await expect.poll(async () => (await sources(page))[1]).toMatch(/cpus \d+ {3}\n/);
    await page.keyboard.press("Control+Shift+I"); // Format Document on Linux
    await expect.poll(async () => (await sources(page))[1]).not.toMatch(/cpus \d+ {3}\n/);

    const mail = cliReport(((await sources(page))[1] as string).replace(/^ {2}runs \d+$/m, "  runs 1"))
      .split("\n")
      .map((l) => "> " + l)
      .join("\n");
    await page.getByRole("button", { name: "Import from mail" }).click();
    await page.getByLabel("Report text").fill("not a report");
    await page.getByRole("button", { name: "Add as cell" }).click();
    await page.getByRole("dialog", { name: "Import from mail" }).getByRole("alert").waitFor();
    await page.getByLabel("Report text").fill(`On Tue, someone wrote:\n${mail}\n\nThanks!`);
    await page.getByRole("button", { name: "Add as cell" }).click();
    await expect.poll(async () => (await sources(page)).length).toBe(3);
    expect((await sources(page))[2]).toMatch(/^ {2}runs 1$/m);

    const cellId = await page.evaluate(() => (window as unknown as { __pcplab: { cells(): { id: string }[] } }).__pcplab.cells()[2]!.id);
    const other = await newPage();
    // Short enough that the cell starts below the fold unless scrolled to.
    await other.setViewportSize({ width: 1280, height: 600 });
    await holdLink(other, id, token);
    await other.goto(`${session.app.url}/`);
    await other.goto(`${session.app.url}/notebook/${id}#cell-${cellId}`);
    const target = other.locator(`#cell-${cellId}`);
    await expect.poll(() => target.getAttribute("class")).toMatch(/targeted/);
    // In view (the last cell cannot scroll to the very top of the page).
    await expect.poll(() => target.evaluate((el) => el.getBoundingClientRect().top)).toBeLessThan(600);
    expect(await target.evaluate((el) => el.getBoundingClientRect().top)).toBeGreaterThan(-2);

    // A saved message's raw text (ISO-8859-1, quoted-printable, quoted
    // twice) decodes in the page as `pcplab verify` decodes it.
    const eml = (await compose({ encoding: "iso-8859-1", body: reply(GOLDEN, 2, "iso-8859-1", "Zoë Müller") })).toString("latin1");
    await page.getByRole("button", { name: "Import from mail" }).click();
    await page.getByLabel("Report text").fill(eml);
    await page.getByRole("button", { name: "Add as cell" }).click();
    await expect.poll(async () => (await sources(page)).length).toBe(4);
    const marker = GOLDEN.indexOf("---8<--- pcplab scenario");
    expect((await sources(page))[3]).toBe(GOLDEN.slice(GOLDEN.indexOf("\n", marker) + 1, GOLDEN.indexOf("---8<--- pcplab results")));
    expect(foreign(session.requests, session.app.url)).toEqual([]);
  }, 120_000);

  it("runs in a worker per core with progress and Cancel, keeps them warm for the next run, and the page answers meanwhile", async () => {
    const { id, token } = await api<{ id: string; token: string }>(session.app.url, "POST", "/api/notebooks", { example: "irq-rate-sweep" });
    const page = await newPage();
    await holdLink(page, id, token);
    const cell = page.locator("article.cell.scenario").first();
    await cell.locator('.editor[data-ready="true"]').waitFor();
    // One worker per core shares the sweep's 24 runs; Cancel ends them all.
    const started: string[] = [];
    const closed: string[] = [];
    // Engine workers only: Monaco starts its editor worker when it needs
    // it, which on a busy machine can fall in this window.
    page.on("worker", (w) => {
      if (!w.url().endsWith("/engine.worker.js")) return;
      started.push(w.url());
      w.on("close", () => closed.push(w.url()));
    });
    await cell.getByRole("button", { name: "Run", exact: true }).click();
    const progress = cell.getByRole("progressbar", { name: "Run progress" });
    await expect.poll(() => progress.evaluate((el) => (el as HTMLProgressElement).value)).toBeGreaterThan(0);
    const cores = await page.evaluate(() => Math.min(8, navigator.hardwareConcurrency));
    await expect.poll(() => started.length).toBe(cores);
    // The main thread is free: it evaluates and edits while the engine works.
    expect(await page.evaluate(() => 6 * 7)).toBe(42);
    await cell.getByRole("button", { name: "Cancel" }).click();
    await cell.getByRole("button", { name: "Run", exact: true }).waitFor();
    await expect.poll(() => closed.length).toBe(cores);
    expect(await cell.locator("section.output").count()).toBe(0);
    const output = () => page.evaluate(() => (window as unknown as { __pcplab: { cells(): { output: { resultsDigest: string; ranAt: string } | null }[] } }).__pcplab.cells()[1]!.output);
    expect(await output()).toBeNull();

    // Workers that finish stay warm: running again starts none, and gives the same digest.
    await cell.getByRole("button", { name: "Run", exact: true }).click();
    await expect.poll(output, { timeout: 60_000 }).not.toBeNull();
    expect(started.length).toBe(2 * cores);
    const first = (await output())!;
    // While it runs, the last run's charts stay as they are (each progress
    // report re-renders the cell), and each is drawn again once, when the
    // new results arrive.
    const charts = await cell.locator("figure.chart").count();
    expect(charts).toBeGreaterThan(0);
    await expect.poll(() => cell.locator("figure.chart svg").count()).toBe(charts);
    await page.evaluate(() => {
      const w = window as unknown as { svgsAdded: number };
      w.svgsAdded = 0;
      new MutationObserver((records) => {
        for (const r of records) for (const n of r.addedNodes) if (n.nodeName.toLowerCase() === "svg") w.svgsAdded++;
      }).observe(document.body, { childList: true, subtree: true });
    });
    const svgsAdded = () => page.evaluate(() => (window as unknown as { svgsAdded: number }).svgsAdded);
    await cell.getByRole("button", { name: "Run", exact: true }).click();
    await expect.poll(async () => (await output())!.ranAt, { timeout: 60_000 }).not.toBe(first.ranAt);
    await expect.poll(svgsAdded).toBeGreaterThanOrEqual(charts);
    await page.waitForTimeout(500);
    expect(await svgsAdded()).toBe(charts);
    expect(started.length).toBe(2 * cores);
    expect(closed.length).toBe(cores);
    expect((await output())!.resultsDigest).toBe(first.resultsDigest);
  }, 120_000);

  it("says which run overloaded which CPU, instead of growing a worker without end", async () => {
    const { id, token } = await api<{ id: string; token: string }>(session.app.url, "POST", "/api/notebooks", { title: "Overload" });
    const page = await newPage();
    await holdLink(page, id, token);
    // A new notebook's scenario cell, its text replaced.
    const cell = page.locator("article.cell.scenario").first();
    const editor = cell.locator('.editor[data-ready="true"]');
    await editor.waitFor();
    await editor.locator(".view-lines").click();
    await page.keyboard.press("Control+A");
    // An arrival every 10 ns, each needing far more of the CPU than that.
    const overloaded = 'scenario "o" {\n  cpus 1\n  memory 256MiB\n  duration 100ms\n  workload "w" on cpus all {\n    every 10ns\n    alloc order 0 gfp GFP_KERNEL\n    free immediately\n  }\n}\n';
    await paste(page, overloaded);
    await expect.poll(() => sources(page)).toContain(overloaded);
    await cell.getByRole("button", { name: "Run", exact: true }).click();
    const alert = cell.getByRole("alert");
    await expect.poll(() => alert.count(), { timeout: 60_000 }).toBe(1);
    expect(await alert.innerText()).toMatch(/^run irqsave, seed [123]: CPU 0's task context has 100000 pieces of work waiting at [\d.]+ ms: .*Lower their rates/);
    await cell.getByRole("button", { name: "Run", exact: true }).waitFor();
    expect(await cell.locator("section.output").count()).toBe(0);
  }, 90_000);

  it("renders markdown without running any script or handler in it", async () => {
    const { id, token } = await api<{ id: string; token: string }>(session.app.url, "POST", "/api/notebooks", { title: "Hostile markdown" });
    const page = await newPage();
    await holdLink(page, id, token);
    await page.locator('.editor[data-ready="true"]').waitFor();
    await page.evaluate(() => {
      const w = window as unknown as { __pcplab: { insertCell(kind: string, at: number, source: string): string } };
      w.__pcplab.insertCell(
        "markdown",
        0,
        '# Notes\n\n<script>window.__ran = "script"</script>\n\n<img src="x" onerror="window.__ran = \'onerror\'">\n\n[link](javascript:window.__ran="link")\n\n<a href="#" onclick="window.__ran=\'onclick\'">click</a>\n',
      );
    });
    const md = page.locator("article.cell.markdown .markdown");
    await md.waitFor();
    await expect.poll(() => md.innerText()).toContain("<script>");
    expect(await md.locator("script, img, [onerror], [onclick], a[href^='javascript']").count()).toBe(0);
    await md.getByText("click").click();
    await md.getByText("link").first().click();
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as unknown as { __ran?: string }).__ran)).toBeUndefined();
  }, 60_000);
});
