/**
 * Executing a compact zone-signing plan (./wire-sign.ts) with the bundle's ZSK, streaming the
 * signed zone out as it is made, in memory bounded by the zone's wire octets and the signatures in
 * flight — not by the signed zone.
 *
 * Names are signed in canonical order, many signatures outstanding at once (`concurrency`) so that
 * a signer backed by several threads stays busy; a name is written as soon as it and every name
 * before it are signed: its records in canonical order, each RRset followed by the RRSIGs over it,
 * and fed to the ZONEMD digest (RFC 8976 §3.3) in canonical order — the RRSIGs of a name as one
 * RRset in canonical RDATA order. The signed data of each RRset is laid out by core's
 * `signedDataFromWire` (the layout `rrsigSignedData` uses) from the records' canonical wire form,
 * which is how they are kept. Every signature is verified once before it is used: by the keystore
 * signer that made it (`verifiedBeforeReturn`, over exactly these octets), or else here with the
 * ZSK's public key.
 *
 * The apex comes first in canonical order but is complete only at the end: its ZONEMD digest needs
 * the whole signed zone, and its ZONEMD RRset is signed last. Its lines have a known length in
 * advance (the digest's and the signatures' sizes are fixed by the hash and the key), so the sink
 * is told that length (`begin`), receives the rest of the zone in order (`body`), and the apex
 * last (`end`), to be put in the room left at the start of the file.
 *
 * Left out: planning (./wire-sign.ts); files (the caller's sink).
 */
import {
  KskError,
  RRType,
  type RrsigTemplate,
  type Signer,
  ZoneTextWriter,
  checkFailed,
  compareBytes,
  encodeRrsigFieldsWithoutSignature,
  keyTag,
  keyVerifierCache,
  signedDataFromWire,
} from "@ksk/core";
import { bundleLabel, sameDnskey } from "@ksk/ksr";
import { signatureWindowWire } from "./policy.js";
import { DigestFeed, excludedAtApex } from "./wire-digest.js";
import { writeStoreRecord } from "./wire-print.js";
import { FIXED_OCTETS, type WireRecords } from "./wire-records.js";
import { type WireZoneSigningPlan, signedTypesAt } from "./wire-sign.js";
import { ROLE, nodeTypes } from "./wire-zone.js";
import { ZONEMD_HASH } from "./zonemd.js";

/** Where the signed zone goes (see the header): the apex's length, the rest in order, the apex. */
export interface SignedZoneSink {
  begin(apexOctets: number): void | Promise<void>;
  /** The next octets of the zone text after the apex; the array is the sink's once handed over. */
  body(bytes: Uint8Array): void | Promise<void>;
  end(apexBytes: Uint8Array): void | Promise<void>;
}

/**
 * The sink for an output written by position (a file): the body from the end of the apex's room
 * on, as it comes, then the apex into the room left for it at the start.
 */
export function positionedSink(write: (bytes: Uint8Array, position: number) => Promise<void>): SignedZoneSink {
  let apexOctets = 0;
  let position = 0;
  return {
    begin(octets) {
      apexOctets = octets;
      position = octets;
    },
    async body(bytes) {
      await write(bytes, position);
      position += bytes.length;
    },
    async end(bytes) {
      if (bytes.length !== apexOctets) throw new Error(`unreachable: the apex takes ${bytes.length} octets, ${apexOctets} were left for it`);
      await write(bytes, 0);
    },
  };
}

