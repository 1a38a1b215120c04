/**
 * Root key trust-anchor sentinel names (RFC 8509 §2): `root-key-sentinel-is-ta-<tag>` and
 * `root-key-sentinel-not-ta-<tag>` at the root, the key tag written as five decimal digits with
 * leading zeros, for every KSK a lab resolver might trust. A validating resolver with sentinel
 * support answers SERVFAIL for `is-ta-<tag>` when it does not trust key <tag>, and for
 * `not-ta-<tag>` when it does; otherwise it answers the records, which use documentation
 * addresses (RFC 5737 192.0.2.0/24, RFC 3849 2001:db8::/32) so they lead nowhere.
 *
 * The tag is the key's tag without the REVOKE bit: a resolver's trust anchor is the unrevoked key.
 * Left out: sentinel names under other zones (operators on the public internet use a wildcard
 * under their own signed domain).
 */
import { type AnchorRecord, type ARdata, type AaaaRdata, type Name, type RR, isKind, isSep, keyTag, makeRR, nameFromLabels, withoutRevokeBit } from "@ksk/core";
import type { KsrResponseDocument } from "@ksk/ksr";

export const SENTINEL_IS_TA = "root-key-sentinel-is-ta-";
export const SENTINEL_NOT_TA = "root-key-sentinel-not-ta-";
const IS_TA_A = Uint8Array.from([192, 0, 2, 1]);
const NOT_TA_A = Uint8Array.from([192, 0, 2, 2]);
const IS_TA_AAAA = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
const NOT_TA_AAAA = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);

/** The tags of every KSK in the SKR and of the known keys (DS or DNSKEY records), ascending. */
export function sentinelKeyTags(skr: KsrResponseDocument, knownKeys: readonly AnchorRecord[] = []): number[] {
  const tags = new Set<number>();
  for (const bundle of skr.bundles) for (const k of bundle.keys) if (isSep(k.dnskey)) tags.add(keyTag(withoutRevokeBit(k.dnskey)));
  for (const anchor of knownKeys) tags.add(isKind(anchor, "DS") ? anchor.rdata.keyTag : keyTag(withoutRevokeBit(anchor.rdata)));
  return [...tags].sort((a, b) => a - b);
}

function labelled(prefix: string, tag: number, origin: Name): Name {
  return nameFromLabels([new TextEncoder().encode(`${prefix}${String(tag).padStart(5, "0")}`), ...origin.labels]);
}

/** A and AAAA records for both sentinel names of each tag. */
export function sentinelRecords(origin: Name, tags: readonly number[], ttlSeconds: number): RR[] {
  const out: RR[] = [];
  for (const tag of tags) {
    const isTa = labelled(SENTINEL_IS_TA, tag, origin);
    const notTa = labelled(SENTINEL_NOT_TA, tag, origin);
    out.push(
      makeRR(isTa, ttlSeconds, { kind: "A", addressBytes: IS_TA_A } as ARdata),
      makeRR(isTa, ttlSeconds, { kind: "AAAA", addressBytes: IS_TA_AAAA } as AaaaRdata),
      makeRR(notTa, ttlSeconds, { kind: "A", addressBytes: NOT_TA_A } as ARdata),
      makeRR(notTa, ttlSeconds, { kind: "AAAA", addressBytes: NOT_TA_AAAA } as AaaaRdata),
    );
  }
  return out;
}
