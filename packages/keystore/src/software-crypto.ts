/**
 * The software keystore's cryptography: a private key encrypted with AES-256-GCM under a key
 * derived from the passphrase with scrypt (RFC 7914; N = 2^17, r = 8, p = 1 by default, the
 * parameters RFC 7914 §2 cites for interactive use scaled to 2020s hardware). The GCM additional
 * data binds the ciphertext to the format, label, algorithm and public key, so a file renamed or
 * edited does not decrypt; after decryption the private key's own public key must equal the
 * recorded one. Also the key pair to generate for a DNSSEC algorithm and the signing function
 * (node:crypto; its hash is core's `AlgorithmInfo.hash`).
 *
 * Left out: the file format (./software-key-file.ts) and the directory (./software.ts).
 */
import {
  type DecipherGCM,
  type KeyObject,
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  generateKeyPairSync,
  sign as nodeSign,
  randomBytes,
  scrypt,
} from "node:crypto";
import { KskError, algorithmInfo, base64ToBytes, bytesEqual, bytesToBase64, concatBytes, dnskeyPublicKeyFromKeyObject } from "@ksk/core";
import { type KeyFamily, RSA_PUBLIC_EXPONENT } from "./key-algorithms.js";
import { type PrivateKeyFile, type PrivateKeyHeader, SOFTWARE_KEY_FORMAT, type ScryptParameters } from "./software-key-file.js";

function additionalData(file: PrivateKeyHeader): Uint8Array {
  return concatBytes(new TextEncoder().encode(`${SOFTWARE_KEY_FORMAT}\n${file.label}\n${file.algorithm}\n`), base64ToBytes(file.publicKeyBase64));
}

function deriveKey(passphrase: string, salt: Uint8Array, k: ScryptParameters): Promise<Buffer> {
  const N = 2 ** k.log2N;
  // scrypt needs 128 * N * r octets; Node refuses above `maxmem` (32 MiB by default).
  const maxmem = 128 * N * k.r + 16 * 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(passphrase.normalize("NFC"), salt, 32, { N, r: k.r, p: k.p, maxmem }, (e, key) => (e ? reject(e) : resolve(key))),
  );
}

/** The DNSKEY public key field of a node:crypto key (RFC 3110, RFC 6605 §4, RFC 8080 §3). */
export function publicKeyField(key: KeyObject, algorithm: number): Uint8Array {
  const field = dnskeyPublicKeyFromKeyObject(algorithm, key);
  if (!field) throw new Error(`a ${key.asymmetricKeyType} key has no DNSKEY form for algorithm ${algorithm}`);
  return field;
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}

/** A new key pair of `family` (RSA with e = 65537). */
export function generateSoftwareKeyPair(family: KeyFamily): { publicKey: KeyObject; privateKey: KeyObject } {
  if (family.kind === "RSA") return generateKeyPairSync("rsa", { modulusLength: family.modulusBits, publicExponent: RSA_PUBLIC_EXPONENT });
  if (family.kind === "EC") return generateKeyPairSync("ec", { namedCurve: family.curve });
  return family.curve === "Ed25519" ? generateKeyPairSync("ed25519") : generateKeyPairSync("ed448");
}

/** Encrypt `privateKey` for the `.private` file of `header`'s key. */
export async function encryptPrivateKey(privateKey: KeyObject, header: PrivateKeyHeader, passphrase: string, k: ScryptParameters): Promise<PrivateKeyFile> {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = await deriveKey(passphrase, salt, k);
  const pkcs8 = privateKey.export({ format: "der", type: "pkcs8" });
  let ciphertext: Buffer;
  let tag: Buffer;
  try {
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    cipher.setAAD(additionalData(header));
    ciphertext = Buffer.concat([cipher.update(pkcs8), cipher.final()]);
    tag = cipher.getAuthTag();
  } finally {
    key.fill(0);
    pkcs8.fill(0);
  }
  return {
    format: SOFTWARE_KEY_FORMAT,
    label: header.label,
    algorithm: header.algorithm,
    publicKeyBase64: header.publicKeyBase64,
    kdf: { name: "scrypt", ...k, saltBase64: bytesToBase64(salt) },
    cipher: { name: "aes-256-gcm", ivBase64: bytesToBase64(iv), tagBase64: bytesToBase64(tag) },
    encryptedPkcs8Base64: bytesToBase64(ciphertext),
  };
}

