/**
 * ZONEMD (RFC 8976): the digest of a whole zone, SIMPLE scheme (1) with SHA-384 (1) or SHA-512 (2).
 *
 * RFC 8976 §3.3: every record of the zone in canonical order and canonical form (RFC 4034 §6),
 * each with its own TTL, duplicates suppressed — glue, occluded data, NSEC and RRSIG included —
 * except the apex ZONEMD RRset and the apex RRSIGs that cover ZONEMD (§3.3.1). The signer computes
 * it after everything else is signed and then signs the ZONEMD RRset; the validator recomputes it
 * for every apex ZONEMD record whose scheme and algorithm it knows, and checks its serial equals
 * the SOA's (§4).
 *
 * Left out: other schemes (none is defined), private-use hash algorithms (240–254).
 */
import { type Hash, createHash } from "node:crypto";
import { RRType, type ZonemdRdata, bytesToHex, isKind, rrToWire } from "@ksk/core";
import { type Zone, zoneSoa } from "./zone.js";

export const ZONEMD_SCHEME_SIMPLE = 1;
export const ZONEMD_HASH = { SHA384: 1, SHA512: 2 } as const;
const HASH_NAME: Readonly<Record<number, { name: string; octets: number }>> = { 1: { name: "sha384", octets: 48 }, 2: { name: "sha512", octets: 64 } };

export function isSupportedZonemd(rdata: ZonemdRdata): boolean {
  return rdata.scheme === ZONEMD_SCHEME_SIMPLE && HASH_NAME[rdata.hashAlgorithm] !== undefined;
}

/** The SIMPLE-scheme digest of `zone` with the given hash algorithm (1 SHA-384, 2 SHA-512). */
export function zoneDigest(zone: Zone, hashAlgorithm: number): Uint8Array {
  const h = createZonemdHash(hashAlgorithm);
  for (const node of zone.nodes) {
    const apex = node.role === "apex";
    for (const [type, rrs] of node.rrsets) {
      if (apex && type === RRType.ZONEMD) continue;
      for (const rr of rrs) {
        if (apex && type === RRType.RRSIG && isKind(rr, "RRSIG") && rr.rdata.typeCovered === RRType.ZONEMD) continue;
        h.update(rrToWire(rr, true));
      }
    }
  }
  return new Uint8Array(h.digest());
}

/** A ZONEMD RDATA with a zero digest of the right size: holds the place while the zone is signed. */
export function zonemdPlaceholder(serial: number, hashAlgorithm: number = ZONEMD_HASH.SHA384): ZonemdRdata {
  const hash = HASH_NAME[hashAlgorithm];
  if (!hash) throw new RangeError(`ZONEMD hash algorithm ${hashAlgorithm} is not supported`);
  return { kind: "ZONEMD", serial, scheme: ZONEMD_SCHEME_SIMPLE, hashAlgorithm, digestBytes: new Uint8Array(hash.octets) };
}

export interface ZonemdVerdict {
  readonly rdata: ZonemdRdata;
  readonly status: "valid" | "digest-mismatch" | "serial-mismatch" | "unsupported";
  readonly computedDigestHex?: string;
  readonly reason: string;
}

/** A hash of the kind `hashAlgorithm` names (1 SHA-384, 2 SHA-512), for a digest fed in pieces. */
export function createZonemdHash(hashAlgorithm: number): Hash {
  const hash = HASH_NAME[hashAlgorithm];
  if (!hash) throw new RangeError(`ZONEMD hash algorithm ${hashAlgorithm} is not supported`);
  return createHash(hash.name);
}

/** Judge every apex ZONEMD record (RFC 8976 §4). An empty list means the zone has none. */
export function checkZonemd(zone: Zone): ZonemdVerdict[] {
  const apex = zone.nodes.find((n) => n.role === "apex");
  const soa = zoneSoa(zone);
  const serial = isKind(soa, "SOA") ? soa.rdata.serial : -1;
  const zonemds = (apex?.rrsets.get(RRType.ZONEMD) ?? []).flatMap((rr) => (isKind(rr, "ZONEMD") ? [rr.rdata] : []));
  return judgeZonemd(zonemds, serial, (hashAlgorithm) => zoneDigest(zone, hashAlgorithm));
}

/**
 * The verdicts on the apex ZONEMD records `zonemds` of a zone whose SOA serial is `serial`;
 * `digest` computes the zone's digest with a hash algorithm (asked once per algorithm).
 */
export function judgeZonemd(zonemds: readonly ZonemdRdata[], serial: number, digest: (hashAlgorithm: number) => Uint8Array): ZonemdVerdict[] {
  const computedHex = new Map<number, string>();
  const out: ZonemdVerdict[] = [];
  for (const z of zonemds) {
    const label = `ZONEMD ${z.serial} ${z.scheme} ${z.hashAlgorithm}`;
    if (!isSupportedZonemd(z)) {
      out.push({ rdata: z, status: "unsupported", reason: `${label}: scheme ${z.scheme} / hash ${z.hashAlgorithm} not supported, not checked` });
      continue;
    }
    if (z.serial !== serial) {
      out.push({ rdata: z, status: "serial-mismatch", reason: `${label}: serial ${z.serial} is not the SOA serial ${serial} (stale digest)` });
      continue;
    }
    let computed = computedHex.get(z.hashAlgorithm);
    if (computed === undefined) {
      computed = bytesToHex(digest(z.hashAlgorithm), true);
      computedHex.set(z.hashAlgorithm, computed);
    }
    const given = bytesToHex(z.digestBytes, true);
    out.push(
      computed === given
        ? { rdata: z, status: "valid", computedDigestHex: computed, reason: `${label}: digest matches the zone` }
        : {
            rdata: z,
            status: "digest-mismatch",
            computedDigestHex: computed,
            reason: `${label}: digest ${given.slice(0, 16)}… does not match the zone (${computed.slice(0, 16)}…)`,
          },
    );
  }
  return out;
}
