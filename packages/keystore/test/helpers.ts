/**
 * Test helpers: an independent check of DNSSEC signatures with node:crypto (OpenSSL), built from
 * the DNSKEY public key field without @ksk/core's codecs, so the tests do not grade the keystore
 * with the code it uses itself.
 */
import { createPublicKey, verify } from "node:crypto";
import type { DnskeyRdata } from "@ksk/core";

function b64u(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

/** Verify a DNSSEC-format signature with node:crypto. */
export function opensslVerify(dnskey: DnskeyRdata, data: Uint8Array, signature: Uint8Array): boolean {
  const k = dnskey.publicKeyBytes;
  switch (dnskey.algorithm) {
    case 8:
    case 10: {
      // RFC 3110 §2: exponent length in one octet (or 0 then two octets), exponent, modulus.
      const long = k[0] === 0;
      const eLength = long ? ((k[1] as number) << 8) | (k[2] as number) : (k[0] as number);
      const at = long ? 3 : 1;
      const key = createPublicKey({ format: "jwk", key: { kty: "RSA", e: b64u(k.slice(at, at + eLength)), n: b64u(k.slice(at + eLength)) } });
      return verify(dnskey.algorithm === 8 ? "sha256" : "sha512", data, key, signature);
    }
    case 13:
    case 14: {
      const half = k.length / 2;
      const key = createPublicKey({
        format: "jwk",
        key: { kty: "EC", crv: dnskey.algorithm === 13 ? "P-256" : "P-384", x: b64u(k.slice(0, half)), y: b64u(k.slice(half)) },
      });
      return verify(dnskey.algorithm === 13 ? "sha256" : "sha384", data, { key, dsaEncoding: "ieee-p1363" }, signature);
    }
    case 15:
    case 16: {
      const key = createPublicKey({ format: "jwk", key: { kty: "OKP", crv: dnskey.algorithm === 15 ? "Ed25519" : "Ed448", x: b64u(k) } });
      return verify(null, data, key, signature);
    }
    default:
      throw new Error(`no test verifier for algorithm ${dnskey.algorithm}`);
  }
}

/** Some bytes to sign that look like what is signed in a ceremony (RRSIG fields + RRset). */
export function sampleData(seed: string): Uint8Array {
  return new TextEncoder().encode(`ksk keystore test data ${seed} `.repeat(12));
}
