/**
 * The one place a keystore signature becomes a `Signer` result: every signature is verified in
 * software against the key's DNSKEY before it is returned (docs/architecture.md: "verify every HSM
 * signature in software before using it"). A signature that does not verify is a keystore
 * failure — a faulty HSM, a wrong key behind a label, a module bug — and never reaches a file.
 *
 * The check is @ksk/core's one verifier, `keyVerifier(dnskey, { independent: true })`: ECDSA and
 * EdDSA through noble (an implementation independent of the HSM and of OpenSSL), RSA through
 * node:crypto with the public key built once from the DNSKEY field (RFC 3110), since a ceremony
 * signs with one key many times.
 *
 * A backend may instead verify its own signatures where it makes them (`CheckedSign`): the
 * signing threads of both keystores (./signing-pool.ts for a software key, ./pkcs11-signing-pool.ts
 * for a key in a token) verify each one with node:crypto against the public key built from this
 * same DNSKEY, over the same data, before answering, so that the thousands of ZSK signatures of a
 * zone are not verified on the main thread (the ECDSA noble check costs about 2.5 ms per P-256
 * signature there). This is the one exception to the independent verifier, for bulk signing with
 * threads (`signer(label, { threads })` above one); the KSK and single-thread paths keep the checks
 * above.
 * A signature the backend reports as not verifying is refused here with the same error.
 *
 * Every Signer made here says so (`verifiedBeforeReturn`), so that a caller that would verify
 * the same signature over the same data with the same key again (@ksk/zone's signZone) need not.
 *
 * Left out: how the raw signature is made (the backends).
 */
import { type DnskeyRdata, KskError, type Signer, algorithmInfo, keyTag, keyVerifier } from "@ksk/core";

export type RawSign = (data: Uint8Array) => Uint8Array | Promise<Uint8Array>;

/**
 * A backend that verifies each signature itself, against the public key of the same DNSKEY and
 * over exactly `data`, before answering; `verified: false` when it does not verify.
 */
export interface CheckedSign {
  readonly signChecked: (data: Uint8Array) => Promise<{ readonly verified: true; readonly signature: Uint8Array } | { readonly verified: false }>;
}

export function verifiedSigner(label: string, location: string, dnskey: DnskeyRdata, backend: RawSign | CheckedSign, isOpen: () => boolean): Signer {
  const tag = keyTag(dnskey);
  const mnemonic = algorithmInfo(dnskey.algorithm).mnemonic;
  const verifies = typeof backend === "function" ? keyVerifier(dnskey, { independent: true }) : undefined;
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
