/**
 * RFC 5702 §6.1 (RSA/SHA-256, key tag 9033) and §6.2 (RSA/SHA-512, key tag 3740); vectors in
 * rfc5702-rsasha.json. RSASSA-PKCS1-v1_5 is deterministic, so re-signing the RFC's record with the
 * RFC's private key over `rrsigSignedData` must give the RFC's signature byte for byte: that proves
 * the signed-data builder, not just the verifier.
 */
import { createHash, createPrivateKey, sign as nodeSign } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  algorithmInfo,
  base64ToBytes,
  bytesToBase64,
  bytesToHex,
  checkTrustableKey,
  decodeRsaPublicKey,
  encodeRsaPublicKey,
  keyTag,
  makeDs,
  rrsigSignedData,
  verifyRrsig,
} from "../src/index.js";
import { type SignatureExample, exampleRecords, expectInputError, insideWindow, itRejectsTamperedExample, readVector } from "./helpers.js";

const { examples } = readVector<{ examples: SignatureExample[] }>("rfc5702-rsasha.json");

function privateKeyOf(ex: SignatureExample) {
  const b64u = (field: string) => Buffer.from(String(ex.privateKey[field]), "base64").toString("base64url");
  return createPrivateKey({
    format: "jwk",
    key: {
      kty: "RSA",
      n: b64u("modulus"),
      e: b64u("publicExponent"),
      d: b64u("privateExponent"),
      p: b64u("prime1"),
      q: b64u("prime2"),
      dp: b64u("exponent1"),
      dq: b64u("exponent2"),
      qi: b64u("coefficient"),
    },
  });
}

for (const ex of examples) {
  const hash = ex.rrsig.algorithm === 8 ? "sha256" : "sha512";
  describe(`${ex.source} (${ex.algorithmName}, key tag ${ex.keyTag})`, () => {
    const { key, rrset, rrsig } = exampleRecords(ex);

    it("computes the RFC's key tag", () => {
      expect(keyTag(key.rdata)).toBe(ex.keyTag);
      expect(rrsig.rdata.keyTag).toBe(ex.keyTag);
    });

    it("decodes the RFC 3110 key: exponent 65537 and the private key's modulus", () => {
      const rsa = decodeRsaPublicKey(key.rdata.publicKeyBytes);
      expect(bytesToHex(rsa.exponentBytes)).toBe("010001");
      expect(bytesToBase64(rsa.modulusBytes)).toBe(ex.privateKey.modulus);
      expect(encodeRsaPublicKey(rsa)).toEqual(key.rdata.publicKeyBytes);
      expect(algorithmInfo(ex.rrsig.algorithm).describeKey(key.rdata.publicKeyBytes).sizeBits).toBe(ex.rrsig.algorithm === 8 ? 512 : 1024);
    });

    it("computes DS digests 1, 2, 4 as cross-checked with ldns-key2ds", () => {
      const ds = ex.computedNotInRfc?.ds;
      expect(bytesToHex(makeDs(key.owner, key.rdata, 1).digestBytes, true)).toBe(ds?.sha1);
      expect(bytesToHex(makeDs(key.owner, key.rdata, 2).digestBytes, true)).toBe(ds?.sha256);
      expect(bytesToHex(makeDs(key.owner, key.rdata, 4).digestBytes, true)).toBe(ds?.sha384);
    });

    it("builds the signed data of RFC 4034 §3.1.8.1", () => {
      expect(bytesToHex(rrsigSignedData(rrsig.rdata, rrset), true)).toBe(ex.signedDataHex);
    });

    it("re-signing with the RFC's private key reproduces the RFC's signature byte for byte", () => {
      const signature = nodeSign(hash, rrsigSignedData(rrsig.rdata, rrset), privateKeyOf(ex));
      expect(bytesToBase64(new Uint8Array(signature))).toBe(ex.rrsig.signature);
      expect(new Uint8Array(signature)).toEqual(base64ToBytes(ex.rrsig.signature));
    });

    it("verifies the RFC's RRSIG inside its window", () => {
      const verdict = verifyRrsig(rrset, rrsig, [key], insideWindow(ex));
      expect(verdict.status).toBe("valid");
      expect(verdict.key).toBe(key);
    });

    it("does not verify under the other RSA algorithm's hash", () => {
      const other = algorithmInfo(ex.rrsig.algorithm === 8 ? 10 : 8);
      expect(other.verify(key.rdata.publicKeyBytes, rrsigSignedData(rrsig.rdata, rrset), rrsig.rdata.signatureBytes)).toBe(false);
    });

    itRejectsTamperedExample(ex);
  });
}

