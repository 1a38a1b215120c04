/**
 * The one place a keystore signature becomes a `Signer` result: every signature is verified in
 * software against the key's DNSKEY before it is returned (DESIGN.md §5: "verify every HSM
 * signature in software before using it"). A signature that does not verify is a keystore
 * failure — a faulty HSM, a wrong key behind a label, a module bug — and never reaches a file.
 *
 * Left out: how the raw signature is made (the backends).
 */
import { type DnskeyRdata, KskError, type Signer, algorithmInfo, keyTag } from "@ksk/core";

export type RawSign = (data: Uint8Array) => Uint8Array | Promise<Uint8Array>;

export function verifiedSigner(label: string, location: string, dnskey: DnskeyRdata, rawSign: RawSign, isOpen: () => boolean): Signer {
  const tag = keyTag(dnskey);
  const info = algorithmInfo(dnskey.algorithm);
  return {
    label,
    dnskey,
    keyTag: tag,
    async sign(data: Uint8Array): Promise<Uint8Array> {
      if (!isOpen()) throw new KskError("keystore", "KEYSTORE-CLOSED", `key ${label}: the keystore has been closed`, { where: location });
      const signatureBytes = await rawSign(data);
      if (!info.verify(dnskey.publicKeyBytes, data, signatureBytes)) {
        throw new KskError(
          "keystore",
          "SIGNATURE-NOT-VERIFIED",
          `key ${label} (${tag}): the ${info.mnemonic} signature it returned does not verify against its public key; not used`,
          {
            where: location,
          },
        );
      }
      return signatureBytes;
    },
  };
}
