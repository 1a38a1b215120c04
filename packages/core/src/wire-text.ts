/**
 * Zone-file lines straight from wire form, for printing a zone kept as wire slices in one buffer
 * without building an RR object per record: one record's line (`wireRecordText`), and many
 * records' lines written into byte chunks handed to a callback (`ZoneTextWriter`).
 *
 * Every line is exactly rrToString of the record decoded from the same octets (class IN). The
 * types of a signed root zone — A, AAAA, NS, CNAME, MX, SOA, TXT, DS, DNSKEY, RRSIG, NSEC, ZONEMD —
 * and every type the toolkit keeps opaque (RFC 3597 `\#`, e.g. PTR) are written here octet by
 * octet, through the same escape rules (name.ts, rdata-text.ts), type mnemonics (rrtype.ts),
 * RRSIG times (time.ts), IPv6 form (rdata-address.ts) and base64/hex (bytes.ts) the codecs print
 * with. A record the fast path does not take — RDATA that would not decode (truncated, extra
 * octets, a bad NSEC bitmap), a name over the RFC 1035 §2.3.4 limits, a TTL or type out of range,
 * a known type without a fast printer — goes through nameFromWire, decodeRdata and rrToString,
 * so it prints, or throws, exactly as they do.
 *
 * Left out: classes other than IN; compressed names (refused on every read).
 */
import { asciiBytes, writeBase64, writeHex } from "./bytes.js";
import { labelOctetText, nameFromWire } from "./name.js";
import { decodeRdata, isKnownType } from "./rdata.js";
import { writeIpv6 } from "./rdata-address.js";
import { characterStringOctetText } from "./rdata-text.js";
import { makeRR, rrToString } from "./rr.js";
import { RRType, typeToString } from "./rrtype.js";
import { formatRrsigTime } from "./time.js";

// ---------------------------------------------------------------------------------------------
// Octet tables built once from the owners' rules, and small writers. Each writer puts ASCII into
// `out` at `pos` and returns the position after it.

interface OctetTable {
  /** Length of each octet's text: 1 (itself), 2 (`\c`) or 4 (`\DDD`). */
  readonly length: Uint8Array;
  /** Each octet's text at octet * 4. */
  readonly text: Uint8Array;
}

function octetTable(textOf: (octet: number) => string): OctetTable {
  const length = new Uint8Array(256);
  const text = new Uint8Array(1024);
  for (let octet = 0; octet < 256; octet++) {
    const t = textOf(octet);
    if (t.length < 1 || t.length > 4 || !/^[\x20-\x7e]+$/.test(t))
      throw new Error(`octet ${octet} prints as ${JSON.stringify(t)}: not 1 to 4 ASCII characters`);
    length[octet] = t.length;
    for (let i = 0; i < t.length; i++) text[octet * 4 + i] = t.charCodeAt(i);
  }
  return { length, text };
}

const NAME_OCTETS = octetTable(labelOctetText);
const STRING_OCTETS = octetTable(characterStringOctetText);

/** `data[start, end)` written with each octet's text from `table`; returns the new position. */
function writeOctets(out: Uint8Array, pos: number, data: Uint8Array, start: number, end: number, table: OctetTable): number {
  const { length: lengthOf, text } = table;
  for (let i = start; i < end; i++) {
    const octet = data[i] as number;
    const n = lengthOf[octet] as number;
    if (n === 1) out[pos++] = octet;
    else for (let k = 0; k < n; k++) out[pos++] = text[octet * 4 + k] as number;
  }
  return pos;
}

/** The longest text typeToString gives: a mnemonic of the table, or `TYPE65535`. */
const MAX_TYPE_TEXT = Math.max("TYPE65535".length, ...Object.keys(RRType).map((mnemonic) => mnemonic.length));

/** Each type's mnemonic (or TYPEnnn) as typeToString gives it, looked up once per type. */
const TYPE_TEXT = new Array<Uint8Array | undefined>(65536);

function typeText(type: number): Uint8Array {
  let text = TYPE_TEXT[type];
  if (text === undefined) {
    text = asciiBytes(typeToString(type));
    TYPE_TEXT[type] = text;
  }
  return text;
}

