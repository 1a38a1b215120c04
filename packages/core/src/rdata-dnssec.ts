/**
 * The DNSSEC RDATA of RFC 4034: DS (§5), DNSKEY (§2), RRSIG (§3; with the signed-data prefix of its
 * fields, §3.1.8.1) and NSEC (§4, with its type bitmaps §4.1.2). RRSIG's signer name is lowercased
 * in the canonical form; NSEC's next name keeps its case (RFC 6840 §5.1).
 *
 * Left out: NSEC3 and NSEC3PARAM (RFC 5155: kept opaque).
 */
import { base64ToBytes, bytesToBase64, bytesToHex, concatBytes, hexToBytes, u16, u32 } from "./bytes.js";
import { inputError } from "./errors.js";
import { nameToString, nameToWire } from "./name.js";
import { Fields, Reader, parseInteger, parseNameField } from "./rdata-fields.js";
import type { Codec, DnskeyRdata, DsRdata, NsecRdata, RrsigRdata } from "./rdata-types.js";
import { parseType, typeToString } from "./rrtype.js";
import { formatRrsigTime, parseRrsigTime } from "./time.js";

// ---------------------------------------------------------------------------------------------
// NSEC type bitmaps (RFC 4034 §4.1.2)

/** The NSEC type bitmap (RFC 4034 §4.1.2) listing `types`. */
export function encodeTypeBitmap(types: readonly number[]): Uint8Array {
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

export const DS: Codec<DsRdata> = {
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

export const DNSKEY: Codec<DnskeyRdata> = {
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

export const RRSIG: Codec<RrsigRdata> = {
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

export const NSEC: Codec<NsecRdata> = {
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
