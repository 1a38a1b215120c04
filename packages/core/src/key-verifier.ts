/**
 * A verifier for one DNSKEY with the public key built once (./public-keys.ts), through node:crypto
 * as `algorithmInfo(n).verify` is: for bulk work — a zone's thousands of RRSIGs — where building
 * the key for every signature would cost more than the verification. Same verdicts (RFC 3110 RSA,
 * RFC 6605 ECDSA r||s with any S, RFC 8080 PureEdDSA); the tests check it against both verifiers.
 * Left out: algorithms this toolkit does not support (they throw, as `algorithmInfo` does).
 */
import { verify as nodeVerify } from "node:crypto";
import { algorithmInfo } from "./algorithms.js";
import { decodeRsaPublicKey, dnskeyKeyObject } from "./public-keys.js";
import type { DnskeyRdata } from "./rdata.js";

export type KeyVerifier = (data: Uint8Array, signatureBytes: Uint8Array) => boolean;

/** A verifier for `dnskey`; a key OpenSSL will not load falls back to the core verifier. */
export function keyVerifier(dnskey: DnskeyRdata): KeyVerifier {
  const info = algorithmInfo(dnskey.algorithm);
  const fallback: KeyVerifier = (data, signatureBytes) => info.verify(dnskey.publicKeyBytes, data, signatureBytes);
  let key: ReturnType<typeof dnskeyKeyObject>;
  let signatureOctets: number | undefined;
  try {
    key = dnskeyKeyObject(dnskey);
    // RFC 3110 §3: an RSA signature is exactly as long as the modulus; RFC 6605: ECDSA r||s.
    if (info.family === "RSA") signatureOctets = decodeRsaPublicKey(dnskey.publicKeyBytes).modulusBytes.length;
    if (info.family === "ECDSA") signatureOctets = dnskey.publicKeyBytes.length;
  } catch {
    return fallback;
  }
  const hash = info.family === "EdDSA" ? null : dnskey.algorithm === 10 ? "sha512" : dnskey.algorithm === 14 ? "sha384" : "sha256";
  const options = info.family === "ECDSA" ? { key, dsaEncoding: "ieee-p1363" as const } : key;
  return (data, signatureBytes) => {
    if (signatureOctets !== undefined && signatureBytes.length !== signatureOctets) return false;
    try {
      return nodeVerify(hash, data, options, signatureBytes);
    } catch {
      return false;
    }
  };
}

/** Verifiers per key object, for callers that judge many signatures by the same few keys. */
export function keyVerifierCache(): (dnskey: DnskeyRdata) => KeyVerifier {
  const cache = new WeakMap<DnskeyRdata, KeyVerifier>();
  return (dnskey) => {
    let v = cache.get(dnskey);
    if (!v) {
      v = keyVerifier(dnskey);
      cache.set(dnskey, v);
    }
    return v;
  };
}
