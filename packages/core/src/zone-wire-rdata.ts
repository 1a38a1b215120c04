/**
 * The fast path's RDATA writers (./zone-wire-fast.ts): for each type it takes, the presentation
 * fields of one line (tokens, no escapes, no quotes) written straight into canonical-ready wire
 * octets, exactly as ./rdata.ts's codecs parse and `encodeRdata` encodes them: A, AAAA (RFC 1035
 * §3.4.1, RFC 3596 / RFC 4291 §2.2 without an embedded IPv4 tail), NS, CNAME, MX, SOA (RFC 1035
 * §3.3; SOA intervals as plain seconds), TXT without quotes (§3.3.14), DS, DNSKEY, RRSIG, NSEC
 * (RFC 4034), ZONEMD (RFC 8976). The names RFC 4034 §6.2 lowercases (as corrected by RFC 6840
 * §5.1: not NSEC's next name) are marked on the writer, which makes the canonical copy.
 *
 * A writer answers false when it is not sure (a form it does not take, a value out of range,
 * a field missing or extra): the line then goes to ./zonefile.ts's reader, which makes the record
 * or the error. It never throws.
 *
 * Left out: every other type (and PTR, which ./rdata.ts keeps opaque), the `\#` form, TXT
 * quoted strings, BIND's time units in SOA, RRSIG times in seconds are left to the reader too.
 */
import { encodeTypeBitmap } from "./rdata-dnssec.js";
import { RRType } from "./rrtype.js";
import { parseRrsigTime } from "./time.js";
import { MAX_TTL_SECONDS } from "./ttl.js";
import { type LineTokens, MAX_RDATA, type NameWire, type WireWriter, hexValue } from "./zone-wire-writer.js";

/** Writes the RDATA of tokens `first`..`t.count` into `w`; false when not sure. */
export type RdataWriter = (w: WireWriter, t: LineTokens, first: number, origin: NameWire | undefined) => boolean;

/** The number of every mnemonic in ./rrtype.ts's table, by its upper-case text. */
const TYPE_BY_MNEMONIC: ReadonlyMap<string, number> = new Map(Object.entries(RRType));

/** A type mnemonic of ./rrtype.ts's table in any case, else -1 (`TYPEnnn` is left to the reader). */
export function mnemonicType(t: LineTokens, k: number): number {
  const text = t.line.slice(t.starts[k], t.ends[k]);
  return TYPE_BY_MNEMONIC.get(text) ?? TYPE_BY_MNEMONIC.get(text.toUpperCase()) ?? -1;
}

function one(t: LineTokens, first: number): boolean {
  return t.count - first === 1;
}

/** Dotted quad, each part 0 or 1-255 without leading zeros (./rdata-address.ts). */
const writeA: RdataWriter = (w, t, first) => {
  if (!one(t, first)) return false;
  const line = t.line;
  const end = t.ends[first] as number;
  let i = t.starts[first] as number;
  for (let part = 0; part < 4; part++) {
    const start = i;
    let value = 0;
    while (i < end) {
      const d = line.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) break;
      value = value * 10 + d;
      i++;
    }
    const digits = i - start;
    if (digits < 1 || digits > 3 || value > 255 || (digits > 1 && line.charCodeAt(start) === 0x30)) return false;
    w.u8(value);
    if (part < 3) {
      if (i >= end || line.charCodeAt(i) !== 0x2e) return false;
      i++;
    }
  }
  return i === end;
};

const aaaaGroups = new Uint16Array(8);

/**
 * IPv6 groups of 1-4 hex digits separated by `:`, at most one `::` standing for at least one zero
 * group; exactly eight groups without it. A dotted IPv4 tail is left to the reader.
 */
const writeAaaa: RdataWriter = (w, t, first) => {
  if (!one(t, first)) return false;
  const line = t.line;
  const end = t.ends[first] as number;
  let i = t.starts[first] as number;
  const groups = aaaaGroups;
  let count = 0;
  let gap = -1;
  if (line.charCodeAt(i) === 0x3a && line.charCodeAt(i + 1) === 0x3a && i + 1 < end) {
    gap = 0;
    i += 2;
  }
  while (i < end) {
    let value = 0;
    const start = i;
    for (let v = hexValue(line.charCodeAt(i)); i < end && v >= 0 && i - start < 4; v = hexValue(line.charCodeAt(++i))) value = (value << 4) | v;
    if (i === start || count === 8) return false;
    groups[count++] = value;
    if (i === end) break;
    if (line.charCodeAt(i) !== 0x3a) return false;
    i++;
    if (i < end && line.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return false;
      gap = count;
      i++;
    } else if (i === end) {
      return false;
    }
  }
  if (gap < 0 ? count !== 8 : count > 7) return false;
  const zeros = 8 - count;
  for (let g = 0; g < count; g++) {
    if (g === gap) for (let z = 0; z < zeros; z++) w.u16(0);
    w.u16(groups[g] as number);
  }
  if (gap === count) for (let z = 0; z < zeros; z++) w.u16(0);
  return true;
};

/** NS and CNAME: one name, lowercased in the canonical form. */
const writeTarget: RdataWriter = (w, t, first, origin) => one(t, first) && w.name(t.line, t.starts[first] as number, t.ends[first] as number, origin, true);

const writeMx: RdataWriter = (w, t, first, origin) =>
  t.count - first === 2 && w.number(t.line, t.starts[first] as number, t.ends[first] as number, 2) && writeTarget(w, t, first + 1, origin);

/** MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM, the intervals in plain seconds; MINIMUM is a TTL (RFC 2308 §4). */
const writeSoa: RdataWriter = (w, t, first, origin) => {
  if (t.count - first !== 7) return false;
  const { line, starts, ends } = t;
  if (!w.name(line, starts[first] as number, ends[first] as number, origin, true)) return false;
  if (!w.name(line, starts[first + 1] as number, ends[first + 1] as number, origin, true)) return false;
  for (let k = first + 2; k < first + 6; k++) if (!w.number(line, starts[k] as number, ends[k] as number, 4)) return false;
  return w.number(line, starts[first + 6] as number, ends[first + 6] as number, 4, MAX_TTL_SECONDS);
};

/** Unquoted character-strings of printable ASCII, at most 255 octets each. */
const writeTxt: RdataWriter = (w, t, first) => {
  if (t.count === first) return false;
  const { line, starts, ends } = t;
  for (let k = first; k < t.count; k++) {
    const start = starts[k] as number;
    const length = (ends[k] as number) - start;
    if (length > 255 || w.at + 1 + length > MAX_RDATA) return false;
    w.u8(length);
    for (let i = 0; i < length; i++) w.out[w.at++] = line.charCodeAt(start + i);
  }
  return true;
};

/** Key tag (or flags) u16, two u8 fields: DS and DNSKEY's first three fields. */
function threeFields(w: WireWriter, t: LineTokens, first: number): boolean {
  if (t.count - first < 4) return false;
  const { line, starts, ends } = t;
  return (
    w.number(line, starts[first] as number, ends[first] as number, 2) &&
    w.number(line, starts[first + 1] as number, ends[first + 1] as number, 1) &&
    w.number(line, starts[first + 2] as number, ends[first + 2] as number, 1)
  );
}

const writeDs: RdataWriter = (w, t, first) => threeFields(w, t, first) && w.hex(t, first + 3, 1);

const writeDnskey: RdataWriter = (w, t, first) => threeFields(w, t, first) && w.base64(t, first + 3);

/** An RRSIG time in the YYYYMMDDHHmmSS form, through ./time.ts's one reader of it. */
function rrsigTime(w: WireWriter, t: LineTokens, k: number): boolean {
  const start = t.starts[k] as number;
  if ((t.ends[k] as number) - start !== 14) return false;
  let seconds: number;
  try {
    seconds = parseRrsigTime(t.line.slice(start, start + 14));
  } catch {
    return false;
  }
  w.u32(seconds);
  return true;
}

const writeRrsig: RdataWriter = (w, t, first, origin) => {
  if (t.count - first < 9) return false;
  const { line, starts, ends } = t;
  const covered = mnemonicType(t, first);
  if (covered < 0) return false;
  w.u16(covered);
  return (
    w.number(line, starts[first + 1] as number, ends[first + 1] as number, 1) &&
    w.number(line, starts[first + 2] as number, ends[first + 2] as number, 1) &&
    w.number(line, starts[first + 3] as number, ends[first + 3] as number, 4) &&
    rrsigTime(w, t, first + 4) &&
    rrsigTime(w, t, first + 5) &&
    w.number(line, starts[first + 6] as number, ends[first + 6] as number, 2) &&
    w.name(line, starts[first + 7] as number, ends[first + 7] as number, origin, true) &&
    w.base64(t, first + 8)
  );
};

/**
 * Next name (its case kept, RFC 6840 §5.1) and the type bitmap (RFC 4034 §4.1.2), encoded by
 * ./rdata-dnssec.ts `encodeTypeBitmap` as the NSEC codec encodes it. Types of window 2 and up are
 * left to the reader (every mnemonic of ./rrtype.ts's table is below 512).
 */
const writeNsec: RdataWriter = (w, t, first, origin) => {
  if (t.count === first || !w.name(t.line, t.starts[first] as number, t.ends[first] as number, origin, false)) return false;
  const types: number[] = [];
  for (let k = first + 1; k < t.count; k++) {
    const type = mnemonicType(t, k);
    if (type < 0 || type >= 512) return false;
    types.push(type);
  }
  const bitmap = encodeTypeBitmap(types);
  w.out.set(bitmap, w.at);
  w.at += bitmap.length;
  return true;
};

/** Serial, scheme, hash algorithm and a digest of at least 12 octets (RFC 8976 §2.2.4). */
const writeZonemd: RdataWriter = (w, t, first) => {
  if (t.count - first < 4) return false;
  const { line, starts, ends } = t;
  return (
    w.number(line, starts[first] as number, ends[first] as number, 4) &&
    w.number(line, starts[first + 1] as number, ends[first + 1] as number, 1) &&
    w.number(line, starts[first + 2] as number, ends[first + 2] as number, 1) &&
    w.hex(t, first + 3, 12)
  );
};

/** The writer of each type the fast path takes, by type number. */
export const RDATA_WRITERS: ReadonlyMap<number, RdataWriter> = new Map([
  [RRType.A, writeA],
  [RRType.AAAA, writeAaaa],
  [RRType.NS, writeTarget],
  [RRType.CNAME, writeTarget],
  [RRType.MX, writeMx],
  [RRType.SOA, writeSoa],
  [RRType.TXT, writeTxt],
  [RRType.DS, writeDs],
  [RRType.DNSKEY, writeDnskey],
  [RRType.RRSIG, writeRrsig],
  [RRType.NSEC, writeNsec],
  [RRType.ZONEMD, writeZonemd],
]);
