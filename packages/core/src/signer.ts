/**
 * The `Signer` interface: the only way the toolkit's packages reach a private key. Keystores
 * (PKCS#11 HSM, encrypted software keystore) implement it; `ksr`, `signer`, `trust-anchor` and
 * `zone` take one as a parameter and never import a keystore.
 */
import type { DnskeyRdata } from "./rdata.js";

export interface Signer {
  /** Where the key lives, for messages and transcripts (a label such as `Kmyv6jo`). */
  readonly label: string;
  /** The key's DNSKEY RDATA as generated (REVOKE bit clear). */
  readonly dnskey: DnskeyRdata;
  /** The key tag of `dnskey`, derived from it. */
  readonly keyTag: number;
  /**
   * Sign `data` with the algorithm of `dnskey`, returning the signature in DNSSEC wire format
   * (RSA: modulus-length octets; ECDSA: r||s; EdDSA: R||S). Implementations verify the signature
   * in software before returning it.
   */
  sign(data: Uint8Array): Promise<Uint8Array>;
  /**
   * True when every signature `sign` returns has been verified, before it was returned, against
   * `dnskey` over exactly the `data` given (every keystore signer: @ksk/keystore's
   * verified-signer.ts). A caller that would verify the same signature over the same data with
   * the same key may rely on this instead of verifying it a second time (@ksk/zone's signZone).
   */
  readonly verifiedBeforeReturn?: boolean;
}