export interface WireSignOptions {
  /** How many signatures may be outstanding at once (a threaded signer needs several). */
  readonly concurrency?: number;
  /** Called after each signature with the count done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Octets of text handed to the sink at a time. */
const BODY_PIECE_OCTETS = 1 << 18;

/** An RRSIG the ZSK made at a name: the type it covers, its TTL, its RDATA. */
interface MadeRrsig {
  readonly typeCovered: number;
  readonly ttlSeconds: number;
  readonly rdata: Uint8Array;
}

/** An RRSIG at a name: the store's (`stored` its index) or made (`made`), with its whole canonical wire form. */
interface RrsigEntry {
  readonly typeCovered: number;
  readonly wire: Uint8Array;
  readonly stored: number;
  readonly made?: MadeRrsig;
}

/** A name being signed. */
interface NodeWork {
  readonly n: number;
  readonly made: MadeRrsig[];
  readonly done: Promise<void>;
}

/** RRSIG labels (RFC 4034 §3.1.3): the owner's labels, a leading `*` not counted. */
function rrsigLabels(ownerWire: Uint8Array): number {
  let labels = 0;
  for (let at = 0; ownerWire[at] !== 0; at += (ownerWire[at] as number) + 1) labels++;
  return ownerWire[0] === 1 && ownerWire[1] === 0x2a ? labels - 1 : labels;
}

/** The whole canonical wire form of an RRSIG made at `ownerWire`. */
function rrsigWire(ownerWire: Uint8Array, made: MadeRrsig): Uint8Array {
  const wire = new Uint8Array(ownerWire.length + FIXED_OCTETS + made.rdata.length);
  wire.set(ownerWire, 0);
  const view = new DataView(wire.buffer, ownerWire.length, FIXED_OCTETS);
  view.setUint16(0, RRType.RRSIG);
  view.setUint16(2, 1);
  view.setUint32(4, made.ttlSeconds);
  view.setUint16(8, made.rdata.length);
  wire.set(made.rdata, ownerWire.length + FIXED_OCTETS);
  return wire;
}

class ZoneSigningRun {
  private readonly records: WireRecords;
  private readonly verify: ((data: Uint8Array, signature: Uint8Array) => boolean) | undefined;
  private readonly feed = new DigestFeed(ZONEMD_HASH.SHA384);
  private done = 0;
  private outstanding = 0;
  /** The apex ZONEMD's position in `order`, once found (-1 before). */
  private zonemdAt = -1;
  /** Chunks of body text the writer has filled and the sink has not yet taken. */
  private readonly chunks: Uint8Array[] = [];
  private readonly bodyWriter = new ZoneTextWriter((chunk) => this.chunks.push(chunk), BODY_PIECE_OCTETS);

  constructor(
    private readonly plan: WireZoneSigningPlan,
    private readonly signer: Signer,
    private readonly sink: SignedZoneSink,
    private readonly options: WireSignOptions,
  ) {
    this.records = plan.zone.records;
    const zsk = plan.bundle.signingZsk.dnskey;
    const verifier = keyVerifierCache()(zsk);
    this.verify = signer.verifiedBeforeReturn ? undefined : (data, signature) => verifier(data, signature);
  }

  /** The RRSIG RDATA fields before the signature (RFC 4034 §3.1) for the ZSK's RRSIG over the RRset of `type` at `ownerWire`. */
  private rrsigFields(type: number, ownerWire: Uint8Array, ttlSeconds: number): Uint8Array {
    const { plan, signer } = this;
    const window = signatureWindowWire(plan.policy, plan.atEpochSeconds, ownerWire, type);
    const template: RrsigTemplate = {
      typeCovered: type,
      algorithm: signer.dnskey.algorithm,
      labels: rrsigLabels(ownerWire),
      originalTtlSeconds: ttlSeconds,
      expirationEpochSeconds: window.expirationEpochSeconds,
      inceptionEpochSeconds: window.inceptionEpochSeconds,
      keyTag: signer.keyTag,
      signerName: plan.origin,
    };
    return encodeRrsigFieldsWithoutSignature(template);
  }

  /** Sign the RRset of `type` at node `n` whose records are `order[from, to)`. */
  private async signRrset(n: number, type: number, from: number, to: number, rdataOverride?: Uint8Array): Promise<MadeRrsig> {
    const { records, plan, signer } = this;
    const first = plan.zone.order[from] as number;
    const ownerWire = records.ownerWire(first);
    const ttlSeconds = records.ttlSeconds(first);
    const fields = this.rrsigFields(type, ownerWire, ttlSeconds);
    const rdatas: Uint8Array[] = [];
    for (let k = from; k < to; k++) rdatas.push(rdataOverride ?? records.rdataWire(plan.zone.order[k] as number));
    const data = signedDataFromWire(fields, ownerWire, 1, ttlSeconds, rdatas);
    this.outstanding++;
    const signature = await signer.sign(data);
    this.outstanding--;
    if (this.verify && !this.verify(data, signature)) {
      throw checkFailed(
        "SKR-VERIFY",
        `signature by ${signer.label} (${signer.keyTag}) over ${type === RRType.ZONEMD ? "ZONEMD" : `type ${type}`} at node ${n} did not verify in software`,
      );
    }
    this.options.onProgress?.(++this.done, this.plan.signatureCount);
    const rdata = new Uint8Array(fields.length + signature.length);
    rdata.set(fields, 0);
    rdata.set(signature, fields.length);
    return { typeCovered: type, ttlSeconds, rdata };
  }

