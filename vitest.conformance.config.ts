// `npm run conformance`: the model against a real 6.1 kernel under QEMU
// (test/kernel/), apart from `npm test`, which needs nothing but Node.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/kernel/**/*.test.ts"],
    testTimeout: 900_000,
    // Each boot is a QEMU process on every core it can get.
    fileParallelism: false,
  },
});
