import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // SoftHSM, servers and the DNS oracles are real processes; forks isolate native addons.
    pool: "forks",
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
