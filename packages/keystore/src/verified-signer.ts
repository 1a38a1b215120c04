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
 * A backend may instead verify its own signatures where it makes them (`CheckedSign`): the
 * software keystore's signing threads (./signing-pool.ts) verify each one with node:crypto against
 * the public key built from this same DNSKEY, over the same data, before answering, so that the
 * thousands of ZSK signatures of a zone are not verified on the main thread (the ECDSA noble check
 * costs about 2.5 ms per P-256 signature there). This is the one exception to the independent
 * verifier, for bulk ZSK signing; the KSK, PKCS#11 and single-thread paths keep the checks above.
 * A signature the backend reports as not verifying is refused here with the same error.
 *
 * Every Signer made here says so (`verifiedBeforeReturn`), so that a caller that would verify
 * the same signature over the same data with the same key again (@ksk/zone's signZone) need not.
 *
 * Left out: how the raw signature is made (the backends).
 */
import { verify as nodeVerify } from "node:crypto";
import { type DnskeyRdata, KskError, type Signer, algorithmInfo, decodeRsaPublicKey, dnskeyKeyObject, keyTag } from "@ksk/core";

export type RawSign = (data: Uint8Array) => Uint8Array | Promise<Uint8Array>;

/**
 * A backend that verifies each signature itself, against the public key of the same DNSKEY and
 * over exactly `data`, before answering; `verified: false` when it does not verify.
 */
export interface CheckedSign {
  readonly signChecked: (data: Uint8Array) => Promise<{ readonly verified: true; readonly signature: Uint8Array } | { readonly verified: false }>;
}

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

export function verifiedSigner(label: string, location: string, dnskey: DnskeyRdata, backend: RawSign | CheckedSign, isOpen: () => boolean): Signer {
  const tag = keyTag(dnskey);
  const mnemonic = algorithmInfo(dnskey.algorithm).mnemonic;
  const verifies = typeof backend === "function" ? dnskeyVerifier(dnskey) : undefined;
  return {
    label,
    dnskey,
    keyTag: tag,
    verifiedBeforeReturn: true,
    async sign(data: Uint8Array): Promise<Uint8Array> {
      if (!isOpen()) throw new KskError("keystore", "KEYSTORE-CLOSED", `key ${label}: the keystore has been closed`, { where: location });
      let signatureBytes: Uint8Array | undefined;
      if (typeof backend === "function") {
        const made = await backend(data);
        if (verifies?.(data, made)) signatureBytes = made;
      } else {
        const checked = await backend.signChecked(data);
        if (checked.verified) signatureBytes = checked.signature;
      }
      if (!signatureBytes) {
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
