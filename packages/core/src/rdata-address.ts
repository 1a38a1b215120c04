/**
 * A (RFC 1035 §3.4.1) and AAAA (RFC 3596) RDATA: dotted-quad IPv4 with no leading zeros, IPv6 in
 * any RFC 4291 §2.2 form, printed in the RFC 5952 canonical form.
 *
 * Left out: zone IDs and IPv4-mapped notation on output.
 */
import { HEX_DIGITS } from "./bytes.js";
import { inputError } from "./errors.js";
import { Fields, Reader } from "./rdata-fields.js";
import type { ARdata, AaaaRdata, Codec } from "./rdata-types.js";

// ---------------------------------------------------------------------------------------------
// Addresses

function parseIpv4(text: string, field: string): Uint8Array {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^(?:0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255)) {
    throw inputError("RDATA-ADDRESS", `${field}: "${text}" is not an IPv4 address`);
  }
  return Uint8Array.from(parts.map(Number));
}

function parseIpv6(text: string, field: string): Uint8Array {
  const bad = () => inputError("RDATA-ADDRESS", `${field}: "${text}" is not an IPv6 address`);
  let head = text;
  let tailV4: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".")) {
    tailV4 = parseIpv4(text.slice(lastColon + 1), field);
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split("::");
  if (halves.length > 2) throw bad();
  const groupsOf = (s: string) => (s === "" ? [] : s.split(":"));
  const left = groupsOf(halves[0] as string);
  const right = halves.length === 2 ? groupsOf(halves[1] as string) : [];
  const missing = 8 - left.length - right.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) throw bad();
  const groups = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...right];
  const out = new Uint8Array(16);
  for (const [i, g] of groups.entries()) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw bad();
    const v = Number.parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  }
  if (tailV4) out.set(tailV4, 12);
  return out;
}

/**
 * RFC 5952 text form (§4: lowercase, leading zeros dropped, the longest run of two or more zero
 * groups — the first of equal runs — as `::`), written as ASCII into `out` at `pos`; returns the
 * position after it. The one IPv6 printer: formatIpv6 and the wire printer (./wire-text.ts) use it.
 */
export function writeIpv6(bytes: Uint8Array, out: Uint8Array, pos: number): number {
  const digits = HEX_DIGITS.lower;
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && bytes[j * 2] === 0 && bytes[j * 2 + 1] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  for (let g = 0; g < 8; g++) {
    if (g === bestStart) {
      out[pos++] = 0x3a;
      if (g === 0) out[pos++] = 0x3a;
      g += bestLength - 1;
      continue;
    }
    const value = ((bytes[g * 2] as number) << 8) | (bytes[g * 2 + 1] as number);
    for (let shift = value >= 0x1000 ? 12 : value >= 0x100 ? 8 : value >= 0x10 ? 4 : 0; shift >= 0; shift -= 4) {
      out[pos++] = digits[(value >> shift) & 15] as number;
    }
    if (g < 7) out[pos++] = 0x3a;
  }
  return pos;
}

const ipv6Text = new Uint8Array(39);

export function formatIpv6(bytes: Uint8Array): string {
  return String.fromCharCode(...ipv6Text.subarray(0, writeIpv6(bytes, ipv6Text, 0)));
}

export const A: Codec<ARdata> = {
  parse(tokens) {
    const f = new Fields(tokens, "A");
    const rdata: ARdata = { kind: "A", addressBytes: parseIpv4(f.next("address"), "A address") };
    f.end();
    return rdata;
  },
  print: (r) => Array.from(r.addressBytes).join("."),
  encode: (r) => r.addressBytes,
  decode(data) {
    const r = new Reader(data, "A");
    const rdata: ARdata = { kind: "A", addressBytes: r.bytes(4, "address") };
    r.end();
    return rdata;
  },
};

export const AAAA: Codec<AaaaRdata> = {
  parse(tokens) {
    const f = new Fields(tokens, "AAAA");
    const rdata: AaaaRdata = { kind: "AAAA", addressBytes: parseIpv6(f.next("address"), "AAAA address") };
    f.end();
    return rdata;
  },
  print: (r) => formatIpv6(r.addressBytes),
  encode: (r) => r.addressBytes,
  decode(data) {
    const r = new Reader(data, "AAAA");
    const rdata: AaaaRdata = { kind: "AAAA", addressBytes: r.bytes(16, "address") };
    r.end();
    return rdata;
  },
};
