import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The kernel conformance suite boots QEMU: `npm run conformance`.
    exclude: ["test/kernel/**", "**/node_modules/**"],
    testTimeout: 60_000,
    globalSetup: ["test/support/global-setup.ts"],
    // Browser and server tests wait for what a person would wait for; a
    // loaded CI machine may take longer than poll's default second. Tests
    // that promise a bound (typing seen within a second) pass their own.
    expect: { poll: { timeout: 15_000, interval: 50 } },
  },
});
