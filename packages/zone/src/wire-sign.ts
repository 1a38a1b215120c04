/**
 * Planning the signing of a zone kept as compact records (./wire-zone.ts): the same plan as
 * ./sign.ts's `planZoneSigning`, for zones of any size in memory bounded by their wire octets.
 *
 * `WireSigningInput` takes the records as the zone is read (it knows the apex and the SKR bundle in
 * use before reading): RRSIG, NSEC, NSEC3, NSEC3PARAM and an apex ZONEMD are dropped to be made
 * anew, apex DNSKEYs must be exactly the bundle's (ZONE-APEX-DNSKEY) and are replaced by its RRset,
 * and every other record is checked and kept. `planWireZoneSigning` (pure) then sets the SOA
 * serial (`nextSerial`), adds the bundle's DNSKEY RRset, a ZONEMD placeholder and optional RFC 8509
 * sentinel names, orders the zone, adds the NSEC chain (./nsec.ts's rules: RFC 4035 §2.3, TTL by
 * RFC 9077 §3.2) and the KSK's RRSIGs from the bundle. The RRsets to sign are not listed: they are
 * derived node by node while signing (`signedTypesAt`), so a million-name zone needs no million
 * task objects; `signatureCount` says how many there will be.
 *
 * Left out: executing the plan (./wire-sign-run.ts).
 */
import {
  type AnchorRecord,
  KskError,
  type Name,
  RRType,
  type RR,
  type SoaRdata,
  bytesEqual,
  checkFailed,
  decodeRdata,
  encodeRdata,
  encodeTypeBitmap,
  keyTag,
  makeRR,
  nameToWire,
  rrType,
} from "@ksk/core";
import { type KsrResponseDocument, bundleLabel, bundleRrsigRecords, documentDomain } from "@ksk/ksr";
import { type BundleInUse, bundleInUse } from "./bundle.js";
import { nsecBitmapTypes } from "./nsec.js";
import { ROOT_ZONE_SIGNING_POLICY, type ZoneSigningPolicy } from "./policy.js";
import { sentinelKeyTags, sentinelRecords } from "./sentinel.js";
import { compareRecords } from "./wire-order.js";
import type { WireRecordInput } from "./wire-records.js";
import { ROLE, type WireZone, WireZoneInput, buildWireZone, nodeTypes } from "./wire-zone.js";
import { ZONEMD_HASH, zonemdPlaceholder } from "./zonemd.js";

const REMADE_TYPES = new Set<number>([RRType.RRSIG, RRType.NSEC, RRType.NSEC3, RRType.NSEC3PARAM]);

export type SerialMode = "keep" | "increment" | "unixtime";

/** The next serial as BIND's dnssec-signzone -N computes it (RFC 1982 arithmetic, never 0). */
export function nextSerial(current: number, mode: SerialMode, atEpochSeconds: number): number {
  const increment = (s: number) => ((s + 1) >>> 0 === 0 ? 1 : (s + 1) >>> 0);
  switch (mode) {
    case "keep":
      return current;
    case "increment":
      return increment(current);
    case "unixtime": {
      const now = Math.floor(atEpochSeconds) >>> 0;
      // BIND: the time, unless that would not move the serial forward (RFC 1982 §3.2).
      const diff = (now - current) >>> 0;
      return diff !== 0 && diff < 0x80000000 ? now : increment(current);
    }
  }
}

/** The zone's records as they are read, for signing with the SKR bundle in use at a time. */
export class WireSigningInput {
  readonly zone: WireZoneInput;
  readonly origin: Name;
  readonly bundle: BundleInUse;
  /** Records of the input that signing replaces (old RRSIG, NSEC, ZONEMD). */
  droppedRecords = 0;
  private readonly originWire: Uint8Array;
  private readonly bundleKeys: Uint8Array[];

  constructor(
    readonly skr: KsrResponseDocument,
    readonly atEpochSeconds: number,
  ) {
    this.origin = documentDomain(skr);
    this.originWire = nameToWire(this.origin, true);
    this.bundle = bundleInUse(skr, atEpochSeconds);
    this.bundleKeys = this.bundle.bundle.keys.map((k) => encodeRdata(k.dnskey, true));
    this.zone = new WireZoneInput(this.originWire);
  }

