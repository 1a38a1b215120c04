/**
 * ZONEMD RDATA (RFC 8976 §2): serial, scheme, hash algorithm and a digest of at least 12 octets.
 *
 * Left out: computing the digest (@ksk/zone).
 */
import { bytesToHex, concatBytes, hexToBytes, u32 } from "./bytes.js";
import { inputError } from "./errors.js";
import { Fields, Reader, parseInteger } from "./rdata-fields.js";
import type { Codec, ZonemdRdata } from "./rdata-types.js";

export const ZONEMD: Codec<ZonemdRdata> = {
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
