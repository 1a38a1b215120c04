/**
 * A verifier for one DNSKEY with the public key built once, through node:crypto (OpenSSL): for
 * bulk work — a zone's thousands of RRSIGs — where rebuilding the key for every signature, or
 * verifying ECDSA in pure JavaScript (noble: about 2.5 ms a P-256 signature against 0.07 ms),
 * would cost more than everything else. The verdict is the same as `algorithmInfo(n).verify`
 * (RFC 3110 RSA, RFC 6605 ECDSA r||s with any S, RFC 8080 PureEdDSA); the tests check both agree.
 * Left out: algorithms this toolkit does not support (they throw, as `algorithmInfo` does).
 */
import { type KeyObject, createPublicKey, verify as nodeVerify } from "node:crypto";
import { algorithmInfo, decodeRsaPublicKey } from "./algorithms.js";
import type { DnskeyRdata } from "./rdata.js";

export type KeyVerifier = (data: Uint8Array, signatureBytes: Uint8Array) => boolean;

const b64u = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

function publicKeyObject(dnskey: DnskeyRdata): { key: KeyObject; hash: string | null; signatureOctets?: number; ec: boolean } | undefined {
  const k = dnskey.publicKeyBytes;
  switch (dnskey.algorithm) {
    case 8:
    case 10: {
      const { modulusBytes, exponentBytes } = decodeRsaPublicKey(k);
      const key = createPublicKey({ format: "jwk", key: { kty: "RSA", n: b64u(modulusBytes), e: b64u(exponentBytes) } });
      // RFC 3110 §3: the signature is exactly as long as the modulus.
      return { key, hash: dnskey.algorithm === 8 ? "sha256" : "sha512", signatureOctets: modulusBytes.length, ec: false };
    }
    case 13:
    case 14: {
      const half = dnskey.algorithm === 13 ? 32 : 48;
      if (k.length !== 2 * half) return undefined;
      const key = createPublicKey({
        format: "jwk",
        key: { kty: "EC", crv: half === 32 ? "P-256" : "P-384", x: b64u(k.slice(0, half)), y: b64u(k.slice(half)) },
      });
      return { key, hash: half === 32 ? "sha256" : "sha384", signatureOctets: 2 * half, ec: true };
    }
    case 15:
    case 16:
      return {
        key: createPublicKey({ format: "jwk", key: { kty: "OKP", crv: dnskey.algorithm === 15 ? "Ed25519" : "Ed448", x: b64u(k) } }),
        hash: null,
        ec: false,
      };
    default:
      return undefined;
  }
}

/** A verifier for `dnskey`; a key OpenSSL will not load falls back to the core verifier. */
export function keyVerifier(dnskey: DnskeyRdata): KeyVerifier {
  const info = algorithmInfo(dnskey.algorithm);
  let built: ReturnType<typeof publicKeyObject>;
  try {
    built = publicKeyObject(dnskey);
  } catch {
    built = undefined;
  }
  if (!built) return (data, signatureBytes) => info.verify(dnskey.publicKeyBytes, data, signatureBytes);
  const { key, hash, signatureOctets, ec } = built;
  const options = ec ? { key, dsaEncoding: "ieee-p1363" as const } : key;
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
