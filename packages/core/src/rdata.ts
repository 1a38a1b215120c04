/**
 * RDATA of the types the toolkit works with: presentation form (RFC 1035 §5.1 and each type's
 * RFC), uncompressed wire form, and canonical wire form (RFC 4034 §6.2 as corrected by RFC 6840
 * §5.1: names inside NS, CNAME, SOA, MX and RRSIG are lowercased; NSEC's next name is not).
 *
 * Types: A, NS, CNAME, SOA, MX, TXT, AAAA (RFC 1035, 3596), DS, RRSIG, NSEC, DNSKEY (RFC 4034),
 * ZONEMD (RFC 8976). Any other type is kept as opaque octets and printed in the RFC 3597 `\#` form;
 * the `\#` form is also accepted for the known types.
 * Each RDATA value carries its type as `kind`, so an RR's type is derived and cannot disagree.
 */
import { base64ToBytes, bytesToBase64, bytesToHex, concatBytes, hexToBytes, u16, u32 } from "./bytes.js";
import { inputError } from "./errors.js";
import { type Name, nameFromWire, nameToString, nameToWire, parseName } from "./name.js";
import { RRType, parseType, typeToString } from "./rrtype.js";
import { formatRrsigTime, parseRrsigTime } from "./time.js";

/** One token of presentation-form RDATA, as the zone-file reader splits it. */
export interface Token {
  readonly text: string;
  /** The token was a quoted string (TXT character-strings keep spaces then). */
  readonly quoted: boolean;
}

export interface ARdata {
  readonly kind: "A";
  readonly addressBytes: Uint8Array;
}
export interface AaaaRdata {
  readonly kind: "AAAA";
  readonly addressBytes: Uint8Array;
}
export interface NsRdata {
  readonly kind: "NS";
  readonly target: Name;
}
export interface CnameRdata {
  readonly kind: "CNAME";
  readonly target: Name;
}
export interface MxRdata {
  readonly kind: "MX";
  readonly preference: number;
  readonly exchange: Name;
}
export interface SoaRdata {
  readonly kind: "SOA";
  readonly mname: Name;
  readonly rname: Name;
  readonly serial: number;
  readonly refreshSeconds: number;
  readonly retrySeconds: number;
  readonly expireSeconds: number;
  readonly minimumSeconds: number;
}
export interface TxtRdata {
  readonly kind: "TXT";
  readonly strings: readonly Uint8Array[];
}
export interface DsRdata {
  readonly kind: "DS";
  readonly keyTag: number;
  readonly algorithm: number;
  readonly digestType: number;
  readonly digestBytes: Uint8Array;
}
export interface DnskeyRdata {
  readonly kind: "DNSKEY";
  readonly flags: number;
  readonly protocol: number;
  readonly algorithm: number;
  readonly publicKeyBytes: Uint8Array;
}
export interface RrsigRdata {
  readonly kind: "RRSIG";
  readonly typeCovered: number;
  readonly algorithm: number;
  readonly labels: number;
  readonly originalTtlSeconds: number;
  readonly expirationEpochSeconds: number;
  readonly inceptionEpochSeconds: number;
  readonly keyTag: number;
  readonly signerName: Name;
  readonly signatureBytes: Uint8Array;
}
export interface NsecRdata {
  readonly kind: "NSEC";
  readonly nextName: Name;
  readonly types: readonly number[];
}
export interface ZonemdRdata {
  readonly kind: "ZONEMD";
  readonly serial: number;
  readonly scheme: number;
  readonly hashAlgorithm: number;
  readonly digestBytes: Uint8Array;
}
/** Any type this toolkit does not parse: opaque octets (RFC 3597). */
export interface UnknownRdata {
  readonly kind: "UNKNOWN";
  readonly type: number;
  readonly dataBytes: Uint8Array;
}

export type Rdata =
  | ARdata
  | AaaaRdata
  | NsRdata
  | CnameRdata
  | MxRdata
  | SoaRdata
  | TxtRdata
  | DsRdata
  | DnskeyRdata
  | RrsigRdata
  | NsecRdata
  | ZonemdRdata
  | UnknownRdata;

