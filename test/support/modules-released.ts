/**
 * vitest set-up for the projects whose files run one after another in a shared child process
 * (`isolate: false` on forks): each file must release every PKCS#11 module it initialised. A module
 * left initialised keeps the SOFTHSM2_CONF of the file that opened it, and the next file to open
 * it with its own token directory would fail with PKCS11-MODULE-BUSY; this fails the file that
 * left it instead, whatever order the files run in.
 */
import { afterAll, expect } from "vitest";
import { initialisedModulePaths } from "../../packages/keystore/src/pkcs11-module.js";

afterAll(() => {
  expect(initialisedModulePaths(), "PKCS#11 modules this test file left initialised").toEqual([]);
});
