/**
 * Printing compact records (./wire-records.ts) as zone-file lines, exactly as core's `rrToString`
 * prints the same record: a record kept with its written form (upper case in a name) is printed
 * as written.
 *
 * Left out: the record layout (./wire-records.ts).
 */
import { decodeRdata, makeRR, nameFromWire, rrToString } from "@ksk/core";
import { FIXED_OCTETS, type WireRecords, wireNameLength } from "./wire-records.js";

/** The line for a record given whole in wire form (owner, TYPE, CLASS, TTL, RDLENGTH, RDATA). */
export function wireRecordLine(wire: Uint8Array, rdataOverride?: Uint8Array): string {
  const ownerLength = wireNameLength(wire, 0);
  const view = new DataView(wire.buffer, wire.byteOffset + ownerLength, FIXED_OCTETS);
  const type = view.getUint16(0);
  const ttlSeconds = view.getUint32(4);
  const rdata = rdataOverride ?? wire.subarray(ownerLength + FIXED_OCTETS, ownerLength + FIXED_OCTETS + view.getUint16(8));
  return rrToString(makeRR(nameFromWire(wire, 0).name, ttlSeconds, decodeRdata(type, rdata)));
}

/** The line for record `i` of `records`, as written; `rdataOverride` replaces its RDATA. */
export function storeRecordText(records: WireRecords, i: number, rdataOverride?: Uint8Array): string {
  return wireRecordLine(records.originalWire(i) ?? records.wire(i), rdataOverride);
}
