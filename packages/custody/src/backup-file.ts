/**
 * The KSK backup file: what is carried from one facility to the other, in UTF-8 text lines.
 *
 *   # ksk KSK backup: the private key wrapped (RFC 5649) under a KEK held as officers' shares
 *   format: ksk-key-backup 1
 *   label: Kq2hc7a
 *   algorithm: 8 RSASHA256
 *   key-tag: 20326
 *   dnskey: . 172800 IN DNSKEY 257 3 8 AwEAA…
 *   dnskey-rdata: 0101030803…            (the DNSKEY RDATA in hex: what is restored and compared)
 *   ds-sha256: . 172800 IN DS 20326 8 2 E06D44B8…
 *   key-type: rsa                          (rsa, ec or ec-edwards)
 *   modulus: c7a9…  public-exponent: 010001   (rsa)   |   ec-params: …  ec-point: …   (ec, ec-edwards)
 *   restore-attributes: CKA_TOKEN CKA_PRIVATE CKA_SENSITIVE CKA_SIGN; not CKA_EXTRACTABLE, CKA_DECRYPT, CKA_UNWRAP
 *   source: pkcs11:token=ksk-facility-1 serial 5a1c0e0b…
 *   source-protection: sensitive extractable
 *   wrap-mechanism: CKM_AES_KEY_WRAP_PAD
 *   kek: AES-256 set 3f2a9c01d4e5b6a7 threshold 3 of 5
 *   wrapped-key: MIIE…                     (base64, one line)
 *
 * Nothing in it is secret without M of the KEK's shares. Its integrity: the wrapped key by RFC
 * 5649's integrity check in the restoring HSM; the public parts by the checks below (key tag, DS,
 * modulus or point equal to the DNSKEY's); the whole file by the witnesses comparing its SHA-256
 * words at restore with those read out at backup. Pure: text in, values out.
 */
import {
  type DnskeyRdata,
  KskError,
  algorithmInfo,
  bytesEqual,
  bytesToBase64,
  bytesToHex,
  base64ToBytes,
  decodeRdata,
  encodeRdata,
  encodeRsaPublicKey,
  hexToBytes,
} from "@ksk/core";
import { keyReport } from "@ksk/keygen";
import type { PublicKeyAttributes } from "@ksk/keystore";

export const BACKUP_FORMAT = "ksk-key-backup 1";
export const WRAP_MECHANISM_NAME = "CKM_AES_KEY_WRAP_PAD";
export const RESTORE_ATTRIBUTES = "CKA_TOKEN CKA_PRIVATE CKA_SENSITIVE CKA_SIGN; not CKA_EXTRACTABLE, CKA_DECRYPT, CKA_UNWRAP";
/** A backup of the largest key (RSA-4096) is under 8 KiB; refuse anything far larger unread. */
export const BACKUP_MAX_BYTES = 65536;

export interface KeyBackup {
  readonly label: string;
  readonly dnskey: DnskeyRdata;
  readonly publicKey: PublicKeyAttributes;
  readonly source: string;
  readonly sourceProtection: string;
  readonly kekSetIdHex: string;
  readonly kekThreshold: number;
  readonly kekCount: number;
  readonly wrappedKeyBytes: Uint8Array;
}

export function formatBackup(backup: KeyBackup): string {
  const report = keyReport(backup.label, backup.dnskey);
  const pk = backup.publicKey;
  const lines = [
    "# ksk KSK backup: the private key wrapped (RFC 5649) under a KEK held as officers' shares",
    `format: ${BACKUP_FORMAT}`,
    `label: ${backup.label}`,
    `algorithm: ${report.algorithm} ${report.algorithmMnemonic}`,
    `key-tag: ${report.keyTag}`,
    `dnskey: ${report.dnskeyRecord}`,
    `dnskey-rdata: ${bytesToHex(encodeRdata(backup.dnskey))}`,
    `ds-sha256: ${report.ds.find((d) => d.digestType === 2)?.record}`,
    `key-type: ${pk.keyType}`,
    ...(pk.keyType === "rsa"
      ? [`modulus: ${bytesToHex(pk.modulusBytes)}`, `public-exponent: ${bytesToHex(pk.publicExponentBytes)}`]
      : [`ec-params: ${bytesToHex(pk.ecParamsBytes)}`, `ec-point: ${bytesToHex(pk.ecPointBytes)}`]),
    `restore-attributes: ${RESTORE_ATTRIBUTES}`,
    `source: ${backup.source}`,
    `source-protection: ${backup.sourceProtection}`,
    `wrap-mechanism: ${WRAP_MECHANISM_NAME}`,
    `kek: AES-256 set ${backup.kekSetIdHex} threshold ${backup.kekThreshold} of ${backup.kekCount}`,
    `wrapped-key: ${bytesToBase64(backup.wrappedKeyBytes)}`,
    "",
  ];
  return lines.join("\n");
}

const REQUIRED = [
  "format",
  "label",
  "algorithm",
  "key-tag",
  "dnskey",
  "dnskey-rdata",
  "ds-sha256",
  "key-type",
  "restore-attributes",
  "source",
  "source-protection",
  "wrap-mechanism",
  "kek",
  "wrapped-key",
] as const;
const OPTIONAL = ["modulus", "public-exponent", "ec-params", "ec-point"] as const;

function bad(detail: string, where: string, code = "BACKUP-FORMAT"): KskError {
  return new KskError("input", code, detail, { where });
}

