/**
 * A zone's records kept compact: each record is its canonical wire form (RFC 4034 §6.2: owner
 * lowercased and uncompressed, TYPE, CLASS, TTL, RDLENGTH, canonical RDATA), appended to one
 * growing byte buffer, with its offset, line and file in typed arrays beside it. A record costs
 * its wire octets plus ten octets of index, not an object graph: the root's 22,000 records take
 * about 0.6 MB, a million `h{i}. A` records about 40 MB.
 *
 * These octets are exactly what ZONEMD digests (RFC 8976 §3.3) and what an RRSIG's signed data
 * holds for each record of an RRset (RFC 4034 §3.1.8.1, the TTL being the RRset's own), so the
 * digest and the signer read them in place. A record written with upper case in a name also keeps
 * its form as written, for printing (the canonical form is what is compared and signed).
 *
 * Left out: classes other than IN (the zone reader refuses them); order (./wire-order.ts).
 */
import { RRClass } from "@ksk/core";

/** Octets of TYPE, CLASS, TTL and RDLENGTH after the owner name. */
export const FIXED_OCTETS = 10;

/** What the store takes: owner and RDATA in canonical wire form, and where the record was read. */
export interface WireRecordInput {
  readonly ownerWire: Uint8Array;
  readonly type: number;
  readonly ttlSeconds: number;
  readonly rdataWire: Uint8Array;
  /** The owner and RDATA as written, when a name in them had upper case. */
  readonly original?: { readonly ownerWire: Uint8Array; readonly rdataWire: Uint8Array } | undefined;
}

/** The length of the uncompressed wire name at `offset` (its labels and the root label). */
export function wireNameLength(bytes: Uint8Array, offset: number): number {
  let at = offset;
  for (;;) {
    const length = bytes[at] as number;
    at += length + 1;
    if (length === 0) return at - offset;
  }
}

/**
 * Are the uncompressed wire names at `a` in `bytesA` and at `b` in `bytesB` the same octets? For
 * canonical (lowercased) names, the same name.
 */
export function sameWireName(bytesA: Uint8Array, a: number, bytesB: Uint8Array, b: number): boolean {
  const length = wireNameLength(bytesA, a);
  if (wireNameLength(bytesB, b) !== length) return false;
  for (let k = 0; k < length; k++) if (bytesA[a + k] !== bytesB[b + k]) return false;
  return true;
}

function grown<T extends Uint8Array | Uint16Array | Uint32Array>(array: T, needed: number, make: (n: number) => T): T {
  if (needed <= array.length) return array;
  const next = make(Math.max(needed, array.length * 2));
  next.set(array);
  return next;
}

export class WireRecords {
  /** The records' canonical wire forms, back to back; valid up to `usedOctets`. */
  bytes = new Uint8Array(1 << 16);
  usedOctets = 0;
  /** Number of records. */
  count = 0;
  private starts = new Uint32Array(1024);
  private lines = new Uint32Array(1024);
  private fileIndexes = new Uint16Array(1024);
  private readonly files: string[] = [];
  private readonly fileIndexByName = new Map<string, number>();
  /** The record as written (full wire form), for the few records whose names had upper case. */
  private readonly originals = new Map<number, Uint8Array>();
  /** Records taken out after they were read (the input's SOA when the signer publishes its own). */
  private readonly removed = new Set<number>();

