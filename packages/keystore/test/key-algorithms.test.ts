/**
 * The DigestInfo prefixes used with a raw CKM_RSA_PKCS (RFC 8017 §9.2 note 1): a PKCS#1 v1.5
 * private-key operation over prefix || H(data) must equal OpenSSL's RSASSA-PKCS1-v1_5 signature.
 * Also the key sizes and curves keyFamilyFor accepts and refuses.
 */
import { constants, createHash, generateKeyPairSync, privateEncrypt, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DIGEST_INFO_PREFIX, keyFamilyFor } from "../src/index.js";

describe("DigestInfo prefixes (RFC 8017 §9.2)", () => {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const data = Buffer.from("DNSKEY RRset signed data");
  for (const hash of ["sha256", "sha512"] as const) {
    it(`${hash}: prefix || digest under PKCS#1 v1.5 padding equals OpenSSL's signature`, () => {
      const block = Buffer.concat([DIGEST_INFO_PREFIX[hash], createHash(hash).update(data).digest()]);
      const raw = privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, block);
      expect(raw.equals(sign(hash, data, privateKey))).toBe(true);
      // The other hash's prefix gives a different signature: the test can fail.
      const other = hash === "sha256" ? "sha512" : "sha256";
      const wrong = privateEncrypt(
        { key: privateKey, padding: constants.RSA_PKCS1_PADDING },
        Buffer.concat([DIGEST_INFO_PREFIX[other], createHash(hash).update(data).digest()]),
      );
      expect(wrong.equals(sign(hash, data, privateKey))).toBe(false);
    });
  }
});

describe("keyFamilyFor", () => {
  it("offers RSA 2048/3072/4096 for algorithms 8 and 10, default 2048", () => {
    expect(keyFamilyFor(8)).toEqual({ kind: "RSA", hash: "sha256", modulusBits: 2048 });
    expect(keyFamilyFor(10, 4096)).toEqual({ kind: "RSA", hash: "sha512", modulusBits: 4096 });
    expect(() => keyFamilyFor(8, 1024)).toThrow(/1024 bits not offered/);
    expect(() => keyFamilyFor(8, 8192)).toThrow(/not offered/);
  });
  it("gives the curve of 13-16 and refuses a --bits that does not match it", () => {
    expect(keyFamilyFor(13)).toMatchObject({ kind: "EC", curve: "P-256" });
    expect(keyFamilyFor(14, 384)).toMatchObject({ kind: "EC", curve: "P-384" });
    expect(keyFamilyFor(15)).toMatchObject({ kind: "EdDSA", curve: "Ed25519" });
    expect(keyFamilyFor(16)).toMatchObject({ kind: "EdDSA", curve: "Ed448" });
    expect(() => keyFamilyFor(13, 2048)).toThrow(/does not apply/);
  });
  it("refuses deprecated and unknown algorithms", () => {
    expect(() => keyFamilyFor(5)).toThrow(/deprecated/);
    expect(() => keyFamilyFor(99)).toThrow(/unknown/);
  });
});