function fieldsOf(text: string, where: string): Map<string, string> {
  const known = new Set<string>([...REQUIRED, ...OPTIONAL]);
  const fields = new Map<string, string>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "" || line.startsWith("#")) return;
    const m = /^([a-z0-9-]+): (.*)$/.exec(line);
    if (!m || !known.has(m[1] as string)) throw bad("not a backup line (NAME: value)", `${where}:${i + 1}`);
    if (fields.has(m[1] as string)) throw bad(`field ${m[1]} given twice`, `${where}:${i + 1}`);
    fields.set(m[1] as string, m[2] as string);
  });
  for (const name of REQUIRED) if (!fields.has(name)) throw bad(`no ${name}: line`, where);
  return fields;
}

function hexField(fields: Map<string, string>, name: string, where: string): Uint8Array {
  const value = fields.get(name);
  if (value === undefined) throw bad(`no ${name}: line`, where);
  try {
    return hexToBytes(value, name);
  } catch {
    throw bad(`${name}: not hex`, where);
  }
}

/** Every public field must agree with the DNSKEY RDATA; a one-bit change in any of them is caught here. */
function checkPublicParts(fields: Map<string, string>, dnskey: DnskeyRdata, publicKey: PublicKeyAttributes, where: string): void {
  const report = keyReport(fields.get("label") as string, dnskey);
  const mismatch = (name: string) => bad(`${name}: does not match the DNSKEY RDATA`, where, "BACKUP-MISMATCH");
  if (fields.get("algorithm") !== `${report.algorithm} ${report.algorithmMnemonic}`) throw mismatch("algorithm");
  if (fields.get("key-tag") !== String(report.keyTag)) throw mismatch("key-tag");
  if (fields.get("dnskey") !== report.dnskeyRecord) throw mismatch("dnskey");
  if (fields.get("ds-sha256") !== report.ds.find((d) => d.digestType === 2)?.record) throw mismatch("ds-sha256");
  if (publicKey.keyType === "rsa") {
    const rdataKey = encodeRsaPublicKey({ modulusBytes: publicKey.modulusBytes, exponentBytes: publicKey.publicExponentBytes });
    if (!bytesEqual(rdataKey, dnskey.publicKeyBytes)) throw mismatch("modulus");
  } else {
    // CKA_EC_POINT is the DER OCTET STRING of the point; the DNSKEY holds the point without the
    // 0x04 octet for ECDSA (RFC 6605 §4) and as is for EdDSA (RFC 8080 §3): its tail must match.
    const point = publicKey.ecPointBytes;
    if (!bytesEqual(point.subarray(point.length - dnskey.publicKeyBytes.length), dnskey.publicKeyBytes)) throw mismatch("ec-point");
  }
  if (fields.get("restore-attributes") !== RESTORE_ATTRIBUTES) throw bad("restore-attributes: not the attributes this version restores", where);
  if (fields.get("wrap-mechanism") !== WRAP_MECHANISM_NAME) throw bad(`wrap-mechanism: only ${WRAP_MECHANISM_NAME} is supported`, where);
}

export function parseBackup(text: string, where: string): KeyBackup {
  const fields = fieldsOf(text, where);
  if (fields.get("format") !== BACKUP_FORMAT) throw bad(`not a KSK backup (format: ${BACKUP_FORMAT} expected)`, where);
  const rdata = decodeRdata(48, hexField(fields, "dnskey-rdata", where));
  if (rdata.kind !== "DNSKEY") throw bad("dnskey-rdata: not a DNSKEY", where);
  algorithmInfo(rdata.algorithm);
  const keyType = fields.get("key-type");
  let publicKey: PublicKeyAttributes;
  if (keyType === "rsa") {
    publicKey = { keyType, modulusBytes: hexField(fields, "modulus", where), publicExponentBytes: hexField(fields, "public-exponent", where) };
  } else if (keyType === "ec" || keyType === "ec-edwards") {
    publicKey = { keyType, ecParamsBytes: hexField(fields, "ec-params", where), ecPointBytes: hexField(fields, "ec-point", where) };
  } else {
    throw bad(`key-type: ${keyType} is not rsa, ec or ec-edwards`, where);
  }
  checkPublicParts(fields, rdata, publicKey, where);
  const kek = /^AES-256 set ([0-9a-f]{16}) threshold ([0-9]{1,3}) of ([0-9]{1,3})$/.exec(fields.get("kek") as string);
  if (!kek) throw bad("kek: not `AES-256 set HEX16 threshold M of N`", where);
  let wrappedKeyBytes: Uint8Array;
  try {
    wrappedKeyBytes = base64ToBytes(fields.get("wrapped-key") as string, "wrapped-key");
  } catch {
    throw bad("wrapped-key: not base64", where);
  }
  // RFC 5649 §4.1: the output is a multiple of eight octets, at least sixteen.
  if (wrappedKeyBytes.length < 16 || wrappedKeyBytes.length % 8 !== 0)
    throw bad(`wrapped-key: ${wrappedKeyBytes.length} octets is not an RFC 5649 output`, where);
  return {
    label: fields.get("label") as string,
    dnskey: rdata,
    publicKey,
    source: fields.get("source") as string,
    sourceProtection: fields.get("source-protection") as string,
    kekSetIdHex: kek[1] as string,
    kekThreshold: Number(kek[2]),
    kekCount: Number(kek[3]),
    wrappedKeyBytes,
  };
}