describe("RSA public key field (RFC 3110 §2)", () => {
  const key = exampleRecords(examples[0] as SignatureExample).key.rdata.publicKeyBytes;

  it("refuses a key that is too short or whose exponent leaves no modulus", () => {
    expectInputError(() => decodeRsaPublicKey(new Uint8Array([1, 3])), "DNSKEY-RSA-KEY", "too short");
    expectInputError(() => decodeRsaPublicKey(new Uint8Array([3, 1, 0, 1])), "DNSKEY-RSA-KEY", "exponent length 3");
    expectInputError(() => decodeRsaPublicKey(new Uint8Array([0, 0, 0, 1, 2])), "DNSKEY-RSA-KEY", "exponent length 0");
  });

  it("reads the three-octet exponent length form", () => {
    const rsa = decodeRsaPublicKey(key);
    const long = new Uint8Array([0, 0, 3, ...rsa.exponentBytes, ...rsa.modulusBytes]);
    expect(decodeRsaPublicKey(long)).toEqual(rsa);
  });

  it("refuses a public exponent that is 1 or even (RFC 8017 §3.1), and accepts 3", () => {
    const { modulusBytes } = decodeRsaPublicKey(key);
    const withExponent = (e: number[]) => new Uint8Array([e.length, ...e, ...modulusBytes]);
    expectInputError(() => algorithmInfo(8).describeKey(withExponent([1])), "DNSKEY-RSA-KEY", "exponent 1 ");
    expectInputError(() => algorithmInfo(8).describeKey(withExponent([1, 0, 0])), "DNSKEY-RSA-KEY", "exponent 65536 ");
    expect(algorithmInfo(8).describeKey(withExponent([3])).sizeBits).toBe(512);
  });

  it("refuses a modulus outside RFC 5702's sizes", () => {
    expectInputError(() => algorithmInfo(10).describeKey(key), "DNSKEY-RSA-KEY", "512 bits", "1024..4096");
  });
});

describe("RSA keys that must not be trusted (fail closed)", () => {
  const modulus2048 = (last: number) => {
    const n = new Uint8Array(256).fill(0xc5);
    n[255] = last;
    return n;
  };
  const withExponent = (e: number[], n: Uint8Array) => encodeRsaPublicKey({ exponentBytes: new Uint8Array(e), modulusBytes: n });

  it("exponent 1: the PKCS#1 v1.5 padded digest itself would be a 'signature'; it never verifies and the key is refused", () => {
    const data = new TextEncoder().encode("any RRset at all");
    const digestInfo = Buffer.from("3031300d060960864801650304020105000420", "hex");
    const digest = createHash("sha256").update(data).digest();
    const padded = new Uint8Array(256).fill(0xff);
    padded[0] = 0;
    padded[1] = 1;
    padded.set([0, ...digestInfo, ...digest], 256 - 1 - digestInfo.length - digest.length);
    const key = withExponent(
      [1],
      padded.map((b, i) => (i === 255 ? b | 1 : b)),
    );
    expect(algorithmInfo(8).verify(key, data, padded)).toBe(false);
    expectInputError(() => algorithmInfo(8).describeKey(key), "DNSKEY-RSA-KEY", "exponent 1 is under 3");
    expectInputError(() => checkTrustableKey(8, withExponent([2], modulus2048(0xc5))), "DNSKEY-RSA-KEY", "exponent 2 is under 3");
  });

  it("an even modulus is refused; the same key with an odd modulus and e = 65537 is accepted", () => {
    expectInputError(() => checkTrustableKey(8, withExponent([1, 0, 1], modulus2048(0xc4))), "DNSKEY-RSA-KEY", "modulus is even");
    expect(() => checkTrustableKey(8, withExponent([1, 0, 1], modulus2048(0xc5)))).not.toThrow();
    expect(() => checkTrustableKey(8, withExponent([3], modulus2048(0xc5)))).not.toThrow();
  });

  it("RFC 5702 §6.1's 512-bit key still verifies its example, but is not a key to trust", () => {
    const ex = examples.find((e) => e.rrsig.algorithm === 8)!;
    const { key } = exampleRecords(ex);
    expect(algorithmInfo(8).describeKey(key.rdata.publicKeyBytes).sizeBits).toBe(512);
    expectInputError(() => checkTrustableKey(8, key.rdata.publicKeyBytes), "DNSKEY-RSA-KEY", "512 bits is under 1024");
  });
});
