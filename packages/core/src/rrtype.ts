/**
 * RR type and class numbers and mnemonics (IANA "Resource Record (RR) TYPEs" registry), and the
 * RFC 3597 generic forms `TYPE123` / `CLASS4`. The mnemonic table is wider than the set of types
 * whose RDATA this toolkit parses, because RRSIG "type covered" and NSEC type bitmaps name any type.
 */
import { inputError } from "./errors.js";

export const RRType = {
  A: 1,
  NS: 2,
  MD: 3,
  MF: 4,
  CNAME: 5,
  SOA: 6,
  MB: 7,
  MG: 8,
  MR: 9,
  NULL: 10,
  WKS: 11,
  PTR: 12,
  HINFO: 13,
  MINFO: 14,
  MX: 15,
  TXT: 16,
  RP: 17,
  AFSDB: 18,
  SIG: 24,
  KEY: 25,
  AAAA: 28,
  LOC: 29,
  SRV: 33,
  NAPTR: 35,
  KX: 36,
  CERT: 37,
  DNAME: 39,
  OPT: 41,
  APL: 42,
  DS: 43,
  SSHFP: 44,
  IPSECKEY: 45,
  RRSIG: 46,
  NSEC: 47,
  DNSKEY: 48,
  DHCID: 49,
  NSEC3: 50,
  NSEC3PARAM: 51,
  TLSA: 52,
  SMIMEA: 53,
  HIP: 55,
  CDS: 59,
  CDNSKEY: 60,
  OPENPGPKEY: 61,
  CSYNC: 62,
  ZONEMD: 63,
  SVCB: 64,
  HTTPS: 65,
  SPF: 99,
  CAA: 257,
} as const;

const NAME_OF_TYPE = new Map<number, string>(Object.entries(RRType).map(([k, v]) => [v, k]));

export const RRClass = { IN: 1, CH: 3, HS: 4 } as const;
const NAME_OF_CLASS = new Map<number, string>(Object.entries(RRClass).map(([k, v]) => [v, k]));

export function typeToString(type: number): string {
  return NAME_OF_TYPE.get(type) ?? `TYPE${type}`;
}

/** A type mnemonic or `TYPEnnn` to its number; `undefined` if the text is not a type. */
export function lookupType(text: string): number | undefined {
  const upper = text.toUpperCase();
  const known = (RRType as Record<string, number>)[upper];
  if (known !== undefined) return known;
  const m = /^TYPE(\d{1,5})$/.exec(upper);
  if (m && Number(m[1]) <= 0xffff) return Number(m[1]);
  return undefined;
}

export function parseType(text: string, field = "type"): number {
  const type = lookupType(text);
  if (type === undefined) throw inputError("BAD-TYPE", `${field}: "${text}" is not an RR type`);
  return type;
}

export function classToString(cls: number): string {
  return NAME_OF_CLASS.get(cls) ?? `CLASS${cls}`;
}

export function lookupClass(text: string): number | undefined {
  if (text === "IN") return RRClass.IN; // nearly every record of a zone file says IN
  const upper = text.toUpperCase();
  const known = (RRClass as Record<string, number>)[upper];
  if (known !== undefined) return known;
  const m = /^CLASS(\d{1,5})$/.exec(upper);
  if (m && Number(m[1]) <= 0xffff) return Number(m[1]);
  return undefined;
}