function copy(out: Uint8Array, pos: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) out[pos + i] = bytes[i] as number;
  return pos + bytes.length;
}

/** A decimal unsigned 32-bit integer, as `${value}` prints it. */
function writeDecimal(out: Uint8Array, pos: number, value: number): number {
  let digits = 1;
  for (let v = value; v >= 10; v = (v / 10) >>> 0) digits++;
  let at = pos + digits;
  let v = value;
  do {
    const q = (v / 10) >>> 0;
    out[--at] = 0x30 + v - q * 10;
    v = q;
  } while (v > 0);
  return pos + digits;
}

function u16At(data: Uint8Array, at: number): number {
  return ((data[at] as number) << 8) | (data[at + 1] as number);
}

function u32At(data: Uint8Array, at: number): number {
  return (((data[at] as number) << 24) >>> 0) + ((data[at + 1] as number) << 16) + ((data[at + 2] as number) << 8) + (data[at + 3] as number);
}

/** The offset just after the name the last writeName call read. */
let nameEnd = 0;

/**
 * The name at `data[at]` as nameToString prints it; -1 where nameFromWire throws (truncated, a
 * label over 63 octets or a compression pointer, over 255 octets in all).
 */
function writeName(out: Uint8Array, pos: number, data: Uint8Array, at: number): number {
  const limit = data.length;
  if (at >= limit) return -1;
  let label = data[at] as number;
  if (label === 0) {
    out[pos] = 0x2e;
    nameEnd = at + 1;
    return pos + 1;
  }
  let wireOctets = 1;
  while (label !== 0) {
    const end = at + 1 + label;
    wireOctets += label + 1;
    // The next length octet must be there too; a name over 255 octets is refused however it goes on.
    if (label > 63 || end >= limit || wireOctets > 255) return -1;
    pos = writeOctets(out, pos, data, at + 1, end, NAME_OCTETS);
    out[pos++] = 0x2e;
    at = end;
    label = data[at] as number;
  }
  nameEnd = at + 1;
  return pos;
}

/** A name that must fill the RDATA to its end (NS, CNAME: Reader.end). */
function writeWholeName(out: Uint8Array, pos: number, rdata: Uint8Array, at: number): number {
  const end = writeName(out, pos, rdata, at);
  return end < 0 || nameEnd !== rdata.length ? -1 : end;
}

// ---------------------------------------------------------------------------------------------
// RDATA, type by type, each mirroring its codec's decode (./rdata-*.ts) to decline exactly the
// octets that codec refuses, and its print to write the same text.

function writeA(out: Uint8Array, pos: number, rdata: Uint8Array): number {
  if (rdata.length !== 4) return -1;
  pos = writeDecimal(out, pos, rdata[0] as number);
  for (let i = 1; i < 4; i++) {
    out[pos++] = 0x2e;
    pos = writeDecimal(out, pos, rdata[i] as number);
  }
  return pos;
}

function writeMx(out: Uint8Array, pos: number, rdata: Uint8Array): number {
  if (rdata.length < 2) return -1;
  pos = writeDecimal(out, pos, u16At(rdata, 0));
  out[pos++] = 0x20;
  return writeWholeName(out, pos, rdata, 2);
}

function writeSoa(out: Uint8Array, pos: number, rdata: Uint8Array): number {
  pos = writeName(out, pos, rdata, 0);
  if (pos < 0) return -1;
  out[pos++] = 0x20;
  pos = writeName(out, pos, rdata, nameEnd);
  // SERIAL, REFRESH, RETRY, EXPIRE, MINIMUM: five 32-bit fields and nothing after them.
  if (pos < 0 || nameEnd + 20 !== rdata.length) return -1;
  for (let at = nameEnd; at < rdata.length; at += 4) {
    out[pos++] = 0x20;
    pos = writeDecimal(out, pos, u32At(rdata, at));
  }
  return pos;
}

