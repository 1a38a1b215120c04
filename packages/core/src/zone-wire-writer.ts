/**
 * The octet writer of the zone reader's fast path (./zone-wire-fast.ts): names, numbers, hex and
 * base64 written from a line's characters (charCodeAt, no substrings, no objects) straight into
 * wire octets. Every method answers "done" or "not sure" (false / -1) and never makes an error of
 * its own: a field it is not sure of sends the whole line to ./zonefile.ts's reader, which gives
 * the proper record or the proper error. So each accepts a strict subset of what the reader
 * accepts, and for that subset gives exactly the octets the reader's codecs give (./name.ts,
 * ./rdata-fields.ts `parseInteger`, ./bytes.ts `hexToBytes`/`base64ToBytes`).
 *
 * Left out: escapes (`\.`, `\DDD`), quoted strings and every other form the fast path leaves to
 * the reader.
 */

/** A name's labels as written, root label included (wire form), and whether it has upper case. */
export interface NameWire {
  readonly wire: Uint8Array;
  readonly upper: boolean;
}

/** Token boundaries of one line: token `i` is `line.slice(starts[i], ends[i])`. */
export interface LineTokens {
  line: string;
  count: number;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
}

/** RFC 1035 §2.3.4: 63 octets a label, 255 a name on the wire. */
const MAX_LABEL = 63;
const MAX_NAME = 255;
/** RDATA is at most 65535 octets (RFC 1035 §3.2.1 RDLENGTH). */
export const MAX_RDATA = 0xffff;

const BASE64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) BASE64_VALUE["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".charCodeAt(i)] = i;
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_VALUE["0123456789abcdef".charCodeAt(i)] = i;
  HEX_VALUE["0123456789ABCDEF".charCodeAt(i)] = i;
}

/** The value of a hex digit's character code (either case), else -1 (NaN past a line's end too). */
export function hexValue(c: number): number {
  return c < 128 ? (HEX_VALUE[c] ?? -1) : -1;
}

/**
 * Decimal digits only, at most 10 of them, and at most `max`, else -1. Leading zeros are read as
 * ./rdata-fields.ts `parseInteger` reads them (`Number("010")` is 10).
 */
export function decimal(line: string, start: number, end: number, max: number): number {
  const n = end - start;
  if (n < 1 || n > 10) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const d = line.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value <= max ? value : -1;
}

/** Writes one RDATA (or owner) at `at`; `lowerFrom`/`lowerTo` is the range RFC 4034 §6.2 lowercases. */
export class WireWriter {
  readonly out: Uint8Array;
  at = 0;
  /** Upper case inside the range the canonical form lowercases. */
  upper = false;
  lowerFrom = -1;
  lowerTo = -1;

  constructor(capacity: number) {
    this.out = new Uint8Array(capacity);
  }

  reset(): void {
    this.at = 0;
    this.upper = false;
    this.lowerFrom = -1;
    this.lowerTo = -1;
  }

  u8(value: number): void {
    this.out[this.at++] = value;
  }

  u16(value: number): void {
    this.out[this.at++] = value >>> 8;
    this.out[this.at++] = value & 0xff;
  }

  u32(value: number): void {
    const out = this.out;
    out[this.at++] = value >>> 24;
    out[this.at++] = (value >>> 16) & 0xff;
    out[this.at++] = (value >>> 8) & 0xff;
    out[this.at++] = value & 0xff;
  }

  /** Decimal field of at most `max` into 1, 2 or 4 octets; false if not plain digits in range. */
  number(line: string, start: number, end: number, octets: 1 | 2 | 4, max = octets === 1 ? 0xff : octets === 2 ? 0xffff : 0xffffffff): boolean {
    const value = decimal(line, start, end, max);
    if (value < 0) return false;
    if (octets === 1) this.u8(value);
    else if (octets === 2) this.u16(value);
    else this.u32(value);
    return true;
  }

