/**
 * Key-tag collision check for a newly generated key (RFC 4034 Appendix B; RFC 5011 §2.1).
 *
 * Validators pick candidate keys by key tag; two keys of a DNSKEY RRset sharing a tag cost
 * validators extra work and confuse operators reading DS records and ceremony scripts. A KSK is
 * later published with the REVOKE bit, which changes its tag, so a new key is refused when any of
 * its two tags (as generated, and with REVOKE set) equals either tag of any key already in the
 * keystore or in a list of known keys — KSKs and ZSKs alike (IANA's tools did not compare across
 * roles). Tags are recomputed, never derived by adding 128.
 *
 * Left out: algorithm-aware matching. A tag collision between different algorithms is still
 * refused: operators and tools often show the tag alone.
 */
import { type DnskeyRdata, KskError, keyTag, revokedKeyTag, withoutRevokeBit } from "@ksk/core";

export interface KnownKey {
  /** Where the key comes from: a keystore label or `file:line`. */
  readonly name: string;
  readonly dnskey: DnskeyRdata;
}

/** Both tags of a key: as it is without the REVOKE bit, and with it. */
export function keyTags(dnskey: DnskeyRdata): { readonly keyTag: number; readonly revokedKeyTag: number } {
  const plain = withoutRevokeBit(dnskey);
  return { keyTag: keyTag(plain), revokedKeyTag: revokedKeyTag(plain) };
}

/** The collision of `candidate` with the first known key it collides with, in words; undefined when none. */
export function keyTagCollision(candidate: KnownKey, known: readonly KnownKey[]): string | undefined {
  const c = keyTags(candidate.dnskey);
  for (const k of known) {
    const t = keyTags(k.dnskey);
    const clashes: string[] = [];
    if (c.keyTag === t.keyTag) clashes.push(`key tag ${c.keyTag} equals ${k.name}'s key tag`);
    if (c.keyTag === t.revokedKeyTag) clashes.push(`key tag ${c.keyTag} equals ${k.name}'s revoked key tag`);
    if (c.revokedKeyTag === t.keyTag) clashes.push(`revoked key tag ${c.revokedKeyTag} equals ${k.name}'s key tag`);
    if (c.revokedKeyTag === t.revokedKeyTag) clashes.push(`revoked key tag ${c.revokedKeyTag} equals ${k.name}'s revoked key tag`);
    if (clashes.length > 0) return clashes.join("; ");
  }
  return undefined;
}

/** Throws a "refused" KskError naming both keys when `candidate` collides with a known key. */
export function checkKeyTagCollision(candidate: KnownKey, known: readonly KnownKey[]): void {
  const clash = keyTagCollision(candidate, known);
  if (clash !== undefined) {
    throw new KskError("refused", "KEY-TAG-COLLISION", `new key ${candidate.name}: ${clash}`, { where: candidate.name });
  }
}
