/**
 * The zone model over compact records (./wire-records.ts, ./wire-order.ts): the same structure and
 * the same refusals as the object model of ./zone.ts, for zones too large to hold as objects.
 *
 * `WireZoneInput` takes records as they are read and refuses at once, in input order, what one
 * record shows on its own: an owner outside the zone, a TTL with the top bit set (RFC 2181 §8), a
 * SOA away from the apex or a second one. `buildWireZone` then puts the records in canonical order
 * (duplicates merged, RRset TTLs checked), gives each name its role (RFC 4035 §2.2: apex,
 * authoritative, delegation point, below a cut) and refuses CNAME beside other data (RFC 1034
 * §3.6.2; RFC 4035 §2.5 allows RRSIG and NSEC), a second CNAME, DS away from a delegation, and an
 * in-zone name server below a cut without glue — each naming `file:line` like ./zone.ts does.
 *
 * Left out: the findings `zone verify` reports instead of refusing (it uses ./zone.ts).
 */
import { MAX_TTL_SECONDS, RRType, inputError, nameToString, typeToString } from "@ksk/core";
import { type WireOrder, canonicalOrder, wireName } from "./wire-order.js";
import { FIXED_OCTETS, type WireRecordInput, WireRecords, wireNameLength } from "./wire-records.js";

/** A name's role (RFC 4035 §2.2), as ./zone.ts's `NodeRole`. */
export const ROLE = { apex: 0, authoritative: 1, delegation: 2, belowCut: 3 } as const;

export interface WireZone extends WireOrder {
  readonly records: WireRecords;
  /** The apex, canonical wire form. */
  readonly origin: Uint8Array;
  /** Each name's role (`ROLE`), by node index. */
  readonly roles: Uint8Array;
}

/** Does the name at `offset` equal `name` (both canonical wire)? */
export function wireNameEquals(bytes: Uint8Array, offset: number, name: Uint8Array): boolean {
  if (wireNameLength(bytes, offset) !== name.length) return false;
  for (let k = 0; k < name.length; k++) if (bytes[offset + k] !== name[k]) return false;
  return true;
}

/** Is the name at `offset` `ancestor` or below it (both canonical wire)? */
export function wireIsAtOrBelow(bytes: Uint8Array, offset: number, ancestor: Uint8Array): boolean {
  const length = wireNameLength(bytes, offset);
  let at = offset;
  while (offset + length - at > ancestor.length) at += (bytes[at] as number) + 1;
  if (offset + length - at !== ancestor.length) return false;
  for (let k = 0; k < ancestor.length; k++) if (bytes[at + k] !== ancestor[k]) return false;
  return true;
}

function shownName(bytes: Uint8Array, offset: number): string {
  return nameToString(wireName(bytes, offset));
}

/**
 * Records as they are read, with the checks one record allows made at once when the apex is
 * known (`zone sign`: the SKR's domain); else (`zone digest`) the apex is the owner of the zone's
 * one SOA and the checks run, in input order, when the zone is built.
 */
export class WireZoneInput {
  readonly records = new WireRecords();
  /** The index of the SOA record, if one was read. */
  soaIndex = -1;

  constructor(public origin: Uint8Array | undefined) {}

  add(record: WireRecordInput, file: string, line: number): number {
    const i = this.records.add(record, file, line);
    if (this.origin !== undefined) this.check(i, this.origin);
    return i;
  }

  /** The apex: given, or the owner of the one SOA (ZONE-SOA without one or with two). */
  apex(): Uint8Array {
    if (this.origin !== undefined) return this.origin;
    const records = this.records;
    let soa = -1;
    for (let i = 0; i < records.count; i++) {
      if (records.isRemoved(i) || records.type(i) !== RRType.SOA) continue;
      if (soa >= 0) throw inputError("ZONE-SOA", `a second SOA record (the first is at ${records.where(soa)})`, records.where(i));
      soa = i;
    }
    if (soa < 0) throw inputError("ZONE-SOA", "the zone has no SOA record, so it has no apex");
    const origin = records.ownerWire(soa).slice();
    for (let i = 0; i < records.count; i++) if (!records.isRemoved(i)) this.check(i, origin);
    this.origin = origin;
    return origin;
  }

  private check(i: number, origin: Uint8Array): void {
    const records = this.records;
    const bytes = records.bytes;
    const start = records.start(i);
    const type = records.type(i);
    if (!wireIsAtOrBelow(bytes, start, origin)) {
      throw inputError("ZONE-OUT-OF-ZONE", `${shownName(bytes, start)} ${typeToString(type)} is outside the zone ${shownName(origin, 0)}`, records.where(i));
    }
    const ttl = records.ttlSeconds(i);
    if (ttl > MAX_TTL_SECONDS) throw inputError("ZONE-TTL-RANGE", `TTL ${ttl} of ${shownName(bytes, start)} is over 2^31-1 (RFC 2181 §8)`, records.where(i));
    if (type === RRType.SOA) {
      if (!wireNameEquals(bytes, start, origin)) {
        throw inputError("ZONE-SOA", `SOA at ${shownName(bytes, start)}, not at the apex ${shownName(origin, 0)}`, records.where(i));
      }
      if (this.soaIndex >= 0 && this.soaIndex !== i) {
        throw inputError("ZONE-SOA", `a second SOA record (the first is at ${records.where(this.soaIndex)})`, records.where(i));
      }
      this.soaIndex = i;
    }
  }
}

/** The types at node `n`, in ascending order (the records are in canonical order). */
export function nodeTypes(zone: WireOrder & { readonly records: WireRecords }, n: number): number[] {
  const types: number[] = [];
  for (let k = zone.nodeStart[n] as number; k < (zone.nodeStart[n + 1] as number); k++) {
    const type = zone.records.type(zone.order[k] as number);
    if (types[types.length - 1] !== type) types.push(type);
  }
  return types;
}

