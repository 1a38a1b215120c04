/**
 * DNSSEC signing algorithms (IANA "DNS Security Algorithm Numbers"; RFC 8624 for what is allowed).
 *
 * Supported: 8 RSASHA256 and 10 RSASHA512 (RFC 5702; key format RFC 3110), 13 ECDSAP256SHA256 and
 * 14 ECDSAP384SHA384 (RFC 6605), 15 ED25519 and 16 ED448 (RFC 8080, PureEdDSA: the message is
 * signed as is, never pre-hashed). Deprecated algorithms (1, 3, 5, 6, 7, 12; RFC 8624 §3.1 "MUST NOT
 * sign") and unknown numbers throw; nothing falls back.
 *
 * Two verifiers per algorithm. `verify`, for signatures in the files the toolkit reads (KSR proof
 * of possession, SKRs, RRsets), goes through node:crypto (OpenSSL, as BIND, unbound and ldns do):
 * a hostile 1 MiB KSR holds some 1,350 signatures, and pure-JavaScript ECDSA and EdDSA cost
 * milliseconds each. `verifyIndependently`, for what an HSM just signed, checks ECDSA and EdDSA with
 * @noble/curves, an implementation independent of the OpenSSL the HSM may itself use (RSA has only
 * OpenSSL). ECDSA accepts high-S signatures (HSMs and OpenSSL emit them, DNSSEC allows them:
 * noble `lowS: false`); EdDSA is strict RFC 8032 (noble `zip215: false`). Keys are checked with
 * noble (`describeKey`: the point is on the curve) and converted by ./public-keys.ts.
 */
import { verify as nodeVerify } from "node:crypto";
import { ed25519 } from "@noble/curves/ed25519.js";
import { ed448 } from "@noble/curves/ed448.js";
import { p256, p384 } from "@noble/curves/nist.js";
import { inputError } from "./errors.js";
import { type RsaPublicKey, decodeRsaPublicKey, dnskeyKeyObject, noblePublicKey } from "./public-keys.js";

/** The hashes DNSSEC signature algorithms 8, 10, 13 and 14 are made with (node:crypto's names). */
export type DnssecHash = "sha256" | "sha384" | "sha512";

export interface AlgorithmInfo {
  readonly number: number;
  /** IANA mnemonic, as used in presentation and policy files. */
  readonly mnemonic: string;
  readonly family: "RSA" | "ECDSA" | "EdDSA";
  /**
   * The hash the signature is made over, as node:crypto names it: SHA-256 or SHA-512 for RSA
   * (RFC 5702 §3), the curve's hash for ECDSA (RFC 6605 §2), none for PureEdDSA (RFC 8080 §4).
   */
  readonly hash: DnssecHash | null;
  /** Check the DNSKEY public key field and describe it; throws on a malformed key. */
  readonly describeKey: (publicKeyBytes: Uint8Array) => { readonly sizeBits: number };
  /** Verify a DNSSEC-format signature (RSA octets, ECDSA r||s, EdDSA R||S) over `data` with OpenSSL. */
  readonly verify: (publicKeyBytes: Uint8Array, data: Uint8Array, signatureBytes: Uint8Array) => boolean;
  /** The same with @noble/curves for ECDSA and EdDSA (OpenSSL for RSA): for HSM output. */
  readonly verifyIndependently: (publicKeyBytes: Uint8Array, data: Uint8Array, signatureBytes: Uint8Array) => boolean;
}

const DEPRECATED: ReadonlyMap<number, string> = new Map([
  [1, "RSAMD5"],
  [3, "DSA"],
  [5, "RSASHA1"],
  [6, "DSA-NSEC3-SHA1"],
  [7, "RSASHA1-NSEC3-SHA1"],
  [12, "ECC-GOST"],
]);

// --- RSA (RFC 3110 §2 key format, in ./public-keys.ts) -------------------------------------------

function rsaModulusBits(modulusBytes: Uint8Array): number {
  return (modulusBytes.length - 1) * 8 + (32 - Math.clz32(modulusBytes[0] as number));
}

/**
 * What makes an RSA public key worthless as a verifier, whatever its size: an exponent under 3
 * (with e = 1 the "signature" is the padded digest itself, so anyone can make one) or an even
 * modulus (not the product of two odd primes). Undefined when neither.
 */
