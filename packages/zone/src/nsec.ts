/**
 * The NSEC chain (RFC 4034 §4, RFC 4035 §2.3): one NSEC at the apex, at every name with
 * authoritative data and at every delegation point — not at glue or occluded names — each naming
 * the next such name in canonical order, the last naming the apex. The type bitmap lists the types
 * present at the name, plus NSEC and RRSIG (the NSEC is itself signed); at a delegation point only
 * NS, DS (if any), NSEC and RRSIG (RFC 4035 §2.3). The TTL is the lesser of the SOA's MINIMUM and
 * its own TTL (RFC 4034 §4 as updated by RFC 9077 §3.2).
 *
 * The signer builds the chain with `nsecChain`; the validator compares the zone's NSECs with it.
 * Left out: NSEC3 (RFC 5155).
 */
import { type Name, type NsecRdata, type RR, RRType, isKind, makeRR } from "@ksk/core";
import { type Zone, type ZoneNode, zoneSoa } from "./zone.js";

/** Does the chain have an NSEC at this node? */
export function hasNsec(node: ZoneNode): boolean {
  return node.role !== "below-cut";
}

/** The types an NSEC at `node` must list. */
export function nsecTypes(node: ZoneNode): number[] {
  const present = [...node.rrsets.keys()].filter((t) => t !== RRType.NSEC && t !== RRType.RRSIG);
  const listed = node.role === "delegation" ? present.filter((t) => t === RRType.NS || t === RRType.DS) : present;
  return [...listed, RRType.NSEC, RRType.RRSIG].sort((a, b) => a - b);
}

/** The NSEC TTL of a zone (RFC 9077 §3.2): min(SOA MINIMUM, SOA TTL). */
export function nsecTtlSeconds(zone: Zone): number {
  const soa = zoneSoa(zone);
  if (!isKind(soa, "SOA")) throw new Error("unreachable: SOA RRset holds a non-SOA record");
  return Math.min(soa.ttlSeconds, soa.rdata.minimumSeconds);
}

/** The NSEC records the zone must hold, in canonical order of their owners. */
export function nsecChain(zone: Zone): RR<NsecRdata>[] {
  const ttl = nsecTtlSeconds(zone);
  const owners = zone.nodes.filter(hasNsec);
  return owners.map((node, i) => {
    const next: Name = (owners[i + 1] ?? (owners[0] as ZoneNode)).owner;
    return makeRR(node.owner, ttl, { kind: "NSEC", nextName: next, types: nsecTypes(node) } as NsecRdata);
  });
}