  add(record: WireRecordInput, file: string, line: number): void {
    const atApex = bytesEqual(record.ownerWire, this.originWire);
    if (REMADE_TYPES.has(record.type) || (atApex && record.type === RRType.ZONEMD)) {
      this.droppedRecords++;
      return;
    }
    if (atApex && record.type === RRType.DNSKEY) {
      if (!this.bundleKeys.some((k) => bytesEqual(k, record.rdataWire))) {
        const dnskey = decodeRdata(RRType.DNSKEY, record.rdataWire);
        const tag = dnskey.kind === "DNSKEY" ? keyTag(dnskey) : 0;
        throw checkFailed(
          "ZONE-APEX-DNSKEY",
          `the zone carries apex DNSKEY ${tag}, which is not in ${bundleLabel(this.bundle.bundle, this.bundle.index)}; remove it (the SKR gives the apex DNSKEY RRset)`,
          `${file}:${line}`,
        );
      }
      return; // the bundle's RRset (with its TTLs) replaces the input's copy
    }
    this.zone.add(record, file, line);
  }
}

export interface WireZoneSigningOptions {
  readonly policy?: ZoneSigningPolicy;
  readonly serial?: SerialMode;
  /** The SOA to use when the input has none (the real-sized test root has none). */
  readonly soa?: RR<SoaRdata>;
  /** Add RFC 8509 sentinel names for every KSK of the SKR and of `knownKeys`. */
  readonly sentinels?: boolean;
  readonly knownKeys?: readonly AnchorRecord[];
}

export interface WireZoneSigningPlan {
  /** The zone to publish without its ZSK RRSIGs: NSEC chain, KSK RRSIGs, ZONEMD placeholder. */
  readonly zone: WireZone;
  readonly origin: Name;
  readonly bundle: BundleInUse;
  readonly policy: ZoneSigningPolicy;
  readonly atEpochSeconds: number;
  readonly serial: number;
  /** Signatures the ZSK makes, the ZONEMD's included. */
  readonly signatureCount: number;
  readonly droppedRecords: number;
}

/** The RRsets at node `n` the ZSK signs before the ZONEMD (RFC 4035 §2.2: not delegation NS or glue; not the apex DNSKEY, which the KSK signed). */
export function signedTypesAt(zone: WireZone, n: number, types: readonly number[]): number[] {
  const role = zone.roles[n] as number;
  if (role === ROLE.belowCut) return [];
  return types.filter((t) => {
    if (t === RRType.RRSIG) return false;
    if (role === ROLE.delegation) return t === RRType.DS || t === RRType.NSEC;
    return !(role === ROLE.apex && (t === RRType.DNSKEY || t === RRType.ZONEMD));
  });
}

function wireInput(rr: RR): WireRecordInput {
  return { ownerWire: nameToWire(rr.owner, true), type: rrType(rr), ttlSeconds: rr.ttlSeconds, rdataWire: encodeRdata(rr.rdata, true) };
}

/** The SOA to publish: the input's or `--soa`'s (one of them, not both), with the serial set. */
function publishedSoa(input: WireSigningInput, options: WireZoneSigningOptions): RR<SoaRdata> {
  const records = input.zone.records;
  const index = input.zone.soaIndex;
  let soa: RR<SoaRdata>;
  if (index >= 0) {
    if (options.soa) throw new KskError("usage", "ZONE-SOA-TWICE", `the zone has a SOA (${records.where(index)}); --soa is for zones without one`);
    soa = makeRR(input.origin, records.ttlSeconds(index), decodeRdata(RRType.SOA, records.rdataWire(index)) as SoaRdata);
  } else {
    if (!options.soa) throw new KskError("input", "ZONE-SOA", "the zone has no SOA record: add one or give --soa");
    soa = options.soa;
  }
  const serial = nextSerial(soa.rdata.serial, options.serial ?? ("keep" satisfies SerialMode), input.atEpochSeconds);
  return makeRR(input.origin, soa.ttlSeconds, { ...soa.rdata, serial });
}

