/**
 * Byte helpers: strict hex and base64 (RFC 4648) decoding, encoding (to strings, and into byte
 * buffers for printers that build text there), concatenation and comparison.
 * Decoders refuse anything that is not exactly the encoding (Node's Buffer.from silently skips
 * bad characters, which would turn a typo in a key into a different key).
 */
import { inputError } from "./errors.js";
import { previewText } from "./terminal-text.js";

// Single character classes, no nested quantifiers: these run in linear time without backtracking
// (a grouped `(?:[…]{4})*` overflowed the stack on a 5 MB key), and lengths are checked apart.
const HEX_DIGITS_RE = /^[0-9a-fA-F]*$/;
const BASE64_DIGITS_RE = /^[A-Za-z0-9+/]*$/;

function isHex(compact: string): boolean {
  return compact.length % 2 === 0 && HEX_DIGITS_RE.test(compact);
}

/** RFC 4648 §4: a multiple of four characters, at most two "=" and only at the end. */
function isBase64(compact: string): boolean {
  if (compact.length % 4 !== 0) return false;
  const padding = compact.endsWith("==") ? 2 : compact.endsWith("=") ? 1 : 0;
  return BASE64_DIGITS_RE.test(compact.slice(0, compact.length - padding));
}

export function bytesToHex(bytes: Uint8Array, upper = false): string {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
  return upper ? hex.toUpperCase() : hex;
}

/**
 * The octets of an ASCII text, one per character, for printers that build text in a byte buffer
 * (./wire-text.ts). Only for ASCII: a character above 0x7f does not fit in one octet.
 */
export function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** The hex digits as ASCII octets, by value: writeHex's, and ./rdata-address.ts's IPv6 printer's. */
export const HEX_DIGITS: { readonly lower: Uint8Array; readonly upper: Uint8Array } = {
  lower: asciiBytes("0123456789abcdef"),
  upper: asciiBytes("0123456789ABCDEF"),
};
const BASE64_DIGITS = asciiBytes("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");

/**
 * The text of bytesToHex written as ASCII into `out` at `pos`; returns the position after it. For
 * printers that build text in a byte buffer (./wire-text.ts): no string per field, and several
 * times faster than bytesToHex's native encoder followed by upper-casing and copying.
 */
export function writeHex(bytes: Uint8Array, out: Uint8Array, pos: number, upper = false): number {
  const digits = upper ? HEX_DIGITS.upper : HEX_DIGITS.lower;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    out[pos++] = digits[b >> 4] as number;
    out[pos++] = digits[b & 15] as number;
  }
  return pos;
}

/** Hex to bytes; whitespace inside is allowed (zone files split long digests). */
export function hexToBytes(text: string, field = "hex"): Uint8Array {
  const compact = text.replace(/\s+/g, "");
  if (!isHex(compact)) {
    const bad = compact.search(/[^0-9a-fA-F]/);
    const why = bad >= 0 ? `character ${bad + 1} ("${compact[bad]}") is not a hexadecimal digit` : `odd number of digits (${compact.length})`;
    throw inputError("BAD-HEX", `${field}: not an even-length hexadecimal string: ${why}: ${previewText(compact, 24) || "(empty)"}`);
  }
  return new Uint8Array(Buffer.from(compact, "hex"));
}

export function bytesToBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/**
 * The text of bytesToBase64 (RFC 4648 §4, padded, no line breaks) written as ASCII into `out` at
 * `pos`; returns the position after it. For printers that build text in a byte buffer, like writeHex.
 */
export function writeBase64(bytes: Uint8Array, out: Uint8Array, pos: number): number {
  const whole = bytes.length - (bytes.length % 3);
  let i = 0;
  for (; i < whole; i += 3) {
    const v = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out[pos] = BASE64_DIGITS[v >> 18] as number;
    out[pos + 1] = BASE64_DIGITS[(v >> 12) & 63] as number;
    out[pos + 2] = BASE64_DIGITS[(v >> 6) & 63] as number;
    out[pos + 3] = BASE64_DIGITS[v & 63] as number;
    pos += 4;
  }
  if (i < bytes.length) {
    // One or two octets left: two or three digits, padded with "=" to four (RFC 4648 §4).
    const two = i + 1 < bytes.length;
    const v = ((bytes[i] as number) << 16) | (two ? (bytes[i + 1] as number) << 8 : 0);
    out[pos] = BASE64_DIGITS[v >> 18] as number;
    out[pos + 1] = BASE64_DIGITS[(v >> 12) & 63] as number;
    out[pos + 2] = two ? (BASE64_DIGITS[(v >> 6) & 63] as number) : 0x3d;
    out[pos + 3] = 0x3d;
    pos += 4;
  }
  return pos;
}

/** Base64 to bytes; whitespace inside is allowed (real KSRs and zone files wrap it). */
export function base64ToBytes(text: string, field = "base64"): Uint8Array {
  const compact = text.replace(/\s+/g, "");
  if (!isBase64(compact)) {
    const bad = compact.search(/[^A-Za-z0-9+/=]|=(?=[^=])/);
    const why = bad >= 0 ? `character ${bad + 1} ("${compact[bad]}") is not base64` : `length ${compact.length} is not a multiple of 4 or the padding is wrong`;
    throw inputError("BAD-BASE64", `${field}: not valid base64: ${why}: ${previewText(compact, 24) || "(empty)"}`);
  }
  const bytes = new Uint8Array(Buffer.from(compact, "base64"));
  // RFC 4648 §3.5: the pad bits before "=" must be zero. Otherwise two texts decode to the same
  // key ("AQ==" and "AR=="), so a typo in the last character would go unnoticed.
  if (bytesToBase64(bytes) !== compact) {
    const at = compact.indexOf("=");
    throw inputError("BAD-BASE64", `${field}: not canonical base64: the unused bits of character ${at} ("${compact[at - 1]}") before the padding are not zero`);
  }
  return bytes;
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Lexicographic comparison as unsigned octets, shorter first on a common prefix (RFC 4034 §6.3). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

export function u16(value: number): Uint8Array {
  return new Uint8Array([(value >>> 8) & 0xff, value & 0xff]);
}

export function u32(value: number): Uint8Array {
  return new Uint8Array([(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
}
