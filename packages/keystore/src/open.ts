/**
 * Opening a keystore from its URI (see ./uri.ts), with secrets and environment handed in by the
 * caller: the PKCS#11 module path, the user PIN and the software keystore passphrase.
 *
 * Where each comes from, first match wins:
 * - module: the URI's `module-path`, `options.modulePath`, `KSK_PKCS11_MODULE`. There is no
 *   built-in default: a ceremony names its HSM's module explicitly.
 * - module environment: `SOFTHSM2_CONF` from `options.env`, handed to the module at C_Initialize.
 * - PIN: `options.pin`, the URI's `pin-source=file:…` or `pin-source=shares:DIR`,
 *   `options.sharesDir`, `options.pinFile`, `KSK_PIN_FILE`, a terminal prompt. Never the command
 *   line (`pin-value` is refused by the URI parser).
 * - passphrase: `options.passphrase`, `options.sharesDir`, `options.passphraseFile`,
 *   `KSK_PASSPHRASE_FILE`, a prompt.
 * - Shares (./share-dir.ts) are recombined in memory; `options.onSharesUsed` hears which ones.
 *   A prompted passphrase is asked for twice before the first key of an empty keystore is made.
 * - scrypt cost of the private key files a software keystore writes: `KSK_SCRYPT_LOG2N` (log2 N,
 *   r = 8, p = 1; within the bounds a file may carry), else DEFAULT_SCRYPT. The test suite lowers
 *   it so that hundreds of generated keys do not each cost 128 MiB and a third of a second; a file
 *   records its own parameters, so reading keys does not depend on it.
 *
 * Secret files lose one trailing newline (echo adds one) and nothing else: a PIN may contain
 * spaces.
 */
import { KskError, isKskError } from "@ksk/core";
import type { TokenDescription } from "./pkcs11.js";
import { openPkcs11Keystore, tokensHoldingLabel } from "./pkcs11-lazy.js";
import { readSecretFileText } from "./secret-file.js";
import { recombineFromShares } from "./share-dir.js";
import { DEFAULT_SCRYPT, SCRYPT_LIMITS, type ScryptParameters, openSoftwareKeystore } from "./software.js";
import type { Keystore, OpenOptions } from "./types.js";
import { type Pkcs11Uri, describePkcs11Token, parseKeystoreUri } from "./uri.js";

/** Environment variables the keystore consults. */
export const KEYSTORE_ENV = {
  module: "KSK_PKCS11_MODULE",
  pinFile: "KSK_PIN_FILE",
  passphraseFile: "KSK_PASSPHRASE_FILE",
  softhsmConf: "SOFTHSM2_CONF",
  scryptLog2N: "KSK_SCRYPT_LOG2N",
} as const;

/** The scrypt cost `KSK_SCRYPT_LOG2N` asks for (see the header), or undefined for the default. */
function scryptFromEnvironment(options: OpenOptions): ScryptParameters | undefined {
  const text = options.env?.[KEYSTORE_ENV.scryptLog2N];
  if (text === undefined || text === "") return undefined;
  const [low, high] = SCRYPT_LIMITS.log2N;
  const log2N = /^[0-9]{1,2}$/.test(text) ? Number(text) : Number.NaN;
  if (!(log2N >= low && log2N <= high)) {
    throw new KskError("usage", "SCRYPT-COST", `${KEYSTORE_ENV.scryptLog2N} must be a whole number from ${low} to ${high}, not ${JSON.stringify(text)}`);
  }
  return { ...DEFAULT_SCRYPT, log2N };
}

/** Strip exactly one trailing line ending. */
export function secretFromFileText(text: string): string {
  return text.replace(/\r?\n$/, "");
}

/**
 * Read a secret (PIN, passphrase) from a file: one trailing newline stripped, an empty secret or
 * an unreadable file a keystore error naming the file.
 */
export async function loadSecretFile(file: string, what: string, where: string, readSecretFile?: (path: string) => Promise<string>): Promise<string> {
  return readSecret({ ...(readSecretFile ? { readSecretFile } : {}) }, file, what, where);
}

async function readSecret(options: OpenOptions, file: string, what: string, where: string): Promise<string> {
  const read = options.readSecretFile ?? readSecretFileText;
  let text: string;
  try {
    text = await read(file);
  } catch (e) {
    if (e instanceof KskError) throw new KskError(e.kind, e.code, `the ${what} file: ${e.detail}`, { where });
    const code = (e as NodeJS.ErrnoException)?.code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : ((e as Error)?.message ?? String(e));
    throw new KskError("keystore", "SECRET-FILE", `cannot read the ${what} file ${file}: ${why}`, { where });
  }
  const secret = secretFromFileText(text);
  if (secret.length === 0) throw new KskError("keystore", "SECRET-EMPTY", `the ${what} file ${file} is empty`, { where });
  return secret;
}

