/**
 * Which PKCS#11 mechanism makes or signs with a DNSSEC key, and what the token is given:
 * - RSA: CKM_SHA256_RSA_PKCS / CKM_SHA512_RSA_PKCS, or, when the token lacks them, a host-computed
 *   DigestInfo (RFC 8017 §9.2) with CKM_RSA_PKCS (RFC 5702 §3);
 * - ECDSA: a host hash and CKM_ECDSA (SoftHSM 2.6.1 has no CKM_ECDSA_SHA256), whose output is
 *   r||s as DNSSEC wants it (RFC 6605 §4);
 * - EdDSA: CKM_EDDSA as PureEdDSA (RFC 8080 §4, RFC 8032 §5). PKCS#11 3.0 §2.3.14 (CKM_EDDSA):
 *   without a parameter the mechanism is Ed25519; Ed448 always takes a CK_EDDSA_PARAMS, here
 *   phFlag false and no context (Ed448, not Ed448ph). Ed25519 gets no parameter, since a
 *   CK_EDDSA_PARAMS would ask for Ed25519ctx or Ed25519ph.
 *
 * Left out: RSASSA-PSS and other mechanisms DNSSEC does not use; multi-part signing.
 */
import { createHash } from "node:crypto";
import { type DnskeyRdata, concatBytes, decodeRsaPublicKey } from "@ksk/core";
import { DIGEST_INFO_PREFIX, type KeyFamily, keyFamilyFor } from "./key-algorithms.js";
import { keystoreError, pkcs11js } from "./pkcs11-module.js";

// PKCS#11 3.0 numbers that pkcs11js 2.1.7 does not export (SoftHSM 2.6 implements them).
export const CKM_EC_EDWARDS_KEY_PAIR_GEN = 0x1055;
export const CKM_EDDSA = 0x1057;

/**
 * CK_EDDSA_PARAMS { CK_BBOOL phFlag; CK_ULONG ulContextDataLen; CK_BYTE_PTR pContextData } with
 * phFlag false and no context, laid out as the C compiler does on this platform: the CK_ULONG and
 * the pointer are aligned to their own size after the one-octet CK_BBOOL (PKCS#11 structures use
 * the platform's default packing on Unix). All zero octets either way.
 */
export function pureEddsaParameters(): Buffer {
  const wordOctets = process.arch === "arm" || process.arch === "ia32" ? 4 : 8;
  return Buffer.alloc(3 * wordOctets);
}

/** The signing family of an existing key (the RSA size is not needed to sign, hence 0). */
export function familyOfDnskey(dnskey: DnskeyRdata): KeyFamily {
  const family = keyFamilyFor(dnskey.algorithm, dnskey.algorithm === 8 || dnskey.algorithm === 10 ? 2048 : undefined);
  return family.kind === "RSA" ? { ...family, modulusBits: 0 } : family;
}

export interface SigningMethod {
  readonly mechanism: number;
  /** The mechanism parameter, when it takes one (CK_EDDSA_PARAMS for Ed448). */
  readonly parameter?: Buffer;
  /** What the token is given: the data itself, a host digest, or a DigestInfo. */
  readonly prepare: (data: Uint8Array) => Uint8Array;
  readonly outputOctets: number;
}

export function signingMethod(family: KeyFamily, dnskey: DnskeyRdata, mechanisms: ReadonlySet<number>, where: string): SigningMethod {
  const need = (mechanism: number, name: string) => {
    if (!mechanisms.has(mechanism)) throw keystoreError("PKCS11-MECHANISM", `the token does not offer ${name}`, where);
    return mechanism;
  };
  switch (family.kind) {
    case "RSA": {
      // The signature is as long as the modulus (RFC 8017 §8.2.1).
      const outputOctets = decodeRsaPublicKey(dnskey.publicKeyBytes).modulusBytes.length;
      const combined = family.hash === "sha256" ? pkcs11js.CKM_SHA256_RSA_PKCS : pkcs11js.CKM_SHA512_RSA_PKCS;
      if (mechanisms.has(combined)) return { mechanism: combined, prepare: (data) => data, outputOctets };
      const prefix = DIGEST_INFO_PREFIX[family.hash];
      return {
        mechanism: need(pkcs11js.CKM_RSA_PKCS, "CKM_RSA_PKCS"),
        prepare: (data) => concatBytes(prefix, createHash(family.hash).update(data).digest()),
        outputOctets,
      };
    }
    case "EC":
      return {
        mechanism: need(pkcs11js.CKM_ECDSA, "CKM_ECDSA"),
        prepare: (data) => createHash(family.hash).update(data).digest(),
        outputOctets: 2 * family.coordinateOctets,
      };
    case "EdDSA":
      if (family.curve === "Ed25519") return { mechanism: need(CKM_EDDSA, "CKM_EDDSA"), prepare: (data) => data, outputOctets: 64 };
      return { mechanism: need(CKM_EDDSA, "CKM_EDDSA"), parameter: pureEddsaParameters(), prepare: (data) => data, outputOctets: 114 };
  }
}
