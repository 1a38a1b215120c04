/**
 * The one lab CA (`ksk ca` and the compressed rehearsal): the CA and signer it writes are what
 * openssl accepts for S/MIME signing, keys are 0600, the CA reads back from its directory, and an
 * existing file is refused before any key is made (replaced only with force, and only a regular
 * file). Serial numbers are positive and 16 octets (RFC 5280 §4.1.2.2).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { KskError } from "@ksk/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hasTool, runTool } from "../../../test/support/tools.js";
import { certificateSerial, initLabCa, issueLabSigner, loadLabCa } from "../src/index.js";

const NOW = 1_767_225_600; // 2026-01-01T00:00:00Z
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "ksk lab-ca "));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(KskError);
    return `${(e as KskError).kind}/${(e as KskError).code}`;
  }
  return "no error";
}

describe("the lab CA", () => {
  it("makes a CA and a signer openssl verifies for S/MIME signing, keys 0600, the CA read back from its directory", async () => {
    const ca = await initLabCa({ dir, nowEpochSeconds: NOW, validitySeconds: 86400, force: false });
    const signer = await issueLabSigner({ dir, nowEpochSeconds: NOW, validitySeconds: 86400, force: false });
    expect(readdirSync(dir).sort()).toEqual(["ca.key", "ca.pem", "signer.key", "signer.pem"]);
    for (const key of [ca.keyFile, signer.keyFile]) expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(signer.email).toBe("dnssec@iana.org");
    const loaded = await loadLabCa(dir);
    expect(loaded.certificateDer).toEqual(ca.certificateDer);
    expect(loaded.signer.subjectPublicKeyInfoDer).toEqual(ca.signer.subjectPublicKeyInfoDer);
    if (hasTool("openssl")) {
      const verify = runTool("openssl", ["verify", "-attime", String(NOW), "-purpose", "smimesign", "-CAfile", ca.certFile, signer.certFile]);
      expect(verify.status, verify.stderr).toBe(0);
      const late = runTool("openssl", ["verify", "-attime", String(NOW + 2 * 86400), "-CAfile", ca.certFile, signer.certFile]);
      expect(late.status).not.toBe(0);
    }
  });

  it("refuses an existing output before making a key; force replaces a regular file but never a symbolic link", async () => {
    writeFileSync(path.join(dir, "ca.pem"), "old\n");
    expect(await codeOf(initLabCa({ dir, nowEpochSeconds: NOW, validitySeconds: 86400, force: false }))).toBe("refused/OUTPUT-EXISTS");
    expect(readdirSync(dir)).toEqual(["ca.pem"]);
    await initLabCa({ dir, nowEpochSeconds: NOW, validitySeconds: 86400, force: true });
    expect(readFileSync(path.join(dir, "ca.pem"), "utf8")).toMatch(/^-----BEGIN CERTIFICATE-----/);
    symlinkSync("/etc/hostname", path.join(dir, "signer.pem"));
    expect(await codeOf(issueLabSigner({ dir, nowEpochSeconds: NOW, validitySeconds: 86400, force: true }))).toBe("refused/OUTPUT-NOT-REGULAR");
    expect(readdirSync(dir).sort()).toEqual(["ca.key", "ca.pem", "signer.pem"]);
  });

  it("says which file is missing or not a key when there is no CA to issue from", async () => {
    expect(await codeOf(issueLabSigner({ dir, nowEpochSeconds: NOW, validitySeconds: 86400, force: false }))).toBe("input/INPUT-UNREADABLE");
    const ca = await initLabCa({ dir, nowEpochSeconds: NOW, validitySeconds: 86400, force: false });
    writeFileSync(ca.keyFile, "not a key\n");
    expect(await codeOf(loadLabCa(dir))).toBe("input/KEY-UNREADABLE");
  });

  it("draws positive 16-octet serial numbers that differ", () => {
    const serials = Array.from({ length: 64 }, certificateSerial);
    for (const s of serials) {
      expect(s.length).toBe(16);
      expect((s[0] as number) & 0x80).toBe(0);
      expect(s[0]).not.toBe(0);
    }
    expect(new Set(serials.map((s) => Buffer.from(s).toString("hex"))).size).toBe(64);
  });
});