/** A PIN or passphrase recombined from officers' shares: UTF-8 text, as it was split. */
export async function secretFromShares(
  options: Pick<OpenOptions, "promptSecret" | "onSharesUsed">,
  directory: string,
  what: string,
  where: string,
): Promise<string> {
  const { secretBytes, used } = await recombineFromShares({
    directory,
    kind: "pin",
    ...(options.promptSecret ? { promptSecret: options.promptSecret } : {}),
  });
  let secret: string;
  try {
    secret = new TextDecoder("utf-8", { fatal: true }).decode(secretBytes);
  } finally {
    secretBytes.fill(0);
  }
  if (secret.length === 0) throw new KskError("keystore", "SECRET-EMPTY", `the shares in ${directory} give an empty ${what}`, { where });
  options.onSharesUsed?.(used);
  return secret;
}

async function secretFrom(
  options: OpenOptions,
  sources: readonly (string | undefined)[],
  value: string | undefined,
  what: string,
  question: string,
  where: string,
  /** Told when the secret is about to be asked for at the prompt (so it can be confirmed later). */
  onPrompt?: () => void,
  sharesDir?: string,
): Promise<string> {
  if (value !== undefined) return value;
  if (sharesDir !== undefined) return secretFromShares(options, sharesDir, what, where);
  const file = sources.find((s) => s !== undefined && s !== "");
  if (file !== undefined) return readSecret(options, file, what, where);
  if (options.promptSecret) {
    onPrompt?.();
    const answer = await options.promptSecret(question);
    if (answer.length === 0) throw new KskError("keystore", "SECRET-EMPTY", `no ${what} given`, { where });
    return answer;
  }
  throw new KskError("keystore", "SECRET-MISSING", `no ${what}: give a ${what} file (see --help) or run on a terminal`, { where });
}

/** The module path for a PKCS#11 URI, or a keystore error saying how to give one. */
export function resolveModulePath(uri: Pkcs11Uri, options: OpenOptions): string {
  const path = uri.modulePath ?? options.modulePath ?? options.env?.[KEYSTORE_ENV.module];
  if (path) return path;
  const hint = uri.moduleName ? ` (module-name=${uri.moduleName} cannot be resolved to a file portably)` : "";
  throw new KskError("keystore", "PKCS11-NO-MODULE", `no PKCS#11 module${hint}: add module-path=PATH to the URI or set ${KEYSTORE_ENV.module}`, {
    where: describePkcs11Token(uri),
  });
}

/** Module environment variables to hand to the module (see ./pkcs11-module.ts acquireModule). */
export function moduleEnvironment(options: OpenOptions): Record<string, string> {
  const conf = options.env?.[KEYSTORE_ENV.softhsmConf];
  return conf ? { [KEYSTORE_ENV.softhsmConf]: conf } : {};
}

export async function openKeystore(uriText: string, options: OpenOptions = {}): Promise<Keystore> {
  const uri = parseKeystoreUri(uriText);
  if (uri.scheme === "file") {
    // A typed passphrase is confirmed before the first key of a keystore is encrypted under it;
    // one from a file or from the caller is taken as meant.
    let prompted = false;
    const { promptSecret } = options;
    const scrypt = scryptFromEnvironment(options);
    return openSoftwareKeystore({
      uriText,
      directory: uri.directory,
      ...(scrypt ? { scrypt } : {}),
      ...(options.createDirectory ? { createDirectory: true } : {}),
      passphrase: () =>
        secretFrom(
          options,
          [options.passphraseFile, options.env?.[KEYSTORE_ENV.passphraseFile]],
          options.passphrase,
          "passphrase",
          `Passphrase for keystore ${uri.directory}: `,
          uriText,
          () => {
            prompted = true;
          },
          options.sharesDir,
        ),
      repeatPassphrase: async () => (prompted && promptSecret ? promptSecret(`Repeat the passphrase for keystore ${uri.directory}: `) : undefined),
    });
  }
  const modulePath = resolveModulePath(uri, options);
  const where = describePkcs11Token(uri);
  return openPkcs11Keystore({
    uriText,
    modulePath,
    moduleEnvironment: moduleEnvironment(options),
    selector: pick(uri, ["tokenLabel", "tokenSerial", "tokenManufacturer", "tokenModel"]),
    pin: () =>
      secretFrom(
        options,
        [uri.pinSourceFile, options.pinFile, options.env?.[KEYSTORE_ENV.pinFile]],
        options.pin,
        "PIN",
        `User PIN for ${where === "pkcs11:" ? `the tokens of ${modulePath}` : where}: `,
        where,
        undefined,
        uri.pinSourceFile !== undefined ? undefined : (uri.pinSourceShares ?? options.sharesDir),
      ),
  });
}

