/**
 * The software keystore's Signer on worker threads (`signer(label, { threads })`): the same
 * signatures as on one thread (RSA PKCS#1 v1.5 is deterministic), each verifying with the DNSKEY,
 * answers matched to their requests under concurrency, and refusal once the keystore is closed;
 * each thread verifies its signatures with the DNSKEY's public key and answers "not verified" for
 * one that does not verify (another key's, a wrong length), which the Signer refuses.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { algorithmInfo, decodeRsaPublicKey, verifierKey } from "@ksk/core";
import { openSoftwareKeystore } from "@ksk/keystore";
import { afterAll, describe, expect, it } from "vitest";
import { testSigner } from "../../../test/support/soft-signer.js";
import { signingPool } from "../src/signing-pool.js";
import { verifiedSigner } from "../src/verified-signer.js";

const dir = mkdtempSync(path.join(tmpdir(), "ksk-pool-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("signing on worker threads", () => {
  it("gives the single-thread signatures, in request order, for RSA and ECDSA keys", async () => {
    const keystore = await openSoftwareKeystore({
      uriText: `file:${dir}`,
      directory: dir,
      passphrase: async () => "pool test",
      scrypt: { log2N: 14, r: 8, p: 1 },
    });
    try {
      await keystore.generate({ label: "rsa", algorithm: 8, rsaModulusBits: 2048, flags: 256 });
      await keystore.generate({ label: "ec", algorithm: 13, flags: 256 });
      const messages = Array.from({ length: 40 }, (_, i) => new TextEncoder().encode(`RRset ${i}`));
      const rsaOne = await keystore.signer("rsa");
      const rsaTwo = await keystore.signer("rsa", { threads: 2 });
      const threaded = await Promise.all(messages.map((m) => rsaTwo.sign(m)));
      for (const [i, m] of messages.entries()) expect(Buffer.from(threaded[i] as Uint8Array).equals(Buffer.from(await rsaOne.sign(m)))).toBe(true);
      const ec = await keystore.signer("ec", { threads: 2 });
      const ecSignatures = await Promise.all(messages.map((m) => ec.sign(m)));
      for (const [i, m] of messages.entries()) expect(algorithmInfo(13).verify(ec.dnskey.publicKeyBytes, m, ecSignatures[i] as Uint8Array)).toBe(true);
      await keystore.close();
      await expect(rsaTwo.sign(messages[0] as Uint8Array)).rejects.toMatchObject({ kind: "keystore", code: "KEYSTORE-CLOSED" });
    } finally {
      await keystore.close();
    }
  });
});

describe("the signing threads verify each signature before answering", () => {
  for (const algorithm of [8, 13] as const) {
    it(`algorithm ${algorithm}: a signature that verifies with the DNSKEY's key is returned; one that does not is refused`, async () => {
      const mine = testSigner({ algorithm });
      const other = testSigner({ algorithm });
      const data = new TextEncoder().encode("the signed data of an RRset");
      const good = signingPool({ key: mine.privateKey, verification: verifierKey(mine.dnskey), threads: 1, label: "good" });
      // The private key of one key, the DNSKEY of another: every signature fails the check.
      const wrong = signingPool({ key: other.privateKey, verification: verifierKey(mine.dnskey), threads: 1, label: "wrong" });
      try {
        const result = await good.sign(data);
        expect(result.verified).toBe(true);
        if (result.verified) expect(algorithmInfo(algorithm).verify(mine.dnskey.publicKeyBytes, data, result.signature)).toBe(true);
        expect(await wrong.sign(data)).toEqual({ verified: false });
        const signer = verifiedSigner("Kwrong", "test", mine.dnskey, { signChecked: (d) => wrong.sign(d) }, () => true);
        expect(signer.verifiedBeforeReturn).toBe(true);
        await expect(signer.sign(data)).rejects.toMatchObject({ kind: "keystore", code: "SIGNATURE-NOT-VERIFIED" });
      } finally {
        await good.close();
        await wrong.close();
      }
    });
  }

  it("RSA: a signature of another length than the modulus is refused (RFC 3110 §3)", async () => {
    const mine = testSigner({ algorithm: 8 });
    const octets = decodeRsaPublicKey(mine.dnskey.publicKeyBytes).modulusBytes.length;
    const pool = signingPool({ key: mine.privateKey, verification: { ...verifierKey(mine.dnskey), signatureOctets: octets + 1 }, threads: 1, label: "len" });
    try {
      expect(await pool.sign(new Uint8Array([1, 2, 3]))).toEqual({ verified: false });
    } finally {
      await pool.close();
    }
  });
});
