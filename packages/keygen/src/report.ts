/**
 * What the operator sees about a key: label, key tag and revoked key tag, the DNSKEY record, DS
 * records (SHA-256 and SHA-384, RFC 4509 / RFC 6605) and the SHA-256 digest as PGP words for
 * reading aloud at a ceremony. Records are at the root with the root DNSKEY TTL (DPS: 172800).
 *
 * Left out: trust-anchor formats (root-anchors.xml, BIND/unbound) — @ksk/trust-anchor and `ksk ds`.
 */
import { type DnskeyRdata, type Name, ROOT, algorithmInfo, bytesToHex, makeDs, makeRR, pgpWords, rrToString } from "@ksk/core";
import { keyTags } from "./collision.js";
import type { DiscardedCandidate } from "./generate.js";

export const ROOT_DNSKEY_TTL_SECONDS = 172800;
/** Digest types shown for every key: SHA-256 (what root-anchors.xml carries) and SHA-384. */
export const REPORT_DIGEST_TYPES = [2, 4] as const;

export interface DsReport {
  readonly digestType: number;
  readonly digestHex: string;
  /** The DS record in presentation format: `. 172800 IN DS 20326 8 2 E06D…`. */
  readonly record: string;
}

export interface KeyReport {
  readonly label: string;
  readonly algorithm: number;
  readonly algorithmMnemonic: string;
  readonly sizeBits: number;
  readonly flags: number;
  readonly keyTag: number;
  readonly revokedKeyTag: number;
  /** The DNSKEY record in presentation format, one line. */
  readonly dnskeyRecord: string;
  readonly ds: readonly DsReport[];
  /** The SHA-256 DS digest as PGP words (even octets two-syllable, odd three-syllable). */
  readonly dsSha256PgpWords: readonly string[];
}

/** One presentation-format line with single spaces: `. 172800 IN DNSKEY 257 3 8 AwEAA…`. */
export function presentationLine(owner: Name, ttlSeconds: number, rdata: Parameters<typeof makeRR>[2]): string {
  return rrToString(makeRR(owner, ttlSeconds, rdata)).replace(/\t/g, " ");
}

export function keyReport(label: string, dnskey: DnskeyRdata, owner: Name = ROOT, ttlSeconds = ROOT_DNSKEY_TTL_SECONDS): KeyReport {
  const info = algorithmInfo(dnskey.algorithm);
  const tags = keyTags(dnskey);
  const ds = REPORT_DIGEST_TYPES.map((digestType) => {
    const rdata = makeDs(owner, dnskey, digestType);
    return { digestType, digestHex: bytesToHex(rdata.digestBytes, true), record: presentationLine(owner, ttlSeconds, rdata) };
  });
  const sha256 = makeDs(owner, dnskey, 2).digestBytes;
  return {
    label,
    algorithm: dnskey.algorithm,
    algorithmMnemonic: info.mnemonic,
    sizeBits: info.describeKey(dnskey.publicKeyBytes).sizeBits,
    flags: dnskey.flags,
    keyTag: tags.keyTag,
    revokedKeyTag: tags.revokedKeyTag,
    dnskeyRecord: presentationLine(owner, ttlSeconds, dnskey),
    ds,
    dsSha256PgpWords: pgpWords(sha256),
  };
}

/** The report as aligned text lines, as printed after generation. */
export function formatKeyReport(report: KeyReport): string {
  const rows: [string, string][] = [
    ["label", report.label],
    ["algorithm", `${report.algorithm} (${report.algorithmMnemonic}, ${report.sizeBits} bits)`],
    ["flags", `${report.flags} (${report.flags & 1 ? "KSK" : "ZSK"})`],
    ["key tag", String(report.keyTag)],
    ["revoked key tag", String(report.revokedKeyTag)],
    ["DNSKEY", report.dnskeyRecord],
    ...report.ds.map((d): [string, string] => [`DS ${d.digestType === 2 ? "SHA-256" : d.digestType === 4 ? "SHA-384" : `type ${d.digestType}`}`, d.record]),
    ["DS SHA-256 words", report.dsSha256PgpWords.join(" ")],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}\n`).join("");
}

/** One line for the operator and witnesses about a candidate deleted for a key-tag collision. */
export function formatDiscardedCandidate(label: string, d: DiscardedCandidate): string {
  return `candidate ${d.attempt} for ${label} (key tag ${d.keyTag}, revoked ${d.revokedKeyTag}) collided and was deleted from the keystore: ${d.clash}; generated again`;
}
