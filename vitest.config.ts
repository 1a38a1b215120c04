import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // SoftHSM and the DNS oracles are real processes; two cores, so keep files serialised per worker.
    pool: "forks",
  },
});
