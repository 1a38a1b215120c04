/**
 * The fast path of the wire-form zone reader (./zone-wire-loader.ts): one plain line — no
 * `( ) " \ ;`, not a directive, printable ASCII only — split with charCodeAt into token
 * boundaries (no token objects), its owner, TTL, class and type read as ./zonefile.ts reads them
 * (RFC 1035 §5.1: omitted owner, omitted TTL and class in either order, `@`, relative names), and
 * its owner and RDATA written straight into wire octets (./zone-wire-rdata.ts), with the
 * canonical copy RFC 4034 §6.2 calls for. The owner of a run of lines is written once (the same
 * text under the same origin is the same name, as ./zonefile.ts caches it).
 *
 * The state it shares with ./zonefile.ts's reader (origin, `$TTL`, the previous TTL and owner) is
 * taken over and handed back at the switches between the two (`adopt`, `handOver`). A line it is
 * not sure of — a TTL with units, a class other than IN, a type without a writer, any field out of
 * its forms — is answered NOT_FAST with nothing changed, and the reader reads it.
 *
 * Left out: everything it answers NOT_FAST for; errors (the reader makes them all).
 */
import { type Name, nameFromWire, nameToWire } from "./name.js";
import { MAX_TTL_SECONDS } from "./ttl.js";
import { RDATA_WRITERS, mnemonicType } from "./zone-wire-rdata.js";
import { type LineTokens, MAX_RDATA, type NameWire, WireWriter, decimal } from "./zone-wire-writer.js";
import type { ZoneReaderPosition } from "./zonefile.js";

/** What `read` made of a line. */
export const NOT_FAST = 0;
export const NO_ENTRY = 1;
export const FAST_RECORD = 2;

/** More tokens than this on one line: left to the reader. */
const MAX_TOKENS = 1024;

/** Character classes of a plain line: 0 not taken, 1 blank, 2 part of a token. */
const CHAR_CLASS = new Uint8Array(128);
for (let c = 0x21; c < 0x7f; c++) CHAR_CLASS[c] = 2;
for (const c of " \t\r") CHAR_CLASS[c.charCodeAt(0)] = 1;
for (const c of '()"\\;') CHAR_CLASS[c.charCodeAt(0)] = 0;

/** Token boundaries of the plain line `from`..`n` of `line` into `t`; false if it is not plain or has too many. */
function tokenize(line: string, from: number, n: number, t: LineTokens): boolean {
  t.line = line;
  const { starts, ends } = t;
  let count = 0;
  let start = -1;
  for (let i = from; i < n; i++) {
    const c = line.charCodeAt(i);
    const kind = c < 128 ? (CHAR_CLASS[c] as number) : 0;
    if (kind === 2) {
      if (start < 0) start = i;
    } else if (kind === 1) {
      if (start >= 0) {
        if (count === MAX_TOKENS) return false;
        starts[count] = start;
        ends[count++] = i;
        start = -1;
      }
    } else {
      return false;
    }
  }
  if (start >= 0) {
    if (count === MAX_TOKENS) return false;
    starts[count] = start;
    ends[count++] = n;
  }
  t.count = count;
  return true;
}

/** Is `line.slice(start, end)` equal to `text`? (Without making the slice.) */
function sameText(line: string, start: number, end: number, text: string): boolean {
  if (end - start !== text.length) return false;
  for (let i = end - start - 1; i >= 0; i--) if (line.charCodeAt(start + i) !== text.charCodeAt(i)) return false;
  return true;
}

function hasUpper(wire: Uint8Array): boolean {
  for (const octet of wire) if (octet >= 0x41 && octet <= 0x5a) return true;
  return false;
}

/** Copy `from[0..length)` into `to`, lowercasing ASCII letters in `[lowerFrom, lowerTo)`. */
function lowered(from: Uint8Array, length: number, to: Uint8Array, lowerFrom: number, lowerTo: number): void {
  for (let i = 0; i < length; i++) {
    const octet = from[i] as number;
    to[i] = i >= lowerFrom && i < lowerTo && octet >= 0x41 && octet <= 0x5a ? octet + 0x20 : octet;
  }
}

/** Views of a buffer's first `length` octets, made once per length. */
class Views {
  private readonly views: Uint8Array[] = [];
  constructor(private readonly buffer: Uint8Array) {}
  first(length: number): Uint8Array {
    let view = this.views[length];
    if (view === undefined) {
      view = this.buffer.subarray(0, length);
      this.views[length] = view;
    }
    return view;
  }
}

/** The scratch octets of one load, shared by the fast readers of its files (each record is handed on before the next is read). */
export class FastScratch {
  readonly tokens: LineTokens = { line: "", count: 0, starts: new Int32Array(MAX_TOKENS), ends: new Int32Array(MAX_TOKENS) };
  readonly candidate = new WireWriter(512);
  readonly rdata = new WireWriter(MAX_RDATA + 512);
  readonly rdataCanonical = new Uint8Array(MAX_RDATA + 512);
  readonly rdataViews = new Views(this.rdata.out);
  readonly rdataCanonicalViews = new Views(this.rdataCanonical);
}

/** One file's fast path: its share of the reader's state, and the record of the last line read. */
export class FastLineReader {
  private origin: NameWire | undefined;
  private originName: Name | undefined;
  private defaultTtl: number | undefined;
  private lastTtl: number | undefined;
  /** The previous owner, as written and canonical; `ownerName` once known as a Name. */
  private readonly owner = new Uint8Array(256);
  private readonly ownerCanonical = new Uint8Array(256);
  private readonly ownerViews = new Views(this.owner);
  private readonly ownerCanonicalViews = new Views(this.ownerCanonical);
  private ownerLength = 0;
  private ownerName: Name | undefined;
  /** The text the previous owner was written as, under the current origin (else undefined). */
  private ownerText: string | undefined;
  ownerUpper = false;
  /** The last record read: its type and TTL (owner and RDATA through the views below). */
  type = 0;
  ttlSeconds = 0;

