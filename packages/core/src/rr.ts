/**
 * Resource records and RRsets: wire form (RFC 1035 §4.1.3), canonical form and order
 * (RFC 4034 §6.2–6.3), presentation lines, and grouping into RRsets.
 * An RR's type is derived from its RDATA (`rrType(rr)`), never stored beside it.
 */
import { compareBytes } from "./bytes.js";
import { inputError } from "./errors.js";
import { type Name, compareNames, nameFromWire, nameToString, nameToWire, namesEqual } from "./name.js";
import { type Rdata, type RdataOf, decodeRdata, encodeRdata, printRdata, rdataType } from "./rdata.js";
import { RRClass, classToString, typeToString } from "./rrtype.js";

export interface RR<R extends Rdata = Rdata> {
  readonly owner: Name;
  readonly ttlSeconds: number;
  readonly class: number;
  readonly rdata: R;
}

export function rrType(rr: RR): number {
  return rdataType(rr.rdata);
}

export function makeRR<R extends Rdata>(owner: Name, ttlSeconds: number, rdata: R, cls: number = RRClass.IN): RR<R> {
  return { owner, ttlSeconds, class: cls, rdata };
}

export function isKind<K extends Rdata["kind"]>(rr: RR, kind: K): rr is RR<RdataOf<K>> {
  return rr.rdata.kind === kind;
}

/** One zone-file line: `owner TTL CLASS TYPE RDATA`, tab separated like BIND and ldns print. */
export function rrToString(rr: RR): string {
  return `${nameToString(rr.owner)}\t${rr.ttlSeconds}\t${classToString(rr.class)}\t${typeToString(rrType(rr))}\t${printRdata(rr.rdata)}`;
}

/** Wire form of a whole RR; `canonical` gives the RFC 4034 §6.2 form (lowercase owner and RDATA names). */
export function rrToWire(rr: RR, canonical = false, ttlSeconds = rr.ttlSeconds): Uint8Array {
  const rdata = encodeRdata(rr.rdata, canonical);
  const owner = nameToWire(rr.owner, canonical);
  // One allocation: owner, TYPE, CLASS, TTL, RDLENGTH, RDATA.
  const wire = new Uint8Array(owner.length + 10 + rdata.length);
  wire.set(owner, 0);
  const view = new DataView(wire.buffer, owner.length, 10);
  view.setUint16(0, rrType(rr));
  view.setUint16(2, rr.class);
  view.setUint32(4, ttlSeconds >>> 0);
  view.setUint16(8, rdata.length);
  wire.set(rdata, owner.length + 10);
  return wire;
}

/** Read one RR from wire data (no compression). Returns the RR and the offset after it. */
export function rrFromWire(data: Uint8Array, offset: number): { rr: RR; end: number } {
  const { name: owner, end: afterName } = nameFromWire(data, offset);
  if (afterName + 10 > data.length) throw inputError("WIRE-TRUNCATED", `RR at octet ${offset}: header runs past the end of the data`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const type = view.getUint16(afterName);
  const cls = view.getUint16(afterName + 2);
  const ttlSeconds = view.getUint32(afterName + 4);
  const rdlength = view.getUint16(afterName + 8);
  const start = afterName + 10;
  if (start + rdlength > data.length) throw inputError("WIRE-TRUNCATED", `RR at octet ${offset}: RDATA of ${rdlength} octets runs past the end of the data`);
  const rdata = decodeRdata(type, data.slice(start, start + rdlength));
  return { rr: { owner, ttlSeconds, class: cls, rdata }, end: start + rdlength };
}

/** Canonical RR order within an RRset: by canonical RDATA octets (RFC 4034 §6.3). */
export function compareCanonicalRdata(a: RR, b: RR): number {
  return compareBytes(encodeRdata(a.rdata, true), encodeRdata(b.rdata, true));
}

/** Canonical order of RRs in a zone: owner name (RFC 4034 §6.1), then type, then RDATA. */
export function compareRRs(a: RR, b: RR): number {
  return compareNames(a.owner, b.owner) || rrType(a) - rrType(b) || a.class - b.class || compareCanonicalRdata(a, b);
}

/** An RRset: all RRs with the same owner, class and type (RFC 2181 §5). */
export interface RRset<R extends Rdata = Rdata> {
  readonly owner: Name;
  readonly class: number;
  readonly type: number;
  readonly rrs: readonly RR<R>[];
}

function rrsetKey(owner: Name, cls: number, type: number): string {
  return `${nameToString(owner).toLowerCase()}/${cls}/${type}`;
}

/** Group RRs into RRsets, in first-seen order. RRSIGs are grouped by owner like any other type. */
export function groupRRsets(rrs: Iterable<RR>): RRset[] {
  const sets = new Map<string, { owner: Name; class: number; type: number; rrs: RR[] }>();
  for (const rr of rrs) {
    const type = rrType(rr);
    const key = rrsetKey(rr.owner, rr.class, type);
    let set = sets.get(key);
    if (!set) {
      set = { owner: rr.owner, class: rr.class, type, rrs: [] };
      sets.set(key, set);
    }
    set.rrs.push(rr);
  }
  return [...sets.values()];
}

export function sameOwner(a: RR, b: RR): boolean {
  return namesEqual(a.owner, b.owner);
}

/**
 * The TTL of the root's DNSKEY and DS RRsets (two days, as the root zone publishes them): the
 * default for a DNSKEY or DS record read without any TTL, as in a `.key` file from dnssec-keygen.
 */
export const ROOT_KEY_TTL_SECONDS = 172800;