export type KnownKind = Exclude<Rdata["kind"], "UNKNOWN">;
export type RdataOf<K extends Rdata["kind"]> = Extract<Rdata, { kind: K }>;

interface Codec<R extends Rdata> {
  /** Parse presentation tokens (already split; relative names completed with `origin`). */
  parse(tokens: readonly Token[], origin: Name | undefined): R;
  print(rdata: R): string;
  /** Uncompressed wire form; canonical = RFC 4034 §6.2 lowercasing where the type calls for it. */
  encode(rdata: R, canonical: boolean): Uint8Array;
  decode(data: Uint8Array): R;
}

// ---------------------------------------------------------------------------------------------
// Field helpers

class Fields {
  private index = 0;
  constructor(
    private readonly tokens: readonly Token[],
    private readonly kind: string,
  ) {}
  next(field: string): string {
    const token = this.tokens[this.index++];
    if (token === undefined) throw inputError("RDATA-MISSING", `${this.kind} ${field}: missing`);
    return token.text;
  }
  /** All remaining tokens joined (base64 and hex may be split by spaces). */
  rest(field: string, allowEmpty = false): string {
    const rest = this.tokens
      .slice(this.index)
      .map((t) => t.text)
      .join("");
    this.index = this.tokens.length;
    if (!allowEmpty && rest.length === 0) throw inputError("RDATA-MISSING", `${this.kind} ${field}: missing`);
    return rest;
  }
  remaining(): readonly Token[] {
    const rest = this.tokens.slice(this.index);
    this.index = this.tokens.length;
    return rest;
  }
  end(): void {
    if (this.index < this.tokens.length) {
      throw inputError("RDATA-EXTRA", `${this.kind}: unexpected extra field "${this.tokens[this.index]?.text}"`);
    }
  }
}

function parseInteger(text: string, bits: 8 | 16 | 32, field: string): number {
  if (!/^\d+$/.test(text)) throw inputError("RDATA-NUMBER", `${field}: "${text}" is not a non-negative integer`);
  const value = Number(text);
  const max = bits === 32 ? 0xffffffff : (1 << bits) - 1;
  if (value > max) throw inputError("RDATA-NUMBER", `${field}: ${text} does not fit in ${bits} bits`);
  return value;
}

const TTL_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/**
 * The largest TTL: RFC 2181 §8 limits TTLs to 0..2^31-1 seconds (the top bit of the 32-bit field is
 * never set). One rule for every reader of TTLs: zone files, `$TTL`, and the KSR/SKR XML.
 */
export const MAX_TTL_SECONDS = 0x7fffffff;

/** Is `value` a TTL RFC 2181 §8 allows? */
export function isValidTtl(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= MAX_TTL_SECONDS;
}

/** A TTL (RFC 2181 §8: at most 2^31-1): seconds, or BIND's unit form such as `1h30m` or `2W`. */
export function parseTtl(text: string, field = "TTL"): number {
  const total = parseTimeInterval(text, field);
  if (total > MAX_TTL_SECONDS) throw inputError("BAD-TTL", `${field}: ${text} is over ${MAX_TTL_SECONDS}, the largest TTL (RFC 2181 §8)`);
  return total;
}

/** A 32-bit time interval (SOA REFRESH, RETRY, EXPIRE): seconds or BIND's unit form. */
function parseTimeInterval(text: string, field: string): number {
  if (/^\d+$/.test(text)) return parseInteger(text, 32, field);
  const m = /^(?:\d+[smhdwSMHDW])+$/.exec(text);
  if (!m) throw inputError("BAD-TTL", `${field}: "${text}" is not a number of seconds or a value like 1h30m`);
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)([smhdwSMHDW])/g)) {
    total += Number(n) * (TTL_UNITS[(unit as string).toLowerCase()] as number);
  }
  if (total > 0xffffffff) throw inputError("BAD-TTL", `${field}: ${text} does not fit in 32 bits`);
  return total;
}