  /** Start signing every RRset of node `n` the ZSK signs. */
  private startNode(n: number): NodeWork {
    const { zone } = this.plan;
    const types = signedTypesAt(zone, n, nodeTypes(zone, n));
    const made: MadeRrsig[] = [];
    const jobs: Promise<void>[] = [];
    let k = zone.nodeStart[n] as number;
    const end = zone.nodeStart[n + 1] as number;
    for (const type of types) {
      while (this.records.type(zone.order[k] as number) !== type) k++;
      let to = k;
      while (to < end && this.records.type(zone.order[to] as number) === type) to++;
      jobs.push(this.signRrset(n, type, k, to).then((m) => void made.push(m)));
      k = to;
    }
    const done = Promise.all(jobs).then(() => undefined);
    // Nodes behind one whose signing failed are never awaited: their failures are not news.
    done.catch(() => undefined);
    return { n, made, done };
  }

  /** Node `n`'s RRSIGs, the store's (the KSK's at the apex) and those made, in canonical RDATA order. */
  private rrsigSet(n: number, made: readonly MadeRrsig[]): RrsigEntry[] {
    const { zone } = this.plan;
    const ownerWire = this.records.ownerWire(zone.order[zone.nodeStart[n] as number] as number);
    const set: RrsigEntry[] = [];
    for (let k = zone.nodeStart[n] as number; k < (zone.nodeStart[n + 1] as number); k++) {
      const i = zone.order[k] as number;
      if (this.records.type(i) !== RRType.RRSIG) continue;
      const rdata = this.records.rdataWire(i);
      set.push({ typeCovered: ((rdata[0] as number) << 8) | (rdata[1] as number), wire: this.records.wire(i).slice(), stored: i });
    }
    for (const m of made) set.push({ typeCovered: m.typeCovered, wire: rrsigWire(ownerWire, m), stored: -1, made: m });
    const rdataStart = ownerWire.length + FIXED_OCTETS;
    return set.sort((a, b) => compareBytes(a.wire.subarray(rdataStart), b.wire.subarray(rdataStart)));
  }

  /** Write node `n` (each RRset, then the RRSIGs over it) with `writer`; `digest` also feeds its records to the digest. */
  private writeNode(writer: ZoneTextWriter, n: number, made: readonly MadeRrsig[], digest: boolean, zonemdRdata?: Uint8Array): void {
    const { zone } = this.plan;
    const records = this.records;
    const apex = zone.roles[n] === ROLE.apex;
    const sigs = this.rrsigSet(n, made);
    let sigsFed = false;
    const feedSigs = () => {
      if (sigsFed || !digest) return;
      sigsFed = true;
      for (const s of sigs) if (!(apex && s.typeCovered === RRType.ZONEMD)) this.feed.add(s.wire, 0, s.wire.length);
    };
    const head = zone.order[zone.nodeStart[n] as number] as number;
    // RRSIGs are printed with the owner as the zone wrote it.
    const writtenOwner = records.originalOwnerWire(head);
    const writeSigsOver = (type: number) => {
      for (const s of sigs) {
        if (s.typeCovered !== type) continue;
        if (s.made) writer.write(writtenOwner ?? records.ownerWire(head), RRType.RRSIG, s.made.ttlSeconds, s.made.rdata);
        else writeStoreRecord(writer, records, s.stored);
      }
    };
    let previousType = -1;
    const end = zone.nodeStart[n + 1] as number;
    for (let k = zone.nodeStart[n] as number; k <= end; k++) {
      const i = k < end ? (zone.order[k] as number) : -1;
      const type = i >= 0 ? records.type(i) : 0x10000;
      if (type !== previousType && previousType >= 0 && previousType !== RRType.RRSIG) writeSigsOver(previousType);
      if (i < 0) break;
      previousType = type;
      if (type > RRType.RRSIG) feedSigs();
      if (type === RRType.RRSIG) continue; // printed after the RRset each covers
      if (digest && !(apex && excludedAtApex(records, i))) this.feed.add(records.bytes, records.start(i), records.end(i));
      writeStoreRecord(writer, records, i, type === RRType.ZONEMD ? zonemdRdata : undefined);
    }
    feedSigs();
  }

  /** Hand the filled chunks of body text to the sink. */
  private async drain(): Promise<void> {
    while (this.chunks.length > 0) await this.sink.body(this.chunks.shift() as Uint8Array);
  }

