/**
 * What each DNSSEC algorithm means to a keystore: which key to generate (RSA modulus sizes, the
 * curve) and which hash the host computes (core's `AlgorithmInfo.hash`).
 *
 * - 8 RSASHA256, 10 RSASHA512 (RFC 5702): RSA 2048, 3072 or 4096 bits, e = 65537. The root KSK is
 *   RSA-2048 (DPS); sizes below 2048 are refused for new keys (RFC 8624 §3.1 advice; NIST SP
 *   800-57), sizes above 4096 exceed RFC 5702 §2.
 * - 13 ECDSAP256SHA256, 14 ECDSAP384SHA384 (RFC 6605): P-256 / P-384, DNSKEY field x||y.
 * - 15 ED25519, 16 ED448 (RFC 8080): PureEdDSA, DNSKEY field the raw public key.
 *
 * Left out: the DNSKEY codec and verification themselves (@ksk/core's algorithm registry).
 */
import { KskError, algorithmInfo } from "@ksk/core";

export const RSA_MODULUS_BITS = [2048, 3072, 4096] as const;
/** F4, the only public exponent this toolkit generates (RFC 3110 allows others; the root uses 65537). */
export const RSA_PUBLIC_EXPONENT = 65537;

export type KeyFamily =
  | { readonly kind: "RSA"; readonly hash: "sha256" | "sha512"; readonly modulusBits: number }
  | { readonly kind: "EC"; readonly hash: "sha256" | "sha384"; readonly curve: "P-256" | "P-384"; readonly coordinateOctets: number }
  | { readonly kind: "EdDSA"; readonly curve: "Ed25519" | "Ed448"; readonly keyOctets: number };

/**
 * The key to generate for `algorithm` (and `rsaModulusBits` for RSA); a usage error for anything
 * else, so that the operator learns the allowed values.
 */
export function keyFamilyFor(algorithm: number, rsaModulusBits?: number): KeyFamily {
  const info = algorithmInfo(algorithm);
  const noBits = (size: number) => {
    if (rsaModulusBits !== undefined && rsaModulusBits !== size) {
      throw new KskError("usage", "KEY-SIZE", `${info.mnemonic} keys are ${size} bits; --bits ${rsaModulusBits} does not apply`);
    }
  };
  switch (algorithm) {
    case 8:
    case 10: {
      const bits = rsaModulusBits ?? 2048;
      if (!(RSA_MODULUS_BITS as readonly number[]).includes(bits)) {
        throw new KskError("usage", "KEY-SIZE", `${info.mnemonic}: RSA modulus of ${bits} bits not offered; use ${RSA_MODULUS_BITS.join(", ")}`);
      }
      return { kind: "RSA", hash: info.hash as "sha256" | "sha512", modulusBits: bits };
    }
    case 13:
      noBits(256);
      return { kind: "EC", hash: info.hash as "sha256", curve: "P-256", coordinateOctets: 32 };
    case 14:
      noBits(384);
      return { kind: "EC", hash: info.hash as "sha384", curve: "P-384", coordinateOctets: 48 };
    case 15:
      noBits(256);
      return { kind: "EdDSA", curve: "Ed25519", keyOctets: 32 };
    case 16:
      noBits(456);
      return { kind: "EdDSA", curve: "Ed448", keyOctets: 57 };
    default:
      throw new KskError("usage", "KEY-ALGORITHM", `algorithm ${algorithm} (${info.mnemonic}) cannot be generated here`);
  }
}

/**
 * DER DigestInfo prefixes (RFC 8017 §9.2, note 1) for signing with a raw CKM_RSA_PKCS when the
 * module lacks CKM_SHA256_RSA_PKCS / CKM_SHA512_RSA_PKCS: the host hashes and prepends these.
 */
export const DIGEST_INFO_PREFIX: Readonly<Record<"sha256" | "sha512", Uint8Array>> = {
  sha256: Uint8Array.from(Buffer.from("3031300d060960864801650304020105000420", "hex")),
  sha512: Uint8Array.from(Buffer.from("3051300d060960864801650304020305000440", "hex")),
};
