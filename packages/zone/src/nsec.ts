/**
 * The NSEC chain (RFC 4034 §4, RFC 4035 §2.3): one NSEC at the apex, at every name with
 * authoritative data and at every delegation point — not at glue or occluded names — each naming
 * the next such name in canonical order, the last naming the apex. The type bitmap lists the types
 * present at the name, plus NSEC and RRSIG (the NSEC is itself signed); at a delegation point only
 * NS, DS (if any), NSEC and RRSIG (RFC 4035 §2.3). The TTL is the lesser of the SOA's MINIMUM and
 * its own TTL (RFC 4034 §4 as updated by RFC 9077 §3.2).
 *
 * The signer builds the chain over the compact zone (./wire-sign.ts); the validator compares the
 * zone's NSECs with these rules (./verify.ts).
 * Left out: NSEC3 (RFC 5155).
 */
import { RRType } from "@ksk/core";
import type { ZoneNode } from "./zone.js";

/** Does the chain have an NSEC at this node? */
export function hasNsec(node: ZoneNode): boolean {
  return node.role !== "below-cut";
}

/** The types an NSEC at `node` must list. */
export function nsecTypes(node: ZoneNode): number[] {
  return nsecBitmapTypes([...node.rrsets.keys()], node.role === "delegation");
}

/**
 * The types an NSEC must list at a name holding `present`: those (at a delegation point only NS
 * and DS, RFC 4035 §2.3), plus NSEC and RRSIG, in ascending order. NSEC and RRSIG already in
 * `present` (a signed zone's) are listed once.
 */
export function nsecBitmapTypes(present: readonly number[], delegation: boolean): number[] {
  const own = present.filter((t) => t !== RRType.NSEC && t !== RRType.RRSIG);
  const listed = delegation ? own.filter((t) => t === RRType.NS || t === RRType.DS) : own;
  return [...listed, RRType.NSEC, RRType.RRSIG].sort((a, b) => a - b);
}
