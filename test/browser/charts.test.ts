// A run's table and charts at 800 px wide, in a real Chromium against the
// real server: the page never scrolls sideways, a wide table scrolls in its
// own box, sweep values read as the scenario writes them, and the reader
// picks the sweep value the per-value charts show.
import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { api } from "../support/app-process.ts";
import { browserSession, foreign } from "../support/browser.ts";

const session = browserSession();

async function narrowPage(): Promise<Page> {
  const ctx = await session.browser.newContext({ viewport: { width: 800, height: 900 } });
  ctx.on("request", (r) => session.requests.push(r.url()));
  const page = await ctx.newPage();
  page.on("pageerror", (e) => console.error("page error:", e.message));
  return page;
}

/** Opens a notebook made from a shipped example, runs its scenario cell and
 * waits for `charts` drawn charts. */
async function runExample(page: Page, example: string, charts: number): Promise<Locator> {
  const { id, token } = await api<{ id: string; token: string }>(session.app.url, "POST", "/api/notebooks", { example });
  await page.goto(`${session.app.url}/notebook/${id}#share=${token}`);
  await page.waitForURL((u) => u.hash === "");
  const cell = page.locator("article.cell.scenario").first();
  await cell.locator('.editor[data-ready="true"]').waitFor();
  await cell.getByRole("button", { name: "Run", exact: true }).click();
  await expect.poll(() => cell.locator("figure.chart svg").count(), { timeout: 90_000 }).toBe(charts);
  return cell;
}

/** Whether the page itself scrolls sideways. */
const pageScrollsSideways = (page: Page) => page.evaluate(() => document.scrollingElement!.scrollWidth > document.scrollingElement!.clientWidth);

/** The text of every label a chart's SVG shows (Vega keeps the labels it
 * hides for overlap, at opacity 0). */
const svgTexts = (figure: Locator) =>
  figure.locator("svg text").evaluateAll((els) => els.filter((el) => el.getAttribute("opacity") !== "0").map((el) => el.textContent ?? ""));