  async run(): Promise<void> {
    const { zone } = this.plan;
    const concurrency = Math.max(1, this.options.concurrency ?? 64);
    const window: NodeWork[] = [];
    let next = 0;
    let apex: NodeWork | undefined;
    while (next < zone.nodeCount || window.length > 0) {
      while (next < zone.nodeCount && (this.outstanding < concurrency || window.length === 0)) window.push(this.startNode(next++));
      const head = window.shift() as NodeWork;
      await head.done;
      if (head.n === 0) {
        apex = head;
        this.writeNode(new ZoneTextWriter(() => undefined), 0, head.made, true); // the apex's records into the digest first
        await this.sink.begin(this.apexBytes(head, this.zonemdPlaceholderRrsig(head)).length);
      } else {
        this.writeNode(this.bodyWriter, head.n, head.made, true);
        await this.drain();
      }
    }
    this.bodyWriter.flush();
    await this.drain();
    if (!apex) throw new Error("unreachable: the zone has no apex");
    const k = this.zonemdPosition();
    const zonemdIndex = zone.order[k] as number;
    const digestBytes = this.feed.digest();
    const placeholder = this.records.rdataWire(zonemdIndex);
    const zonemdRdata = new Uint8Array(placeholder.length);
    zonemdRdata.set(placeholder.subarray(0, placeholder.length - digestBytes.length), 0);
    zonemdRdata.set(digestBytes, placeholder.length - digestBytes.length);
    const zonemdRrsig = await this.signRrset(0, RRType.ZONEMD, k, k + 1, zonemdRdata);
    await this.sink.end(this.apexBytes(apex, zonemdRrsig, zonemdRdata));
  }

  /** Where the apex ZONEMD stands in `order` (found once: a scan of the apex). */
  private zonemdPosition(): number {
    if (this.zonemdAt >= 0) return this.zonemdAt;
    const { zone } = this.plan;
    for (let k = zone.nodeStart[0] as number; k < (zone.nodeStart[1] as number); k++) {
      if (this.records.type(zone.order[k] as number) === RRType.ZONEMD) {
        this.zonemdAt = k;
        return k;
      }
    }
    throw new Error("unreachable: the plan has no ZONEMD");
  }

  /** An RRSIG over the ZONEMD of the final one's size (its fields, a zero signature as long as the apex's others). */
  private zonemdPlaceholderRrsig(apex: NodeWork): MadeRrsig {
    const sample = apex.made[0];
    if (!sample) throw new Error("unreachable: the apex has no RRset the ZSK signs");
    const zonemdIndex = this.plan.zone.order[this.zonemdPosition()] as number;
    const ttlSeconds = this.records.ttlSeconds(zonemdIndex);
    const fields = this.rrsigFields(RRType.ZONEMD, this.records.ownerWire(zonemdIndex), ttlSeconds);
    const signatureOctets = sample.rdata.length - fields.length;
    const rdata = new Uint8Array(fields.length + signatureOctets);
    rdata.set(fields, 0);
    return { typeCovered: RRType.ZONEMD, ttlSeconds, rdata };
  }

  /** The apex's lines, with the ZONEMD RDATA and its RRSIG given. */
  private apexBytes(apex: NodeWork, zonemdRrsig: MadeRrsig, zonemdRdata?: Uint8Array): Uint8Array {
    const chunks: Uint8Array[] = [];
    const writer = new ZoneTextWriter((chunk) => chunks.push(chunk));
    this.writeNode(writer, 0, [...apex.made, zonemdRrsig], false, zonemdRdata);
    writer.flush();
    return Buffer.concat(chunks);
  }
}

/** Execute a plan with the bundle's signing ZSK, streaming the signed zone to `sink`. */
export async function signWireZone(plan: WireZoneSigningPlan, signer: Signer, sink: SignedZoneSink, options: WireSignOptions = {}): Promise<void> {
  const zsk = plan.bundle.signingZsk.dnskey;
  if (!sameDnskey(signer.dnskey, zsk)) {
    throw new KskError(
      "keystore",
      "ZONE-ZSK-MISMATCH",
      `key ${signer.label} (${signer.keyTag}) is not the ZSK ${keyTag(zsk)} that ${bundleLabel(plan.bundle.bundle, plan.bundle.index)} signs with`,
    );
  }
  await new ZoneSigningRun(plan, signer, sink, options).run();
}
