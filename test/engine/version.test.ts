import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { ENGINE_VERSION } from "../../lib/engine/index.ts";

it("names the package version", () => {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  expect(ENGINE_VERSION).toBe(`pcplab ${pkg.version}`);
});
