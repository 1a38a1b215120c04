/**
 * DS records (RFC 4034 §5.1.4): digest = H(owner name in canonical wire form | DNSKEY RDATA).
 * Digest types 1 (SHA-1, RFC 4034), 2 (SHA-256, RFC 4509) and 4 (SHA-384, RFC 6605). Type 3
 * (GOST R 34.11-94) is refused, as is anything unknown: there is never a fallback to SHA-1.
 */
import { createHash } from "node:crypto";
import { bytesEqual, concatBytes } from "./bytes.js";
import { inputError } from "./errors.js";
import { keyTag } from "./keytag.js";
import { type Name, nameToString, nameToWire, namesEqual } from "./name.js";
import { type DnskeyRdata, type DsRdata, encodeRdata } from "./rdata.js";

export interface DigestTypeInfo {
  readonly number: number;
  readonly mnemonic: string;
  readonly hash: "sha1" | "sha256" | "sha384";
  readonly digestOctets: number;
}

export const DIGEST_TYPES: ReadonlyMap<number, DigestTypeInfo> = new Map([
  [1, { number: 1, mnemonic: "SHA-1", hash: "sha1", digestOctets: 20 }],
  [2, { number: 2, mnemonic: "SHA-256", hash: "sha256", digestOctets: 32 }],
  [4, { number: 4, mnemonic: "SHA-384", hash: "sha384", digestOctets: 48 }],
]);

export function digestTypeInfo(digestType: number): DigestTypeInfo {
  const info = DIGEST_TYPES.get(digestType);
  if (!info) {
    const why = digestType === 3 ? "GOST R 34.11-94 (type 3) is not supported" : `unknown DS digest type ${digestType}`;
    throw inputError("DS-DIGEST-TYPE", `${why}; supported: 1 (SHA-1), 2 (SHA-256), 4 (SHA-384)`);
  }
  return info;
}

/** The DS digest of `dnskey` at `owner`. */
export function dsDigest(owner: Name, dnskey: DnskeyRdata, digestType: number): Uint8Array {
  const info = digestTypeInfo(digestType);
  const hash = createHash(info.hash);
  hash.update(concatBytes(nameToWire(owner, true), encodeRdata(dnskey)));
  return new Uint8Array(hash.digest());
}

export function makeDs(owner: Name, dnskey: DnskeyRdata, digestType: number): DsRdata {
  return { kind: "DS", keyTag: keyTag(dnskey), algorithm: dnskey.algorithm, digestType, digestBytes: dsDigest(owner, dnskey, digestType) };
}

/** Check a DS's digest length against its type (a truncated digest is malformed input). */
export function checkDsDigestLength(ds: DsRdata): void {
  const info = digestTypeInfo(ds.digestType);
  if (ds.digestBytes.length !== info.digestOctets) {
    throw inputError("DS-DIGEST-LENGTH", `DS ${ds.keyTag}: ${info.mnemonic} digest is ${ds.digestBytes.length} octets; must be ${info.digestOctets}`);
  }
}

/** Does `ds` designate `dnskey` at `owner`? Key tag, algorithm and digest must all match. */
export function dsMatches(ds: DsRdata, owner: Name, dnskey: DnskeyRdata): boolean {
  if (ds.algorithm !== dnskey.algorithm || ds.keyTag !== keyTag(dnskey)) return false;
  return bytesEqual(ds.digestBytes, dsDigest(owner, dnskey, ds.digestType));
}

/** What a DS record designates among some DNSKEYs (`ksk ds --check`). */
export interface DsKeyMatch {
  readonly owner: Name;
  readonly ds: DsRdata;
  /** The DNSKEY the DS designates (owner, key tag, algorithm and digest all equal), if one does. */
  readonly key?: DnskeyRdata;
  /** Why none does, in one phrase: no key with the tag, or which part differs. */
  readonly why?: string;
}

/**
 * For each DS, the DNSKEY among `keys` it designates (RFC 4034 §5.2: owner, key tag, algorithm and
 * the digest over owner and RDATA), or why none does. A key with the REVOKE bit has another tag: a
 * DS made before the revocation does not designate it, as validators see it.
 */
export function matchDsToKeys(dsRecords: readonly { owner: Name; rdata: DsRdata }[], keys: readonly { owner: Name; rdata: DnskeyRdata }[]): DsKeyMatch[] {
  return dsRecords.map(({ owner, rdata: ds }) => {
    const sameOwner = keys.filter((k) => namesEqual(k.owner, owner));
    const key = sameOwner.find((k) => dsMatches(ds, owner, k.rdata));
    if (key) return { owner, ds, key: key.rdata };
    const tagged = sameOwner.filter((k) => keyTag(k.rdata) === ds.keyTag);
    let why: string;
    if (sameOwner.length === 0) why = `no DNSKEY at ${nameToString(owner)}`;
    else if (tagged.length === 0) why = `no DNSKEY with key tag ${ds.keyTag} (the keys here: ${sameOwner.map((k) => keyTag(k.rdata)).join(", ")})`;
    else if (tagged.every((k) => k.rdata.algorithm !== ds.algorithm))
      why = `key ${ds.keyTag} has algorithm ${tagged[0]?.rdata.algorithm}, the DS says ${ds.algorithm}`;
    else why = `key ${ds.keyTag}'s ${digestTypeInfo(ds.digestType).mnemonic} digest is not the DS's: another key with the same tag, or a changed DS`;
    return { owner, ds, why };
  });
}
