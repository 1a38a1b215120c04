/**
 * The public halves of keys in a keystore, for what publishes them (`ksk anchors build`): by
 * label, or every KSK (flags 257, RFC 4034 §2.1.1) the keystore holds, sorted by label. The
 * keystore is opened by the caller's function (its URI, PIN source and module environment are the
 * caller's) and closed here whatever happens; no private key is used.
 *
 * Left out: matching keys to a signer config (@ksk/signer's anchor-keys.ts) and the anchors' ids
 * and validity.
 */
import { type DnskeyRdata, KskError } from "@ksk/core";
import type { Keystore } from "./types.js";

/** A key's DNSKEY as the keystore holds it. */
export interface KeystorePublicKey {
  readonly label: string;
  readonly dnskey: DnskeyRdata;
  /** Where it is: `where` and the label, for messages. */
  readonly where: string;
  /** Where the keystore says it is (`pkcs11:token=ksk-lab`, the keystore directory). */
  readonly location: string;
}

/**
 * The DNSKEYs of `labels` in the keystore `open` gives (a label without a public half is
 * KEY-NO-PUBLIC), or with `"every-ksk"` each KSK in it (none is KEY-NOT-FOUND), named at `where`.
 */
export async function keystorePublicKeys(open: () => Promise<Keystore>, labels: readonly string[] | "every-ksk", where: string): Promise<KeystorePublicKey[]> {
  const keystore = await open();
  try {
    if (labels === "every-ksk") {
      const ksks = (await keystore.list()).filter((k) => k.dnskey?.flags === 257).sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
      if (ksks.length === 0) throw new KskError("keystore", "KEY-NOT-FOUND", "holds no KSK (flags 257)", { where });
      return ksks.map((k) => ({ label: k.label, dnskey: k.dnskey as DnskeyRdata, where: `${where} ${k.label}`, location: k.location }));
    }
    const found: KeystorePublicKey[] = [];
    for (const label of labels) {
      const info = await keystore.find(label);
      if (!info.dnskey) throw new KskError("keystore", "KEY-NO-PUBLIC", `key ${label} has no public key in the keystore`, { where });
      found.push({ label, dnskey: info.dnskey, where: `${where} ${label}`, location: info.location });
    }
    return found;
  } finally {
    await keystore.close();
  }
}