function writeTxt(out: Uint8Array, pos: number, rdata: Uint8Array): number {
  if (rdata.length === 0) return -1;
  let at = 0;
  while (at < rdata.length) {
    const end = at + 1 + (rdata[at] as number);
    if (end > rdata.length) return -1;
    if (at > 0) out[pos++] = 0x20;
    out[pos++] = 0x22;
    pos = writeOctets(out, pos, rdata, at + 1, end, STRING_OCTETS);
    out[pos++] = 0x22;
    at = end;
  }
  return pos;
}

/** DS (RFC 4034 §5.3) and DNSKEY (§2.2): two numbers of 16 and 8 bits, one of 8, then octets. */
function writeKeyLike(out: Uint8Array, pos: number, rdata: Uint8Array, type: number): number {
  if (rdata.length < 5) return -1;
  pos = writeDecimal(out, pos, u16At(rdata, 0));
  out[pos++] = 0x20;
  pos = writeDecimal(out, pos, rdata[2] as number);
  out[pos++] = 0x20;
  pos = writeDecimal(out, pos, rdata[3] as number);
  out[pos++] = 0x20;
  const rest = rdata.subarray(4);
  return type === RRType.DS ? writeHex(rest, out, pos, true) : writeBase64(rest, out, pos);
}

/** The last RRSIG times printed: a zone's signatures mostly share their two times. */
const lastTimes = [
  { seconds: -1, text: new Uint8Array(0) },
  { seconds: -1, text: new Uint8Array(0) },
];

function writeRrsigTime(out: Uint8Array, pos: number, seconds: number, slot: 0 | 1): number {
  const last = lastTimes[slot] as { seconds: number; text: Uint8Array };
  if (last.seconds !== seconds) {
    last.text = asciiBytes(formatRrsigTime(seconds));
    last.seconds = seconds;
  }
  return copy(out, pos, last.text);
}

function writeRrsig(out: Uint8Array, pos: number, rdata: Uint8Array): number {
  if (rdata.length < 19) return -1;
  pos = copy(out, pos, typeText(u16At(rdata, 0)));
  out[pos++] = 0x20;
  pos = writeDecimal(out, pos, rdata[2] as number);
  out[pos++] = 0x20;
  pos = writeDecimal(out, pos, rdata[3] as number);
  out[pos++] = 0x20;
  pos = writeDecimal(out, pos, u32At(rdata, 4));
  out[pos++] = 0x20;
  pos = writeRrsigTime(out, pos, u32At(rdata, 8), 0);
  out[pos++] = 0x20;
  pos = writeRrsigTime(out, pos, u32At(rdata, 12), 1);
  out[pos++] = 0x20;
  pos = writeDecimal(out, pos, u16At(rdata, 16));
  out[pos++] = 0x20;
  pos = writeName(out, pos, rdata, 18);
  if (pos < 0 || nameEnd >= rdata.length) return -1; // RRSIG decode refuses an empty signature
  out[pos++] = 0x20;
  return writeBase64(rdata.subarray(nameEnd), out, pos);
}

/** NSEC: the next name, then the types of the bitmap (RFC 4034 §4.1.2), refused as decode refuses them. */
function writeNsec(out: Uint8Array, pos: number, rdata: Uint8Array): number {
  pos = writeName(out, pos, rdata, 0);
  if (pos < 0) return -1;
  let at = nameEnd;
  let lastWindow = -1;
  while (at < rdata.length) {
    const window = rdata[at] as number;
    const length = rdata[at + 1] as number;
    const end = at + 2 + length;
    if (at + 2 > rdata.length || window <= lastWindow || length < 1 || length > 32 || end > rdata.length || rdata[end - 1] === 0) return -1;
    lastWindow = window;
    for (let octet = 0; octet < length; octet++) {
      const bits = rdata[at + 2 + octet] as number;
      if (bits === 0) continue;
      for (let bit = 0; bit < 8; bit++) {
        if ((bits & (0x80 >> bit)) === 0) continue;
        out[pos++] = 0x20;
        pos = copy(out, pos, typeText(window * 256 + octet * 8 + bit));
      }
    }
    at = end;
  }
  return pos;
}

