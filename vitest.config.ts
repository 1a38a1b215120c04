import { readFileSync } from "node:fs";
import { defineConfig } from "vitest/config";

const cliVersion = (JSON.parse(readFileSync(new URL("./packages/cli/package.json", import.meta.url), "utf8")) as { version: string }).version;

export default defineConfig({
  // In-process tests see the version the build defines into the bundle (packages/cli/src/version.ts).
  define: { KSK_BUILD_VERSION: JSON.stringify(cliVersion) },
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
    // Tests that spawn `ksk` run the bundle: build it when stale, once per run.
    globalSetup: ["./test/support/build-cli.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // SoftHSM, servers and the DNS oracles are real processes; forks isolate native addons.
    pool: "forks",
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
