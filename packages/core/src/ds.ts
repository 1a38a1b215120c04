/**
 * DS records (RFC 4034 §5.1.4): digest = H(owner name in canonical wire form | DNSKEY RDATA).
 * Digest types 1 (SHA-1, RFC 4034), 2 (SHA-256, RFC 4509) and 4 (SHA-384, RFC 6605). Type 3
 * (GOST R 34.11-94) is refused, as is anything unknown: there is never a fallback to SHA-1.
 */
import { createHash } from "node:crypto";
import { bytesEqual, concatBytes } from "./bytes.js";
import { inputError } from "./errors.js";
import { keyTag } from "./keytag.js";
import { type Name, nameToWire } from "./name.js";
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
