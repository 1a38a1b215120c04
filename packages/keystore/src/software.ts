/**
 * The encrypted software keystore: a directory of key pairs for rehearsals, when no HSM is at hand.
 *
 * Each key pair is two files, both written 0600 (the directory 0700) and never overwritten:
 * - `LABEL.dnskey`: the public key as one presentation-format DNSKEY record at the root
 *   (`. 172800 IN DNSKEY 257 3 8 AwEAA…`), readable by ldns-key2ds and dnssec-dsfromkey as is;
 * - `LABEL.private`: JSON holding the PKCS#8 private key encrypted with AES-256-GCM under a key
 *   derived from the passphrase with scrypt (RFC 7914; N = 2^17, r = 8, p = 1, the parameters
 *   RFC 7914 §2 cites for interactive use scaled to 2020s hardware). The GCM additional data binds
 *   the ciphertext to the format, label, algorithm and public key, so a file renamed or edited
 *   does not decrypt; after decryption the private key's own public key must equal the recorded one.
 *
 * The passphrase is asked for only when a private key is needed (generate, sign), once per
 * keystore. Before generating, it is confirmed: by decrypting an existing private key when the
 * keystore holds one, otherwise, when it was typed at a prompt, by asking for it a second time; a
 * typo would otherwise encrypt a new KSK under a passphrase nobody knows.
 *
 * scrypt parameters read from a file are bounded (N = 2^14…2^20, r 1…32, p 1…16) so that a crafted
 * file cannot make the process allocate gigabytes or fail with a bare RangeError. Signatures come from node:crypto (OpenSSL) and are verified before they are
 * returned: by the core verifier on one thread, by the signing threads themselves with several
 * (./verified-signer.ts says which verifier checks what).
 *
 * `exportSoftwarePrivateKey` decrypts one private key to its PKCS#8 DER for a key backup asked for
 * explicitly (and for tests that look for a leaked key's bytes); no command writes it anywhere.
 *
 * Left out: changing the passphrase, a backup file format, file locking between processes (a
 * rehearsal keystore has one user; label creation is still atomic through link(2)).
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  generateKeyPairSync,
  type DecipherGCM,
  type KeyObject,
  randomBytes,
  scrypt,
  sign as nodeSign,
} from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import {
  type DnskeyRdata,
  KskError,
  ROOT,
  type Signer,
  base64ToBytes,
  bytesEqual,
  bytesToBase64,
  concatBytes,
  decodeRsaPublicKey,
  dnskeyKeyObject,
  dnskeyPublicKeyFromKeyObject,
  isKind,
  makeRR,
  parseZone,
  rrToString,
} from "@ksk/core";
import { writeFilesAtomically } from "@ksk/files";
import { type KeyFamily, RSA_PUBLIC_EXPONENT, keyFamilyFor } from "./key-algorithms.js";
import { type SigningPool, signingPool } from "./signing-pool.js";
import { type GenerateSpec, type KeyPairInfo, type Keystore, LABEL_PATTERN, type SignerOptions } from "./types.js";
import { verifiedSigner } from "./verified-signer.js";

export const SOFTWARE_KEY_FORMAT = "ksk-software-key/1";
const PUBLIC_SUFFIX = ".dnskey";
const PRIVATE_SUFFIX = ".private";
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
  const within = (v: unknown, [low, high]: readonly [number, number]) => Number.isInteger(v) && (v as number) >= low && (v as number) <= high;
  return (
    within(k.log2N, SCRYPT_LIMITS.log2N) &&
    within(k.r, SCRYPT_LIMITS.r) &&
    within(k.p, SCRYPT_LIMITS.p) &&
    128 * 2 ** (k.log2N as number) * (k.r as number) <= SCRYPT_LIMITS.memoryOctets
  );
}

interface PrivateKeyFile {
  readonly format: typeof SOFTWARE_KEY_FORMAT;
  readonly label: string;
  readonly algorithm: number;
  readonly publicKeyBase64: string;
  readonly kdf: { readonly name: "scrypt"; readonly log2N: number; readonly r: number; readonly p: number; readonly saltBase64: string };
  readonly cipher: { readonly name: "aes-256-gcm"; readonly ivBase64: string; readonly tagBase64: string };
  readonly encryptedPkcs8Base64: string;
}

export interface SoftwareOpenParameters {
  readonly uriText: string;
  readonly directory: string;
  /** Called at most once, when a private key is first needed. */
  readonly passphrase: () => Promise<string>;
  /**
   * Ask for the passphrase again, to confirm it before generating into an empty keystore; answers
   * undefined when the passphrase did not come from an interactive prompt (a file, the caller),
   * where there is nothing to confirm.
   */
  readonly repeatPassphrase?: () => Promise<string | undefined>;
  /** scrypt cost; the default suits a ceremony laptop. */
  readonly scrypt?: ScryptParameters;
  /** Create the directory (0700) if it is missing; otherwise a missing directory is an error. */
  readonly createDirectory?: boolean;
}

