/**
 * `ksk zone sign` with the ZSKs in a PKCS#11 token (SoftHSM2, a real module, no mock): the keystore
 * finds the bundle's signing ZSK by its public key, signs in the token (on --threads' default of
 * two signing threads, a session each: test/zone-sign-softhsm.test.ts), and the zone validates.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openKeystore } from "@ksk/keystore";
import { writeKsrXml } from "@ksk/ksr";
import { afterAll, describe, expect, it } from "vitest";
import { labSkr } from "../../../test/support/lab-skr.js";
import { createSoftHsmToken } from "../../../test/support/softhsm.js";
import { testSigner } from "../../../test/support/soft-signer.js";
import { hasTool } from "../../../test/support/tools.js";
import { SMALL_ROOT, SOA_TEXT } from "../../zone/test/lab-root.js";
import { ksk } from "./harness.js";

const dir = mkdtempSync(path.join(tmpdir(), "ksk-zone-hsm-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.runIf(hasTool("softhsm2-util"))("ksk zone sign with ZSKs in SoftHSM2", () => {
  it("signs with the token's current ZSK and the zone validates", async () => {
    const token = createSoftHsmToken({ label: "zsk-lab" });
    try {
      const keystore = await openKeystore(token.uri(), { env: token.env, pin: token.pin });
      const ksk13 = testSigner({ algorithm: 13, flags: 257, label: "lab-ksk" });
      try {
        const zsks = [];
        for (const label of ["zsk-retiring", "zsk-current", "zsk-next"]) {
          await keystore.generate({ label, algorithm: 13, flags: 256 });
          zsks.push(await keystore.signer(label));
        }
        const skr = await labSkr({ zsks, ksk: ksk13, quarter: "2027Q1", nowEpochSeconds: Date.UTC(2026, 10, 1) / 1000 });
        writeFileSync(path.join(dir, "skr.xml"), writeKsrXml(skr));
      } finally {
        await keystore.close();
      }
      writeFileSync(path.join(dir, "lab.zone"), SMALL_ROOT);
      writeFileSync(path.join(dir, "ksk.dnskey"), `. 172800 IN DNSKEY 257 3 13 ${Buffer.from(ksk13.dnskey.publicKeyBytes).toString("base64")}\n`);
      const output = path.join(dir, "lab.signed.zone");
      const at = "2027-02-03T00:00:00Z";
      const r = await ksk(
        [
          "zone",
          "sign",
          path.join(dir, "lab.zone"),
          "--keystore",
          token.uri(),
          "--pin-file",
          token.pinFile,
          "--skr",
          path.join(dir, "skr.xml"),
          "--at",
          at,
          "--soa",
          SOA_TEXT,
          "-o",
          output,
        ],
        { env: token.env },
      );
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("ZSK zsk-current (");
      const v = await ksk(["zone", "verify", output, "--anchor", path.join(dir, "ksk.dnskey"), "--at", at]);
      expect(v.stdout).toMatch(/^valid: .* 0 problems\n$/);
      expect(v.code).toBe(0);
    } finally {
      token.cleanup();
    }
  });
});
