/**
 * The software keystore's file format: what `LABEL.dnskey` and `LABEL.private` hold and how they
 * are read back. Each key pair is two files, both 0600 and never overwritten:
 * - `LABEL.dnskey`: the public key as one presentation-format DNSKEY record at the root
 *   (`. 172800 IN DNSKEY 257 3 8 AwEAA…`), readable by ldns-key2ds and dnssec-dsfromkey as is;
 * - `LABEL.private`: JSON (`ksk-software-key/1`) holding the PKCS#8 private key encrypted with
 *   AES-256-GCM under a key derived from the passphrase with scrypt (RFC 7914), with the scrypt
 *   parameters, salt, IV and tag (./software-crypto.ts makes and opens it).
 *
 * scrypt parameters read from a file are bounded (N = 2^14…2^20, r 1…32, p 1…16, 128·N·r at most
 * 1 GiB) so that a crafted file cannot make the process allocate gigabytes or fail with a bare
 * RangeError. Every fault is a keystore error naming the file.
 *
 * Left out: the cryptography (./software-crypto.ts) and the directory (./software.ts).
 */
import { type DnskeyRdata, KskError, ROOT, isKind, makeRR, parseZone, rrToString } from "@ksk/core";

export const SOFTWARE_KEY_FORMAT = "ksk-software-key/1";
export const PUBLIC_SUFFIX = ".dnskey";
export const PRIVATE_SUFFIX = ".private";
/** TTL written in the .dnskey file: the root DNSKEY TTL (DPS), so the file is usable as is. */
const DNSKEY_TTL_SECONDS = 172800;

export interface ScryptParameters {
  readonly log2N: number;
  readonly r: number;
  readonly p: number;
}
export const DEFAULT_SCRYPT: ScryptParameters = { log2N: 17, r: 8, p: 1 };

/**
 * The scrypt parameters accepted in a private key file (RFC 7914 §2: N a power of two, given as
 * log2N; r and p positive), bounding scrypt's time and its memory (128·N·r octets, RFC 7914 §6),
 * which is also capped at 1 GiB in total: 2^20 with r = 32 would be 4 GiB. DEFAULT_SCRYPT takes
 * 128 MiB.
 */
export const SCRYPT_LIMITS = { log2N: [14, 20], r: [1, 32], p: [1, 16], memoryOctets: 2 ** 30 } as const;

function scryptParametersValid(k: { log2N?: unknown; r?: unknown; p?: unknown }): k is ScryptParameters {
  const inRange = (v: unknown, [low, high]: readonly [number, number]) => Number.isInteger(v) && (v as number) >= low && (v as number) <= high;
  return (
    inRange(k.log2N, SCRYPT_LIMITS.log2N) &&
    inRange(k.r, SCRYPT_LIMITS.r) &&
    inRange(k.p, SCRYPT_LIMITS.p) &&
    128 * 2 ** (k.log2N as number) * (k.r as number) <= SCRYPT_LIMITS.memoryOctets
  );
}

/** The fields of the key bound into the GCM additional data. */
export interface PrivateKeyHeader {
  readonly label: string;
  readonly algorithm: number;
  readonly publicKeyBase64: string;
}

export interface PrivateKeyFile extends PrivateKeyHeader {
  readonly format: typeof SOFTWARE_KEY_FORMAT;
  readonly kdf: { readonly name: "scrypt"; readonly log2N: number; readonly r: number; readonly p: number; readonly saltBase64: string };
  readonly cipher: { readonly name: "aes-256-gcm"; readonly ivBase64: string; readonly tagBase64: string };
  readonly encryptedPkcs8Base64: string;
}

/** The one DNSKEY record of a `.dnskey` file. */
export function parsePublicKeyFile(file: string, text: string): DnskeyRdata {
  let rrs: ReturnType<typeof parseZone>;
  try {
    rrs = parseZone(text, { fileName: file });
  } catch (e) {
    throw new KskError("keystore", "KEYSTORE-FILE", `not a DNSKEY record: ${(e as Error).message}`, { where: file });
  }
  const keys = rrs.filter((rr) => isKind(rr, "DNSKEY"));
  const only = keys[0];
  if (keys.length !== 1 || rrs.length !== 1 || !only) throw new KskError("keystore", "KEYSTORE-FILE", "must hold exactly one DNSKEY record", { where: file });
  return only.rdata;
}

export function formatPublicKeyFile(label: string, dnskey: DnskeyRdata): string {
  return `; ${label}: public key of a ${SOFTWARE_KEY_FORMAT} software keystore key\n${rrToString(makeRR(ROOT, DNSKEY_TTL_SECONDS, dnskey))}\n`;
}

/** A `.private` file's fields, checked for shape and scrypt bounds (not yet decrypted). */
export function parsePrivateKeyFile(file: string, text: string, label: string): PrivateKeyFile {
  let value: PrivateKeyFile;
  try {
    value = JSON.parse(text) as PrivateKeyFile;
  } catch {
    throw new KskError("keystore", "KEYSTORE-FILE", "not JSON", { where: file });
  }
  const ok =
    value?.format === SOFTWARE_KEY_FORMAT &&
    value.label === label &&
    Number.isInteger(value.algorithm) &&
    typeof value.publicKeyBase64 === "string" &&
    value.kdf?.name === "scrypt" &&
    typeof value.kdf.saltBase64 === "string" &&
    value.cipher?.name === "aes-256-gcm" &&
    typeof value.cipher.ivBase64 === "string" &&
    typeof value.cipher.tagBase64 === "string" &&
    typeof value.encryptedPkcs8Base64 === "string";
  if (!ok) throw new KskError("keystore", "KEYSTORE-FILE", `not a ${SOFTWARE_KEY_FORMAT} private key file for label ${label}`, { where: file });
  if (!scryptParametersValid(value.kdf)) {
    const { log2N, r, p } = value.kdf as { log2N?: unknown; r?: unknown; p?: unknown };
    throw new KskError(
      "keystore",
      "KEYSTORE-FILE",
      `scrypt parameters log2N ${JSON.stringify(log2N)}, r ${JSON.stringify(r)}, p ${JSON.stringify(p)} are outside log2N 14-20, r 1-32, p 1-16, 128·N·r at most 1 GiB`,
      { where: file },
    );
  }
  return value;
}

export function formatPrivateKeyFile(file: PrivateKeyFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}