/** The fields of `file` as octets; anything malformed is a file error naming `where`. */
function decodeFields(file: PrivateKeyFile, fileError: (e: unknown) => KskError) {
  let fields: { salt: Uint8Array; iv: Uint8Array; tag: Uint8Array; ciphertext: Uint8Array; aad: Uint8Array };
  try {
    fields = {
      salt: base64ToBytes(file.kdf.saltBase64),
      iv: base64ToBytes(file.cipher.ivBase64),
      tag: base64ToBytes(file.cipher.tagBase64),
      ciphertext: base64ToBytes(file.encryptedPkcs8Base64),
      aad: additionalData(file),
    };
  } catch (e) {
    throw fileError(e);
  }
  const { salt, iv, tag } = fields;
  // What generate writes: 16-octet salt, 12-octet IV, 16-octet tag (a short tag would weaken GCM).
  if (salt.length < 16 || iv.length !== 12 || tag.length !== 16) {
    throw fileError(new Error(`salt of ${salt.length}, IV of ${iv.length} and tag of ${tag.length} octets; expected 16, 12 and 16`));
  }
  return fields;
}

/** Decrypt a `.private` file and check the key against its recorded public key. */
export async function decryptPrivateKey(file: PrivateKeyFile, passphrase: string, where: string): Promise<KeyObject> {
  // Anything wrong with the file's fields (base64, salt, IV or tag size, scrypt refusing its
  // parameters) is a file error naming the file, not an internal RangeError.
  const fileError = (e: unknown) =>
    new KskError("keystore", "KEYSTORE-FILE", `cannot use the private key file: ${firstLine((e as Error)?.message ?? String(e))}`, { where });
  const { salt, iv, tag, ciphertext, aad } = decodeFields(file, fileError);
  let key: Buffer;
  try {
    key = await deriveKey(passphrase, salt, file.kdf);
  } catch (e) {
    throw fileError(e);
  }
  let decipher: DecipherGCM;
  try {
    decipher = createDecipheriv("aes-256-gcm", key, iv);
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
  } catch (e) {
    key.fill(0);
    throw fileError(e);
  }
  let pkcs8: Buffer;
  try {
    pkcs8 = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    // GCM cannot tell a wrong passphrase from a modified file; say both.
    throw new KskError("keystore", "PASSPHRASE-WRONG", "cannot decrypt the private key: wrong passphrase, or the file was modified", { where });
  } finally {
    key.fill(0);
  }
  try {
    const privateKey = createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
    const derived = publicKeyField(privateKey, file.algorithm);
    if (!bytesEqual(derived, base64ToBytes(file.publicKeyBase64))) throw new Error("public key differs");
    return privateKey;
  } catch {
    throw new KskError("keystore", "KEYSTORE-MISMATCH", "the decrypted private key does not belong to the recorded public key", { where });
  } finally {
    pkcs8.fill(0);
  }
}

/** Sign `data` with `privateKey` as DNSSEC algorithm `algorithm` wants it (ECDSA as r||s). */
export function softwareSign(algorithm: number, privateKey: KeyObject): (data: Uint8Array) => Uint8Array {
  const info = algorithmInfo(algorithm);
  const key = info.family === "ECDSA" ? { key: privateKey, dsaEncoding: "ieee-p1363" as const } : privateKey;
  return (data) => new Uint8Array(nodeSign(info.hash, data, key));
}
