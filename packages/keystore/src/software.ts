/**
 * The encrypted software keystore: a directory of key pairs for rehearsals, when no HSM is at hand
 * (the directory 0700). This module is the store: labels, reading a key pair back, signers,
 * generating and deleting. The files' format is ./software-key-file.ts, the encryption
 * ./software-crypto.ts.
 *
 * The passphrase is asked for only when a private key is needed (generate, sign), once per
 * keystore. Before generating, it is confirmed: by decrypting an existing private key when the
 * keystore holds one, otherwise, when it was typed at a prompt, by asking for it a second time; a
 * typo would otherwise encrypt a new KSK under a passphrase nobody knows.
 *
 * Signatures come from node:crypto (OpenSSL) and are verified before they are returned: by the
 * core verifier on one thread, by the signing threads themselves with several
 * (./verified-signer.ts says which verifier checks what).
 *
 * `exportSoftwarePrivateKey` decrypts one private key to its PKCS#8 DER for a key backup asked for
 * explicitly (and for tests that look for a leaked key's bytes); no command writes it anywhere.
 *
 * Left out: changing the passphrase, a backup file format, file locking between processes (a
 * rehearsal keystore has one user; label creation is still atomic through link(2)).
 */
import type { KeyObject } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { type DnskeyRdata, KskError, type Signer, base64ToBytes, bytesEqual, bytesToBase64, verifierKey } from "@ksk/core";
import { writeFilesAtomically } from "@ksk/files";
import { keyFamilyFor } from "./key-algorithms.js";
import { type SigningPool, signingPool } from "./signing-pool.js";
import { decryptPrivateKey, encryptPrivateKey, generateSoftwareKeyPair, publicKeyField, softwareSign } from "./software-crypto.js";
import {
  DEFAULT_SCRYPT,
  PRIVATE_SUFFIX,
  PUBLIC_SUFFIX,
  type PrivateKeyFile,
  type ScryptParameters,
  formatPrivateKeyFile,
  formatPublicKeyFile,
  parsePrivateKeyFile,
  parsePublicKeyFile,
} from "./software-key-file.js";
import { type GenerateSpec, type KeyPairInfo, type Keystore, LABEL_PATTERN, type SignerOptions } from "./types.js";
import { verifiedSigner } from "./verified-signer.js";

export { DEFAULT_SCRYPT, SCRYPT_LIMITS, SOFTWARE_KEY_FORMAT, type ScryptParameters } from "./software-key-file.js";

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
    const dnskey = publicText === undefined ? undefined : parsePublicKeyFile(publicPath, publicText);
    const privateFile = privateText === undefined ? undefined : parsePrivateKeyFile(privatePath, privateText, label);
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
    const threads = options.threads ?? 1;
    if (threads > 1) {
      // The threads verify each signature with the public key of the DNSKEY file (not one derived
      // from the private key) before answering (./signing-pool.ts).
      const pool = signingPool({
        key: privateKey,
        verification: verifierKey(info.dnskey),
        threads,
        label,
      });
      this.pools.push(pool);
      return verifiedSigner(label, where, info.dnskey, { signChecked: (data) => pool.sign(data) }, () => this.open);
    }
    return verifiedSigner(label, where, info.dnskey, softwareSign(info.dnskey.algorithm, privateKey), () => this.open);
  }

  private async decrypt(file: PrivateKeyFile, where: string): Promise<KeyObject> {
    return decryptPrivateKey(file, await this.passphrase(), where);
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
    const pair = generateSoftwareKeyPair(family);
    const dnskey: DnskeyRdata = {
      kind: "DNSKEY",
      flags: spec.flags,
      protocol: 3,
      algorithm: spec.algorithm,
      publicKeyBytes: publicKeyField(pair.publicKey, spec.algorithm),
    };
    const header = { label: spec.label, algorithm: spec.algorithm, publicKeyBase64: bytesToBase64(dnskey.publicKeyBytes) };
    const privateFile = await encryptPrivateKey(pair.privateKey, header, passphrase, this.scryptParameters);
    const publicText = formatPublicKeyFile(spec.label, dnskey);
    // Private first: a crash in between leaves a private leftover that `list` reports.
    await this.createExclusive(privatePath, formatPrivateKeyFile(privateFile));
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