function writeZonemd(out: Uint8Array, pos: number, rdata: Uint8Array): number {
  if (rdata.length < 18) return -1; // serial, scheme, algorithm and a digest of 12 octets (RFC 8976 §2.2.4)
  pos = writeDecimal(out, pos, u32At(rdata, 0));
  out[pos++] = 0x20;
  pos = writeDecimal(out, pos, rdata[4] as number);
  out[pos++] = 0x20;
  pos = writeDecimal(out, pos, rdata[5] as number);
  out[pos++] = 0x20;
  return writeHex(rdata.subarray(6), out, pos, true);
}

/** A type kept opaque: RFC 3597 §5 `\# length hex`, `\# 0` when empty. */
function writeOpaque(out: Uint8Array, pos: number, rdata: Uint8Array): number {
  out[pos++] = 0x5c;
  out[pos++] = 0x23;
  out[pos++] = 0x20;
  pos = writeDecimal(out, pos, rdata.length);
  if (rdata.length === 0) return pos;
  out[pos++] = 0x20;
  return writeHex(rdata, out, pos, true);
}

function writeRdata(out: Uint8Array, pos: number, type: number, rdata: Uint8Array): number {
  switch (type) {
    case RRType.A:
      return writeA(out, pos, rdata);
    case RRType.AAAA:
      return rdata.length === 16 ? writeIpv6(rdata, out, pos) : -1;
    case RRType.NS:
    case RRType.CNAME:
      return writeWholeName(out, pos, rdata, 0);
    case RRType.MX:
      return writeMx(out, pos, rdata);
    case RRType.SOA:
      return writeSoa(out, pos, rdata);
    case RRType.TXT:
      return writeTxt(out, pos, rdata);
    case RRType.DS:
    case RRType.DNSKEY:
      return writeKeyLike(out, pos, rdata, type);
    case RRType.RRSIG:
      return writeRrsig(out, pos, rdata);
    case RRType.NSEC:
      return writeNsec(out, pos, rdata);
    case RRType.ZONEMD:
      return writeZonemd(out, pos, rdata);
    default:
      return isKnownType(type) ? -1 : writeOpaque(out, pos, rdata);
  }
}

// ---------------------------------------------------------------------------------------------
// Lines

/**
 * Octets a line can take at most: each owner octet prints as at most 4 (`\DDD`), each RDATA
 * octet as at most 4 — except in an NSEC bitmap, where one octet names up to 8 types, each a
 * space and a type's text — plus the fixed fields, tabs, numbers and two types' texts.
 */
function lineBound(ownerOctets: number, type: number, rdataOctets: number): number {
  return 128 + 2 * MAX_TYPE_TEXT + 4 * Math.min(ownerOctets, 256) + (type === RRType.NSEC ? 8 * (MAX_TYPE_TEXT + 1) : 4) * rdataOctets;
}

/** The line written from the octets, or -1 for a record the fast path leaves to rrToString. */
function writeLine(out: Uint8Array, pos: number, ownerWire: Uint8Array, type: number, ttlSeconds: number, rdataWire: Uint8Array): number {
  if ((type & 0xffff) !== type || ttlSeconds >>> 0 !== ttlSeconds) return -1;
  pos = writeName(out, pos, ownerWire, 0);
  if (pos < 0) return -1;
  out[pos++] = 0x09;
  pos = writeDecimal(out, pos, ttlSeconds);
  out[pos++] = 0x09;
  out[pos++] = 0x49; // I
  out[pos++] = 0x4e; // N
  out[pos++] = 0x09;
  pos = copy(out, pos, typeText(type));
  out[pos++] = 0x09;
  return writeRdata(out, pos, type, rdataWire);
}

/** The reference path: what every line must equal, and what every refusal must throw. */
function decodedLine(ownerWire: Uint8Array, type: number, ttlSeconds: number, rdataWire: Uint8Array): string {
  return rrToString(makeRR(nameFromWire(ownerWire, 0).name, ttlSeconds, decodeRdata(type, rdataWire)));
}

