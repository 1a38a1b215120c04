/**
 * The lab ceremony (README line 1's main job) run end to end in a temporary directory, its outputs
 * then checked by tools that are not ours: OpenSSL verifies the CMS signature over root-anchors.xml
 * and the KSK's CSR; ldns-key2ds agrees with the published DS; and the 2027Q1 SKR carries the old
 * KSK revoked in slots 2-8, signed by itself under its recomputed tag, as the real root's 2027 roll.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { isRevoked, keyTag, withoutRevokeBit } from "@ksk/core";
import { parseKsrXml } from "@ksk/ksr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasTool, opensslCmsVerify, runTool } from "./support/tools.js";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const out = path.join(mkdtempSync(path.join(tmpdir(), "ksk-lab-")), "lab-out");
const needed = ["softhsm2-util", "openssl", "ldns-key2ds"].every((t) => hasTool(t));
let run: { status: number | null; stdout: string; stderr: string };

beforeAll(() => {
  if (!needed) return;
  const r = spawnSync("bash", [path.join(root, "ceremony-scripts/lab.sh")], {
    cwd: root,
    env: { ...process.env, KSK_LAB_OUT: out },
    encoding: "utf8",
    // A guard against a hung run, not a timing: the lab makes ~40 ksk processes, slow on a loaded machine.
    timeout: 600_000,
  });
  run = { status: r.status, stdout: r.stdout, stderr: r.stderr };
}, 620_000);
afterAll(() => rmSync(path.dirname(out), { recursive: true, force: true }));

describe.runIf(needed)("the lab ceremony (pnpm lab)", () => {
  it("runs to the end", () => {
    expect(run.status, run.stderr.slice(-2000)).toBe(0);
    expect(run.stdout).toContain("Lab ceremony complete");
    for (const q of ["2026Q3", "2026Q4", "2027Q1"]) expect(run.stdout).toContain(`SKR verified: ${out}/skr-${q}.xml`);
  });

  it("keeps its console log and a README (every file, how to reuse the token) in the output directory", () => {
    const log = readFileSync(path.join(out, "console.log"), "utf8");
    expect(log).toContain("== 1. KSK operator");
    expect(log).toContain("SKR verified: ");
    const readme = readFileSync(path.join(out, "README.txt"), "utf8");
    expect(readme).toContain(`SOFTHSM2_CONF=${out}/softhsm/softhsm2.conf packages/cli/bin/ksk key list --keystore 'pkcs11:token=ksk-lab?`);
    for (const name of ["console.log", "ksrsigner.yaml", "root-anchors.xml", "Klabnxt.csr", "ksks.zone"]) expect(readme).toContain(name);
  });

  it("publishes a root-anchors.p7s that openssl cms -verify -binary accepts with the lab CA", () => {
    const r = opensslCmsVerify({ p7sFile: `${out}/root-anchors.p7s`, contentFile: `${out}/root-anchors.xml`, caFile: `${out}/ca/ca.pem`, purposeAny: true });
    expect(r.status, r.stderr).toBe(0);
  });

  it("publishes DS records that ldns-key2ds computes from the KSKs in the HSM", () => {
    const published = readFileSync(`${out}/root-anchors.ds`, "utf8")
      .trim()
      .split("\n")
      .map((l) => l.split(/\s+/).slice(-4).join(" ").toUpperCase());
    const keys = readFileSync(`${out}/ksks.zone`, "utf8")
      .split("\n")
      .filter((l) => /\sDNSKEY\s/.test(l));
    expect(keys).toHaveLength(2);
    for (const [i, line] of keys.entries()) {
      const file = path.join(out, `k${i}.key`);
      writeFileSync(file, `${line}\n`);
      const ldns = runTool("ldns-key2ds", ["-n", "-2", file]);
      expect(ldns.status).toBe(0);
      expect(published).toContain(ldns.stdout.trim().split(/\s+/).slice(-4).join(" ").toUpperCase());
    }
  });

  it("writes a CSR whose self-signature openssl req -verify accepts", () => {
    const r = runTool("openssl", ["req", "-in", `${out}/Klabnxt.csr`, "-verify", "-noout"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/verify OK/);
  });

  it("refuses to empty an output directory it did not make", () => {
    const foreign = path.join(path.dirname(out), "foreign");
    mkdirSync(foreign);
    writeFileSync(path.join(foreign, "keep.txt"), "keep");
    const r = spawnSync("bash", [path.join(root, "ceremony-scripts/lab.sh")], { cwd: root, env: { ...process.env, KSK_LAB_OUT: foreign }, encoding: "utf8" });
    expect(r.status).toBe(5);
    expect(r.stderr).toMatch(/was not made by the lab job; not deleting it/);
    expect(readFileSync(path.join(foreign, "keep.txt"), "utf8")).toBe("keep");
  });

  it("signs 2027Q1 with the old KSK revoked in slots 2-8, signing its own revocation under its recomputed tag", () => {
    const skr = parseKsrXml(readFileSync(`${out}/skr-2027Q1.xml`)).document;
    for (const [i, bundle] of skr.bundles.entries()) {
      const revoked = bundle.keys.filter((k) => isRevoked(k.dnskey));
      expect(revoked, `slot ${i + 1}`).toHaveLength(i >= 1 && i <= 7 ? 1 : 0);
      for (const r of revoked) {
        expect(bundle.signatures.map((s) => s.rrsig.keyTag)).toContain(keyTag(r.dnskey));
        expect(keyTag(r.dnskey)).not.toBe(keyTag(withoutRevokeBit(r.dnskey)));
      }
    }
  });
});
