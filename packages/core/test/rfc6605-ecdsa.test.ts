/**
 * RFC 6605 §6.1 (ECDSA P-256/SHA-256, key tag 55648) and §6.2 (ECDSA P-384/SHA-384, key tag
 * 10771); vectors in rfc6605-ecdsa.json. The RFC's signatures used random k, so they are verified,
 * not reproduced; fresh signatures made by OpenSSL (node:crypto) must verify with the core's
 * @noble/curves verifier, including the high-S form HSMs emit (DNSSEC does not require low S).
 */
import { createPrivateKey, sign as nodeSign } from "node:crypto";
import { p256, p384 } from "@noble/curves/nist.js";
import { describe, expect, it } from "vitest";
import { algorithmInfo, base64ToBytes, bytesToHex, concatBytes, keyTag, makeDs, rrsigSignedData, verifyRrsig } from "../src/index.js";
import { type SignatureExample, exampleRecords, expectInputError, insideWindow, itRejectsTamperedExample, readVector } from "./helpers.js";

const { examples } = readVector<{ examples: (SignatureExample & { curve: "P-256" | "P-384" })[] }>("rfc6605-ecdsa.json");

function bigIntOf(bytes: Uint8Array): bigint {
  return BigInt(`0x${bytesToHex(bytes) || "0"}`);
}

function bytesOf(value: bigint, length: number): Uint8Array {
  return Uint8Array.from(Buffer.from(value.toString(16).padStart(length * 2, "0"), "hex"));
}

for (const ex of examples) {
  const curve = ex.curve === "P-256" ? p256 : p384;
  const octets = ex.curve === "P-256" ? 32 : 48;
  const hash = ex.curve === "P-256" ? "sha256" : "sha384";

  describe(`${ex.source} (${ex.algorithmName}, key tag ${ex.keyTag})`, () => {
    const { key, rrset, rrsig } = exampleRecords(ex);
    const privateKeyBytes = base64ToBytes(String(ex.privateKey.privateKey));

    it("the RFC's private key derives the RFC's public key (x||y)", () => {
      const uncompressed = curve.getPublicKey(privateKeyBytes, false);
      expect(uncompressed.slice(1)).toEqual(key.rdata.publicKeyBytes);
      expect(algorithmInfo(ex.rrsig.algorithm).describeKey(key.rdata.publicKeyBytes).sizeBits).toBe(octets * 8);
    });

    it("computes the RFC's key tag and DS", () => {
      expect(keyTag(key.rdata)).toBe(ex.keyTag);
      for (const ds of ex.ds ?? []) {
        expect(bytesToHex(makeDs(key.owner, key.rdata, ds.digestType).digestBytes, true)).toBe(ds.digest);
      }
      const computed = ex.computedNotInRfc?.ds ?? {};
      if (computed.sha1) expect(bytesToHex(makeDs(key.owner, key.rdata, 1).digestBytes, true)).toBe(computed.sha1);
      if (computed.sha256) expect(bytesToHex(makeDs(key.owner, key.rdata, 2).digestBytes, true)).toBe(computed.sha256);
      if (computed.sha384) expect(bytesToHex(makeDs(key.owner, key.rdata, 4).digestBytes, true)).toBe(computed.sha384);
    });

    it("builds the signed data of RFC 4034 §3.1.8.1", () => {
      expect(bytesToHex(rrsigSignedData(rrsig.rdata, rrset), true)).toBe(ex.signedDataHex);
    });

    it("verifies the RFC's RRSIG (r||s) inside its window", () => {
      expect(rrsig.rdata.signatureBytes).toHaveLength(2 * octets);
      expect(verifyRrsig(rrset, rrsig, [key], insideWindow(ex)).status).toBe("valid");
    });

    it("accepts the high-S twin of the RFC's signature (s' = n - s; RFC 6605 sets no low-S rule)", () => {
      const sig = rrsig.rdata.signatureBytes;
      const n = curve.Point.Fn.ORDER;
      const s = bigIntOf(sig.slice(octets));
      const twin = concatBytes(sig.slice(0, octets), bytesOf(n - s, octets));
      const data = rrsigSignedData(rrsig.rdata, rrset);
      expect(algorithmInfo(ex.rrsig.algorithm).verify(key.rdata.publicKeyBytes, data, twin)).toBe(true);
      expect(algorithmInfo(ex.rrsig.algorithm).verifyIndependently(key.rdata.publicKeyBytes, data, twin)).toBe(true);
    });

    it("verifies a fresh signature made by OpenSSL with the RFC's private key", () => {
      const pub = key.rdata.publicKeyBytes;
      const b64u = (b: Uint8Array) => Buffer.from(b).toString("base64url");
      const privateKey = createPrivateKey({
        format: "jwk",
        key: { kty: "EC", crv: ex.curve, d: b64u(privateKeyBytes), x: b64u(pub.slice(0, octets)), y: b64u(pub.slice(octets)) },
      });
      const data = rrsigSignedData(rrsig.rdata, rrset);
      const signature = new Uint8Array(nodeSign(hash, data, { key: privateKey, dsaEncoding: "ieee-p1363" }));
      const fresh = { ...rrsig, rdata: { ...rrsig.rdata, signatureBytes: signature } };
      expect(verifyRrsig(rrset, fresh, [key], insideWindow(ex)).status).toBe("valid");
    });

    it("refuses a DER-encoded signature (DNSSEC carries r||s, RFC 6605 §4)", () => {
      const data = rrsigSignedData(rrsig.rdata, rrset);
      const der = curve.Signature.fromBytes(rrsig.rdata.signatureBytes, "compact").toBytes("der");
      expect(algorithmInfo(ex.rrsig.algorithm).verify(key.rdata.publicKeyBytes, data, der)).toBe(false);
    });

    itRejectsTamperedExample(ex);
  });
}

describe("ECDSA public key field (RFC 6605 §4)", () => {
  const ex = examples[0] as SignatureExample;
  const pub = exampleRecords(ex).key.rdata.publicKeyBytes;

  it("refuses a key of the wrong length", () => {
    expectInputError(() => algorithmInfo(13).describeKey(pub.slice(1)), "DNSKEY-EC-KEY", "63 octets", "64");
    expectInputError(() => algorithmInfo(14).describeKey(pub), "DNSKEY-EC-KEY", "64 octets", "96");
  });

  it("refuses a point that is not on the curve", () => {
    const off = pub.slice();
    off[63] = (off[63] as number) ^ 1;
    expectInputError(() => algorithmInfo(13).describeKey(off), "DNSKEY-EC-KEY", "not a point on the curve");
  });
});