/** Plan the signing of the zone `input` has read. */
export function planWireZoneSigning(input: WireSigningInput, options: WireZoneSigningOptions = {}): WireZoneSigningPlan {
  const policy = options.policy ?? ROOT_ZONE_SIGNING_POLICY;
  const soa = publishedSoa(input, options);
  const zoneInput = input.zone;
  if (zoneInput.soaIndex >= 0) zoneInput.records.remove(zoneInput.soaIndex);
  zoneInput.soaIndex = -1;
  const generated = (rr: RR) => zoneInput.add(wireInput(rr), "generated", 0);
  generated(soa);
  for (const k of input.bundle.bundle.keys) generated(makeRR(input.origin, k.ttlSeconds, k.dnskey));
  generated(makeRR(input.origin, soa.ttlSeconds, zonemdPlaceholder(soa.rdata.serial, ZONEMD_HASH.SHA384)));
  // min(SOA TTL, MINIMUM): the NSEC TTL (RFC 9077 §3.2), and the sentinels' TTL.
  const negativeTtl = Math.min(soa.ttlSeconds, soa.rdata.minimumSeconds);
  if (options.sentinels) {
    for (const rr of sentinelRecords(input.origin, sentinelKeyTags(input.skr, options.knownKeys), negativeTtl)) generated(rr);
  }
  const unsigned = buildWireZone(zoneInput);
  const kskRrsigs = bundleRrsigRecords(input.bundle.bundle, input.origin).map((rr) => zoneInput.records.add(wireInput(rr), "generated", 0));
  const zone = withNsecChain(unsigned, negativeTtl, kskRrsigs);
  let signatureCount = 1; // the ZONEMD's
  for (let n = 0; n < zone.nodeCount; n++) signatureCount += signedTypesAt(zone, n, nodeTypes(zone, n)).length;
  return {
    zone,
    origin: input.origin,
    bundle: input.bundle,
    policy,
    atEpochSeconds: input.atEpochSeconds,
    serial: soa.rdata.serial,
    signatureCount,
    droppedRecords: input.droppedRecords,
  };
}

/**
 * The zone with an NSEC at every name but those below a cut, each naming the next such name in
 * canonical order and the last the apex (RFC 4034 §4, RFC 4035 §2.3), and `apexExtra` (the KSK's
 * RRSIGs) at the apex; each name's records stay in canonical order.
 */
function withNsecChain(zone: WireZone, ttlSeconds: number, apexExtra: readonly number[]): WireZone {
  const { records, order, nodeStart, roles } = zone;
  const chained: number[] = [];
  for (let n = 0; n < zone.nodeCount; n++) if (roles[n] !== ROLE.belowCut) chained.push(n);
  const bitmaps = new Map<string, Uint8Array>();
  const nsecAt = new Int32Array(zone.nodeCount).fill(-1);
  for (let c = 0; c < chained.length; c++) {
    const n = chained[c] as number;
    const next = chained[(c + 1) % chained.length] as number;
    const types = nsecBitmapTypes(nodeTypes(zone, n), roles[n] === ROLE.delegation);
    const key = types.join(",");
    let bitmap = bitmaps.get(key);
    if (!bitmap) {
      bitmap = encodeTypeBitmap(types);
      bitmaps.set(key, bitmap);
    }
    const head = order[nodeStart[n] as number] as number;
    const nextHead = order[nodeStart[next] as number] as number;
    // RFC 6840 §5.1: the next name keeps its case; it is the name as the zone wrote it.
    const nextName = records.originalOwnerWire(nextHead) ?? records.ownerWire(nextHead);
    const rdata = new Uint8Array(nextName.length + bitmap.length);
    rdata.set(nextName, 0);
    rdata.set(bitmap, nextName.length);
    // Its owner is printed as the zone wrote it, like the name's other records.
    const writtenOwner = records.originalOwnerWire(head)?.slice();
    const original = writtenOwner ? { ownerWire: writtenOwner, rdataWire: rdata } : undefined;
    nsecAt[n] = records.add({ ownerWire: records.ownerWire(head).slice(), type: RRType.NSEC, ttlSeconds, rdataWire: rdata, original }, "generated", 0);
  }
  const merged = new Uint32Array(order.length + chained.length + apexExtra.length);
  const starts = new Uint32Array(zone.nodeCount + 1);
  let end = 0;
  for (let n = 0; n < zone.nodeCount; n++) {
    starts[n] = end;
    const extra = [...(roles[n] === ROLE.apex ? apexExtra : []), ...((nsecAt[n] as number) >= 0 ? [nsecAt[n] as number] : [])].sort((a, b) =>
      compareRecords(records, a, b),
    );
    let e = 0;
    for (let k = nodeStart[n] as number; k < (nodeStart[n + 1] as number); k++) {
      const i = order[k] as number;
      while (e < extra.length && compareRecords(records, extra[e] as number, i) < 0) merged[end++] = extra[e++] as number;
      merged[end++] = i;
    }
    while (e < extra.length) merged[end++] = extra[e++] as number;
  }
  starts[zone.nodeCount] = end;
  return { ...zone, order: merged.subarray(0, end), nodeStart: starts };
}