function rsaKeyFlaw(key: RsaPublicKey): string | undefined {
  const e = key.exponentBytes;
  if (e.length === 1 && (e[0] as number) < 3) return `exponent ${e[0]} is under 3: any signature would verify`;
  // RFC 8017 §3.1: the public exponent is odd (coprime to λ(n), which is even).
  if (((e[e.length - 1] as number) & 1) === 0) {
    const shown = e.length <= 6 ? String(Number.parseInt(Buffer.from(e).toString("hex"), 16)) : `of ${e.length} octets`;
    return `exponent ${shown} is even: not a valid RSA public exponent (RFC 8017 §3.1)`;
  }
  if (((key.modulusBytes[key.modulusBytes.length - 1] as number) & 1) === 0) return "modulus is even: not a product of two odd primes";
  return undefined;
}

/**
 * The smallest RSA modulus accepted as a key to trust (an anchor, a key to publish a DS for).
 * RFC 5702 §2.1 allows 512 bits for RSASHA256, and such signatures still verify (the RFC's own
 * example), but a 512-bit modulus is factorable: trusting one is trusting anyone.
 */
export const RSA_TRUSTED_MIN_MODULUS_BITS = 1024;

/**
 * Refuse a DNSKEY public key that must not be trusted: malformed for its algorithm (see
 * `describeKey`), or an RSA modulus under RSA_TRUSTED_MIN_MODULUS_BITS. Keys of algorithms the
 * toolkit does not implement pass: their DS and key tag are still defined.
 */
export function checkTrustableKey(algorithm: number, publicKeyBytes: Uint8Array): void {
  const info = ALGORITHMS.get(algorithm);
  if (!info) return;
  const { sizeBits } = info.describeKey(publicKeyBytes);
  if (info.family === "RSA" && sizeBits < RSA_TRUSTED_MIN_MODULUS_BITS) {
    throw inputError("DNSKEY-RSA-KEY", `${info.mnemonic} modulus of ${sizeBits} bits is under ${RSA_TRUSTED_MIN_MODULUS_BITS}: too weak to trust`);
  }
}

function rsaAlgorithm(number: number, mnemonic: string, hash: "sha256" | "sha512", minBits: number): AlgorithmInfo {
  const verifyRsa = (publicKeyBytes: Uint8Array, data: Uint8Array, signatureBytes: Uint8Array) => {
    const rsa = decodeRsaPublicKey(publicKeyBytes);
    // Fail closed: no signature is valid under a key that cannot be trusted to make one.
    if (rsaKeyFlaw(rsa) !== undefined) return false;
    const { modulusBytes } = rsa;
    // RFC 3110: the signature is as long as the modulus; a shorter one is not left-padded here.
    if (signatureBytes.length !== modulusBytes.length) return false;
    return nodeVerify(hash, data, dnskeyKeyObject({ algorithm: number, publicKeyBytes }), signatureBytes);
  };
  return {
    number,
    mnemonic,
    family: "RSA",
    hash,
    describeKey(publicKeyBytes) {
      const key = decodeRsaPublicKey(publicKeyBytes);
      const sizeBits = rsaModulusBits(key.modulusBytes);
      // RFC 5702 §2.1 / §2.2: modulus 512 (1024 for SHA-512) to 4096 bits.
      if (sizeBits < minBits || sizeBits > 4096) {
        throw inputError("DNSKEY-RSA-KEY", `${mnemonic} modulus of ${sizeBits} bits is outside ${minBits}..4096 (RFC 5702)`);
      }
      const flaw = rsaKeyFlaw(key);
      if (flaw) throw inputError("DNSKEY-RSA-KEY", `${mnemonic} key: ${flaw}`);
      return { sizeBits };
    },
    verify: verifyRsa,
    verifyIndependently: verifyRsa,
  };
}

// --- ECDSA (RFC 6605 §4: x||y public key, r||s signature) ----------------------------------------

function ecdsaAlgorithm(number: number, mnemonic: string, curve: typeof p256 | typeof p384, hash: "sha256" | "sha384", octets: number): AlgorithmInfo {
  return {
    number,
    mnemonic,
    family: "ECDSA",
    hash,
    describeKey(publicKeyBytes) {
      if (publicKeyBytes.length !== 2 * octets) {
        throw inputError("DNSKEY-EC-KEY", `${mnemonic} public key is ${publicKeyBytes.length} octets; must be ${2 * octets} (x||y)`);
      }
      try {
        curve.Point.fromBytes(noblePublicKey(number, publicKeyBytes)).assertValidity();
      } catch {
        throw inputError("DNSKEY-EC-KEY", `${mnemonic} public key is not a point on the curve`);
      }
      return { sizeBits: octets * 8 };
    },
    verify(publicKeyBytes, data, signatureBytes) {
      if (signatureBytes.length !== 2 * octets || publicKeyBytes.length !== 2 * octets) return false;
      try {
        const key = dnskeyKeyObject({ algorithm: number, publicKeyBytes });
        return nodeVerify(hash, data, { key, dsaEncoding: "ieee-p1363" }, signatureBytes);
      } catch {
        return false;
      }
    },
    verifyIndependently(publicKeyBytes, data, signatureBytes) {
      if (signatureBytes.length !== 2 * octets || publicKeyBytes.length !== 2 * octets) return false;
      try {
        // prehash: noble hashes with the curve's hash (SHA-256 for P-256, SHA-384 for P-384).
        return curve.verify(signatureBytes, data, noblePublicKey(number, publicKeyBytes), { lowS: false, prehash: true });
      } catch {
        return false;
      }
    },
  };
}

