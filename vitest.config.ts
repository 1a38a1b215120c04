import { readFileSync } from "node:fs";
import { configDefaults, defineConfig } from "vitest/config";

const cliVersion = (JSON.parse(readFileSync(new URL("./packages/cli/package.json", import.meta.url), "utf8")) as { version: string }).version;

/**
 * The test tiers: this file is the one place that says which test runs in which (README.md
 * "Development", docs/architecture.md "Tests"). `pnpm test` runs unit and system; `pnpm check`
 * (what CI runs) and `pnpm test:all` run every tier, lab included.
 *
 * - unit: each package's own tests (packages/NAME/test), in-process, on worker threads. The files
 *   in UNIT_OWN_PROCESS run in child processes instead: SoftHSM2 reads SOFTHSM2_CONF from the
 *   process environment at C_Initialize, so two files with their own tokens cannot hold the module
 *   in one process at once, and a worker thread cannot set the umask.
 * - system: test/ — the built `ksk` as a process, prompts through a pty, the real checkers.
 * - lab: the system tests that take minutes on a quiet two-core machine, or most of one: whole
 *   lab jobs, ceremonies and rollovers, live knotd and unbound servers, hundreds of hostile or
 *   killed processes, property fuzzing, the real-sized root through three validators, inputs at the
 *   readers' size limits, headless Chromium. Measured: the resolver labs start knotd and unbound
 *   and wait on them; zone-oracles, ceremony-run, skr-sign-softhsm and hsm-faults took 9–15 CPU
 *   seconds each (a file run alone), every file left in `system` 2–8. knot-offline-ksk and
 *   telemetry-lab run knotd and unbound; zone-input-limits loads zones up to the 64 MiB cap and the
 *   heap's, xml-limits a KSR of 60,000 signers and one of 1 MiB. lab-lost-hsm runs the lost-HSM
 *   rehearsal (two ceremonies: 30 s to 2 min measured, by load); custody drives two SoftHSM
 *   facilities through ksk processes (24 s alone, 12 CPU seconds); ceremony-output runs the lab
 *   twice, quietly and with --verbose (33 s). hsm-log-ceremony and integrity-act run a ceremony
 *   each (5–6 s); the report screenshots and the printed script start Chromium (6–14 s);
 *   build-reproducible builds the bundle twice (9–17 s).
 *   The lab runs after the other tiers, one file at a time, as the whole suite used to: its
 *   files time real servers and kill processes at chosen moments.
 *
 * The child processes of unit-process and system are reused from file to file (`isolate: false`):
 * a fresh process and module graph per file cost about a quarter of `pnpm test`'s CPU time
 * (measured: some 50 of 190 CPU seconds on the two-core machine). A file leaves
 * nothing behind for the next: test/support/modules-released.ts fails a file that keeps a PKCS#11
 * module initialised, servers are stopped by PID in each file's own hooks, and the one file that
 * sets the umask restores it.
 */
const LAB = [
  "test/lab-job.test.ts",
  "test/ceremony-output.test.ts",
  "test/lab-rollover.test.ts",
  "test/rollover-live.test.ts",
  "test/kill-outputs.test.ts",
  "test/hostile/**/*.test.ts",
  "test/fuzz/**/*.test.ts",
  "test/resolver-lab.test.ts",
  "test/zone-resolver-lab.test.ts",
  "test/zone-oracles.test.ts",
  "test/ceremony-run.test.ts",
  "test/skr-sign-softhsm.test.ts",
  "test/hsm-faults.test.ts",
  "test/knot-offline-ksk.test.ts",
  "test/telemetry-lab.test.ts",
  "test/zone-input-limits.test.ts",
  "test/lab-lost-hsm.test.ts",
  "test/custody.test.ts",
  "test/zone-sign-softhsm.test.ts",
  "test/xml-limits.test.ts",
  "test/report-screenshot.test.ts",
  "test/ceremony-script-pdf.test.ts",
  "test/build-reproducible.test.ts",
  "test/hsm-log-ceremony.test.ts",
  "test/integrity-act.test.ts",
  // Package tests too heavy for the unit tier's minute: a differential fuzz of 48,000 cases; the
  // real root signed in-process and validated by both models, good and damaged; and the resolver
  // package's three files that start knotd and unbound on loopback and wait on them (3–6 s each).
  "packages/core/test/wire-text-fuzz.test.ts",
  "packages/zone/test/real-root.test.ts",
  "packages/resolver/test/lab.test.ts",
  "packages/resolver/test/check-lab.test.ts",
  "packages/resolver/test/bufsize-lab.test.ts",
];

const UNIT_OWN_PROCESS = [
  "packages/files/test/atomic-file.test.ts",
  "packages/keystore/test/pkcs11-log.test.ts",
  "packages/keystore/test/pkcs11-mechanism.test.ts",
  "packages/keystore/test/pkcs11-softhsm.test.ts",
  "packages/keystore/test/pkcs11-signing-pool.test.ts",
  "packages/cli/test/anchors.test.ts",
  "packages/cli/test/csr.test.ts",
  "packages/cli/test/hsm.test.ts",
  "packages/cli/test/key.test.ts",
  "packages/cli/test/keystore-args.test.ts",
  "packages/cli/test/ksr.test.ts",
  "packages/cli/test/zone-softhsm.test.ts",
  "packages/keygen/test/generate.test.ts",
];

export default defineConfig({
  // In-process tests see the version the build defines into the bundle (packages/cli/src/version.ts).
  define: { KSK_BUILD_VERSION: JSON.stringify(cliVersion) },
  test: {
    // Tests that spawn `ksk` run the bundle: build it when stale, once per run.
    globalSetup: ["./test/support/build-cli.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two files at a time: vitest's default on a two-core machine is one, which leaves a core idle
    // while a test waits for the processes it started.
    maxWorkers: 2,
    // New software-keystore keys at scrypt 2^14 instead of 2^17 (packages/keystore/src/open.ts);
    // packages/keystore/test/software.test.ts checks the default.
    env: { KSK_SCRYPT_LOG2N: "14" },
    reporters: ["default", "./test/support/summary-reporter.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["packages/*/test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...UNIT_OWN_PROCESS, ...LAB],
          pool: "threads",
          isolate: false,
        },
      },
      {
        extends: true,
        test: { name: "unit-process", include: UNIT_OWN_PROCESS, pool: "forks", isolate: false, setupFiles: ["./test/support/modules-released.ts"] },
      },
      // SoftHSM, servers and the DNS oracles are real processes; pkcs11js loads in these child
      // processes, never in the unit threads' shared one.
      {
        extends: true,
        test: {
          name: "system",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...LAB],
          pool: "forks",
          isolate: false,
          setupFiles: ["./test/support/modules-released.ts"],
        },
      },
      { extends: true, test: { name: "lab", include: LAB, pool: "forks", maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