  /**
   * A name as ./name.ts `parseName` reads it, without escapes: `@` is the origin, `.` the root, a
   * name without a final dot gets the origin appended. `lower`: the canonical form lowercases it.
   */
  name(line: string, start: number, end: number, origin: NameWire | undefined, lower: boolean): boolean {
    const out = this.out;
    const first = this.at;
    let upper = false;
    if (end - start === 1) {
      const c = line.charCodeAt(start);
      if (c === 0x40 /* @ */) {
        if (!origin) return false;
        out.set(origin.wire, first);
        this.at = first + origin.wire.length;
        return this.named(first, lower, origin.upper);
      }
      if (c === 0x2e) {
        out[this.at++] = 0;
        return this.named(first, lower, false);
      }
    }
    let lengthAt = first;
    let at = first + 1;
    let absolute = false;
    for (let i = start; i < end; i++) {
      const c = line.charCodeAt(i);
      if (c === 0x2e) {
        const length = at - lengthAt - 1;
        if (length === 0) return false;
        out[lengthAt] = length;
        if (i === end - 1) {
          absolute = true;
          break;
        }
        lengthAt = at++;
      } else {
        if (c < 0x21 || c > 0x7e || c === 0x5c) return false;
        if (at - lengthAt > MAX_LABEL || at - first >= MAX_NAME) return false;
        if (c >= 0x41 && c <= 0x5a) upper = true;
        out[at++] = c;
      }
    }
    if (absolute) {
      out[at++] = 0;
    } else {
      if (!origin) return false;
      out[lengthAt] = at - lengthAt - 1;
      out.set(origin.wire, at);
      at += origin.wire.length;
      upper ||= origin.upper;
    }
    if (at - first > MAX_NAME) return false;
    this.at = at;
    return this.named(first, lower, upper);
  }

  private named(first: number, lower: boolean, upper: boolean): boolean {
    if (lower) {
      if (this.lowerFrom < 0) this.lowerFrom = first;
      this.lowerTo = this.at;
      this.upper ||= upper;
    }
    return true;
  }

  /** Hex digits of tokens `first`.. (joined, as `hexToBytes` joins them): an even number, at least `minOctets`. */
  hex(t: LineTokens, first: number, minOctets: number): boolean {
    let digits = 0;
    for (let k = first; k < t.count; k++) digits += (t.ends[k] as number) - (t.starts[k] as number);
    if (digits % 2 !== 0 || digits < 2 * Math.max(minOctets, 1) || this.at + digits / 2 > MAX_RDATA) return false;
    const line = t.line;
    const out = this.out;
    let high = -1;
    for (let k = first; k < t.count; k++) {
      for (let i = t.starts[k] as number, end = t.ends[k] as number; i < end; i++) {
        const v = hexValue(line.charCodeAt(i));
        if (v < 0) return false;
        if (high < 0) {
          high = v;
        } else {
          out[this.at++] = (high << 4) | v;
          high = -1;
        }
      }
    }
    return true;
  }

  /** Canonical base64 (RFC 4648 §4, §3.5: zero pad bits) of tokens `first`.. joined, at least one octet. */
  base64(t: LineTokens, first: number): boolean {
    let chars = 0;
    for (let k = first; k < t.count; k++) chars += (t.ends[k] as number) - (t.starts[k] as number);
    if (chars === 0 || chars % 4 !== 0 || this.at + (chars / 4) * 3 > MAX_RDATA) return false;
    const line = t.line;
    const out = this.out;
    let bits = 0;
    let held = 0;
    let seen = 0;
    let padding = 0;
    for (let k = first; k < t.count; k++) {
      for (let i = t.starts[k] as number, end = t.ends[k] as number; i < end; i++) {
        const c = line.charCodeAt(i);
        seen++;
        if (c === 0x3d /* = */) {
          // Only the last one or two characters may be padding.
          if (seen < chars - 1) return false;
          padding++;
          continue;
        }
        if (padding > 0) return false;
        const v = c < 128 ? (BASE64_VALUE[c] as number) : -1;
        if (v < 0) return false;
        bits = ((bits << 6) | v) & 0xffff;
        held += 6;
        if (held >= 8) {
          held -= 8;
          out[this.at++] = (bits >>> held) & 0xff;
        }
      }
    }
    // The bits left over before the padding must be zero (RFC 4648 §3.5), and a quantum of one
    // character and padding is not base64.
    if (padding === 3 || (bits & ((1 << held) - 1)) !== 0) return false;
    return true;
  }
}
