/**
 * The names a readiness check asks (pure).
 *
 * RFC 8509 §2: a query of type A or AAAA whose leftmost label is `root-key-sentinel-is-ta-<tag>` or
 * `root-key-sentinel-not-ta-<tag>`, the tag written as five zero-filled decimal digits, makes a
 * validating resolver that supports the sentinel answer SERVFAIL when the key with that tag is not
 * (is-ta) or is (not-ta) among its root trust anchors; otherwise it answers as for any other name.
 * The names must exist and be signed: in the lab they are records at the root (added by the zone
 * signer's sentinel option); on the public internet they are asked under a signed domain that
 * answers any name (a wildcard).
 *
 * The deliberately broken name is `bogus-rrsig.<domain>`: an A record whose RRSIG does not verify.
 * A validating resolver must answer it SERVFAIL; an answer with data means no validation. The lab
 * root carries it (see the package README); a domain given by the operator must carry it too.
 *
 * Leaves out: the older draft labels (`kskroll-sentinel-…`, `_is-ta-…`).
 */
import { KskError, type Name, nameFromLabels } from "@ksk/core";

export type SentinelKind = "is-ta" | "not-ta";

/** The leftmost label of the name that carries a broken signature. */
export const BROKEN_LABEL = "bogus-rrsig";

function label(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function checkTag(tag: number): void {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xffff) throw new KskError("usage", "BAD-KEY-TAG", `key tag ${tag} is not an integer from 0 to 65535`);
}

/** `root-key-sentinel-is-ta-20326` (RFC 8509 §2: five digits, zero-filled). */
export function sentinelLabel(kind: SentinelKind, tag: number): string {
  checkTag(tag);
  return `root-key-sentinel-${kind}-${String(tag).padStart(5, "0")}`;
}

export function sentinelName(kind: SentinelKind, tag: number, domain: Name): Name {
  return nameFromLabels([label(sentinelLabel(kind, tag)), ...domain.labels]);
}

export function brokenName(domain: Name): Name {
  return nameFromLabels([label(BROKEN_LABEL), ...domain.labels]);
}