/** The first record (in input order) of `type` at node `n`, or -1. */
function firstOfType(zone: WireZone, n: number, type: number): number {
  let first = -1;
  for (let k = zone.nodeStart[n] as number; k < (zone.nodeStart[n + 1] as number); k++) {
    const i = zone.order[k] as number;
    if (zone.records.type(i) === type && (first < 0 || i < first)) first = i;
  }
  return first;
}

/** Types that may sit beside a CNAME (RFC 4035 §2.5). */
const CNAME_COMPANIONS = new Set<number>([RRType.CNAME, RRType.RRSIG, RRType.NSEC]);

function checkNode(zone: WireZone, n: number, types: readonly number[], role: number): void {
  const records = zone.records;
  const owner = () => shownName(records.bytes, records.start(zone.order[zone.nodeStart[n] as number] as number));
  if (types.includes(RRType.CNAME)) {
    const at = records.where(firstOfType(zone, n, RRType.CNAME));
    const other = types.find((t) => !CNAME_COMPANIONS.has(t));
    if (other !== undefined) throw inputError("ZONE-CNAME", `${owner()} has a CNAME beside ${typeToString(other)} data (RFC 1034 §3.6.2)`, at);
    let cnames = 0;
    for (let k = zone.nodeStart[n] as number; k < (zone.nodeStart[n + 1] as number); k++) if (records.type(zone.order[k] as number) === RRType.CNAME) cnames++;
    if (cnames > 1) throw inputError("ZONE-CNAME", `${owner()} has more than one CNAME`, at);
  }
  if (types.includes(RRType.DS)) {
    const at = records.where(firstOfType(zone, n, RRType.DS));
    if (role === ROLE.apex) throw inputError("ZONE-DS", "DS at the apex: a DS belongs in the parent zone (RFC 4035 §2.4)", at);
    if (role !== ROLE.delegation) throw inputError("ZONE-DS", `DS at ${owner()}, which is not a delegation point (no NS)`, at);
  }
}

/** The octets of a wire name as a string (one code unit per octet): a key for Sets and Maps. */
function nameString(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode.apply(null, bytes.subarray(offset, offset + wireNameLength(bytes, offset)) as unknown as number[]);
}

/**
 * Every name server inside the zone and below a cut needs an address record (glue) here
 * (RFC 1034 §4.2.1); many delegations share name servers, so each target is judged once.
 */
function checkGlue(zone: WireZone): void {
  const { records, order, nodeStart, roles } = zone;
  const bytes = records.bytes;
  const delegations = new Set<string>();
  const targets = new Map<string, { ns: number; node: number }>();
  for (let n = 0; n < zone.nodeCount; n++) {
    const role = roles[n] as number;
    if (role !== ROLE.delegation && role !== ROLE.apex) continue;
    const head = records.start(order[nodeStart[n] as number] as number);
    if (role === ROLE.delegation) delegations.add(nameString(bytes, head));
    for (let k = nodeStart[n] as number; k < (nodeStart[n + 1] as number); k++) {
      const i = order[k] as number;
      if (records.type(i) !== RRType.NS) continue;
      const target = records.fixedAt(i) + FIXED_OCTETS;
      if (!wireIsAtOrBelow(bytes, target, zone.origin)) continue;
      const key = nameString(bytes, target);
      if (!targets.has(key)) targets.set(key, { ns: i, node: n });
    }
  }
  const belowCut = [...targets].filter(([key]) => {
    // The target itself or an ancestor of it below the apex is a delegation point.
    for (let at = 0; key.length - at > zone.origin.length; at += key.charCodeAt(at) + 1) if (delegations.has(key.slice(at))) return true;
    return false;
  });
  if (belowCut.length === 0) return;
  const withAddress = new Set<string>();
  for (let n = 0; n < zone.nodeCount; n++) {
    const types = nodeTypes(zone, n);
    if (types.includes(RRType.A) || types.includes(RRType.AAAA)) withAddress.add(nameString(bytes, records.start(order[nodeStart[n] as number] as number)));
  }
  for (const [key, { ns, node }] of belowCut) {
    if (withAddress.has(key)) continue;
    const owner = shownName(bytes, records.start(ns));
    const target = shownName(bytes, records.fixedAt(ns) + FIXED_OCTETS);
    throw inputError(
      "ZONE-GLUE",
      `${owner} NS ${target}: the name server is below a zone cut here but has no A or AAAA glue`,
      records.where(firstOfType(zone, node, RRType.NS)),
    );
  }
}

/** Order the records canonically, give each name its role and refuse what ./zone.ts refuses. */
export function buildWireZone(input: WireZoneInput): WireZone {
  const origin = input.apex();
  const records = input.records;
  const ordered = canonicalOrder(records);
  const roles = new Uint8Array(ordered.nodeCount);
  const zone: WireZone = { ...ordered, records, origin, roles };
  let cut: Uint8Array | undefined;
  for (let n = 0; n < ordered.nodeCount; n++) {
    const head = records.start(ordered.order[ordered.nodeStart[n] as number] as number);
    const types = nodeTypes(zone, n);
    if (cut && !wireIsAtOrBelow(records.bytes, head, cut)) cut = undefined;
    let role: number;
    if (wireNameEquals(records.bytes, head, origin)) role = ROLE.apex;
    else if (cut) role = ROLE.belowCut;
    else if (types.includes(RRType.NS)) {
      role = ROLE.delegation;
      cut = records.bytes.slice(head, head + wireNameLength(records.bytes, head));
    } else role = ROLE.authoritative;
    roles[n] = role;
    checkNode(zone, n, types, role);
  }
  checkGlue(zone);
  return zone;
}
