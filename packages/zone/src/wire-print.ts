/**
 * Printing compact records (./wire-records.ts) as zone-file lines through core's `ZoneTextWriter`
 * (lines written straight from wire form into output chunks, exactly as core's `rrToString` prints
 * the same record). A record kept with its written form (upper case in a name) is printed as
 * written.
 *
 * Left out: the record layout (./wire-records.ts); the line format (core's wire-text.ts).
 */
import type { ZoneTextWriter } from "@ksk/core";
import { FIXED_OCTETS, type WireRecords, wireNameLength } from "./wire-records.js";

/** Write a record given whole in wire form (owner, TYPE, CLASS, TTL, RDLENGTH, RDATA); `rdataOverride` replaces its RDATA. */
function writeWireRecord(writer: ZoneTextWriter, wire: Uint8Array, rdataOverride?: Uint8Array): void {
  const ownerLength = wireNameLength(wire, 0);
  const f = ownerLength;
  const type = ((wire[f] as number) << 8) | (wire[f + 1] as number);
  const ttlSeconds = (((wire[f + 4] as number) << 24) | ((wire[f + 5] as number) << 16) | ((wire[f + 6] as number) << 8) | (wire[f + 7] as number)) >>> 0;
  const rdataLength = ((wire[f + 8] as number) << 8) | (wire[f + 9] as number);
  const rdata = rdataOverride ?? wire.subarray(f + FIXED_OCTETS, f + FIXED_OCTETS + rdataLength);
  writer.write(wire.subarray(0, ownerLength), type, ttlSeconds, rdata);
}

/** Write record `i` of `records`, as written; `rdataOverride` replaces its RDATA. */
export function writeStoreRecord(writer: ZoneTextWriter, records: WireRecords, i: number, rdataOverride?: Uint8Array): void {
  writeWireRecord(writer, records.originalWire(i) ?? records.wire(i), rdataOverride);
}
