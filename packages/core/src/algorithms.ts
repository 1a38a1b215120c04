/**
 * DNSSEC signing algorithms (IANA "DNS Security Algorithm Numbers"; RFC 8624 for what is allowed).
 *
 * Supported: 8 RSASHA256 and 10 RSASHA512 (RFC 5702; key format RFC 3110), 13 ECDSAP256SHA256 and
 * 14 ECDSAP384SHA384 (RFC 6605), 15 ED25519 and 16 ED448 (RFC 8080, PureEdDSA: the message is
 * signed as is, never pre-hashed). Deprecated algorithms (1, 3, 5, 6, 7, 12; RFC 8624 §3.1 "MUST NOT
 * sign") and unknown numbers throw; nothing falls back.
 *
 * Verification: RSA through node:crypto (OpenSSL); ECDSA and EdDSA through @noble/curves, an
 * implementation independent of OpenSSL, so HSM output is checked by a second implementation.
 * ECDSA is verified with `lowS: false` (HSMs and OpenSSL emit high-S signatures, which DNSSEC
 * allows) and EdDSA with `zip215: false` (strict RFC 8032 encodings).
 */
import { createPublicKey, verify as nodeVerify } from "node:crypto";
import { ed25519 } from "@noble/curves/ed25519.js";
import { ed448 } from "@noble/curves/ed448.js";
import { p256, p384 } from "@noble/curves/nist.js";
import { concatBytes } from "./bytes.js";
import { inputError } from "./errors.js";

export interface AlgorithmInfo {
  readonly number: number;
  /** IANA mnemonic, as used in presentation and policy files. */
  readonly mnemonic: string;
  readonly family: "RSA" | "ECDSA" | "EdDSA";
  /** Check the DNSKEY public key field and describe it; throws on a malformed key. */
  readonly describeKey: (publicKeyBytes: Uint8Array) => { readonly sizeBits: number };
  /** Verify a DNSSEC-format signature (RSA octets, ECDSA r||s, EdDSA R||S) over `data`. */
  readonly verify: (publicKeyBytes: Uint8Array, data: Uint8Array, signatureBytes: Uint8Array) => boolean;
}

const DEPRECATED: ReadonlyMap<number, string> = new Map([
  [1, "RSAMD5"],
  [3, "DSA"],
  [5, "RSASHA1"],
  [6, "DSA-NSEC3-SHA1"],
  [7, "RSASHA1-NSEC3-SHA1"],
  [12, "ECC-GOST"],
]);

// --- RSA (RFC 3110 §2: exponent length, exponent, modulus) --------------------------------------

export interface RsaPublicKey {
  readonly modulusBytes: Uint8Array;
  readonly exponentBytes: Uint8Array;
}

export function decodeRsaPublicKey(publicKeyBytes: Uint8Array): RsaPublicKey {
  const bad = (why: string) => inputError("DNSKEY-RSA-KEY", `RSA public key: ${why}`);
  if (publicKeyBytes.length < 3) throw bad("too short");
  let at = 1;
  let exponentLength = publicKeyBytes[0] as number;
  if (exponentLength === 0) {
    exponentLength = ((publicKeyBytes[1] as number) << 8) | (publicKeyBytes[2] as number);
    at = 3;
  }
  if (exponentLength === 0 || at + exponentLength >= publicKeyBytes.length) throw bad(`exponent length ${exponentLength} leaves no modulus`);
  const exponentBytes = publicKeyBytes.slice(at, at + exponentLength);
  const modulusBytes = publicKeyBytes.slice(at + exponentLength);
  if (exponentBytes[0] === 0) throw bad("exponent has a leading zero octet");
  if (modulusBytes[0] === 0) throw bad("modulus has a leading zero octet");
  return { modulusBytes, exponentBytes };
}

/** RFC 3110 key field from modulus and exponent (leading zero octets stripped). */
export function encodeRsaPublicKey(key: RsaPublicKey): Uint8Array {
  const strip = (b: Uint8Array) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    return b.slice(i);
  };
  const e = strip(key.exponentBytes);
  const n = strip(key.modulusBytes);
  const lengthField = e.length <= 255 ? new Uint8Array([e.length]) : new Uint8Array([0, e.length >> 8, e.length & 0xff]);
  return concatBytes(lengthField, e, n);
}

