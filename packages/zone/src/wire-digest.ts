/**
 * ZONEMD (RFC 8976, SIMPLE scheme) over compact records: the digest of every record in canonical
 * order and canonical form (RFC 8976 §3.3), which are the octets ./wire-records.ts keeps, fed to
 * the hash straight from the record buffer — records that lie back to back in it (a zone read in
 * canonical order) go in as one piece. The apex ZONEMD RRset and the apex RRSIGs covering ZONEMD
 * are left out (§3.3.1). The verdicts are ./zonemd.ts's (`judgeZonemd`), the same as for the
 * object model.
 *
 * Left out: the signer's use while it streams the signed zone (./wire-sign-run.ts feeds a
 * `DigestFeed` itself).
 */
import type { Hash } from "node:crypto";
import { RRType, type ZonemdRdata, decodeRdata, inputError } from "@ksk/core";
import type { WireRecords } from "./wire-records.js";
import { ROLE, type WireZone } from "./wire-zone.js";
import { type ZonemdVerdict, createZonemdHash, judgeZonemd } from "./zonemd.js";

/** The staging buffer, and the largest run handed to the hash at once. */
const PIECE_OCTETS = 1 << 18;

/**
 * Octets handed to a hash in few calls: a run of records lying back to back in one buffer goes in
 * as one piece; scattered records are copied into a staging buffer first.
 */
export class DigestFeed {
  private readonly hash: Hash;
  private readonly staging = new Uint8Array(PIECE_OCTETS);
  private staged = 0;
  private pieceBytes: Uint8Array | undefined;
  private pieceStart = 0;
  private pieceEnd = 0;

  constructor(hashAlgorithm: number) {
    this.hash = createZonemdHash(hashAlgorithm);
  }

  /** Hash `bytes[start, end)`; the view must stay unchanged until the next call or `digest`. */
  add(bytes: Uint8Array, start: number, end: number): void {
    if (this.pieceBytes === bytes && this.pieceEnd === start) {
      this.pieceEnd = end;
      if (end - this.pieceStart >= PIECE_OCTETS) this.flushPiece();
      return;
    }
    this.flushPiece();
    this.pieceBytes = bytes;
    this.pieceStart = start;
    this.pieceEnd = end;
  }

  /** The pending run: hashed whole if large, else copied into the staging buffer. */
  private flushPiece(): void {
    const bytes = this.pieceBytes;
    this.pieceBytes = undefined;
    if (bytes === undefined || this.pieceEnd === this.pieceStart) return;
    const length = this.pieceEnd - this.pieceStart;
    if (this.staged + length > PIECE_OCTETS || length >= PIECE_OCTETS / 4) this.flushStaging();
    if (length >= PIECE_OCTETS / 4) {
      this.hash.update(bytes.subarray(this.pieceStart, this.pieceEnd));
      return;
    }
    this.staging.set(bytes.subarray(this.pieceStart, this.pieceEnd), this.staged);
    this.staged += length;
  }

  private flushStaging(): void {
    if (this.staged > 0) this.hash.update(this.staging.subarray(0, this.staged));
    this.staged = 0;
  }

  digest(): Uint8Array {
    this.flushPiece();
    this.flushStaging();
    return new Uint8Array(this.hash.digest());
  }
}

/** Is record `i` at the apex left out of the digest: ZONEMD, or an RRSIG covering ZONEMD (RFC 8976 §3.3.1)? */
export function excludedAtApex(records: WireRecords, i: number): boolean {
  const type = records.type(i);
  if (type === RRType.ZONEMD) return true;
  if (type !== RRType.RRSIG) return false;
  const rdata = records.fixedAt(i) + 10;
  return (((records.bytes[rdata] as number) << 8) | (records.bytes[rdata + 1] as number)) === RRType.ZONEMD;
}

/** The SIMPLE-scheme digest of `zone` with hash algorithm `hashAlgorithm` (1 SHA-384, 2 SHA-512). */
export function wireZoneDigest(zone: WireZone, hashAlgorithm: number): Uint8Array {
  const feed = new DigestFeed(hashAlgorithm);
  const { records, order, nodeStart, roles } = zone;
  for (let n = 0; n < zone.nodeCount; n++) {
    const apex = roles[n] === ROLE.apex;
    for (let k = nodeStart[n] as number; k < (nodeStart[n + 1] as number); k++) {
      const i = order[k] as number;
      if (apex && excludedAtApex(records, i)) continue;
      feed.add(records.bytes, records.start(i), records.end(i));
    }
  }
  return feed.digest();
}

/** The records of `type` at the apex (node 0 when the zone has its apex), decoded. */
function apexRecords(zone: WireZone, type: number): { rdata: ReturnType<typeof decodeRdata>; where: string }[] {
  const out: { rdata: ReturnType<typeof decodeRdata>; where: string }[] = [];
  if (zone.nodeCount === 0 || zone.roles[0] !== ROLE.apex) return out;
  for (let k = zone.nodeStart[0] as number; k < (zone.nodeStart[1] as number); k++) {
    const i = zone.order[k] as number;
    if (zone.records.type(i) === type) out.push({ rdata: decodeRdata(type, zone.records.rdataWire(i)), where: zone.records.where(i) });
  }
  return out;
}

/** The zone's SOA serial; a zone without a SOA is refused (ZONE-SOA). */
function wireZoneSerial(zone: WireZone): number {
  const soa = apexRecords(zone, RRType.SOA)[0];
  if (soa?.rdata.kind !== "SOA") throw inputError("ZONE-SOA", "the zone has no SOA record, so it has no apex");
  return soa.rdata.serial;
}

/**
 * Judge every apex ZONEMD record (RFC 8976 §4), as ./zonemd.ts's `checkZonemd` does. `known` holds
 * digests of this zone the caller computed already (by hash algorithm), used instead of another
 * pass over the zone.
 */
export function checkWireZonemd(zone: WireZone, known: ReadonlyMap<number, Uint8Array> = new Map()): ZonemdVerdict[] {
  const serial = wireZoneSerial(zone);
  const zonemds = apexRecords(zone, RRType.ZONEMD).flatMap((r) => (r.rdata.kind === "ZONEMD" ? [r.rdata as ZonemdRdata] : []));
  return judgeZonemd(zonemds, serial, (hashAlgorithm) => known.get(hashAlgorithm) ?? wireZoneDigest(zone, hashAlgorithm));
}
