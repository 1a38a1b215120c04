/**
 * The mechanism choice for each DNSSEC algorithm (PKCS#11 3.0 §2.3.14 for CKM_EDDSA): Ed448 gets
 * a CK_EDDSA_PARAMS asking for PureEdDSA, Ed25519 none; RSA signatures are as long as the modulus
 * read through the core's RFC 3110 decoder; a token without the mechanism is refused. Signing with
 * each of them in a real token is tested in ./pkcs11-softhsm.test.ts.
 */
import { generateKeyPairSync } from "node:crypto";
import { type DnskeyRdata, dnskeyPublicKeyFromKeyObject, isKskError } from "@ksk/core";
import { describe, expect, it } from "vitest";
import { CKM_EDDSA, familyOfDnskey, signingMethod } from "../src/pkcs11-mechanism.js";
import { pkcs11js } from "../src/pkcs11-module.js";

function dnskeyOf(algorithm: number, key: Parameters<typeof dnskeyPublicKeyFromKeyObject>[1]): DnskeyRdata {
  const publicKeyBytes = dnskeyPublicKeyFromKeyObject(algorithm, key);
  if (!publicKeyBytes) throw new Error("no DNSKEY public key");
  return { kind: "DNSKEY", flags: 257, protocol: 3, algorithm, publicKeyBytes };
}

const all = new Set([CKM_EDDSA, pkcs11js.CKM_SHA256_RSA_PKCS, pkcs11js.CKM_RSA_PKCS, pkcs11js.CKM_ECDSA]);

describe("signingMethod", () => {
  it("Ed448: CKM_EDDSA with an all-zero CK_EDDSA_PARAMS (phFlag false, no context), 114-octet signatures", () => {
    const dnskey = dnskeyOf(16, generateKeyPairSync("ed448").publicKey);
    const method = signingMethod(familyOfDnskey(dnskey), dnskey, all, "test");
    expect(method.mechanism).toBe(CKM_EDDSA);
    expect(method.outputOctets).toBe(114);
    expect(method.parameter?.length).toBe(process.arch === "arm" || process.arch === "ia32" ? 12 : 24);
    expect(method.parameter?.every((octet) => octet === 0)).toBe(true);
  });

  it("Ed25519: CKM_EDDSA without a parameter (a CK_EDDSA_PARAMS would ask for Ed25519ctx/ph)", () => {
    const dnskey = dnskeyOf(15, generateKeyPairSync("ed25519").publicKey);
    const method = signingMethod(familyOfDnskey(dnskey), dnskey, all, "test");
    expect(method.mechanism).toBe(CKM_EDDSA);
    expect(method.parameter).toBeUndefined();
    expect(method.outputOctets).toBe(64);
  });

  for (const bits of [1024, 2048, 4096]) {
    it(`RSA ${bits}: signatures of the modulus length, CKM_SHA256_RSA_PKCS when offered`, () => {
      const dnskey = dnskeyOf(8, generateKeyPairSync("rsa", { modulusLength: bits }).publicKey);
      const method = signingMethod(familyOfDnskey(dnskey), dnskey, all, "test");
      expect(method.mechanism).toBe(pkcs11js.CKM_SHA256_RSA_PKCS);
      expect(method.outputOctets).toBe(bits / 8);
    });
  }

  it("RSA without CKM_SHA512_RSA_PKCS: a host DigestInfo with CKM_RSA_PKCS", () => {
    const dnskey = dnskeyOf(10, generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey);
    const method = signingMethod(familyOfDnskey(dnskey), dnskey, all, "test");
    expect(method.mechanism).toBe(pkcs11js.CKM_RSA_PKCS);
    expect(method.prepare(new Uint8Array([1, 2, 3])).length).toBe(19 + 64);
  });

  it("refuses a token without the mechanism (PKCS11-MECHANISM)", () => {
    const dnskey = dnskeyOf(16, generateKeyPairSync("ed448").publicKey);
    let error: unknown;
    try {
      signingMethod(familyOfDnskey(dnskey), dnskey, new Set([pkcs11js.CKM_ECDSA]), "pkcs11:token=t");
    } catch (e) {
      error = e;
    }
    expect(isKskError(error) && error.code).toBe("PKCS11-MECHANISM");
  });
});
