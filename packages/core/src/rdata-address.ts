/**
 * A (RFC 1035 §3.4.1) and AAAA (RFC 3596) RDATA: dotted-quad IPv4 with no leading zeros, IPv6 in
 * any RFC 4291 §2.2 form, printed in the RFC 5952 canonical form.
 *
 * Left out: zone IDs and IPv4-mapped notation on output.
 */
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

/** RFC 5952 text form: lowercase, leading zeros dropped, the longest run (≥2) of zero groups as `::`. */
export function formatIpv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i >= 2) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
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
