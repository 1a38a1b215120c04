/**
 * RDATA of the types the toolkit works with: presentation form (RFC 1035 §5.1 and each type's
 * RFC), uncompressed wire form, and canonical wire form (RFC 4034 §6.2 as corrected by RFC 6840
 * §5.1: names inside NS, CNAME, SOA, MX and RRSIG are lowercased; NSEC's next name is not).
 *
 * Types: A, NS, CNAME, SOA, MX, TXT, AAAA (RFC 1035, 3596), DS, RRSIG, NSEC, DNSKEY (RFC 4034),
 * ZONEMD (RFC 8976). Any other type is kept as opaque octets and printed in the RFC 3597 `\#` form;
 * the `\#` form is also accepted for the known types.
 * Each RDATA value carries its type as `kind`, so an RR's type is derived and cannot disagree.
 *
 * This module is the table of codecs and the entry points; the values are ./rdata-types.ts, the
 * codecs one module per family (./rdata-address.ts, ./rdata-names.ts, ./rdata-text.ts,
 * ./rdata-dnssec.ts, ./rdata-zonemd.ts) over the shared cursors of ./rdata-fields.ts; TTLs are
 * ./ttl.ts.
 */
import { bytesToHex, hexToBytes } from "./bytes.js";
import { inputError } from "./errors.js";
import type { Name } from "./name.js";
import { A, AAAA } from "./rdata-address.js";
import { DNSKEY, DS, NSEC, RRSIG } from "./rdata-dnssec.js";
import { Fields, parseInteger } from "./rdata-fields.js";
import { MX, SOA, targetCodec } from "./rdata-names.js";
import { TXT } from "./rdata-text.js";
import type { CnameRdata, Codec, KnownKind, NsRdata, Rdata, RdataOf, Token } from "./rdata-types.js";
import { ZONEMD } from "./rdata-zonemd.js";
import { RRType, typeToString } from "./rrtype.js";

export * from "./rdata-types.js";
export { encodeRrsigFieldsWithoutSignature, encodeTypeBitmap } from "./rdata-dnssec.js";
export { MAX_TTL_SECONDS, isValidTtl, parseTtl } from "./ttl.js";

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
