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
import { type KeyObject, verify as nodeVerify } from "node:crypto";
import { algorithmInfo } from "./algorithms.js";
import { decodeRsaPublicKey, dnskeyKeyObject } from "./public-keys.js";
import type { DnskeyRdata } from "./rdata.js";

export type KeyVerifier = (data: Uint8Array, signatureBytes: Uint8Array) => boolean;

export interface KeyVerifierOptions {
  /** ECDSA and EdDSA with @noble/curves instead of OpenSSL (for HSM output). */
  readonly independent?: boolean;
}

/**
 * What node:crypto verifies `dnskey`'s signatures with: the public key built once, the hash, the
 * signature encoding, and the one signature length accepted — RFC 3110 §3: an RSA signature is
 * exactly as long as the modulus; RFC 6605: ECDSA r||s. A KeyObject can be handed to a worker
 * thread, which verifies with `verifyWithKey`'s rule (keystore's signing and verifying pools).
 * Throws when OpenSSL will not load the key.
 */
export interface VerifierKey {
  readonly key: KeyObject;
  readonly hash: string | null;
  readonly dsaEncoding?: "ieee-p1363";
  readonly signatureOctets?: number;
}

export function verifierKey(dnskey: DnskeyRdata): VerifierKey {
  const info = algorithmInfo(dnskey.algorithm);
  const key = dnskeyKeyObject(dnskey);
  if (info.family === "RSA") return { key, hash: info.hash, signatureOctets: decodeRsaPublicKey(dnskey.publicKeyBytes).modulusBytes.length };
  if (info.family === "ECDSA") return { key, hash: info.hash, dsaEncoding: "ieee-p1363", signatureOctets: dnskey.publicKeyBytes.length };
  return { key, hash: info.hash };
}

/** `verifierKey`, or undefined when OpenSSL will not load the key: the per-call verifier then judges, and may say it is malformed. */
function loadableVerifierKey(dnskey: DnskeyRdata): VerifierKey | undefined {
  try {
    return verifierKey(dnskey);
  } catch {
    return undefined;
  }
}

/** Verify with a prepared key: a signature of the wrong length, or one OpenSSL cannot parse, does not verify. */
export function verifyWithKey(prepared: VerifierKey, data: Uint8Array, signatureBytes: Uint8Array): boolean {
  if (prepared.signatureOctets !== undefined && signatureBytes.length !== prepared.signatureOctets) return false;
  const verifyKey = prepared.dsaEncoding ? { key: prepared.key, dsaEncoding: prepared.dsaEncoding } : prepared.key;
  try {
    return nodeVerify(prepared.hash, data, verifyKey, signatureBytes);
  } catch {
    return false;
  }
}

/** A verifier for `dnskey`; a key OpenSSL will not load falls back to the per-call verifier. */
export function keyVerifier(dnskey: DnskeyRdata, options: KeyVerifierOptions = {}): KeyVerifier {
  const info = algorithmInfo(dnskey.algorithm);
  if (options.independent && info.family !== "RSA") {
    return (data, signatureBytes) => info.verifyIndependently(dnskey.publicKeyBytes, data, signatureBytes);
  }
  const prepared = loadableVerifierKey(dnskey);
  if (!prepared) return (data, signatureBytes) => info.verify(dnskey.publicKeyBytes, data, signatureBytes);
  return (data, signatureBytes) => verifyWithKey(prepared, data, signatureBytes);
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
