/**
 * The one place a keystore signature becomes a `Signer` result: every signature is verified in
 * software against the key's DNSKEY before it is returned (docs/architecture.md: "verify every HSM
 * signature in software before using it"). A signature that does not verify is a keystore
 * failure — a faulty HSM, a wrong key behind a label, a module bug — and never reaches a file.
 *
 * ECDSA and EdDSA go through @ksk/core's independent verifier (noble: an implementation independent
 * of the HSM and of OpenSSL). RSA has no second implementation here (noble has none; core verifies RSA with
 * node:crypto too), so the RSA public key is built once from the DNSKEY field (RFC 3110) as a
 * node:crypto KeyObject and reused: core's `algorithmInfo(8).verify` rebuilds it on every call,
 * which costs more than half again the verification itself (74 µs against 31 µs per RSA-2048
 * signature here), and a ceremony signs with one key many times.
 *
 * Left out: how the raw signature is made (the backends).
 */
import { verify as nodeVerify } from "node:crypto";
import { type DnskeyRdata, KskError, type Signer, algorithmInfo, decodeRsaPublicKey, dnskeyKeyObject, keyTag } from "@ksk/core";

export type RawSign = (data: Uint8Array) => Uint8Array | Promise<Uint8Array>;

/** A verifier for one DNSKEY: `(data, signature) => boolean`. */
export function dnskeyVerifier(dnskey: DnskeyRdata): (data: Uint8Array, signatureBytes: Uint8Array) => boolean {
  const info = algorithmInfo(dnskey.algorithm);
  if (info.family !== "RSA") return (data, signatureBytes) => info.verifyIndependently(dnskey.publicKeyBytes, data, signatureBytes);
  const key = dnskeyKeyObject(dnskey);
  const modulusOctets = decodeRsaPublicKey(dnskey.publicKeyBytes).modulusBytes.length;
  const hash = dnskey.algorithm === 8 ? "sha256" : "sha512";
  // RFC 3110 §3: the signature is exactly as long as the modulus (no stripped leading zeros).
  return (data, signatureBytes) => signatureBytes.length === modulusOctets && nodeVerify(hash, data, key, signatureBytes);
}

export function verifiedSigner(label: string, location: string, dnskey: DnskeyRdata, rawSign: RawSign, isOpen: () => boolean): Signer {
  const tag = keyTag(dnskey);
  const mnemonic = algorithmInfo(dnskey.algorithm).mnemonic;
  const verifies = dnskeyVerifier(dnskey);
  return {
    label,
    dnskey,
    keyTag: tag,
    async sign(data: Uint8Array): Promise<Uint8Array> {
      if (!isOpen()) throw new KskError("keystore", "KEYSTORE-CLOSED", `key ${label}: the keystore has been closed`, { where: location });
      const signatureBytes = await rawSign(data);
      if (!verifies(data, signatureBytes)) {
        throw new KskError(
          "keystore",
          "SIGNATURE-NOT-VERIFIED",
          `key ${label} (${tag}): the ${mnemonic} signature it returned does not verify against its public key; not used`,
          {
            where: location,
          },
        );
      }
      return signatureBytes;
    },
  };
}