  constructor(private readonly scratch: FastScratch) {}

  /** Take over the reader's state (after it read lines itself). */
  adopt(position: ZoneReaderPosition): void {
    if (position.origin !== this.originName) {
      this.originName = position.origin;
      const wire = position.origin && nameToWire(position.origin, false);
      this.origin = wire && { wire, upper: hasUpper(wire) };
      this.ownerText = undefined;
    }
    this.defaultTtl = position.defaultTtlSeconds;
    this.lastTtl = position.lastTtlSeconds;
    if (position.lastOwner !== this.ownerName) {
      this.ownerName = position.lastOwner;
      this.ownerText = undefined;
      const wire = position.lastOwner ? nameToWire(position.lastOwner, false) : new Uint8Array(0);
      this.owner.set(wire);
      this.ownerLength = wire.length;
      this.ownerUpper = hasUpper(wire);
      lowered(this.owner, wire.length, this.ownerCanonical, 0, wire.length);
    }
  }

  /** What the reader takes back: the previous record's TTL and owner. */
  handOver(): { lastTtlSeconds: number | undefined; lastOwner: Name | undefined } {
    if (this.ownerName === undefined && this.ownerLength > 0) this.ownerName = nameFromWire(this.owner, 0).name;
    return { lastTtlSeconds: this.lastTtl, lastOwner: this.ownerName };
  }

  ownerWire(canonical: boolean): Uint8Array {
    return (canonical ? this.ownerCanonicalViews : this.ownerViews).first(this.ownerLength);
  }

  rdataWire(canonical: boolean): Uint8Array {
    const w = this.scratch.rdata;
    return (canonical && w.upper ? this.scratch.rdataCanonicalViews : this.scratch.rdataViews).first(w.at);
  }

  /** Has the last record upper case where the canonical form has none? */
  get upper(): boolean {
    return this.ownerUpper || this.scratch.rdata.upper;
  }

  /** Read the line `from`..`to` of `line`: NOT_FAST (nothing changed), NO_ENTRY (blank), or FAST_RECORD. */
  read(line: string, from: number, to: number): number {
    const t = this.scratch.tokens;
    if (!tokenize(line, from, to, t)) return NOT_FAST;
    if (t.count === 0) return NO_ENTRY;
    const lead = line.charCodeAt(from);
    const blankStart = lead === 0x20 || lead === 0x09;
    let k = 0;
    let newOwner = false;
    if (!blankStart) {
      // A directive, or a line whose first token does not start it (a leading carriage return).
      if (lead === 0x24 /* $ */ || t.starts[0] !== from) return NOT_FAST;
      const end = t.ends[0] as number;
      const cached = this.ownerText;
      if (cached === undefined || !sameText(line, from, end, cached)) {
        const candidate = this.scratch.candidate;
        candidate.reset();
        if (!candidate.name(line, from, end, this.origin, true)) return NOT_FAST;
        newOwner = true;
      }
      k = 1;
    } else if (this.ownerLength === 0) {
      return NOT_FAST;
    }
    // Up to two of TTL and CLASS, in either order, then the TYPE (RFC 1035 §5.1), as ./zonefile.ts reads them.
    let ttl = -1;
    let inClass = false;
    let type = -1;
    while (k < t.count && type < 0) {
      const start = t.starts[k] as number;
      const end = t.ends[k] as number;
      const c = line.charCodeAt(start);
      if (ttl < 0 && c >= 0x30 && c <= 0x39) {
        ttl = decimal(line, start, end, MAX_TTL_SECONDS);
        if (ttl < 0) return NOT_FAST;
      } else if (end - start === 2 && (c | 0x20) === 0x69 && (line.charCodeAt(start + 1) | 0x20) === 0x6e) {
        if (inClass) return NOT_FAST;
        inClass = true;
      } else {
        type = mnemonicType(t, k);
        if (type < 0) return NOT_FAST;
      }
      k++;
    }
    if (type < 0) return NOT_FAST;
    if (ttl < 0) {
      const inherited = this.defaultTtl ?? this.lastTtl;
      if (inherited === undefined) return NOT_FAST;
      ttl = inherited;
    }
    const writer = RDATA_WRITERS.get(type);
    const w = this.scratch.rdata;
    w.reset();
    if (writer === undefined || !writer(w, t, k, this.origin) || w.at > MAX_RDATA) return NOT_FAST;
    if (w.upper) lowered(w.out, w.at, this.scratch.rdataCanonical, w.lowerFrom, w.lowerTo);
    if (newOwner) this.takeOwner(line.slice(from, t.ends[0]));
    this.type = type;
    this.ttlSeconds = ttl;
    this.lastTtl = ttl;
    return FAST_RECORD;
  }

  private takeOwner(text: string): void {
    const candidate = this.scratch.candidate;
    const length = candidate.at;
    this.owner.set(candidate.out.subarray(0, length));
    // The owner name is all of it: RFC 4034 §6.2 lowercases the whole name.
    lowered(candidate.out, length, this.ownerCanonical, 0, length);
    this.ownerLength = length;
    this.ownerUpper = candidate.upper;
    this.ownerName = undefined;
    this.ownerText = text;
  }
}