export async function openSoftwareKeystore(parameters: SoftwareOpenParameters): Promise<Keystore> {
  if (parameters.createDirectory) {
    try {
      await fs.mkdir(parameters.directory, { recursive: true, mode: 0o700 });
    } catch (e) {
      const why = (e as NodeJS.ErrnoException)?.code === "EACCES" ? "permission denied" : ((e as Error)?.message ?? String(e));
      throw new KskError("keystore", "KEYSTORE-FILE", `cannot create the keystore directory: ${why}`, { where: parameters.directory });
    }
  }
  return new SoftwareKeystore(parameters);
}

/**
 * The PKCS#8 DER of the private key labelled `label`, decrypted with the passphrase and checked
 * against its recorded public key. The caller owns (and should zero) the bytes.
 */
export async function exportSoftwarePrivateKey(parameters: SoftwareOpenParameters, label: string): Promise<Uint8Array> {
  const keystore = new SoftwareKeystore(parameters);
  try {
    return await keystore.privateKeyPkcs8Der(label);
  } finally {
    await keystore.close();
  }
}

function additionalData(file: Pick<PrivateKeyFile, "label" | "algorithm" | "publicKeyBase64">): Uint8Array {
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
function publicKeyField(key: KeyObject, algorithm: number): Uint8Array {
  const field = dnskeyPublicKeyFromKeyObject(algorithm, key);
  if (!field) throw new Error(`a ${key.asymmetricKeyType} key has no DNSKEY form for algorithm ${algorithm}`);
  return field;
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}

function familyOf(algorithm: number): KeyFamily {
  // The RSA size is irrelevant when reading a key back; 2048 passes keyFamilyFor's check.
  return keyFamilyFor(algorithm, algorithm === 8 || algorithm === 10 ? 2048 : undefined);
}

function hashOf(family: KeyFamily): string | null {
  return family.kind === "EdDSA" ? null : family.hash;
}

class SoftwareKeystore implements Keystore {
  readonly uri: string;
  private readonly directory: string;
  private readonly scryptParameters: ScryptParameters;
  private passphrasePromise: Promise<string> | undefined;
  private open = true;
  private readonly pools: SigningPool[] = [];

  constructor(private readonly parameters: SoftwareOpenParameters) {
    this.uri = parameters.uriText;
    this.directory = parameters.directory;
    this.scryptParameters = parameters.scrypt ?? DEFAULT_SCRYPT;
  }

  private passphrase(): Promise<string> {
    this.passphrasePromise ??= this.parameters.passphrase().then((p) => {
      if (p.length === 0) throw new KskError("keystore", "PASSPHRASE-EMPTY", "the passphrase is empty", { where: this.uri });
      return p;
    });
    return this.passphrasePromise;
  }

  private ensureOpen(): void {
    if (!this.open) throw new KskError("keystore", "KEYSTORE-CLOSED", "the keystore has been closed", { where: this.uri });
  }

  private file(label: string, suffix: string): string {
    if (!LABEL_PATTERN.test(label)) {
      throw new KskError("usage", "KEY-LABEL", `label "${label}" must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`);
    }
    return path.join(this.directory, label + suffix);
  }

  private fsError(e: unknown, where: string, action: string): KskError {
    const code = (e as NodeJS.ErrnoException)?.code;
    const why =
      code === "ENOENT" ? "no such file or directory" : code === "EACCES" || code === "EPERM" ? "permission denied" : ((e as Error)?.message ?? String(e));
    return new KskError("keystore", "KEYSTORE-FILE", `${action}: ${why}`, { where });
  }

  private async readIfPresent(file: string): Promise<string | undefined> {
    try {
      return await fs.readFile(file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException)?.code === "ENOENT") return undefined;
      throw this.fsError(e, file, "cannot read");
    }
  }

  private parsePublic(file: string, text: string): DnskeyRdata {
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

  private parsePrivate(file: string, text: string, label: string): PrivateKeyFile {
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

  private async labels(): Promise<Set<string>> {
    let names: string[];
    try {
      names = await fs.readdir(this.directory);
    } catch (e) {
      throw this.fsError(e, this.directory, "cannot read the keystore directory");
    }
    const labels = new Set<string>();
    for (const name of names) {
      for (const suffix of [PUBLIC_SUFFIX, PRIVATE_SUFFIX]) {
        if (name.endsWith(suffix) && LABEL_PATTERN.test(name.slice(0, -suffix.length))) labels.add(name.slice(0, -suffix.length));
      }
    }
    return labels;
  }

  private async read(label: string): Promise<{ info: KeyPairInfo; privateFile?: PrivateKeyFile; privatePath: string } | undefined> {
    const publicPath = this.file(label, PUBLIC_SUFFIX);
    const privatePath = this.file(label, PRIVATE_SUFFIX);
    const publicText = await this.readIfPresent(publicPath);
    const privateText = await this.readIfPresent(privatePath);
    if (publicText === undefined && privateText === undefined) return undefined;
    const dnskey = publicText === undefined ? undefined : this.parsePublic(publicPath, publicText);
    const privateFile = privateText === undefined ? undefined : this.parsePrivate(privatePath, privateText, label);
    if (
      dnskey &&
      privateFile &&
      (dnskey.algorithm !== privateFile.algorithm || !bytesEqual(dnskey.publicKeyBytes, base64ToBytes(privateFile.publicKeyBase64)))
    ) {
      throw new KskError("keystore", "KEYSTORE-MISMATCH", `${label}${PUBLIC_SUFFIX} and ${label}${PRIVATE_SUFFIX} hold different keys`, {
        where: this.directory,
      });
    }
    const info: KeyPairInfo = { label, location: this.directory, dnskey, hasPublicKey: dnskey !== undefined, hasPrivateKey: privateFile !== undefined };
    return privateFile ? { info, privateFile, privatePath } : { info, privatePath };
  }

  async list(): Promise<KeyPairInfo[]> {
    this.ensureOpen();
    const out: KeyPairInfo[] = [];
    for (const label of [...(await this.labels())].sort()) {
      const entry = await this.read(label);
      if (entry) out.push(entry.info);
    }
    return out;
  }

  private async mustRead(label: string) {
    this.ensureOpen();
    const entry = await this.read(label);
    if (!entry) throw new KskError("keystore", "KEY-NOT-FOUND", `no key labelled "${label}"`, { where: this.directory });
    return entry;
  }

  async find(label: string): Promise<KeyPairInfo> {
    return (await this.mustRead(label)).info;
  }

  async privateKeyPkcs8Der(label: string): Promise<Uint8Array> {
    const { privateFile, privatePath } = await this.mustRead(label);
    if (!privateFile) throw new KskError("keystore", "KEY-NO-PRIVATE", "no private key file for this label", { where: `${this.directory}: ${label}` });
    const privateKey = await this.decrypt(privateFile, privatePath);
    return new Uint8Array(privateKey.export({ format: "der", type: "pkcs8" }));
  }

  async signer(label: string, options: SignerOptions = {}): Promise<Signer> {
    const { info, privateFile, privatePath } = await this.mustRead(label);
    const where = `${this.directory}: ${label}`;
    if (!privateFile) throw new KskError("keystore", "KEY-NO-PRIVATE", "no private key file for this label", { where });
    if (!info.dnskey) throw new KskError("keystore", "KEY-NO-PUBLIC", "no public key file for this label, so signatures cannot be verified", { where });
    const privateKey = await this.decrypt(privateFile, privatePath);
    const family = familyOf(info.dnskey.algorithm);
    const hash = hashOf(family);
    const key = family.kind === "EC" ? { key: privateKey, dsaEncoding: "ieee-p1363" as const } : privateKey;
    const threads = options.threads ?? 1;
    if (threads > 1) {
      // The threads verify each signature with the public key of the DNSKEY file (not one derived
      // from the private key) before answering (./signing-pool.ts).
      const pool = signingPool({
        key: privateKey,
        verifyKey: dnskeyKeyObject(info.dnskey),
        ...(family.kind === "RSA" ? { signatureOctets: decodeRsaPublicKey(info.dnskey.publicKeyBytes).modulusBytes.length } : {}),
        hash,
        threads,
        label,
        ...(family.kind === "EC" ? { dsaEncoding: "ieee-p1363" as const } : {}),
      });
      this.pools.push(pool);
      return verifiedSigner(label, where, info.dnskey, { signChecked: (data) => pool.sign(data) }, () => this.open);
    }
    return verifiedSigner(
      label,
      where,
      info.dnskey,
      (data) => new Uint8Array(nodeSign(hash, data, key)),
      () => this.open,
    );
  }

  private async decrypt(file: PrivateKeyFile, where: string): Promise<KeyObject> {
    const passphrase = await this.passphrase();
    // Anything wrong with the file's fields (base64, salt, IV or tag size, scrypt refusing its
    // parameters) is a file error naming the file, not an internal RangeError.
    const fileError = (e: unknown) =>
      new KskError("keystore", "KEYSTORE-FILE", `cannot use the private key file: ${firstLine((e as Error)?.message ?? String(e))}`, { where });
    let salt: Uint8Array;
    let iv: Uint8Array;
    let tag: Uint8Array;
    let ciphertext: Uint8Array;
    let aad: Uint8Array;
    try {
      salt = base64ToBytes(file.kdf.saltBase64);
      iv = base64ToBytes(file.cipher.ivBase64);
      tag = base64ToBytes(file.cipher.tagBase64);
      ciphertext = base64ToBytes(file.encryptedPkcs8Base64);
      aad = additionalData(file);
    } catch (e) {
      throw fileError(e);
    }
    // What generate writes: 16-octet salt, 12-octet IV, 16-octet tag (a short tag would weaken GCM).
    if (salt.length < 16 || iv.length !== 12 || tag.length !== 16) {
      throw fileError(new Error(`salt of ${salt.length}, IV of ${iv.length} and tag of ${tag.length} octets; expected 16, 12 and 16`));
    }
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

  async generate(spec: GenerateSpec): Promise<KeyPairInfo> {
    this.ensureOpen();
    const publicPath = this.file(spec.label, PUBLIC_SUFFIX);
    const privatePath = this.file(spec.label, PRIVATE_SUFFIX);
    if (spec.flags !== 256 && spec.flags !== 257) throw new KskError("usage", "KEY-FLAGS", `flags ${spec.flags}: generate 257 (KSK) or 256 (ZSK)`);
    const family = keyFamilyFor(spec.algorithm, spec.rsaModulusBits);
    try {
      await fs.mkdir(this.directory, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw this.fsError(e, this.directory, "cannot create the keystore directory");
    }
    if ((await this.readIfPresent(publicPath)) !== undefined || (await this.readIfPresent(privatePath)) !== undefined) {
      throw new KskError("refused", "KEY-LABEL-EXISTS", "a key with this label exists; not replaced", { where: `${this.directory}: ${spec.label}` });
    }
    const passphrase = await this.confirmedPassphrase();
    const pair =
      family.kind === "RSA"
        ? generateKeyPairSync("rsa", { modulusLength: family.modulusBits, publicExponent: RSA_PUBLIC_EXPONENT })
        : family.kind === "EC"
          ? generateKeyPairSync("ec", { namedCurve: family.curve })
          : family.curve === "Ed25519"
            ? generateKeyPairSync("ed25519")
            : generateKeyPairSync("ed448");
    const dnskey: DnskeyRdata = {
      kind: "DNSKEY",
      flags: spec.flags,
      protocol: 3,
      algorithm: spec.algorithm,
      publicKeyBytes: publicKeyField(pair.publicKey, spec.algorithm),
    };
    const salt = randomBytes(16);
    const iv = randomBytes(12);
    const header = { label: spec.label, algorithm: spec.algorithm, publicKeyBase64: bytesToBase64(dnskey.publicKeyBytes) };
    const key = await deriveKey(passphrase, salt, this.scryptParameters);
    const pkcs8 = pair.privateKey.export({ format: "der", type: "pkcs8" });
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
    const privateFile: PrivateKeyFile = {
      format: SOFTWARE_KEY_FORMAT,
      ...header,
      kdf: { name: "scrypt", ...this.scryptParameters, saltBase64: bytesToBase64(salt) },
      cipher: { name: "aes-256-gcm", ivBase64: bytesToBase64(iv), tagBase64: bytesToBase64(tag) },
      encryptedPkcs8Base64: bytesToBase64(ciphertext),
    };
    const publicText = `; ${spec.label}: public key of a ${SOFTWARE_KEY_FORMAT} software keystore key\n${rrToString(makeRR(ROOT, DNSKEY_TTL_SECONDS, dnskey))}\n`;
    // Private first: a crash in between leaves a private leftover that `list` reports.
    await this.createExclusive(privatePath, `${JSON.stringify(privateFile, null, 2)}\n`);
    try {
      await this.createExclusive(publicPath, publicText);
    } catch (e) {
      await fs.rm(privatePath, { force: true });
      throw e;
    }
    return { label: spec.label, location: this.directory, dnskey, hasPublicKey: true, hasPrivateKey: true };
  }

  /**
   * The passphrase, confirmed before a new key is encrypted under it: it must decrypt an existing
   * private key of the keystore; in an empty keystore a prompted passphrase is asked for twice.
   * A refused passphrase is forgotten, so that a retry asks again.
   */
  private async confirmedPassphrase(): Promise<string> {
    const passphrase = await this.passphrase();
    const refuse = (code: string, detail: string): never => {
      this.passphrasePromise = undefined;
      throw new KskError("keystore", code, detail, { where: this.uri });
    };
    for (const label of [...(await this.labels())].sort()) {
      const entry = await this.read(label);
      if (!entry?.privateFile) continue;
      try {
        await this.decrypt(entry.privateFile, entry.privatePath);
      } catch (e) {
        if ((e as KskError)?.code === "PASSPHRASE-WRONG") {
          refuse("PASSPHRASE-WRONG", `wrong passphrase for keystore ${this.directory} (it does not decrypt ${label}${PRIVATE_SUFFIX}); nothing generated`);
        }
        throw e;
      }
      return passphrase;
    }
    const again = await this.parameters.repeatPassphrase?.();
    if (again !== undefined && again !== passphrase) {
      refuse("PASSPHRASE-MISMATCH", `the passphrases for keystore ${this.directory} differ; nothing generated`);
    }
    return passphrase;
  }

  /** Write a new file 0600 through the one atomic writer: never replaces, never leaves a temporary. */
  private async createExclusive(file: string, text: string): Promise<void> {
    try {
      await writeFilesAtomically([{ file, bytes: text, mode: 0o600 }], { force: false });
    } catch (e) {
      if ((e as KskError)?.code === "OUTPUT-EXISTS") {
        throw new KskError("refused", "KEY-LABEL-EXISTS", "a key with this label exists; not replaced", { where: file });
      }
      if ((e as KskError)?.code === "OUTPUT-UNWRITABLE")
        throw new KskError("keystore", "KEYSTORE-FILE", `cannot write: ${(e as KskError).detail}`, { where: file });
      throw e;
    }
  }

  async delete(label: string): Promise<void> {
    await this.mustRead(label);
    for (const file of [this.file(label, PRIVATE_SUFFIX), this.file(label, PUBLIC_SUFFIX)]) {
      try {
        await fs.rm(file, { force: true });
      } catch (e) {
        throw this.fsError(e, file, "cannot delete");
      }
    }
  }

  async close(): Promise<void> {
    this.open = false;
    for (const pool of this.pools.splice(0)) await pool.close();
  }
}
