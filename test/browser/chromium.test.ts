// The Chromium npm carries (@sparticuz/chromium) is what the browser tests
// fall back to on a machine without a system Chromium: it must unpack,
// start under playwright-core with the tests' own arguments, and run a
// Web Worker, as the notebook's engine needs. Checked here even where a
// system Chromium is installed, so the fallback never rots unseen.
import packaged from "@sparticuz/chromium";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { BROWSER_ARGS } from "../support/browser.ts";

describe("the packaged Chromium", () => {
  it("starts and runs a Web Worker", async () => {
    const browser = await chromium.launch({ executablePath: await packaged.executablePath(), args: BROWSER_ARGS });
    try {
      const page = await browser.newPage();
      await page.setContent("<title>waiting</title>");
      const answer = await page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const worker = new Worker(URL.createObjectURL(new Blob(["onmessage = (e) => postMessage(e.data * 7)"], { type: "text/javascript" })));
            worker.onmessage = (e) => resolve(e.data as number);
            worker.postMessage(6);
          }),
      );
      expect(answer).toBe(42);
      expect(browser.version()).toMatch(/^\d+\./);
    } finally {
      await browser.close();
    }
  });
});