describe("charts and tables at 800 px", () => {
  it("a sweep: values in the scenario's units, no sideways page scroll, the table scrolls in its box, a picker for the sweep value", async () => {
    const page = await narrowPage();
    const cell = await runExample(page, "irq-rate-sweep", 4);
    const values = ["1k/s", "10k/s", "50k/s", "100k/s"];
    // Eight columns of numbers: the widest table a shipped example makes.
    expect(await pageScrollsSideways(page)).toBe(false);

    // The table: variants in the scenario's order, then the sweep values as written.
    const table = cell.getByRole("table", { name: "Summary of headline metrics" });
    const heads = (await table.locator("thead th").allTextContents()).map((t) => t.trim());
    expect(heads).toEqual(["metric", "irqsave", "trylock", ...values, ...values]);
    expect(await table.innerText()).not.toContain("@");
    const wait = table.locator("tbody tr", { hasText: "zone->lock wait, total" });
    for (const td of await wait.locator("td").allTextContents()) expect(td).toMatch(/^\d[\d.,]* (ns|us|ms|s)( ±[\d.,]+ (ns|us|ms|s))?$/);
    expect(await table.locator("tbody tr", { hasText: "pcp fallback rate" }).locator("td").first().innerText()).toMatch(/%/);

    // Nothing scrolls sideways but the table's own box.
    const region = cell.getByRole("region", { name: "Summary table" });
    const box = await region.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(box.scroll).toBeGreaterThan(box.client);
    await region.evaluate((el) => (el.scrollLeft = 80));
    expect(await region.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
    expect(await pageScrollsSideways(page)).toBe(false);
    for (const figure of await cell.locator("figure.chart").all()) {
      expect(await figure.evaluate((el) => el.getBoundingClientRect().right)).toBeLessThanOrEqual(800);
    }

    // The sweep chart's axis reads 1k/s ... 100k/s on a log scale.
    const sweep = cell.getByRole("figure", { name: 'Headline metrics against "nic-rx".rate' });
    const sweepLabels = await svgTexts(sweep);
    for (const v of values) expect(sweepLabels).toContain(v);
    expect(sweepLabels).toContain('"nic-rx".rate (log scale)');

    // The per-value charts start at the first value; each value can be picked.
    const picker = cell.getByRole("combobox", { name: "Sweep value shown" });
    expect(await picker.locator("option").allTextContents()).toEqual(values);
    const perValue = ["pcp fallbacks and zone->lock contentions per second", "Headline metrics per variant", "IRQ and allocation latency percentiles"];
    const shown = async (label: string) => {
      for (const name of perValue) await expect.poll(() => cell.getByRole("figure", { name: `${name} at "nic-rx".rate = ${label}`, exact: true }).locator("svg").count()).toBe(1);
    };
    await shown("1k/s");
    const latency = cell.locator("figure.chart").last();
    const drawn: string[] = [];
    for (const v of [...values.slice(1), values[0]!]) {
      await picker.selectOption({ label: v });
      await shown(v);
      await expect.poll(async () => (await svgTexts(latency)).join("|")).not.toBe(drawn.at(-1));
      drawn.push((await svgTexts(latency)).join("|"));
    }
    // Different values, different numbers: the latency bars move with the rate.
    expect(new Set(drawn).size).toBeGreaterThan(1);
    expect(await pageScrollsSideways(page)).toBe(false);
    expect(foreign(session.requests, session.app.url)).toEqual([]);
  }, 180_000);

  it("a comparison: no picker, no sideways scroll, and the caption explains the contention spike at t = 0", async () => {
    const page = await narrowPage();
    const cell = await runExample(page, "nic-rx-irq-alloc", 3);
    expect(await cell.getByRole("combobox", { name: "Sweep value shown" }).count()).toBe(0);
    const heads = (await cell.getByRole("table", { name: "Summary of headline metrics" }).locator("thead th").allTextContents()).map((t) => t.trim());
    expect(heads).toEqual(["metric", "irqsave", "trylock"]);
    expect(await pageScrollsSideways(page)).toBe(false);
    const series = cell.getByRole("figure", { name: "pcp fallbacks and zone->lock contentions per second", exact: true });
    expect(await series.locator("figcaption").innerText()).toMatch(/no warmup, so every CPU's pcp lists start empty.*spike at t = 0.*warmup 5ms/);
    // The legend lists the base variant first.
    const legend = (await svgTexts(series)).filter((t) => t === "irqsave" || t === "trylock");
    expect(legend).toEqual(["irqsave", "trylock"]);
    for (const figure of await cell.locator("figure.chart").all()) {
      expect(await figure.evaluate((el) => el.getBoundingClientRect().right)).toBeLessThanOrEqual(800);
    }
  }, 120_000);

  it("runs that crashed: the table counts them and takes perf values from the complete runs, the charts say so", async () => {
    const page = await narrowPage();
    // scenarios/v2-list-corruption.scn: trylock-v2 crashes in seeds 2 to 5.
    const cell = await runExample(page, "v2-list-corruption", 3);
    const table = cell.getByRole("table", { name: "Summary of headline metrics" });
    const crashed = table.locator("tbody tr", { hasText: "runs crashed" });
    expect((await crashed.locator("td").allTextContents()).map((t) => t.trim())).toEqual(["4 of 5", "0 of 5", "0 of 5"]);
    const p99 = table.locator("tbody tr", { hasText: "allocation latency, p99" }).locator("td").first();
    expect(await p99.getAttribute("title")).toBe("over 1 of 5 runs");
    const bars = cell.getByRole("figure", { name: "Headline metrics per variant", exact: true });
    expect(await bars.locator("figcaption").innerText()).toContain("trylock-v2: 4 of 5 runs crashed (dmesg.list_del_corruption), its values are from the 1 complete run.");
    // The first crash's oops, as the mail report prints it.
    const log = cell.getByRole("alert", { name: "Kernel log" });
    expect(await log.locator("h4").innerText()).toBe("Kernel log");
    expect(await log.locator("pre").innerText()).toMatch(/^trylock-v2, seed 2, crashed at [\d.]+ ms:\n {2}list_del corruption\. [^]*\n {2}RIP: __list_del_entry_valid\n {2}Call Trace:\n {3}<IRQ>\n {3}free_unref_page_list\n/);
  }, 120_000);
});
