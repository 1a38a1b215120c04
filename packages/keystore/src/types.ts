/**
 * What every keystore offers, whatever holds the keys: a list of key pairs, a `Signer` for one of
 * them, generation of a new pair and deletion. The two backends (PKCS#11 in ./pkcs11.ts, the
 * encrypted software keystore in ./software.ts) implement `Keystore`; ./open.ts picks one from a
 * keystore URI.
 *
 * Left out: key-tag collision checks, labels, DS and report formats — those are @ksk/keygen's;
 * a keystore only stores key pairs under labels and refuses a label that exists.
 */
import type { DnskeyRdata, Signer } from "@ksk/core";
import type { ShareUse } from "@ksk/shares";
import type { UnwrapRequest, WrappedKey } from "./pkcs11-wrap.js";

/** A key pair (or a leftover half of one) as the keystore holds it. */
export interface KeyPairInfo {
  /** The key's label (PKCS#11 CKA_LABEL, or the file name stem in a software keystore). */
  readonly label: string;
  /** Where it is: `pkcs11:token=ksk-lab` or the keystore directory. */
  readonly location: string;
  /**
   * The DNSKEY as generated (REVOKE bit clear), read back from the public key; undefined when the
   * public half is missing.
   */
  readonly dnskey: DnskeyRdata | undefined;
  readonly hasPublicKey: boolean;
  readonly hasPrivateKey: boolean;
  /**
   * For a PKCS#11 private key, its protection as the token reports it (CKA_SENSITIVE,
   * CKA_EXTRACTABLE); undefined for software keys and missing private halves.
   */
  readonly protection?: { readonly sensitive: boolean; readonly extractable: boolean };
}

/** What to generate. Key sizes and curves are checked by the backend against the algorithm. */
export interface GenerateSpec {
  readonly label: string;
  /** DNSSEC algorithm number: 8, 10, 13, 14, 15 or 16. */
  readonly algorithm: number;
  /** RSA modulus size (2048, 3072 or 4096); must be absent for the other algorithms. */
  readonly rsaModulusBits?: number;
  /** DNSKEY flags the key is generated for: 257 (KSK) or 256 (ZSK). */
  readonly flags: number;
  /**
   * Create the private key extractable (CKA_EXTRACTABLE true) so that it can be wrapped for a
   * backup. Only when a backup procedure asks for it; the default is non-extractable.
   */
  readonly extractable?: boolean;
}

/** A PKCS#11 token a keystore is logged in to, as its C_GetTokenInfo describes it (blank padding removed). */
export interface HsmToken {
  readonly modulePath: string;
  readonly label: string;
  readonly serial: string;
  readonly manufacturer: string;
  readonly model: string;
}

export interface Keystore {
  /** The keystore URI as given (secrets are never part of it). */
  readonly uri: string;
  /** The PKCS#11 tokens it is logged in to, for the witness display; none for a software keystore. */
  hsmTokens?(): readonly HsmToken[];
  /** Every key pair and every leftover half, sorted by label. */
  list(): Promise<KeyPairInfo[]>;
  /** The key pair with this label; throws a keystore error naming the label when it is absent. */
  find(label: string): Promise<KeyPairInfo>;
  /**
   * A Signer for the key with this label. It verifies every signature in software against the
   * public key before returning it. Stays usable until `close()`.
   */
  signer(label: string, options?: SignerOptions): Promise<Signer>;
  /** Generate a key pair; refuses (kind "refused") a label that exists. */
  generate(spec: GenerateSpec): Promise<KeyPairInfo>;
  /** Delete every object (public, private and record) with this label. */
  delete(label: string): Promise<void>;
  /** Release sessions, logins and key material. Idempotent. */
  close(): Promise<void>;
}

/** How a Signer signs. */
export interface SignerOptions {
  /**
   * Sign on this many worker threads, each verifying what it signs: a software key loaded once into
   * each, or a PKCS#11 key used on a session of each thread's own under the keystore's login. For
   * bulk signing such as a whole zone; 1 (the default) signs on the calling thread.
   */
  readonly threads?: number;
}

/** Secrets and environment, passed in by the caller (the CLI): the package reads no globals. */
export interface OpenOptions {
  /** Environment variables to consult (KSK_PKCS11_MODULE, KSK_PIN_FILE, KSK_PASSPHRASE_FILE, KSK_SCRYPT_LOG2N, SOFTHSM2_CONF). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Read a secret file (PIN or passphrase) as text; the keystore strips one trailing newline. */
  readonly readSecretFile?: (path: string) => Promise<string>;
  /** Ask for a secret on the terminal without echo; absent when no terminal is available. */
  readonly promptSecret?: (question: string) => Promise<string>;
  /**
   * A directory of crypto officers' shares of the PIN or passphrase (see ./share-dir.ts), recombined
   * in memory; at a terminal the officers may type the shares that are not there. The URI's
   * pin-source wins; a PIN or passphrase file is then not consulted.
   */
  readonly sharesDir?: string;
  /** Told which shares activated the keystore (set id, index, fingerprint, officer; never a share). */
  readonly onSharesUsed?: (used: readonly ShareUse[]) => void;
  /** PKCS#11: the file holding the user PIN (overrides KSK_PIN_FILE; the URI's pin-source wins). */
  readonly pinFile?: string;
  /** PKCS#11: the PIN itself, for library callers that hold it (e.g. from a ceremony config). */
  readonly pin?: string;
  /** PKCS#11: the module path when the URI has no module-path (overrides KSK_PKCS11_MODULE). */
  readonly modulePath?: string;
  /** Software keystore: the file holding the passphrase (overrides KSK_PASSPHRASE_FILE). */
  readonly passphraseFile?: string;
  /** Software keystore: the passphrase itself, for library callers. */
  readonly passphrase?: string;
  /** Software keystore: create the directory (0700) if it is missing, as for a first generation. */
  readonly createDirectory?: boolean;
}

/** Label rule shared by both backends: safe as a file name and as a PKCS#11 CKA_LABEL. */
export const LABEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A key wrapped for a backup: the wrap itself, the DNSKEY it stands for, and where it came from. */
export interface WrappedKeyExport extends WrappedKey {
  readonly dnskey: DnskeyRdata;
  /** `pkcs11:token=LABEL`. */
  readonly location: string;
  readonly tokenSerial: string;
}

/** A keystore that can wrap a key out for a backup and unwrap one in (PKCS#11; see ./pkcs11-wrap.ts). */
export interface WrappingKeystore extends Keystore {
  readonly wrapping: true;
  /** Wrap the key under a fresh AES-256 KEK; the caller splits `kekBytes` and drops them. */
  wrapKey(label: string): Promise<WrappedKeyExport>;
  /** Unwrap a key into the keystore's one token, sensitive and non-extractable, with its DNSKEY record. */
  unwrapKey(request: UnwrapRequest & { readonly dnskey: DnskeyRdata }): Promise<KeyPairInfo>;
}

export function isWrappingKeystore(keystore: Keystore): keystore is WrappingKeystore {
  return (keystore as Partial<WrappingKeystore>).wrapping === true;
}
