/**
 * The one verifier for one DNSKEY, its public key built once (./public-keys.ts): for bulk work — a
 * zone's thousands of RRSIGs — where building the key for every signature would cost more than
 * the verification, and for a keystore checking each signature its HSM returns.
 *
 * Two flavours, the same verdicts (RFC 3110 RSA with the signature exactly as long as the modulus,
 * RFC 6605 ECDSA r||s with any S, RFC 8080 PureEdDSA); the tests check them against each other:
 * - default: node:crypto (OpenSSL, as BIND, unbound and ldns verify), for signatures read from
 *   files;
 * - `independent`: ECDSA and EdDSA through `algorithmInfo(n).verifyIndependently` (@noble/curves,
 *   an implementation independent of the HSM and of the OpenSSL it may use), for what an HSM just
 *   signed. RSA has no second implementation (noble has none), so it stays on node:crypto with the
 *   key built once: rebuilding it per call costs more than half again the verification itself
 *   (74 µs against 31 µs per RSA-2048 signature here).
 *
 * The hash is `AlgorithmInfo.hash`. Left out: algorithms this toolkit does not support (they
 * throw, as `algorithmInfo` does).
 */
import { verify as nodeVerify } from "node:crypto";
import { algorithmInfo } from "./algorithms.js";
import { decodeRsaPublicKey, dnskeyKeyObject } from "./public-keys.js";
import type { DnskeyRdata } from "./rdata.js";

export type KeyVerifier = (data: Uint8Array, signatureBytes: Uint8Array) => boolean;

export interface KeyVerifierOptions {
  /** ECDSA and EdDSA with @noble/curves instead of OpenSSL (for HSM output). */
  readonly independent?: boolean;
}

/** A verifier for `dnskey`; a key OpenSSL will not load falls back to the per-call verifier. */
export function keyVerifier(dnskey: DnskeyRdata, options: KeyVerifierOptions = {}): KeyVerifier {
  const info = algorithmInfo(dnskey.algorithm);
  if (options.independent && info.family !== "RSA") {
    return (data, signatureBytes) => info.verifyIndependently(dnskey.publicKeyBytes, data, signatureBytes);
  }
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
  const verifyKey = info.family === "ECDSA" ? { key, dsaEncoding: "ieee-p1363" as const } : key;
  return (data, signatureBytes) => {
    if (signatureOctets !== undefined && signatureBytes.length !== signatureOctets) return false;
    try {
      return nodeVerify(info.hash, data, verifyKey, signatureBytes);
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