/** Lines longer than this get a buffer of their own instead of growing the shared one for good. */
const SCRATCH_OCTETS = 1 << 16;
const scratch = Buffer.allocUnsafe(SCRATCH_OCTETS);

/**
 * One zone-file line (no newline) for a class IN record given in wire form: exactly
 * `rrToString(makeRR(nameFromWire(ownerWire, 0).name, ttlSeconds, decodeRdata(type, rdataWire)))`,
 * and throws what that throws. `ownerWire` is an uncompressed name; either array may be a view
 * into a larger buffer.
 */
export function wireRecordText(ownerWire: Uint8Array, type: number, ttlSeconds: number, rdataWire: Uint8Array): string {
  const bound = lineBound(ownerWire.length, type, rdataWire.length);
  const out = bound <= SCRATCH_OCTETS ? scratch : Buffer.allocUnsafe(bound);
  const end = writeLine(out, 0, ownerWire, type, ttlSeconds, rdataWire);
  return end < 0 ? decodedLine(ownerWire, type, ttlSeconds, rdataWire) : out.toString("latin1", 0, end);
}

/**
 * Writes records as zone-file lines (each wireRecordText's text and a newline) into chunks of
 * whole lines, at most `chunkOctets` octets (a line that may be longer comes in a chunk of its
 * own), handing each full chunk to `onChunk`, and the last one on `flush()`.
 * A chunk belongs to the callback once handed over (the writer never reuses it), so it may be
 * written out asynchronously. A record that throws writes nothing.
 */
export class ZoneTextWriter {
  private chunk: Buffer;
  private pos = 0;

  constructor(
    private readonly onChunk: (chunk: Uint8Array) => void,
    private readonly chunkOctets = 1 << 16,
  ) {
    this.chunk = Buffer.allocUnsafe(chunkOctets);
  }

  /** Append one class IN record's line; `ownerWire` and `rdataWire` as for wireRecordText. */
  write(ownerWire: Uint8Array, type: number, ttlSeconds: number, rdataWire: Uint8Array): void {
    const bound = lineBound(ownerWire.length, type, rdataWire.length) + 1;
    if (bound > this.chunkOctets) {
      this.writeAlone(bound, ownerWire, type, ttlSeconds, rdataWire);
      return;
    }
    if (this.pos + bound > this.chunk.length) this.flush();
    const end = writeLine(this.chunk, this.pos, ownerWire, type, ttlSeconds, rdataWire);
    if (end < 0) {
      this.writeText(decodedLine(ownerWire, type, ttlSeconds, rdataWire));
      return;
    }
    this.chunk[end] = 0x0a;
    this.pos = end + 1;
  }

  /** Hand over the lines written since the last chunk, if any. */
  flush(): void {
    if (this.pos === 0) return;
    const full = this.chunk.subarray(0, this.pos);
    this.chunk = Buffer.allocUnsafe(this.chunkOctets);
    this.pos = 0;
    this.onChunk(full);
  }

  /** A line that may not fit in a chunk: written into a buffer of its own, handed over alone. */
  private writeAlone(bound: number, ownerWire: Uint8Array, type: number, ttlSeconds: number, rdataWire: Uint8Array): void {
    const out = Buffer.allocUnsafe(bound);
    const end = writeLine(out, 0, ownerWire, type, ttlSeconds, rdataWire);
    if (end < 0) {
      this.writeText(decodedLine(ownerWire, type, ttlSeconds, rdataWire));
      return;
    }
    out[end] = 0x0a;
    this.flush();
    this.onChunk(out.subarray(0, end + 1));
  }

  /** A line as rrToString printed it (ASCII: every printer escapes other octets). */
  private writeText(line: string): void {
    const octets = line.length + 1;
    if (this.pos + octets > this.chunk.length) this.flush();
    if (octets > this.chunk.length) {
      this.onChunk(Buffer.from(`${line}\n`, "latin1"));
      return;
    }
    this.pos += this.chunk.write(line, this.pos, "latin1");
    this.chunk[this.pos++] = 0x0a;
  }
}
