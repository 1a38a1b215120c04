/**
 * PKCS#11 attribute decoding and the DNSKEY a token's key objects stand for: CK_ULONG / CK_BBOOL
 * values in host byte order, CKA_EC_PARAMS as the curve's DER OID (RFC 5480 §2.1.1.1, RFC 8410 §3)
 * or, for Edwards curves, the PrintableString name PKCS#11 3.0 also allows; CKA_EC_POINT as a DER
 * OCTET STRING (PKCS#11 v2.40 §2.3.3; a raw point is accepted too, as some modules return it);
 * RSA keys from CKA_MODULUS and CKA_PUBLIC_EXPONENT through @ksk/core's public-key converter
 * (RFC 3110 §2). ECDSA keys lose the 0x04 point-format octet (RFC 6605 §4), EdDSA keys are raw
 * (RFC 8080 §3).
 *
 * A token cannot say which DNSSEC algorithm or flags a key was made for (an RSA key serves
 * algorithm 8 and 10 alike), so generation stores the DNSKEY RDATA beside the key pair in a
 * CKO_DATA object with the same label (CKA_APPLICATION `DNSKEY_RECORD_APPLICATION`). It is checked
 * against the public key on every read, and its flags must be 256 or 257 (for an IANA-style label,
 * K… 257 and Z… 256). Keys made by other tools have no record: they are taken as algorithm 8 (RSA),
 * 13/14 (by curve) or 15/16, with flags 256 when the label starts with "Z" and 257 otherwise.
 *
 * Left out: compressed EC points, curves without a DNSSEC algorithm, DSA.
 */
import { type DnskeyRdata, bytesEqual, decodeRdata, encodeRsaPublicKey } from "@ksk/core";
import { type Handle, type PKCS11, type Template, keystoreError, pkcs11Failure, pkcs11js } from "./pkcs11-module.js";

/** CKK_EC_EDWARDS (PKCS#11 3.0), which pkcs11js 2.1.7 does not export. */
export const CKK_EC_EDWARDS = 0x40;

/** CKA_APPLICATION of the record that keeps the DNSKEY RDATA a key pair was generated for. */
export const DNSKEY_RECORD_APPLICATION = "ksk-ceremony-toolkit DNSKEY";

/** DER OIDs for CKA_EC_PARAMS (RFC 5480 §2.1.1.1; RFC 8410 §3 for the Edwards curves). */
export const EC_PARAMS = {
  "P-256": "06082a8648ce3d030107",
  "P-384": "06052b81040022",
  Ed25519: "06032b6570",
  Ed448: "06032b6571",
} as const;
/** PKCS#11 3.0 also allows the curve as a PrintableString name for Edwards keys. */
const EDWARDS_PRINTABLE = { Ed25519: "130c656477617264733235353139", Ed448: "130a65647761726473343438" } as const;

export function findObjects(p11: PKCS11, session: Handle, template: Template): Handle[] {
  p11.C_FindObjectsInit(session, template);
  try {
    const out: Handle[] = [];
    for (;;) {
      const batch = p11.C_FindObjects(session, 64);
      if (batch.length === 0) return out;
      out.push(...batch);
    }
  } finally {
    p11.C_FindObjectsFinal(session);
  }
}

export function attribute(p11: PKCS11, session: Handle, object: Handle, type: number): Buffer {
  const [result] = p11.C_GetAttributeValue(session, object, [{ type }]);
  if (!result) throw new Error(`attribute 0x${type.toString(16)} not returned`);
  return result.value;
}

/** CK_ULONG and CK_BBOOL attribute values come back in host byte order and width. */
export function ulong(value: Buffer): number {
  if (value.length === 8) return Number(value.readBigUInt64LE());
  if (value.length === 4) return value.readUInt32LE();
  if (value.length === 1) return value[0] as number;
  throw new Error(`unexpected CK_ULONG of ${value.length} octets`);
}

export function bool(value: Buffer): boolean {
  return value.length > 0 && value[0] !== 0;
}

/** The contents of a DER OCTET STRING (tag 04, definite length), or undefined if `der` is not exactly one. */
function derOctetString(der: Uint8Array): Uint8Array | undefined {
  if (der[0] !== 0x04 || der.length < 2) return undefined;
  let length = der[1] as number;
  let at = 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 2 || der.length < 2 + octets) return undefined;
    length = 0;
    for (let i = 0; i < octets; i++) length = (length << 8) | (der[2 + i] as number);
    at = 2 + octets;
  }
  return at + length === der.length ? der.slice(at) : undefined;
}

