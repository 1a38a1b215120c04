/**
 * The RDATA values of the types the toolkit works with, one interface per type, each carrying its
 * type as `kind` (so an RR's type is derived and cannot disagree), and the shape of a codec (./rdata.ts
 * holds the table of codecs, one module per family).
 *
 * Left out: the codecs themselves.
 */
import type { Name } from "./name.js";

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

export interface Codec<R extends Rdata> {
  /** Parse presentation tokens (already split; relative names completed with `origin`). */
  parse(tokens: readonly Token[], origin: Name | undefined): R;
  print(rdata: R): string;
  /** Uncompressed wire form; canonical = RFC 4034 §6.2 lowercasing where the type calls for it. */
  encode(rdata: R, canonical: boolean): Uint8Array;
  decode(data: Uint8Array): R;
}
