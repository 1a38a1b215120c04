/**
 * TXT RDATA (RFC 1035 §3.3.14): one or more character-strings of at most 255 octets, quoted or
 * not, with `\"`, `\\` and `\DDD` escapes (§5.1).
 *
 * Left out: other types made of character-strings (HINFO, SPF: kept opaque).
 */
import { concatBytes } from "./bytes.js";
import { inputError } from "./errors.js";
import { Reader } from "./rdata-fields.js";
import type { Codec, Token, TxtRdata } from "./rdata-types.js";

// ---------------------------------------------------------------------------------------------
// TXT character-strings (RFC 1035 §3.3, §5.1)

function parseCharacterString(token: Token, field: string): Uint8Array {
  const out: number[] = [];
  const text = token.text;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) {
      const digits = text.slice(i + 1, i + 4);
      if (/^\d{3}$/.test(digits)) {
        if (Number(digits) > 255) throw inputError("RDATA-ESCAPE", `${field}: escape \\${digits} is over 255`);
        out.push(Number(digits));
        i += 3;
      } else if (i + 1 < text.length) {
        out.push(text.charCodeAt(++i));
      } else {
        throw inputError("RDATA-ESCAPE", `${field}: lone backslash at the end`);
      }
    } else if (c > 0x7f) {
      // Non-ASCII text is stored as UTF-8; take the whole code point (a character outside the BMP
      // is two UTF-16 units, and encoding each half alone would give U+FFFD twice).
      const char = String.fromCodePoint(text.codePointAt(i) as number);
      for (const b of Buffer.from(char, "utf8")) out.push(b);
      i += char.length - 1;
    } else {
      out.push(c);
    }
  }
  if (out.length > 255) throw inputError("RDATA-LENGTH", `${field}: character-string of ${out.length} octets; at most 255`);
  return Uint8Array.from(out);
}

/**
 * How one octet of a character-string appears between the quotes (RFC 1035 §5.1): `"` and `\`
 * escaped, other printable ASCII and the space as is, anything else as `\DDD`. The one rule
 * formatCharacterString and the wire-form printer (./wire-text.ts) use.
 */
export function characterStringOctetText(octet: number): string {
  if (octet === 0x22 || octet === 0x5c) return `\\${String.fromCharCode(octet)}`;
  if (octet < 0x20 || octet > 0x7e) return `\\${String(octet).padStart(3, "0")}`;
  return String.fromCharCode(octet);
}

function formatCharacterString(bytes: Uint8Array): string {
  let out = '"';
  for (const b of bytes) out += characterStringOctetText(b);
  return `${out}"`;
}

export const TXT: Codec<TxtRdata> = {
  parse(tokens) {
    if (tokens.length === 0) throw inputError("RDATA-MISSING", "TXT: at least one character-string is required");
    return { kind: "TXT", strings: tokens.map((t, i) => parseCharacterString(t, `TXT string ${i + 1}`)) };
  },
  print: (r) => r.strings.map(formatCharacterString).join(" "),
  encode: (r) => concatBytes(...r.strings.flatMap((s) => [new Uint8Array([s.length]), s])),
  decode(data) {
    const r = new Reader(data, "TXT");
    const strings: Uint8Array[] = [];
    while (r.at < data.length) strings.push(r.bytes(r.u8("string length"), "string"));
    if (strings.length === 0) throw inputError("WIRE-TRUNCATED", "TXT: empty RDATA");
    return { kind: "TXT", strings };
  },
};