// --- EdDSA (RFC 8080: raw public key, PureEdDSA) -------------------------------------------------

function eddsaAlgorithm(number: number, mnemonic: string, curve: typeof ed25519 | typeof ed448, keyOctets: number, signatureOctets: number): AlgorithmInfo {
  return {
    number,
    mnemonic,
    family: "EdDSA",
    hash: null,
    describeKey(publicKeyBytes) {
      if (publicKeyBytes.length !== keyOctets) {
        throw inputError("DNSKEY-EDDSA-KEY", `${mnemonic} public key is ${publicKeyBytes.length} octets; must be ${keyOctets}`);
      }
      try {
        curve.Point.fromBytes(publicKeyBytes, false);
      } catch {
        throw inputError("DNSKEY-EDDSA-KEY", `${mnemonic} public key is not a valid curve point encoding`);
      }
      return { sizeBits: keyOctets * 8 };
    },
    verify(publicKeyBytes, data, signatureBytes) {
      if (signatureBytes.length !== signatureOctets || publicKeyBytes.length !== keyOctets) return false;
      try {
        return nodeVerify(null, data, dnskeyKeyObject({ algorithm: number, publicKeyBytes }), signatureBytes);
      } catch {
        return false;
      }
    },
    verifyIndependently(publicKeyBytes, data, signatureBytes) {
      if (signatureBytes.length !== signatureOctets || publicKeyBytes.length !== keyOctets) return false;
      try {
        return curve.verify(signatureBytes, data, publicKeyBytes, { zip215: false });
      } catch {
        return false;
      }
    },
  };
}

const ALGORITHMS: ReadonlyMap<number, AlgorithmInfo> = new Map(
  [
    rsaAlgorithm(8, "RSASHA256", "sha256", 512),
    rsaAlgorithm(10, "RSASHA512", "sha512", 1024),
    ecdsaAlgorithm(13, "ECDSAP256SHA256", p256, "sha256", 32),
    ecdsaAlgorithm(14, "ECDSAP384SHA384", p384, "sha384", 48),
    eddsaAlgorithm(15, "ED25519", ed25519, 32, 64),
    eddsaAlgorithm(16, "ED448", ed448, 57, 114),
  ].map((a) => [a.number, a]),
);

/** The algorithm's entry; deprecated and unknown algorithms throw (RFC 8624). */
export function algorithmInfo(number: number): AlgorithmInfo {
  const info = ALGORITHMS.get(number);
  if (info) return info;
  const deprecated = DEPRECATED.get(number);
  if (deprecated) {
    throw inputError("ALGORITHM-DEPRECATED", `algorithm ${number} (${deprecated}) is deprecated (RFC 8624 §3.1) and is not supported`);
  }
  throw inputError("ALGORITHM-UNKNOWN", `unknown DNSSEC algorithm ${number}; supported: ${[...ALGORITHMS.keys()].join(", ")}`);
}

export function isSupportedAlgorithm(number: number): boolean {
  return ALGORITHMS.has(number);
}

export function supportedAlgorithms(): readonly AlgorithmInfo[] {
  return [...ALGORITHMS.values()];
}

/** An algorithm number or mnemonic (`8`, `RSASHA256`, `ecdsap256sha256`) to its entry. */
export function parseAlgorithm(text: string): AlgorithmInfo {
  if (/^\d+$/.test(text)) return algorithmInfo(Number(text));
  const upper = text.toUpperCase();
  for (const a of ALGORITHMS.values()) if (a.mnemonic === upper) return a;
  for (const [n, name] of DEPRECATED) if (name === upper) return algorithmInfo(n);
  throw inputError("ALGORITHM-UNKNOWN", `unknown DNSSEC algorithm "${text}"; supported: ${[...ALGORITHMS.values()].map((a) => a.mnemonic).join(", ")}`);
}