function rsaModulusBits(modulusBytes: Uint8Array): number {
  return (modulusBytes.length - 1) * 8 + (32 - Math.clz32(modulusBytes[0] as number));
}

function rsaAlgorithm(number: number, mnemonic: string, hash: "sha256" | "sha512", minBits: number): AlgorithmInfo {
  return {
    number,
    mnemonic,
    family: "RSA",
    describeKey(publicKeyBytes) {
      const { modulusBytes, exponentBytes } = decodeRsaPublicKey(publicKeyBytes);
      const sizeBits = rsaModulusBits(modulusBytes);
      // An RSA public exponent is odd and at least 3 (RFC 8017 §3.1); with e = 1 every "signature"
      // is its own message, so such a key would verify anything.
      const lastExponentOctet = exponentBytes[exponentBytes.length - 1] as number;
      if ((lastExponentOctet & 1) === 0 || (exponentBytes.length === 1 && lastExponentOctet < 3)) {
        throw inputError(
          "DNSKEY-RSA-KEY",
          `${mnemonic} public exponent ${exponentBytes.length <= 6 ? Number.parseInt(Buffer.from(exponentBytes).toString("hex"), 16) : "(long)"} is not an odd number of at least 3 (RFC 8017 §3.1)`,
        );
      }
      // RFC 5702 §2.1 / §2.2: modulus 512 (1024 for SHA-512) to 4096 bits.
      if (sizeBits < minBits || sizeBits > 4096) {
        throw inputError("DNSKEY-RSA-KEY", `${mnemonic} modulus of ${sizeBits} bits is outside ${minBits}..4096 (RFC 5702)`);
      }
      return { sizeBits };
    },
    verify(publicKeyBytes, data, signatureBytes) {
      const { modulusBytes, exponentBytes } = decodeRsaPublicKey(publicKeyBytes);
      // RFC 3110: the signature is as long as the modulus; a shorter one is not left-padded here.
      if (signatureBytes.length !== modulusBytes.length) return false;
      const key = createPublicKey({
        format: "jwk",
        key: { kty: "RSA", n: Buffer.from(modulusBytes).toString("base64url"), e: Buffer.from(exponentBytes).toString("base64url") },
      });
      return nodeVerify(hash, data, key, signatureBytes);
    },
  };
}

// --- ECDSA (RFC 6605 §4: x||y public key, r||s signature) ----------------------------------------

function ecdsaAlgorithm(number: number, mnemonic: string, curve: typeof p256 | typeof p384, octets: number): AlgorithmInfo {
  const withPrefix = (publicKeyBytes: Uint8Array) => concatBytes(new Uint8Array([4]), publicKeyBytes);
  return {
    number,
    mnemonic,
    family: "ECDSA",
    describeKey(publicKeyBytes) {
      if (publicKeyBytes.length !== 2 * octets) {
        throw inputError("DNSKEY-EC-KEY", `${mnemonic} public key is ${publicKeyBytes.length} octets; must be ${2 * octets} (x||y)`);
      }
      try {
        curve.Point.fromBytes(withPrefix(publicKeyBytes)).assertValidity();
      } catch {
        throw inputError("DNSKEY-EC-KEY", `${mnemonic} public key is not a point on the curve`);
      }
      return { sizeBits: octets * 8 };
    },
    verify(publicKeyBytes, data, signatureBytes) {
      if (signatureBytes.length !== 2 * octets || publicKeyBytes.length !== 2 * octets) return false;
      try {
        // prehash: noble hashes with the curve's hash (SHA-256 for P-256, SHA-384 for P-384).
        return curve.verify(signatureBytes, data, withPrefix(publicKeyBytes), { lowS: false, prehash: true });
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
    ecdsaAlgorithm(13, "ECDSAP256SHA256", p256, 32),
    ecdsaAlgorithm(14, "ECDSAP384SHA384", p384, 48),
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