class Reader {
  at = 0;
  constructor(
    readonly data: Uint8Array,
    readonly kind: string,
  ) {}
  need(n: number, field: string): void {
    if (this.at + n > this.data.length) {
      throw inputError("WIRE-TRUNCATED", `${this.kind} ${field}: needs ${n} octets at octet ${this.at}, only ${this.data.length - this.at} left`);
    }
  }
  u8(field: string): number {
    this.need(1, field);
    return this.data[this.at++] as number;
  }
  u16(field: string): number {
    this.need(2, field);
    const v = ((this.data[this.at] as number) << 8) | (this.data[this.at + 1] as number);
    this.at += 2;
    return v;
  }
  u32(field: string): number {
    this.need(4, field);
    const d = this.data;
    const v = (((d[this.at] as number) << 24) >>> 0) + ((d[this.at + 1] as number) << 16) + ((d[this.at + 2] as number) << 8) + (d[this.at + 3] as number);
    this.at += 4;
    return v;
  }
  bytes(n: number, field: string): Uint8Array {
    this.need(n, field);
    const out = this.data.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }
  rest(): Uint8Array {
    const out = this.data.slice(this.at);
    this.at = this.data.length;
    return out;
  }
  name(field: string): Name {
    try {
      const { name, end } = nameFromWire(this.data, this.at);
      this.at = end;
      return name;
    } catch (e) {
      throw inputError("WIRE-NAME", `${this.kind} ${field}: ${(e as Error).message}`);
    }
  }
  end(): void {
    if (this.at !== this.data.length) {
      throw inputError("WIRE-EXTRA", `${this.kind}: ${this.data.length - this.at} unexpected octets after the RDATA fields`);
    }
  }
}

