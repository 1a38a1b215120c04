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
 * With `report` (`zone verify`), CNAME beside other data, an in-zone name server without an
 * address and data below a cut that is not glue are reported as ./zone.ts reports them (ZONE-CNAME,
 * ZONE-GLUE, ZONE-OCCLUDED), in the same order, naming each name as it was first written.
 *
 * Left out: the validation itself (./wire-verify.ts).
 */
import { MAX_TTL_SECONDS, type Name, RRType, inputError, nameToString, typeToString } from "@ksk/core";
import { type WireOrder, canonicalOrder, wireName } from "./wire-order.js";
import { FIXED_OCTETS, type WireRecordInput, WireRecords, sameWireName, wireNameLength } from "./wire-records.js";
import type { BuildZoneOptions } from "./zone.js";

/** A name's role (RFC 4035 §2.2), as ./zone.ts's `NodeRole`. */
export const ROLE = { apex: 0, authoritative: 1, delegation: 2, belowCut: 3 } as const;

export interface WireZone extends WireOrder {
  readonly records: WireRecords;
  /** The apex, canonical wire form. */
  readonly origin: Uint8Array;
  /** Each name's role (`ROLE`), by node index. */
  readonly roles: Uint8Array;
}

/** Is the name at `offset` `ancestor` or below it (both canonical wire)? */
function wireIsAtOrBelow(bytes: Uint8Array, offset: number, ancestor: Uint8Array): boolean {
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
      if (!sameWireName(bytes, start, origin, 0)) {
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

/** The record of node `n` read first (its owner as written is the node's name, as ./zone.ts keeps it). */
export function firstRead(zone: WireOrder, n: number): number {
  let first = zone.order[zone.nodeStart[n] as number] as number;
  for (let k = (zone.nodeStart[n] as number) + 1; k < (zone.nodeStart[n + 1] as number); k++) first = Math.min(first, zone.order[k] as number);
  return first;
}

/** The owner name of record `i` as written. */
export function writtenOwner(records: WireRecords, i: number): Name {
  const written = records.originalOwnerWire(i);
  return written === undefined ? wireName(records.bytes, records.start(i)) : wireName(written, 0);
}

/** The name at the start of record `i`'s RDATA (an NS target) as written. */
function writtenRdataName(records: WireRecords, i: number): Name {
  const written = records.originalWire(i);
  if (written === undefined) return wireName(records.bytes, records.fixedAt(i) + FIXED_OCTETS);
  return wireName(written, wireNameLength(written, 0) + FIXED_OCTETS);
}

/** Node `n`'s name as first written (./zone.ts's `ZoneNode.owner`). */
export function nodeOwner(zone: WireOrder & { readonly records: WireRecords }, n: number): Name {
  return writtenOwner(zone.records, firstRead(zone, n));
}

/** What the structure checks need of a node's types, in one scan without a list. */
interface NodeShape {
  ns: boolean;
  ds: boolean;
  cnames: number;
  /** The lowest type present that may not sit beside a CNAME, or -1. */
  other: number;
}

/** Types that may sit beside a CNAME (RFC 4035 §2.5). */
const CNAME_COMPANIONS = new Set<number>([RRType.CNAME, RRType.RRSIG, RRType.NSEC]);

function nodeShape(zone: WireOrder & { readonly records: WireRecords }, n: number): NodeShape {
  const shape: NodeShape = { ns: false, ds: false, cnames: 0, other: -1 };
  for (let k = zone.nodeStart[n] as number; k < (zone.nodeStart[n + 1] as number); k++) {
    const type = zone.records.type(zone.order[k] as number);
    if (type === RRType.NS) shape.ns = true;
    else if (type === RRType.DS) shape.ds = true;
    else if (type === RRType.CNAME) shape.cnames++;
    if (shape.other < 0 && !CNAME_COMPANIONS.has(type)) shape.other = type;
  }
  return shape;
}

type Report = BuildZoneOptions["report"];

function checkNode(zone: WireZone, n: number, shape: NodeShape, role: number, report: Report): void {
  const records = zone.records;
  const owner = () => nodeOwner(zone, n);
  if (shape.cnames > 0) {
    const at = records.where(firstOfType(zone, n, RRType.CNAME));
    if (shape.other >= 0) {
      const detail = `${nameToString(owner())} has a CNAME beside ${typeToString(shape.other)} data (RFC 1034 §3.6.2)`;
      if (!report) throw inputError("ZONE-CNAME", detail, at);
      report("ZONE-CNAME", owner(), RRType.CNAME, detail, at);
    }
    if (shape.cnames > 1) throw inputError("ZONE-CNAME", `${nameToString(owner())} has more than one CNAME`, at);
  }
  if (shape.ds) {
    const at = records.where(firstOfType(zone, n, RRType.DS));
    if (role === ROLE.apex) throw inputError("ZONE-DS", "DS at the apex: a DS belongs in the parent zone (RFC 4035 §2.4)", at);
    if (role !== ROLE.delegation) throw inputError("ZONE-DS", `DS at ${nameToString(owner())}, which is not a delegation point (no NS)`, at);
  }
}

/** FNV-1a over the octets of the wire name at `offset`. */
function nameHash(bytes: Uint8Array, offset: number): number {
  const end = offset + wireNameLength(bytes, offset);
  let h = 0x811c9dc5;
  for (let k = offset; k < end; k++) h = Math.imul(h ^ (bytes[k] as number), 0x01000193);
  return h >>> 0;
}

/**
 * Names found among the zone's nodes by a hash of their octets, for the few names the glue and
 * occlusion checks look up: a hash per node and a comparison on a match, no string per node.
 */
class NameLookup<T> {
  private readonly byHash = new Map<number, { offset: number; value: T }[]>();

  constructor(private readonly bytes: Uint8Array) {}

  add(offset: number, value: T, hash: number = nameHash(this.bytes, offset)): void {
    const list = this.byHash.get(hash);
    if (list) list.push({ offset, value });
    else this.byHash.set(hash, [{ offset, value }]);
  }

  /** The value of the name at `offset` of `bytes` whose hash is `hash`, if added. */
  find(bytes: Uint8Array, offset: number, hash: number = nameHash(bytes, offset)): T | undefined {
    const list = this.byHash.get(hash);
    if (list) for (const entry of list) if (sameWireName(this.bytes, entry.offset, bytes, offset)) return entry.value;
    return undefined;
  }
}

/** The offsets of the name at `offset` and of its ancestors longer than `apexLength` octets. */
function ancestors(bytes: Uint8Array, offset: number, apexLength: number): number[] {
  const out: number[] = [];
  const end = offset + wireNameLength(bytes, offset);
  for (let at = offset; end - at > apexLength; at += (bytes[at] as number) + 1) out.push(at);
  return out;
}

function hasAddress(zone: WireZone, n: number): boolean {
  for (let k = zone.nodeStart[n] as number; k < (zone.nodeStart[n + 1] as number); k++) {
    const type = zone.records.type(zone.order[k] as number);
    if (type === RRType.A || type === RRType.AAAA) return true;
  }
  return false;
}

/** A name server inside the zone (`offset`: its name in the record buffer) and what is known of it. */
interface NameServer {
  readonly offset: number;
  below: boolean;
  address: boolean;
}

/**
 * Every name server inside the zone and below a cut needs an address record (glue) here
 * (RFC 1034 §4.2.1). With `report`, also one inside the zone and not below a cut: the zone is
 * authoritative for its addresses, so without them the delegation is lame (kzonecheck: "missing
 * glue record"). Each distinct name server is judged once, and only the name servers and their
 * ancestors are looked up among the nodes (`NameLookup`).
 */
function checkGlue(zone: WireZone, report: Report): void {
  const { records, order, nodeStart, roles } = zone;
  const bytes = records.bytes;
  const apexLength = zone.origin.length;
  const servers = new NameLookup<NameServer>(bytes);
  const distinct: NameServer[] = [];
  const nsRecords: { ns: number; node: number; server: NameServer }[] = [];
  for (let n = 0; n < zone.nodeCount; n++) {
    const role = roles[n] as number;
    if (role !== ROLE.delegation && role !== ROLE.apex) continue;
    for (let k = nodeStart[n] as number; k < (nodeStart[n + 1] as number); k++) {
      const i = order[k] as number;
      if (records.type(i) !== RRType.NS) continue;
      const target = records.fixedAt(i) + FIXED_OCTETS;
      if (!wireIsAtOrBelow(bytes, target, zone.origin)) continue;
      const hash = nameHash(bytes, target);
      let server = servers.find(bytes, target, hash);
      if (!server) {
        server = { offset: target, below: false, address: false };
        servers.add(target, server, hash);
        distinct.push(server);
      }
      nsRecords.push({ ns: i, node: n, server });
    }
  }
  if (nsRecords.length === 0) return;
  // The name servers and their ancestors below the apex: a delegation among them puts one below a cut.
  const wanted = new Set<number>();
  for (const server of distinct) for (const at of ancestors(bytes, server.offset, apexLength)) wanted.add(nameHash(bytes, at));
  const nodes = new NameLookup<number>(bytes);
  for (let n = 0; n < zone.nodeCount; n++) {
    const head = records.start(order[nodeStart[n] as number] as number);
    const hash = nameHash(bytes, head);
    if (wanted.has(hash)) nodes.add(head, n, hash);
  }
  for (const server of distinct) {
    server.below = ancestors(bytes, server.offset, apexLength).some((at) => roles[nodes.find(bytes, at) ?? -1] === ROLE.delegation);
    const node = nodes.find(bytes, server.offset);
    server.address = node !== undefined && hasAddress(zone, node);
  }
  for (const { ns, node, server } of nsRecords) {
    if (server.address || (!server.below && !report)) continue;
    const owner = nodeOwner(zone, node);
    const targetName = writtenRdataName(records, ns);
    const where = records.where(firstOfType(zone, node, RRType.NS));
    const detail = server.below
      ? `${nameToString(owner)} NS ${nameToString(targetName)}: the name server is below a zone cut here but has no A or AAAA glue`
      : `${nameToString(owner)} NS ${nameToString(targetName)}: the name server is inside the zone but has no A or AAAA record in it (missing glue)`;
    if (!report) throw inputError("ZONE-GLUE", detail, where);
    report("ZONE-GLUE", owner, RRType.NS, detail, where);
  }
}

/**
 * Data below a zone cut is occluded (RFC 2181 §6, RFC 4035 §2.2): only the A and AAAA records of
 * a name server some NS record of the zone names belong there, as glue.
 */
function checkOccluded(zone: WireZone, report: NonNullable<Report>): void {
  const { records, order, nodeStart, roles } = zone;
  const targets = new NameLookup<true>(records.bytes);
  // NS records sit at the apex, at delegations and below cuts, never at authoritative names.
  for (let n = 0; n < zone.nodeCount; n++) {
    if (roles[n] === ROLE.authoritative) continue;
    for (let k = nodeStart[n] as number; k < (nodeStart[n + 1] as number); k++) {
      const i = order[k] as number;
      if (records.type(i) === RRType.NS) targets.add(records.fixedAt(i) + FIXED_OCTETS, true);
    }
  }
  for (let n = 0; n < zone.nodeCount; n++) {
    if (roles[n] !== ROLE.belowCut) continue;
    const owner = () => nodeOwner(zone, n);
    const isTarget = targets.find(records.bytes, records.start(order[nodeStart[n] as number] as number)) === true;
    let previous = -1;
    for (let k = nodeStart[n] as number; k < (nodeStart[n + 1] as number); k++) {
      const type = records.type(order[k] as number);
      if (type === previous) continue;
      previous = type;
      if (type === RRType.RRSIG || type === RRType.NSEC) continue; // ZONE-DELEGATION and ZONE-NSEC-CHAIN judge those
      const address = type === RRType.A || type === RRType.AAAA;
      if (address && isTarget) continue;
      const why = address ? "no NS record of the zone names it, so it is not glue" : "only glue (A, AAAA) belongs there";
      report(
        "ZONE-OCCLUDED",
        owner(),
        type,
        `${nameToString(owner())} ${typeToString(type)} is below a zone cut: ${why}`,
        records.where(firstOfType(zone, n, type)),
      );
    }
  }
}

/**
 * Order the records canonically, give each name its role and refuse what ./zone.ts refuses; with
 * `report` (./zone.ts's `BuildZoneOptions`), report what ./zone.ts reports with it.
 */
export function buildWireZone(input: WireZoneInput, options: BuildZoneOptions = {}): WireZone {
  const origin = input.apex();
  const records = input.records;
  const ordered = canonicalOrder(records);
  const roles = new Uint8Array(ordered.nodeCount);
  const zone: WireZone = { ...ordered, records, origin, roles };
  let cut: Uint8Array | undefined;
  for (let n = 0; n < ordered.nodeCount; n++) {
    const head = records.start(ordered.order[ordered.nodeStart[n] as number] as number);
    const shape = nodeShape(zone, n);
    if (cut && !wireIsAtOrBelow(records.bytes, head, cut)) cut = undefined;
    let role: number;
    if (sameWireName(records.bytes, head, origin, 0)) role = ROLE.apex;
    else if (cut) role = ROLE.belowCut;
    else if (shape.ns) {
      role = ROLE.delegation;
      cut = records.bytes.slice(head, head + wireNameLength(records.bytes, head));
    } else role = ROLE.authoritative;
    roles[n] = role;
    checkNode(zone, n, shape, role, options.report);
  }
  checkGlue(zone, options.report);
  if (options.report) checkOccluded(zone, options.report);
  return zone;
}