  /** Append a record; `file` and `line` say where it was read ("generated" for made records). Returns its index. */
  add(record: WireRecordInput, file: string, line: number): number {
    const index = this.count;
    const ownerLength = record.ownerWire.length;
    const rdataLength = record.rdataWire.length;
    const size = ownerLength + FIXED_OCTETS + rdataLength;
    this.bytes = grown(this.bytes, this.usedOctets + size, (n) => new Uint8Array(n));
    if (index === this.starts.length) {
      this.starts = grown(this.starts, index + 1, (n) => new Uint32Array(n));
      this.lines = grown(this.lines, index + 1, (n) => new Uint32Array(n));
      this.fileIndexes = grown(this.fileIndexes, index + 1, (n) => new Uint16Array(n));
    }
    const at = this.usedOctets;
    const b = this.bytes;
    b.set(record.ownerWire, at);
    let p = at + ownerLength;
    b[p++] = record.type >>> 8;
    b[p++] = record.type & 0xff;
    b[p++] = RRClass.IN >>> 8;
    b[p++] = RRClass.IN & 0xff;
    const ttl = record.ttlSeconds >>> 0;
    b[p++] = ttl >>> 24;
    b[p++] = (ttl >>> 16) & 0xff;
    b[p++] = (ttl >>> 8) & 0xff;
    b[p++] = ttl & 0xff;
    b[p++] = rdataLength >>> 8;
    b[p++] = rdataLength & 0xff;
    b.set(record.rdataWire, p);
    this.usedOctets = at + size;
    this.starts[index] = at;
    this.lines[index] = line;
    let fileIndex = this.fileIndexByName.get(file);
    if (fileIndex === undefined) {
      fileIndex = this.files.length;
      this.files.push(file);
      this.fileIndexByName.set(file, fileIndex);
    }
    this.fileIndexes[index] = fileIndex;
    if (record.original) {
      const o = record.original;
      const written = new Uint8Array(o.ownerWire.length + FIXED_OCTETS + o.rdataWire.length);
      written.set(o.ownerWire, 0);
      written.set(b.subarray(at + ownerLength, at + ownerLength + FIXED_OCTETS), o.ownerWire.length);
      written.set(o.rdataWire, o.ownerWire.length + FIXED_OCTETS);
      this.originals.set(index, written);
    }
    this.count = index + 1;
    return index;
  }

  /** Offset of record `i`'s owner name. */
  start(i: number): number {
    return this.starts[i] as number;
  }

  /** Offset of record `i`'s TYPE field (just after its owner name). */
  fixedAt(i: number): number {
    const s = this.starts[i] as number;
    return s + wireNameLength(this.bytes, s);
  }

  type(i: number): number {
    const f = this.fixedAt(i);
    return ((this.bytes[f] as number) << 8) | (this.bytes[f + 1] as number);
  }

  ttlSeconds(i: number): number {
    const f = this.fixedAt(i) + 4;
    const b = this.bytes;
    return (((b[f] as number) << 24) | ((b[f + 1] as number) << 16) | ((b[f + 2] as number) << 8) | (b[f + 3] as number)) >>> 0;
  }

  /** Offset just past record `i`. */
  end(i: number): number {
    const f = this.fixedAt(i);
    return f + FIXED_OCTETS + (((this.bytes[f + 8] as number) << 8) | (this.bytes[f + 9] as number));
  }

  /** Record `i`'s whole canonical wire form (a view: copy it to keep it past later `add`s). */
  wire(i: number): Uint8Array {
    return this.bytes.subarray(this.starts[i] as number, this.end(i));
  }

  ownerWire(i: number): Uint8Array {
    const s = this.starts[i] as number;
    return this.bytes.subarray(s, s + wireNameLength(this.bytes, s));
  }

  rdataWire(i: number): Uint8Array {
    const f = this.fixedAt(i);
    return this.bytes.subarray(f + FIXED_OCTETS, this.end(i));
  }

  /** Record `i` as written, when it differs from its canonical form; else undefined. */
  originalWire(i: number): Uint8Array | undefined {
    return this.originals.get(i);
  }

  /** Owner name of record `i` as written, when it had upper case; else undefined. */
  originalOwnerWire(i: number): Uint8Array | undefined {
    const written = this.originals.get(i);
    return written === undefined ? undefined : written.subarray(0, wireNameLength(written, 0));
  }

  /** Take record `i` out: ordering skips it from now on. */
  remove(i: number): void {
    this.removed.add(i);
  }

  isRemoved(i: number): boolean {
    return this.removed.size > 0 && this.removed.has(i);
  }

  /** `file:line` of record `i`, or "generated". */
  where(i: number): string {
    const file = this.files[this.fileIndexes[i] as number] as string;
    return file === "generated" ? file : `${file}:${this.lines[i]}`;
  }
}