/** The public key bytes of CKA_EC_POINT: DER-wrapped per PKCS#11, raw from some modules. */
function ecPoint(value: Uint8Array, rawLength: number): Uint8Array | undefined {
  if (value.length === rawLength) return value;
  const inner = derOctetString(value);
  return inner && inner.length === rawLength ? inner : undefined;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/** The algorithm a key made by another tool is taken as, and the flags from its label (see header). */
function defaultFlags(label: string): number {
  return label.startsWith("Z") ? 256 : 257;
}

/** An IANA-style label (see @ksk/keygen label.ts): K or Z and six base32 characters. */
const IANA_LABEL = /^[KZ][a-z2-7]{6}$/;

/**
 * The flags a stored DNSKEY record may carry: 256 (ZSK) or 257 (KSK, SEP set), as generate
 * writes (RFC 4034 §2.1.1, RFC 3757); an IANA-style label fixes which of the two.
 */
function checkRecordFlags(flags: number, label: string, where: string): void {
  if (flags !== 256 && flags !== 257) {
    throw keystoreError("PKCS11-RECORD-FLAGS", `the stored DNSKEY record has flags ${flags}, not 256 (ZSK) or 257 (KSK)`, where);
  }
  if (IANA_LABEL.test(label) && flags !== defaultFlags(label)) {
    throw keystoreError(
      "PKCS11-RECORD-FLAGS",
      `the stored DNSKEY record has flags ${flags} but the label names a ${label.startsWith("K") ? "KSK (257)" : "ZSK (256)"}`,
      where,
    );
  }
}

/**
 * The DNSKEY a public key object stands for: algorithm and key from the token's attributes, flags
 * (and the RSA algorithm) from the stored record when there is one, which must match the key.
 */
export function dnskeyOfKeyObject(
  p11: PKCS11,
  session: Handle,
  objects: { readonly publicKey: Handle; readonly record: Handle | undefined; readonly label: string },
  where: string,
): DnskeyRdata {
  const handle = objects.publicKey;
  const label = objects.label;
  let record: DnskeyRdata | undefined;
  try {
    const first = objects.record;
    if (first) {
      const rdata = decodeRdata(48, new Uint8Array(attribute(p11, session, first, pkcs11js.CKA_VALUE)));
      if (rdata.kind === "DNSKEY") record = rdata;
    }
    const keyType = ulong(attribute(p11, session, handle, pkcs11js.CKA_KEY_TYPE));
    let algorithm: number;
    let publicKeyBytes: Uint8Array;
    if (keyType === pkcs11js.CKK_RSA) {
      const modulusBytes = new Uint8Array(attribute(p11, session, handle, pkcs11js.CKA_MODULUS));
      const exponentBytes = new Uint8Array(attribute(p11, session, handle, pkcs11js.CKA_PUBLIC_EXPONENT));
      publicKeyBytes = encodeRsaPublicKey({ modulusBytes, exponentBytes });
      algorithm = record?.algorithm ?? 8;
      if (algorithm !== 8 && algorithm !== 10) throw keystoreError("PKCS11-RECORD-MISMATCH", `RSA key recorded as algorithm ${algorithm}`, where);
    } else if (keyType === pkcs11js.CKK_EC || keyType === CKK_EC_EDWARDS) {
      const params = hex(attribute(p11, session, handle, pkcs11js.CKA_EC_PARAMS));
      const point = new Uint8Array(attribute(p11, session, handle, pkcs11js.CKA_EC_POINT));
      const curves: [string, number, number, boolean][] = [
        [EC_PARAMS["P-256"], 13, 65, true],
        [EC_PARAMS["P-384"], 14, 97, true],
        [EC_PARAMS.Ed25519, 15, 32, false],
        [EDWARDS_PRINTABLE.Ed25519, 15, 32, false],
        [EC_PARAMS.Ed448, 16, 57, false],
        [EDWARDS_PRINTABLE.Ed448, 16, 57, false],
      ];
      const curve = curves.find(([oid]) => oid === params);
      if (!curve) throw keystoreError("PKCS11-CURVE", `the key's curve (CKA_EC_PARAMS ${params}) has no DNSSEC algorithm here`, where);
      const [, alg, rawLength, uncompressed] = curve;
      const raw = ecPoint(point, rawLength);
      if (!raw || (uncompressed && raw[0] !== 0x04)) {
        throw keystoreError("PKCS11-EC-POINT", `CKA_EC_POINT of ${point.length} octets is not the expected point encoding`, where);
      }
      // RFC 6605 §4: the DNSKEY field is x||y without the 0x04 "uncompressed" octet.
      publicKeyBytes = uncompressed ? raw.slice(1) : raw;
      algorithm = alg;
    } else {
      throw keystoreError("PKCS11-KEY-TYPE", `key type 0x${keyType.toString(16)} has no DNSSEC algorithm here`, where);
    }
    const dnskey: DnskeyRdata = { kind: "DNSKEY", flags: record?.flags ?? defaultFlags(label), protocol: 3, algorithm, publicKeyBytes };
    if (record && (record.algorithm !== algorithm || record.protocol !== 3 || !bytesEqual(record.publicKeyBytes, publicKeyBytes))) {
      throw keystoreError("PKCS11-RECORD-MISMATCH", "the stored DNSKEY record does not match the public key on the token", where);
    }
    if (record) checkRecordFlags(record.flags, label, where);
    return dnskey;
  } catch (e) {
    throw pkcs11Failure(e, where, "reading the public key");
  }
}