export interface TokenKeyLookup {
  readonly modulePath: string;
  /** Every environment variable the module is initialised with (e.g. SOFTHSM2_CONF). */
  readonly moduleEnvironment: Readonly<Record<string, string>>;
  /** The key pair's label. */
  readonly label: string;
  /** The token's label, when the configuration names it; else the token is found by the key's label. */
  readonly tokenLabel?: string;
  /** The user PIN, asked for only once the token is known. */
  readonly pin: () => Promise<string>;
  /** Told what the token's PIN flags warn of, before the login. */
  readonly warn?: (text: string) => void;
}

/**
 * Open the one token of a module that holds a key (IANA's signer configuration names a module, a
 * PIN and key labels, not tokens), logging in to that token only: the token is the one named, or
 * the only one showing an object with the key's label before any login. A key in no token, or in
 * several, is an error that costs no PIN attempt. Close the keystore when done.
 */
export async function openTokenHoldingKey(lookup: TokenKeyLookup): Promise<Keystore> {
  const { modulePath, moduleEnvironment, label } = lookup;
  let selector: { tokenLabel: string } | { tokenSerial: string };
  if (lookup.tokenLabel !== undefined) {
    selector = { tokenLabel: lookup.tokenLabel };
  } else {
    const holders = await tokensHoldingLabel(modulePath, moduleEnvironment, label);
    const where = `module ${modulePath}`;
    if (holders.length === 0) {
      throw new KskError(
        "keystore",
        "KEY-NOT-FOUND",
        `no token shows a key labelled ${label} before login (name its token with token: if its public key is private)`,
        {
          where,
        },
      );
    }
    if (holders.length > 1) {
      const names = holders.map((t) => `${t.label} (serial ${t.serial})`).join(", ");
      throw new KskError("keystore", "PKCS11-TOKEN-AMBIGUOUS", `${holders.length} tokens hold a key labelled ${label}: ${names}; name one with token:`, {
        where,
      });
    }
    selector = { tokenSerial: (holders[0] as TokenDescription).serial };
  }
  const tokenPart = "tokenLabel" in selector ? `token=${encodeURIComponent(selector.tokenLabel)}` : `serial=${encodeURIComponent(selector.tokenSerial)}`;
  const keystore = await openPkcs11Keystore({
    uriText: `pkcs11:${tokenPart};object=${encodeURIComponent(label)}?module-path=${encodeURIComponent(modulePath)}`,
    modulePath,
    moduleEnvironment,
    selector,
    pin: lookup.pin,
    ...(lookup.warn ? { warn: lookup.warn } : {}),
  });
  try {
    await keystore.find(label);
    return keystore;
  } catch (e) {
    await keystore.close();
    throw e;
  }
}

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (value[k] !== undefined) out[k] = value[k];
  return out;
}

/** One PKCS#11 module to look for a key in: an `hsm:` entry of IANA's signer configuration. */
export interface KeyModule {
  /** The entry's name, for messages. */
  readonly name: string;
  readonly modulePath: string;
  readonly moduleEnvironment: Readonly<Record<string, string>>;
  readonly tokenLabel?: string;
  /** The user PIN, asked for only once the token holding the key is known. */
  readonly pin: () => Promise<string>;
}

/**
 * Open the token holding a key among several modules, in the configuration's order (IANA's `hsm:`
 * list names modules and labels, not which module holds which key). Only "not in this module"
 * moves on to the next; a wrong PIN or a broken module is reported as what it is. A key in none
 * is KEY-NOT-FOUND naming every module's answer, at `where` (the configuration file).
 */
export async function openKeyInModules(
  modules: readonly KeyModule[],
  label: string,
  options: { readonly where: string; readonly warn?: (text: string) => void },
): Promise<Keystore> {
  const misses: string[] = [];
  for (const m of modules) {
    try {
      return await openTokenHoldingKey({
        modulePath: m.modulePath,
        moduleEnvironment: m.moduleEnvironment,
        label,
        ...(m.tokenLabel === undefined ? {} : { tokenLabel: m.tokenLabel }),
        pin: m.pin,
        ...(options.warn ? { warn: options.warn } : {}),
      });
    } catch (e) {
      if (!isKskError(e) || e.code !== "KEY-NOT-FOUND") throw e;
      misses.push(`hsm ${m.name}: ${e.message}`);
    }
  }
  throw new KskError("keystore", "KEY-NOT-FOUND", `key ${label} is in none of the config's HSMs (${misses.join("; ") || "no hsm section"})`, {
    where: options.where,
  });
}