function parseNameField(text: string, origin: Name | undefined, field: string): Name {
  try {
    return parseName(text, origin);
  } catch (e) {
    throw inputError("RDATA-NAME", `${field}: ${(e as Error).message}`);
  }
}

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
function formatIpv6(bytes: Uint8Array): string {
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

function formatCharacterString(bytes: Uint8Array): string {
  let out = '"';
  for (const b of bytes) {
    if (b === 0x22 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b < 0x20 || b > 0x7e) out += `\\${String(b).padStart(3, "0")}`;
    else out += String.fromCharCode(b);
  }
  return `${out}"`;
}

// ---------------------------------------------------------------------------------------------
// NSEC type bitmaps (RFC 4034 §4.1.2)

function encodeTypeBitmap(types: readonly number[]): Uint8Array {
  const sorted = [...new Set(types)].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let i = 0;
  while (i < sorted.length) {
    const window = (sorted[i] as number) >> 8;
    const bitmap = new Uint8Array(32);
    let length = 0;
    while (i < sorted.length && (sorted[i] as number) >> 8 === window) {
      const low = (sorted[i] as number) & 0xff;
      bitmap[low >> 3] = (bitmap[low >> 3] as number) | (0x80 >> (low & 7));
      length = (low >> 3) + 1;
      i++;
    }
    parts.push(new Uint8Array([window, length]), bitmap.slice(0, length));
  }
  return concatBytes(...parts);
}

function decodeTypeBitmap(r: Reader): number[] {
  const types: number[] = [];
  let lastWindow = -1;
  while (r.at < r.data.length) {
    const window = r.u8("type bitmap window");
    const length = r.u8("type bitmap length");
    if (window <= lastWindow) throw inputError("WIRE-BITMAP", `NSEC type bitmap windows out of order at window ${window}`);
    if (length < 1 || length > 32) throw inputError("WIRE-BITMAP", `NSEC type bitmap window ${window} has length ${length}`);
    lastWindow = window;
    const bitmap = r.bytes(length, "type bitmap");
    // RFC 4034 §4.1.2: trailing zero octets MUST be omitted (and so an empty window is invalid);
    // accepting them would make the re-encoded RDATA differ from the octets that were signed.
    if (bitmap[length - 1] === 0) throw inputError("WIRE-BITMAP", `NSEC type bitmap window ${window} ends in a zero octet (RFC 4034 §4.1.2)`);
    for (const [octet, bits] of bitmap.entries()) {
      for (let bit = 0; bit < 8; bit++) if (bits & (0x80 >> bit)) types.push(window * 256 + octet * 8 + bit);
    }
  }
  return types;
}

// ---------------------------------------------------------------------------------------------
// Codecs

const A: Codec<ARdata> = {
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

const AAAA: Codec<AaaaRdata> = {
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

function targetCodec<R extends NsRdata | CnameRdata>(kind: R["kind"]): Codec<R> {
  const make = (target: Name) => ({ kind, target }) as R;
  return {
    parse(tokens, origin) {
      const f = new Fields(tokens, kind);
      const target = parseNameField(f.next("target"), origin, `${kind} target`);
      f.end();
      return make(target);
    },
    print: (r) => nameToString(r.target),
    encode: (r, canonical) => nameToWire(r.target, canonical),
    decode(data) {
      const r = new Reader(data, kind);
      const target = r.name("target");
      r.end();
      return make(target);
    },
  };
}

const MX: Codec<MxRdata> = {
  parse(tokens, origin) {
    const f = new Fields(tokens, "MX");
    const preference = parseInteger(f.next("preference"), 16, "MX preference");
    const exchange = parseNameField(f.next("exchange"), origin, "MX exchange");
    f.end();
    return { kind: "MX", preference, exchange };
  },
  print: (r) => `${r.preference} ${nameToString(r.exchange)}`,
  encode: (r, canonical) => concatBytes(u16(r.preference), nameToWire(r.exchange, canonical)),
  decode(data) {
    const r = new Reader(data, "MX");
    const rdata: MxRdata = { kind: "MX", preference: r.u16("preference"), exchange: r.name("exchange") };
    r.end();
    return rdata;
  },
};

const SOA: Codec<SoaRdata> = {
  parse(tokens, origin) {
    const f = new Fields(tokens, "SOA");
    const rdata: SoaRdata = {
      kind: "SOA",
      mname: parseNameField(f.next("MNAME"), origin, "SOA MNAME"),
      rname: parseNameField(f.next("RNAME"), origin, "SOA RNAME"),
      serial: parseInteger(f.next("SERIAL"), 32, "SOA SERIAL"),
      refreshSeconds: parseTimeInterval(f.next("REFRESH"), "SOA REFRESH"),
      retrySeconds: parseTimeInterval(f.next("RETRY"), "SOA RETRY"),
      expireSeconds: parseTimeInterval(f.next("EXPIRE"), "SOA EXPIRE"),
      // RFC 2308 §4: MINIMUM is the negative-caching TTL, so the TTL rule applies to it.
      minimumSeconds: parseTtl(f.next("MINIMUM"), "SOA MINIMUM"),
    };
    f.end();
    return rdata;
  },
  print: (r) => `${nameToString(r.mname)} ${nameToString(r.rname)} ${r.serial} ${r.refreshSeconds} ${r.retrySeconds} ${r.expireSeconds} ${r.minimumSeconds}`,
  encode: (r, canonical) =>
    concatBytes(
      nameToWire(r.mname, canonical),
      nameToWire(r.rname, canonical),
      u32(r.serial),
      u32(r.refreshSeconds),
      u32(r.retrySeconds),
      u32(r.expireSeconds),
      u32(r.minimumSeconds),
    ),
  decode(data) {
    const r = new Reader(data, "SOA");
    const rdata: SoaRdata = {
      kind: "SOA",
      mname: r.name("MNAME"),
      rname: r.name("RNAME"),
      serial: r.u32("SERIAL"),
      refreshSeconds: r.u32("REFRESH"),
      retrySeconds: r.u32("RETRY"),
      expireSeconds: r.u32("EXPIRE"),
      minimumSeconds: r.u32("MINIMUM"),
    };
    r.end();
    return rdata;
  },
};

const TXT: Codec<TxtRdata> = {
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

const DS: Codec<DsRdata> = {
  parse(tokens) {
    const f = new Fields(tokens, "DS");
    const keyTag = parseInteger(f.next("key tag"), 16, "DS key tag");
    const algorithm = parseInteger(f.next("algorithm"), 8, "DS algorithm");
    const digestType = parseInteger(f.next("digest type"), 8, "DS digest type");
    const digestBytes = hexToBytes(f.rest("digest"), "DS digest");
    return { kind: "DS", keyTag, algorithm, digestType, digestBytes };
  },
  print: (r) => `${r.keyTag} ${r.algorithm} ${r.digestType} ${bytesToHex(r.digestBytes, true)}`,
  encode: (r) => concatBytes(u16(r.keyTag), new Uint8Array([r.algorithm, r.digestType]), r.digestBytes),
  decode(data) {
    const r = new Reader(data, "DS");
    const keyTag = r.u16("key tag");
    const algorithm = r.u8("algorithm");
    const digestType = r.u8("digest type");
    const digestBytes = r.rest();
    if (digestBytes.length === 0) throw inputError("WIRE-TRUNCATED", "DS: no digest");
    return { kind: "DS", keyTag, algorithm, digestType, digestBytes };
  },
};

const DNSKEY: Codec<DnskeyRdata> = {
  parse(tokens) {
    const f = new Fields(tokens, "DNSKEY");
    const flags = parseInteger(f.next("flags"), 16, "DNSKEY flags");
    const protocol = parseInteger(f.next("protocol"), 8, "DNSKEY protocol");
    const algorithm = parseInteger(f.next("algorithm"), 8, "DNSKEY algorithm");
    const publicKeyBytes = base64ToBytes(f.rest("public key"), "DNSKEY public key");
    return { kind: "DNSKEY", flags, protocol, algorithm, publicKeyBytes };
  },
  print: (r) => `${r.flags} ${r.protocol} ${r.algorithm} ${bytesToBase64(r.publicKeyBytes)}`,
  encode: (r) => concatBytes(u16(r.flags), new Uint8Array([r.protocol, r.algorithm]), r.publicKeyBytes),
  decode(data) {
    const r = new Reader(data, "DNSKEY");
    const flags = r.u16("flags");
    const protocol = r.u8("protocol");
    const algorithm = r.u8("algorithm");
    const publicKeyBytes = r.rest();
    if (publicKeyBytes.length === 0) throw inputError("WIRE-TRUNCATED", "DNSKEY: no public key");
    return { kind: "DNSKEY", flags, protocol, algorithm, publicKeyBytes };
  },
};

/**
 * The RRSIG RDATA fields before the signature (RFC 4034 §3.1.8.1 "RRSIG_RDATA"). In the signed
 * data the signer's name is always lowercased (RFC 4034 §3.1.8.1, RFC 6840 §5.1), so `canonical`
 * defaults to true; false keeps the name's case for plain wire output.
 */
export function encodeRrsigFieldsWithoutSignature(r: Omit<RrsigRdata, "signatureBytes" | "kind">, canonical = true): Uint8Array {
  return concatBytes(
    u16(r.typeCovered),
    new Uint8Array([r.algorithm, r.labels]),
    u32(r.originalTtlSeconds),
    u32(r.expirationEpochSeconds >>> 0),
    u32(r.inceptionEpochSeconds >>> 0),
    u16(r.keyTag),
    nameToWire(r.signerName, canonical),
  );
}

const RRSIG: Codec<RrsigRdata> = {
  parse(tokens, origin) {
    const f = new Fields(tokens, "RRSIG");
    const rdata: RrsigRdata = {
      kind: "RRSIG",
      typeCovered: parseType(f.next("type covered"), "RRSIG type covered"),
      algorithm: parseInteger(f.next("algorithm"), 8, "RRSIG algorithm"),
      labels: parseInteger(f.next("labels"), 8, "RRSIG labels"),
      originalTtlSeconds: parseInteger(f.next("original TTL"), 32, "RRSIG original TTL"),
      expirationEpochSeconds: parseRrsigTime(f.next("expiration"), "RRSIG expiration"),
      inceptionEpochSeconds: parseRrsigTime(f.next("inception"), "RRSIG inception"),
      keyTag: parseInteger(f.next("key tag"), 16, "RRSIG key tag"),
      signerName: parseNameField(f.next("signer's name"), origin, "RRSIG signer's name"),
      signatureBytes: base64ToBytes(f.rest("signature"), "RRSIG signature"),
    };
    return rdata;
  },
  print: (r) =>
    `${typeToString(r.typeCovered)} ${r.algorithm} ${r.labels} ${r.originalTtlSeconds} ${formatRrsigTime(r.expirationEpochSeconds)} ${formatRrsigTime(r.inceptionEpochSeconds)} ${r.keyTag} ${nameToString(r.signerName)} ${bytesToBase64(r.signatureBytes)}`,
  encode: (r, canonical) => concatBytes(encodeRrsigFieldsWithoutSignature(r, canonical), r.signatureBytes),
  decode(data) {
    const r = new Reader(data, "RRSIG");
    const rdata: RrsigRdata = {
      kind: "RRSIG",
      typeCovered: r.u16("type covered"),
      algorithm: r.u8("algorithm"),
      labels: r.u8("labels"),
      originalTtlSeconds: r.u32("original TTL"),
      expirationEpochSeconds: r.u32("expiration"),
      inceptionEpochSeconds: r.u32("inception"),
      keyTag: r.u16("key tag"),
      signerName: r.name("signer's name"),
      signatureBytes: r.rest(),
    };
    if (rdata.signatureBytes.length === 0) throw inputError("WIRE-TRUNCATED", "RRSIG: no signature");
    return rdata;
  },
};

const NSEC: Codec<NsecRdata> = {
  parse(tokens, origin) {
    const f = new Fields(tokens, "NSEC");
    const nextName = parseNameField(f.next("next domain name"), origin, "NSEC next domain name");
    const types = f.remaining().map((t) => parseType(t.text, "NSEC type bitmap"));
    return { kind: "NSEC", nextName, types: [...new Set(types)].sort((a, b) => a - b) };
  },
  print: (r) => [nameToString(r.nextName), ...r.types.map(typeToString)].join(" "),
  // RFC 6840 §5.1: the next domain name is NOT lowercased in canonical form.
  encode: (r) => concatBytes(nameToWire(r.nextName, false), encodeTypeBitmap(r.types)),
  decode(data) {
    const r = new Reader(data, "NSEC");
    const nextName = r.name("next domain name");
    return { kind: "NSEC", nextName, types: decodeTypeBitmap(r) };
  },
};

const ZONEMD: Codec<ZonemdRdata> = {
  parse(tokens) {
    const f = new Fields(tokens, "ZONEMD");
    const serial = parseInteger(f.next("serial"), 32, "ZONEMD serial");
    const scheme = parseInteger(f.next("scheme"), 8, "ZONEMD scheme");
    const hashAlgorithm = parseInteger(f.next("hash algorithm"), 8, "ZONEMD hash algorithm");
    const digestBytes = hexToBytes(f.rest("digest"), "ZONEMD digest");
    // RFC 8976 §2.2.4: the digest is at least 12 octets.
    if (digestBytes.length < 12) throw inputError("RDATA-LENGTH", `ZONEMD digest: ${digestBytes.length} octets; at least 12 required`);
    return { kind: "ZONEMD", serial, scheme, hashAlgorithm, digestBytes };
  },
  print: (r) => `${r.serial} ${r.scheme} ${r.hashAlgorithm} ${bytesToHex(r.digestBytes, true)}`,
  encode: (r) => concatBytes(u32(r.serial), new Uint8Array([r.scheme, r.hashAlgorithm]), r.digestBytes),
  decode(data) {
    const r = new Reader(data, "ZONEMD");
    const serial = r.u32("serial");
    const scheme = r.u8("scheme");
    const hashAlgorithm = r.u8("hash algorithm");
    const digestBytes = r.rest();
    if (digestBytes.length < 12) throw inputError("WIRE-TRUNCATED", `ZONEMD: digest of ${digestBytes.length} octets; at least 12 required`);
    return { kind: "ZONEMD", serial, scheme, hashAlgorithm, digestBytes };
  },
};

const CODECS: { readonly [K in KnownKind]: Codec<RdataOf<K>> } = {
  A,
  AAAA,
  NS: targetCodec<NsRdata>("NS"),
  CNAME: targetCodec<CnameRdata>("CNAME"),
  MX,
  SOA,
  TXT,
  DS,
  DNSKEY,
  RRSIG,
  NSEC,
  ZONEMD,
};

const KIND_OF_TYPE = new Map<number, KnownKind>((Object.keys(CODECS) as KnownKind[]).map((k) => [RRType[k], k]));

/** The RR type number of an RDATA value. */
export function rdataType(rdata: Rdata): number {
  return rdata.kind === "UNKNOWN" ? rdata.type : RRType[rdata.kind];
}

function codecFor(kind: KnownKind): Codec<Rdata> {
  return CODECS[kind] as unknown as Codec<Rdata>;
}

/**
 * Parse presentation RDATA for `type`. Accepts the RFC 3597 `\# length hex` form for any type;
 * for a known type that form is decoded as wire data so it is checked like any other input.
 */
export function parseRdata(type: number, tokens: readonly Token[], origin: Name | undefined): Rdata {
  if (tokens[0]?.text === "\\#" && !tokens[0].quoted) {
    const f = new Fields(tokens.slice(1), typeToString(type));
    const length = parseInteger(f.next("length"), 16, "\\# length");
    // With length 0 nothing may follow (RFC 3597 §5); extra tokens must not be dropped silently.
    const dataBytes = hexToBytes(f.rest("data", length === 0), "\\# data");
    if (dataBytes.length !== length) {
      throw inputError("RDATA-LENGTH", `\\# form declares ${length} octets but has ${dataBytes.length}`);
    }
    return decodeRdata(type, dataBytes);
  }
  const kind = KIND_OF_TYPE.get(type);
  if (kind === undefined) {
    throw inputError("RDATA-UNKNOWN-TYPE", `${typeToString(type)}: RDATA of this type must be given in the RFC 3597 \\# form`);
  }
  return codecFor(kind).parse(tokens, origin);
}

export function printRdata(rdata: Rdata): string {
  if (rdata.kind === "UNKNOWN") {
    const hex = bytesToHex(rdata.dataBytes, true);
    return hex.length > 0 ? `\\# ${rdata.dataBytes.length} ${hex}` : "\\# 0";
  }
  return codecFor(rdata.kind).print(rdata);
}

/**
 * The wire form of each RDATA object, canonical and as is, once encoded: RDATA values are
 * immutable, and a zone's records are encoded several times over (duplicates, canonical sorting,
 * signed data, ZONEMD). Like an UNKNOWN record's `dataBytes`, the result is shared: callers read it
 * and never write into it.
 */
const encodedCanonical = new WeakMap<Rdata, Uint8Array>();
const encodedAsIs = new WeakMap<Rdata, Uint8Array>();

/** Uncompressed wire RDATA; with `canonical`, the RFC 4034 §6.2 form used in signing and ordering. */
export function encodeRdata(rdata: Rdata, canonical = false): Uint8Array {
  if (rdata.kind === "UNKNOWN") return rdata.dataBytes;
  const memo = canonical ? encodedCanonical : encodedAsIs;
  const known = memo.get(rdata);
  if (known) return known;
  const out = codecFor(rdata.kind).encode(rdata, canonical);
  if (out.length > 0xffff) throw inputError("RDATA-LENGTH", `${rdata.kind} RDATA of ${out.length} octets exceeds 65535`);
  memo.set(rdata, out);
  return out;
}

export function decodeRdata(type: number, data: Uint8Array): Rdata {
  const kind = KIND_OF_TYPE.get(type);
  if (kind === undefined) return { kind: "UNKNOWN", type, dataBytes: data.slice() };
  return codecFor(kind).decode(data);
}

/** Is the type one whose RDATA this toolkit parses (rather than keeping opaque)? */
export function isKnownType(type: number): boolean {
  return KIND_OF_TYPE.has(type);
}
