/**
 * RFC 8080 §6.1 (Ed25519, key tags 3613 and 35217) and §6.2 (Ed448, key tags 9713 and 38353),
 * with verified erratum EID 4935 applied (algorithm field restored, labels 2, new signatures);
 * vectors in rfc8080-eddsa.json. EdDSA (RFC 8032) is deterministic, so re-signing the corrected
 * signed data with the RFC's private key must reproduce the erratum's signature byte for byte.
 * RFC 8080 is PureEdDSA: a pre-hashed (Ed25519ph) signature must not verify.
 */
import { createPrivateKey, sign as nodeSign } from "node:crypto";
import { ed25519, ed25519ph } from "@noble/curves/ed25519.js";
import { ed448 } from "@noble/curves/ed448.js";
import { describe, expect, it } from "vitest";
import { algorithmInfo, base64ToBytes, bytesToBase64, bytesToHex, keyTag, makeDs, rrsigSignedData, verifyRrsig } from "../src/index.js";
import { type SignatureExample, exampleRecords, expectInputError, insideWindow, itRejectsTamperedExample, readVector, rrsigRecord } from "./helpers.js";

interface EddsaExample extends SignatureExample {
  asPublishedBeforeErratum: { rrsigPresentation: string; signature: string };
}

const { examples } = readVector<{ examples: EddsaExample[] }>("rfc8080-eddsa.json");

for (const ex of examples) {
  const ed = ex.rrsig.algorithm === 15 ? { curve: ed25519, crv: "Ed25519", key: 32, sig: 64 } : { curve: ed448, crv: "Ed448", key: 57, sig: 114 };

  describe(`${ex.source} (key tag ${ex.keyTag})`, () => {
    const { key, rrset, rrsig } = exampleRecords(ex);
    const seed = base64ToBytes(String(ex.privateKey.privateKey));
    const data = rrsigSignedData(rrsig.rdata, rrset);

    it("the RFC's private key derives the RFC's public key", () => {
      expect(ed.curve.getPublicKey(seed)).toEqual(key.rdata.publicKeyBytes);
      expect(algorithmInfo(ex.rrsig.algorithm).describeKey(key.rdata.publicKeyBytes).sizeBits).toBe(ed.key * 8);
    });

    it("computes the RFC's key tag and DS (and the DS types the RFC does not print)", () => {
      expect(keyTag(key.rdata)).toBe(ex.keyTag);
      for (const ds of ex.ds ?? []) expect(bytesToHex(makeDs(key.owner, key.rdata, ds.digestType).digestBytes, true)).toBe(ds.digest);
      expect(bytesToHex(makeDs(key.owner, key.rdata, 1).digestBytes, true)).toBe(ex.computedNotInRfc?.ds?.sha1);
      expect(bytesToHex(makeDs(key.owner, key.rdata, 4).digestBytes, true)).toBe(ex.computedNotInRfc?.ds?.sha384);
    });

    it("builds the corrected signed data (labels 2)", () => {
      expect(rrsig.rdata.labels).toBe(2);
      expect(bytesToHex(data, true)).toBe(ex.signedDataHex);
    });

    it("re-signing with the RFC's private key (OpenSSL) reproduces the erratum's signature byte for byte", () => {
      const b64u = (b: Uint8Array) => Buffer.from(b).toString("base64url");
      const privateKey = createPrivateKey({ format: "jwk", key: { kty: "OKP", crv: ed.crv, d: b64u(seed), x: b64u(key.rdata.publicKeyBytes) } });
      const signature = new Uint8Array(nodeSign(null, data, privateKey));
      expect(signature).toHaveLength(ed.sig);
      expect(bytesToBase64(signature)).toBe(ex.rrsig.signature);
    });

    it("verifies the corrected RRSIG inside its window", () => {
      expect(verifyRrsig(rrset, rrsig, [key], insideWindow(ex)).status).toBe("valid");
    });

    it("the signature as first published (made over labels 3) does not verify", () => {
      const published = base64ToBytes(ex.asPublishedBeforeErratum.signature);
      const asPublished = { ...rrsig, rdata: { ...rrsig.rdata, signatureBytes: published } };
      expect(verifyRrsig(rrset, asPublished, [key], insideWindow(ex)).status).toBe("bad-signature");
      const labels3 = { ...rrsig, rdata: { ...rrsig.rdata, labels: 3, signatureBytes: published } };
      expect(verifyRrsig(rrset, labels3, [key], insideWindow(ex)).status).toBe("labels");
    });

    it("the published RRSIG text (no algorithm field) is refused by the reader, naming the field", () => {
      // Its fields shift by one: "3" reads as the algorithm, 3600 as the labels field (over 8 bits).
      expectInputError(() => rrsigRecord(ex.asPublishedBeforeErratum.rrsigPresentation), "RDATA-NUMBER", "test:1", "RRSIG labels");
    });

    itRejectsTamperedExample(ex);
  });
}

describe("PureEdDSA only (RFC 8080 §3)", () => {
  const ex = examples[0] as EddsaExample;
  const { key, rrset, rrsig } = exampleRecords(ex);
  const data = rrsigSignedData(rrsig.rdata, rrset);
  const seed = base64ToBytes(String(ex.privateKey.privateKey));

  it("a valid Ed25519ph signature over the same data does not verify", () => {
    const prehashed = ed25519ph.sign(data, seed);
    expect(ed25519ph.verify(prehashed, data, key.rdata.publicKeyBytes)).toBe(true);
    expect(algorithmInfo(15).verify(key.rdata.publicKeyBytes, data, prehashed)).toBe(false);
  });

  it("refuses a key of the wrong length", () => {
    expectInputError(() => algorithmInfo(15).describeKey(key.rdata.publicKeyBytes.slice(1)), "DNSKEY-EDDSA-KEY", "31 octets", "32");
    expectInputError(() => algorithmInfo(16).describeKey(key.rdata.publicKeyBytes), "DNSKEY-EDDSA-KEY", "32 octets", "57");
  });
});
