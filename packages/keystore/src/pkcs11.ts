/**
 * The PKCS#11 keystore: keys generated and used inside an HSM through a PKCS#11 module (SoftHSM2
 * in the lab, a vendor module in production), through pkcs11js (a 1:1 binding of the C API).
 *
 * What it does, and why:
 * - Tokens are found by label or serial (RFC 7512 `token=`, `serial=`), never by slot number:
 *   modules renumber slots (SoftHSM on every initialisation). Without `token=`/`serial=` every
 *   initialised token of the module is opened with the same PIN and keys are looked up in all of
 *   them, as IANA's signer does with its configured HSM.
 * - One module load and one C_Initialize per process and module path (a second C_Initialize in the
 *   same process fails with CKR_CRYPTOKI_ALREADY_INITIALIZED), reference-counted; C_Finalize when
 *   the last keystore on it closes. One R/W session and one login per token; a `Signer` finds its
 *   key handle once and then does C_SignInit + C_Sign per signature — never a session or a login
 *   per signature. pkcs11js calls are synchronous, so one session is never used by two operations
 *   at once.
 * - Mechanisms: RSA with CKM_SHA256_RSA_PKCS / CKM_SHA512_RSA_PKCS, or, when the token lacks them,
 *   a host-computed DigestInfo (RFC 8017 §9.2) with CKM_RSA_PKCS; ECDSA with a host hash and
 *   CKM_ECDSA (SoftHSM 2.6.1 has no CKM_ECDSA_SHA256), whose output is r||s as DNSSEC wants it
 *   (RFC 6605 §4); EdDSA with CKM_EDDSA and no parameters, i.e. PureEdDSA (RFC 8080 §4).
 * - Public keys are read back from the token (CKA_MODULUS + CKA_PUBLIC_EXPONENT, CKA_EC_POINT) and
 *   turned into DNSKEY public key fields; CKA_EC_POINT is a DER OCTET STRING (PKCS#11 2.40 §2.3.3)
 *   which is unwrapped (a raw point is accepted too, as some modules return it).
 * - A token cannot say which DNSSEC algorithm or flags a key was made for (an RSA key serves
 *   algorithm 8 and 10 alike), so generation stores the DNSKEY RDATA beside the key pair in a
 *   CKO_DATA object with the same label (CKA_APPLICATION "ksk-ceremony-toolkit DNSKEY"), created
 *   CKA_PRIVATE (seen only after login; every token is logged in when the keystore opens) and not
 *   CKA_MODIFIABLE, so a session without the PIN cannot change it. It is checked against the public
 *   key on every read, and its flags must be 256 or 257 (for an IANA-style label, K… 257 and
 *   Z… 256). Keys made by other tools have no such
 *   record: they are taken as algorithm 8 (RSA), 13/14 (by curve) or 15/16, with flags 256 when
 *   the label starts with "Z" (IANA-style ZSK label) and 257 otherwise.
 * - Private keys are generated CKA_SENSITIVE and non-extractable unless a backup asks otherwise,
 *   and this is read back after generation.
 * - PKCS#11 failures become KskError kind "keystore" with one line naming module, token and label,
 *   e.g. `pkcs11:token=ksk-lab: wrong PIN (CKR_PIN_INCORRECT)`.
 *
 * Left out: key wrapping/backup, multiple sessions for parallel signing (SoftHSM does not scale
 * with threads anyway), C_WaitForSlotEvent, CKA_ALWAYS_AUTHENTICATE keys (context-specific login),
 * and PKCS#11 3.0 interfaces.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { createRequire } from "node:module";
import { type DnskeyRdata, KskError, type Signer, bytesEqual, concatBytes, decodeRdata, encodeRdata, encodeRsaPublicKey, isKskError } from "@ksk/core";
import type * as Pkcs11Types from "pkcs11js";
import { DIGEST_INFO_PREFIX, type KeyFamily, RSA_PUBLIC_EXPONENT, keyFamilyFor } from "./key-algorithms.js";
import { type GenerateSpec, type KeyPairInfo, type Keystore, LABEL_PATTERN } from "./types.js";
import { describePkcs11Token } from "./uri.js";
import { verifiedSigner } from "./verified-signer.js";

// pkcs11js is CommonJS with runtime-built exports; require() it so it works the same under tsx,
// vitest and plain node.
const pkcs11js = createRequire(import.meta.url)("pkcs11js") as typeof Pkcs11Types;
type Handle = Buffer;
type PKCS11 = Pkcs11Types.PKCS11;

// PKCS#11 3.0 numbers that pkcs11js 2.1.7 does not export (SoftHSM 2.6 implements them).
const CKK_EC_EDWARDS = 0x40;
const CKM_EC_EDWARDS_KEY_PAIR_GEN = 0x1055;
const CKM_EDDSA = 0x1057;

/** CKA_APPLICATION of the record that keeps the DNSKEY RDATA a key pair was generated for. */
export const DNSKEY_RECORD_APPLICATION = "ksk-ceremony-toolkit DNSKEY";

/** DER OIDs for CKA_EC_PARAMS (RFC 5480 §2.1.1.1; RFC 8410 §3 for the Edwards curves). */
const EC_PARAMS = {
  "P-256": "06082a8648ce3d030107",
  "P-384": "06052b81040022",
  Ed25519: "06032b6570",
  Ed448: "06032b6571",
} as const;
/** PKCS#11 3.0 also allows the curve as a PrintableString name for Edwards keys. */
const EDWARDS_PRINTABLE = { Ed25519: "130c656477617264733235353139", Ed448: "130a65647761726473343438" } as const;

// --- errors --------------------------------------------------------------------------------

const CKR_TEXT: Record<string, string> = {
  CKR_PIN_INCORRECT: "wrong PIN",
  CKR_PIN_LOCKED: "the PIN is locked",
  CKR_PIN_LEN_RANGE: "the PIN has a length the token does not accept",
  CKR_PIN_EXPIRED: "the PIN has expired",
  CKR_USER_PIN_NOT_INITIALIZED: "the token's user PIN is not initialised",
  CKR_TOKEN_NOT_PRESENT: "the token is not present",
  CKR_TOKEN_NOT_RECOGNIZED: "the token is not recognised",
  CKR_DEVICE_REMOVED: "the token was removed",
  CKR_DEVICE_ERROR: "the device failed",
  CKR_DEVICE_MEMORY: "the token is out of memory",
  CKR_MECHANISM_INVALID: "the token does not offer this mechanism",
  CKR_KEY_TYPE_INCONSISTENT: "the key does not fit the mechanism",
  CKR_KEY_FUNCTION_NOT_PERMITTED: "the key may not be used to sign",
  CKR_TEMPLATE_INCONSISTENT: "the token refused the key template",
  CKR_ATTRIBUTE_VALUE_INVALID: "the token refused an attribute value",
  CKR_DOMAIN_PARAMS_INVALID: "the token does not support this curve",
  CKR_SESSION_HANDLE_INVALID: "the session is no longer valid",
  CKR_CRYPTOKI_ALREADY_INITIALIZED: "the module is already initialised in this process",
};

function ckrName(e: unknown): string | undefined {
  const message = (e as Error)?.message ?? "";
  const m = /\b(CKR_[A-Z0-9_]+)\b/.exec(message);
  return m?.[1];
}

/** One line for a PKCS#11 failure: what we were doing, the token, the CKR code. */
export function pkcs11Failure(e: unknown, where: string, action: string): KskError {
  if (isKskError(e)) return e;
  const ckr = ckrName(e);
  const detail = ckr ? `${CKR_TEXT[ckr] ?? `${action} failed`} (${ckr})` : `${action} failed: ${firstLine((e as Error)?.message ?? String(e))}`;
  return new KskError("keystore", ckr ? `PKCS11-${ckr.slice(4)}` : "PKCS11-FAILURE", detail, { where, cause: e });
}

function keystoreError(code: string, detail: string, where: string): KskError {
  return new KskError("keystore", code, detail, { where });
}

// --- modules: one load and one C_Initialize per process and path ---------------------------

interface LoadedModule {
  readonly p11: PKCS11;
  readonly path: string;
  /** The module environment it was initialised with (SOFTHSM2_CONF and the like). */
  readonly environment: string;
  references: number;
  /**
   * SHA-256 of the PIN each token (by serial) was logged in with by this process. Login state is
   * per application and token (PKCS#11 §5.6), so a second C_Login answers
   * CKR_USER_ALREADY_LOGGED_IN without checking the PIN; this keeps a wrong PIN from passing then.
   */
  readonly loginPinDigests: Map<string, Buffer>;
}

const loaded = new Map<string, LoadedModule>();

/**
 * Load and initialise a module, or share the one already initialised with the same environment.
 *
 * PKCS#11 modules are C libraries that read their configuration from the process environment at
 * C_Initialize (SoftHSM: SOFTHSM2_CONF). The caller's `moduleEnvironment` is therefore put into the
 * process environment for the duration of C_Initialize and restored right after; it is the only
 * way to hand a module its configuration without changing the caller's process for good.
 */
export function acquireModule(modulePath: string, moduleEnvironment: Readonly<Record<string, string>> = {}): LoadedModule {
  const environment = JSON.stringify(Object.entries(moduleEnvironment).sort());
  const existing = loaded.get(modulePath);
  if (existing) {
    if (existing.environment !== environment) {
      throw keystoreError(
        "PKCS11-MODULE-BUSY",
        `already initialised in this process with another environment (${existing.environment}); close the other keystore first`,
        `module ${modulePath}`,
      );
    }
    existing.references++;
    return existing;
  }
  const p11 = new pkcs11js.PKCS11();
  try {
    p11.load(modulePath);
  } catch (e) {
    throw keystoreError("PKCS11-MODULE", `cannot load the PKCS#11 module: ${firstLine((e as Error)?.message ?? String(e))}`, `module ${modulePath}`);
  }
  const saved = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(moduleEnvironment)) {
    saved.set(name, process.env[name]);
    process.env[name] = value;
  }
  try {
    p11.C_Initialize();
  } catch (e) {
    try {
      p11.close();
    } catch {
      // Unloading after a failed initialisation: nothing more to release.
    }
    const failure = pkcs11Failure(e, `module ${modulePath}`, "C_Initialize");
    // A module fails to initialise mostly on its own configuration (SoftHSM: a token directory
    // removed or unreadable); name the configuration it was given so the operator can look there.
    const given = Object.entries(moduleEnvironment).map(([name, value]) => `${name}=${value}`);
    if (given.length === 0) throw failure;
    throw new KskError(failure.kind, failure.code, `${failure.detail}; check the module's configuration and token directory (${given.join(", ")})`, {
      where: `module ${modulePath}`,
      cause: e,
    });
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  const module: LoadedModule = { p11, path: modulePath, environment, references: 1, loginPinDigests: new Map() };
  loaded.set(modulePath, module);
  return module;
}

export function releaseModule(module: LoadedModule): void {
  module.references--;
  if (module.references > 0) return;
  loaded.delete(module.path);
  try {
    module.p11.C_Finalize();
  } finally {
    module.p11.close();
  }
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}

// --- tokens ------------------------------------------------------------------------------

/** PKCS#11 pads CK_UTF8CHAR fields with blanks; some modules (and pkcs11js on write) with NULs. */
function padded(text: string): string {
  return text.replace(/[\s\0]+$/u, "");
}

export interface TokenSelector {
  readonly tokenLabel?: string;
  readonly tokenSerial?: string;
  readonly tokenManufacturer?: string;
  readonly tokenModel?: string;
}

export interface TokenDescription {
  readonly slot: Handle;
  readonly label: string;
  readonly serial: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly initialized: boolean;
}

export function listTokens(p11: PKCS11, modulePath: string): TokenDescription[] {
  try {
    return p11.C_GetSlotList(true).map((slot) => {
      const info = p11.C_GetTokenInfo(slot);
      return {
        slot,
        label: padded(info.label),
        serial: padded(info.serialNumber),
        manufacturer: padded(info.manufacturerID),
        model: padded(info.model),
        initialized: (info.flags & pkcs11js.CKF_TOKEN_INITIALIZED) !== 0,
      };
    });
  } catch (e) {
    throw pkcs11Failure(e, `module ${modulePath}`, "listing tokens");
  }
}

function selectTokens(tokens: readonly TokenDescription[], selector: TokenSelector, modulePath: string): TokenDescription[] {
  const initialized = tokens.filter((t) => t.initialized);
  const selecting =
    selector.tokenLabel !== undefined || selector.tokenSerial !== undefined || selector.tokenManufacturer !== undefined || selector.tokenModel !== undefined;
  const where = selecting ? describePkcs11Token(selector) : `module ${modulePath}`;
  const present = initialized.length ? initialized.map((t) => `${t.label} (serial ${t.serial})`).join(", ") : "none";
  const matching = initialized.filter(
    (t) =>
      (selector.tokenLabel === undefined || t.label === selector.tokenLabel) &&
      (selector.tokenSerial === undefined || t.serial === selector.tokenSerial) &&
      (selector.tokenManufacturer === undefined || t.manufacturer === selector.tokenManufacturer) &&
      (selector.tokenModel === undefined || t.model === selector.tokenModel),
  );
  if (matching.length === 0) {
    throw keystoreError("PKCS11-NO-TOKEN", `no such token in module ${modulePath} (initialised tokens: ${present})`, where);
  }
  if (selecting && matching.length > 1) {
    throw keystoreError("PKCS11-TOKEN-AMBIGUOUS", `${matching.length} tokens match; add serial= to the URI (tokens: ${present})`, where);
  }
  return matching;
}

/**
 * The initialised tokens of a module that show an object labelled `label` without a login (a key
 * pair's public key is a public object), so that a PIN is presented only to the token that holds
 * the key: on a real HSM every wrong PIN counts toward locking the token.
 */
export function tokensHoldingLabel(modulePath: string, moduleEnvironment: Readonly<Record<string, string>>, label: string): TokenDescription[] {
  const module = acquireModule(modulePath, moduleEnvironment);
  try {
    return listTokens(module.p11, module.path)
      .filter((t) => t.initialized)
      .filter((t) => {
        const where = describePkcs11Token({ tokenLabel: t.label });
        let session: Handle;
        try {
          session = module.p11.C_OpenSession(t.slot, pkcs11js.CKF_SERIAL_SESSION);
        } catch (e) {
          throw pkcs11Failure(e, where, "opening a session");
        }
        try {
          return findObjects(module.p11, session, [{ type: pkcs11js.CKA_LABEL, value: Buffer.from(label, "utf8") }]).length > 0;
        } catch (e) {
          throw pkcs11Failure(e, where, "searching by label");
        } finally {
          module.p11.C_CloseSession(session);
        }
      });
  } finally {
    releaseModule(module);
  }
}

/** CKF_USER_PIN_COUNT_LOW, CKF_USER_PIN_FINAL_TRY, CKF_USER_PIN_LOCKED (PKCS#11 v2.40 §5.7.1 CK_TOKEN_INFO). */
const PIN_FLAGS = { countLow: 0x00010000, finalTry: 0x00020000, locked: 0x00040000 } as const;

/**
 * What a token's user-PIN flags say before a login is tried: a locked PIN refuses the login (an
 * attempt cannot succeed), a final try or a low count is a warning to give the operator first.
 */
export function userPinState(tokenFlags: number): { readonly locked: boolean; readonly warning?: string } {
  if (tokenFlags & PIN_FLAGS.locked) return { locked: true };
  if (tokenFlags & PIN_FLAGS.finalTry) return { locked: false, warning: "the next wrong user PIN locks the token (CKF_USER_PIN_FINAL_TRY)" };
  if (tokenFlags & PIN_FLAGS.countLow) return { locked: false, warning: "a wrong user PIN was given recently (CKF_USER_PIN_COUNT_LOW)" };
  return { locked: false };
}

// --- object helpers --------------------------------------------------------------------------

function findObjects(p11: PKCS11, session: Handle, template: Pkcs11Types.Template): Handle[] {
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

function attribute(p11: PKCS11, session: Handle, object: Handle, type: number): Buffer {
  const [result] = p11.C_GetAttributeValue(session, object, [{ type }]);
  if (!result) throw new Error(`attribute 0x${type.toString(16)} not returned`);
  return result.value;
}

/** CK_ULONG and CK_BBOOL attribute values come back in host byte order and width. */
function ulong(value: Buffer): number {
  if (value.length === 8) return Number(value.readBigUInt64LE());
  if (value.length === 4) return value.readUInt32LE();
  if (value.length === 1) return value[0] as number;
  throw new Error(`unexpected CK_ULONG of ${value.length} octets`);
}

function bool(value: Buffer): boolean {
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

// --- the keystore -------------------------------------------------------------------------------

interface OpenToken {
  readonly description: TokenDescription;
  readonly session: Handle;
  readonly mechanisms: ReadonlySet<number>;
  /** `pkcs11:token=LABEL`, for messages. */
  readonly where: string;
}

interface LabelledObjects {
  privateKey?: Handle;
  publicKey?: Handle;
  /** CKO_DATA DNSKEY records with this label (one expected). */
  records: Handle[];
  /** Private or public keys beyond the first of each class under this label. */
  duplicateKeys: number;
  all: Handle[];
}

export interface Pkcs11OpenParameters {
  /** The URI as given, for `Keystore.uri`. */
  readonly uriText: string;
  readonly modulePath: string;
  readonly moduleEnvironment?: Readonly<Record<string, string>>;
  readonly selector: TokenSelector;
  /** Called once, after the tokens are found, to get the user PIN. */
  readonly pin: () => Promise<string>;
  /** Told what the token's PIN flags warn of, before the login. */
  readonly warn?: (text: string) => void;
}

export async function openPkcs11Keystore(parameters: Pkcs11OpenParameters): Promise<Keystore> {
  const module = acquireModule(parameters.modulePath, parameters.moduleEnvironment);
  const opened: OpenToken[] = [];
  try {
    const tokens = selectTokens(listTokens(module.p11, module.path), parameters.selector, module.path);
    const pin = await parameters.pin();
    for (const description of tokens) {
      const where = describePkcs11Token({ tokenLabel: description.label });
      let session: Handle;
      try {
        session = module.p11.C_OpenSession(description.slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
      } catch (e) {
        throw pkcs11Failure(e, where, "opening a session");
      }
      let mechanisms: Set<number>;
      try {
        mechanisms = new Set(module.p11.C_GetMechanismList(description.slot));
      } catch (e) {
        try {
          module.p11.C_CloseSession(session);
        } catch {
          // Already failing; the original error is the one to report.
        }
        throw pkcs11Failure(e, where, "listing mechanisms");
      }
      // Push before logging in so that a failed login still closes the session. Every token is
      // logged in before the keystore is returned, so every read below sees private objects
      // (the DNSKEY records are CKA_PRIVATE).
      opened.push({ description, session, mechanisms, where });
      login(module, description, session, pin, where, parameters.warn);
    }
    return new Pkcs11Keystore(parameters.uriText, module, opened);
  } catch (e) {
    for (const t of opened) {
      try {
        module.p11.C_CloseSession(t.session);
      } catch {
        // Already failing; the original error is the one to report.
      }
    }
    releaseModule(module);
    throw e;
  }
}

function login(module: LoadedModule, token: TokenDescription, session: Handle, pin: string, where: string, warn?: (text: string) => void): void {
  const digest = createHash("sha256").update(pin, "utf8").digest();
  if (!module.loginPinDigests.has(token.serial)) {
    let flags: number;
    try {
      flags = module.p11.C_GetTokenInfo(token.slot).flags;
    } catch (e) {
      throw pkcs11Failure(e, where, "reading the token's PIN state");
    }
    const state = userPinState(flags);
    if (state.locked) throw keystoreError("PKCS11-PIN_LOCKED", "the user PIN is locked (CKF_USER_PIN_LOCKED); no login attempted", where);
    if (state.warning) warn?.(`${where}: ${state.warning}`);
  }
  try {
    module.p11.C_Login(session, pkcs11js.CKU_USER, pin);
    module.loginPinDigests.set(token.serial, digest);
  } catch (e) {
    if (ckrName(e) !== "CKR_USER_ALREADY_LOGGED_IN") throw pkcs11Failure(e, where, "login");
    // Another keystore of this process logged in: the PIN must be the one it used.
    const previous = module.loginPinDigests.get(token.serial);
    if (!previous || !timingSafeEqual(previous, digest)) {
      throw keystoreError("PKCS11-PIN_INCORRECT", "wrong PIN (CKR_PIN_INCORRECT: differs from the PIN this process logged in with)", where);
    }
  }
}

class Pkcs11Keystore implements Keystore {
  private open = true;

  constructor(
    readonly uri: string,
    private readonly module: LoadedModule,
    private readonly tokens: readonly OpenToken[],
  ) {}

  private get p11(): PKCS11 {
    if (!this.open) throw keystoreError("KEYSTORE-CLOSED", "the keystore has been closed", this.uri);
    return this.module.p11;
  }

  /** Every key object and DNSKEY record of a token, grouped by label. */
  private objectsByLabel(token: OpenToken): Map<string, LabelledObjects> {
    const p11 = this.p11;
    const groups = new Map<string, LabelledObjects>();
    const group = (label: string) => {
      let g = groups.get(label);
      if (!g) {
        g = { records: [], duplicateKeys: 0, all: [] };
        groups.set(label, g);
      }
      return g;
    };
    try {
      for (const [cls, slot] of [
        [pkcs11js.CKO_PRIVATE_KEY, "privateKey"],
        [pkcs11js.CKO_PUBLIC_KEY, "publicKey"],
      ] as const) {
        for (const handle of findObjects(p11, token.session, [{ type: pkcs11js.CKA_CLASS, value: cls }])) {
          const label = attribute(p11, token.session, handle, pkcs11js.CKA_LABEL).toString("utf8");
          const g = group(label);
          g.all.push(handle);
          // Two private (or public) keys under one label are refused when the key is read.
          if (g[slot] === undefined) g[slot] = handle;
          else g.duplicateKeys++;
        }
      }
      for (const handle of findObjects(p11, token.session, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_DATA },
        { type: pkcs11js.CKA_APPLICATION, value: DNSKEY_RECORD_APPLICATION },
      ])) {
        const label = attribute(p11, token.session, handle, pkcs11js.CKA_LABEL).toString("utf8");
        const g = group(label);
        g.all.push(handle);
        g.records.push(handle);
      }
    } catch (e) {
      throw pkcs11Failure(e, token.where, "listing objects");
    }
    return groups;
  }

  /** The DNSKEY of a public key object, checked against the stored record when there is one. */
  private dnskeyOf(token: OpenToken, label: string, objects: LabelledObjects): DnskeyRdata | undefined {
    if (objects.publicKey === undefined) return undefined;
    const p11 = this.p11;
    const session = token.session;
    const handle = objects.publicKey;
    const where = `${token.where};object=${label}`;
    let record: DnskeyRdata | undefined;
    const recordHandles = objects.records;
    if (objects.duplicateKeys > 0) {
      throw keystoreError("PKCS11-DUPLICATE-LABEL", "more than one public or private key carries this label", where);
    }
    if (recordHandles.length > 1) throw keystoreError("PKCS11-DUPLICATE-LABEL", "more than one DNSKEY record carries this label", where);
    try {
      const first = recordHandles[0];
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

  private info(token: OpenToken, label: string, objects: LabelledObjects): KeyPairInfo {
    const p11 = this.p11;
    let protection: KeyPairInfo["protection"];
    if (objects.privateKey !== undefined) {
      try {
        protection = {
          sensitive: bool(attribute(p11, token.session, objects.privateKey, pkcs11js.CKA_SENSITIVE)),
          extractable: bool(attribute(p11, token.session, objects.privateKey, pkcs11js.CKA_EXTRACTABLE)),
        };
      } catch (e) {
        throw pkcs11Failure(e, `${token.where};object=${label}`, "reading key attributes");
      }
    }
    return {
      label,
      location: token.where,
      dnskey: this.dnskeyOf(token, label, objects),
      hasPublicKey: objects.publicKey !== undefined,
      hasPrivateKey: objects.privateKey !== undefined,
      ...(protection ? { protection } : {}),
    };
  }

  async list(): Promise<KeyPairInfo[]> {
    const out: KeyPairInfo[] = [];
    for (const token of this.tokens) {
      for (const [label, objects] of this.objectsByLabel(token)) {
        if (objects.privateKey === undefined && objects.publicKey === undefined) continue; // a lone record
        out.push(this.info(token, label, objects));
      }
    }
    return out.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : a.location.localeCompare(b.location)));
  }

  /** The one token holding objects with this label; refuses none and more than one. */
  private locate(label: string): { token: OpenToken; objects: LabelledObjects } {
    const found: { token: OpenToken; objects: LabelledObjects }[] = [];
    for (const token of this.tokens) {
      const objects = this.objectsByLabel(token).get(label);
      if (objects) found.push({ token, objects });
    }
    const one = found[0];
    if (!one) {
      const where = this.tokens.length === 1 ? (this.tokens[0] as OpenToken).where : `module ${this.module.path}`;
      throw keystoreError("KEY-NOT-FOUND", `no key labelled "${label}"`, where);
    }
    if (found.length > 1) {
      throw keystoreError(
        "KEY-AMBIGUOUS",
        `key label "${label}" exists in ${found.map((f) => f.token.where).join(" and ")}; add token= to the URI`,
        `module ${this.module.path}`,
      );
    }
    return one;
  }

  async find(label: string): Promise<KeyPairInfo> {
    const { token, objects } = this.locate(label);
    return this.info(token, label, objects);
  }

  async signer(label: string): Promise<Signer> {
    const { token, objects } = this.locate(label);
    const where = `${token.where};object=${label}`;
    if (objects.privateKey === undefined) throw keystoreError("KEY-NO-PRIVATE", "the token holds no private key with this label", where);
    const dnskey = this.dnskeyOf(token, label, objects);
    if (!dnskey) throw keystoreError("KEY-NO-PUBLIC", "the token holds no public key with this label, so signatures cannot be verified", where);
    const family = familyOfDnskey(dnskey);
    const { mechanism, prepare, outputOctets } = signingMethod(family, dnskey, token.mechanisms, where);
    const privateKey = objects.privateKey;
    const session = token.session;
    const p11 = this.module.p11;
    return verifiedSigner(
      label,
      where,
      dnskey,
      (data) => {
        try {
          p11.C_SignInit(session, { mechanism }, privateKey);
          return new Uint8Array(p11.C_Sign(session, Buffer.from(prepare(data)), Buffer.alloc(outputOctets)));
        } catch (e) {
          throw pkcs11Failure(e, where, "signing");
        }
      },
      () => this.open,
    );
  }

  async generate(spec: GenerateSpec): Promise<KeyPairInfo> {
    const p11 = this.p11;
    if (this.tokens.length !== 1) {
      throw new KskError("usage", "KEYSTORE-TOKEN-REQUIRED", `the module has ${this.tokens.length} tokens; say which with token=LABEL in the URI`, {
        where: this.uri,
      });
    }
    const token = this.tokens[0] as OpenToken;
    const where = `${token.where};object=${spec.label}`;
    if (!LABEL_PATTERN.test(spec.label)) {
      throw new KskError("usage", "KEY-LABEL", `label "${spec.label}" must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`);
    }
    if (spec.flags !== 256 && spec.flags !== 257) throw new KskError("usage", "KEY-FLAGS", `flags ${spec.flags}: generate 257 (KSK) or 256 (ZSK)`);
    const family = keyFamilyFor(spec.algorithm, spec.rsaModulusBits);
    if (this.objectsByLabel(token).has(spec.label)) throw new KskError("refused", "KEY-LABEL-EXISTS", "a key with this label exists; not replaced", { where });

    const id = Buffer.from(spec.label, "utf8");
    const common = [
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_LABEL, value: spec.label },
      { type: pkcs11js.CKA_ID, value: id },
    ];
    const publicTemplate: Pkcs11Types.Template = [...common, { type: pkcs11js.CKA_PRIVATE, value: false }, { type: pkcs11js.CKA_VERIFY, value: true }];
    const privateTemplate: Pkcs11Types.Template = [
      ...common,
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_SIGN, value: true },
      { type: pkcs11js.CKA_SENSITIVE, value: true },
      { type: pkcs11js.CKA_EXTRACTABLE, value: spec.extractable === true },
    ];
    let mechanism: number;
    if (family.kind === "RSA") {
      mechanism = pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN;
      const e = Buffer.alloc(3);
      e.writeUIntBE(RSA_PUBLIC_EXPONENT, 0, 3);
      publicTemplate.push({ type: pkcs11js.CKA_MODULUS_BITS, value: family.modulusBits }, { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: e });
    } else {
      mechanism = family.kind === "EC" ? pkcs11js.CKM_EC_KEY_PAIR_GEN : CKM_EC_EDWARDS_KEY_PAIR_GEN;
      publicTemplate.push({ type: pkcs11js.CKA_EC_PARAMS, value: Buffer.from(EC_PARAMS[family.curve], "hex") });
      privateTemplate.push({ type: pkcs11js.CKA_DERIVE, value: false });
    }
    // A DNSSEC key signs and nothing else (SoftHSM otherwise defaults decrypt/unwrap to true).
    publicTemplate.push({ type: pkcs11js.CKA_ENCRYPT, value: false }, { type: pkcs11js.CKA_WRAP, value: false });
    privateTemplate.push({ type: pkcs11js.CKA_DECRYPT, value: false }, { type: pkcs11js.CKA_UNWRAP, value: false });
    if (!token.mechanisms.has(mechanism)) {
      throw keystoreError(
        "PKCS11-MECHANISM",
        `the token cannot generate ${family.kind === "RSA" ? "RSA" : family.curve} keys (mechanism 0x${mechanism.toString(16)})`,
        where,
      );
    }
    let pair: Pkcs11Types.KeyPair;
    try {
      pair = p11.C_GenerateKeyPair(token.session, { mechanism }, publicTemplate, privateTemplate);
    } catch (e) {
      throw pkcs11Failure(e, where, "generating the key pair");
    }
    const created: Handle[] = [pair.publicKey, pair.privateKey];
    try {
      const objects: LabelledObjects = { publicKey: pair.publicKey, privateKey: pair.privateKey, records: [], duplicateKeys: 0, all: created };
      const read = this.dnskeyOf(token, spec.label, objects);
      if (!read) throw keystoreError("PKCS11-GENERATE", "the new public key could not be read back", where);
      const dnskey: DnskeyRdata = { ...read, flags: spec.flags, algorithm: spec.algorithm };
      const record = p11.C_CreateObject(token.session, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_DATA },
        { type: pkcs11js.CKA_TOKEN, value: true },
        // Private (visible only after login) and read-only, so that a session without the PIN
        // cannot rewrite a key's recorded flags or RSA algorithm.
        { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_MODIFIABLE, value: false },
        { type: pkcs11js.CKA_LABEL, value: spec.label },
        { type: pkcs11js.CKA_APPLICATION, value: DNSKEY_RECORD_APPLICATION },
        { type: pkcs11js.CKA_VALUE, value: Buffer.from(encodeRdata(dnskey)) },
      ]);
      created.push(record);
      objects.records.push(record);
      const info = this.info(token, spec.label, objects);
      // Read the protection back rather than trust the template: a module may ignore attributes.
      if (!info.protection?.sensitive || info.protection.extractable !== (spec.extractable === true)) {
        throw keystoreError(
          "PKCS11-KEY-PROTECTION",
          `the token did not create the private key as asked (sensitive ${info.protection?.sensitive}, extractable ${info.protection?.extractable})`,
          where,
        );
      }
      return info;
    } catch (e) {
      for (const handle of created) {
        try {
          p11.C_DestroyObject(token.session, handle);
        } catch {
          // Best effort: the original failure is what the operator must see.
        }
      }
      throw pkcs11Failure(e, where, "storing the key pair");
    }
  }

  async delete(label: string): Promise<void> {
    const { token, objects } = this.locate(label);
    for (const handle of objects.all) {
      try {
        this.p11.C_DestroyObject(token.session, handle);
      } catch (e) {
        throw pkcs11Failure(e, `${token.where};object=${label}`, "deleting");
      }
    }
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    try {
      // Closing the last session of a token ends its login (PKCS#11 §5.6); no C_Logout, which
      // would log out another keystore of this process on the same token.
      for (const t of this.tokens) {
        try {
          this.module.p11.C_CloseSession(t.session);
        } catch {
          // The session may already be gone with the token; nothing to release.
        }
      }
    } finally {
      releaseModule(this.module);
    }
  }
}

/** The signing family of an existing key (the RSA size is not needed to sign, hence 0). */
function familyOfDnskey(dnskey: DnskeyRdata): KeyFamily {
  switch (dnskey.algorithm) {
    case 8:
      return { kind: "RSA", hash: "sha256", modulusBits: 0 };
    case 10:
      return { kind: "RSA", hash: "sha512", modulusBits: 0 };
    default:
      return keyFamilyFor(dnskey.algorithm);
  }
}

interface SigningMethod {
  readonly mechanism: number;
  /** What the token is given: the data itself, a host digest, or a DigestInfo. */
  readonly prepare: (data: Uint8Array) => Uint8Array;
  readonly outputOctets: number;
}

function signingMethod(family: KeyFamily, dnskey: DnskeyRdata, mechanisms: ReadonlySet<number>, where: string): SigningMethod {
  const need = (mechanism: number, name: string) => {
    if (!mechanisms.has(mechanism)) throw keystoreError("PKCS11-MECHANISM", `the token does not offer ${name}`, where);
    return mechanism;
  };
  switch (family.kind) {
    case "RSA": {
      // RFC 3110: exponent length (1 or 3 octets), exponent, modulus.
      const k = dnskey.publicKeyBytes;
      const exponentLength = k[0] === 0 ? (((k[1] as number) << 8) | (k[2] as number)) + 3 : (k[0] as number) + 1;
      const outputOctets = k.length - exponentLength;
      const combined = family.hash === "sha256" ? pkcs11js.CKM_SHA256_RSA_PKCS : pkcs11js.CKM_SHA512_RSA_PKCS;
      if (mechanisms.has(combined)) return { mechanism: combined, prepare: (data) => data, outputOctets };
      const prefix = DIGEST_INFO_PREFIX[family.hash];
      return {
        mechanism: need(pkcs11js.CKM_RSA_PKCS, "CKM_RSA_PKCS"),
        prepare: (data) => concatBytes(prefix, createHash(family.hash).update(data).digest()),
        outputOctets,
      };
    }
    case "EC":
      return {
        mechanism: need(pkcs11js.CKM_ECDSA, "CKM_ECDSA"),
        prepare: (data) => createHash(family.hash).update(data).digest(),
        outputOctets: 2 * family.coordinateOctets,
      };
    case "EdDSA":
      return { mechanism: need(CKM_EDDSA, "CKM_EDDSA"), prepare: (data) => data, outputOctets: family.curve === "Ed25519" ? 64 : 114 };
  }
}

// --- token set-up for `ksk hsm init` ------------------------------------------------------------

export interface InitTokenParameters {
  readonly modulePath: string;
  readonly moduleEnvironment?: Readonly<Record<string, string>>;
  readonly tokenLabel: string;
  readonly soPin: string;
  readonly userPin: string;
}

export interface InitTokenResult {
  /** "initialized": a new SoftHSM token was made; "present": a vendor module's token was found. */
  readonly action: "initialized" | "present";
  readonly tokenLabel: string;
  readonly tokenSerial: string;
  readonly moduleManufacturer: string;
}

/**
 * Make a lab token in SoftHSM (C_InitToken on the free slot, then C_InitPIN as SO), or, with any
 * other module, only check that the token is there and the user PIN logs in: initialising a
 * production HSM is the vendor's procedure, not ours. An existing token is never re-initialised
 * (that would erase its keys).
 */
export function initToken(parameters: InitTokenParameters): InitTokenResult {
  const where = describePkcs11Token({ tokenLabel: parameters.tokenLabel });
  if (parameters.tokenLabel.length === 0 || Buffer.byteLength(parameters.tokenLabel) > 32) {
    throw new KskError("usage", "TOKEN-LABEL", "a token label is 1 to 32 octets (PKCS#11 CK_TOKEN_INFO.label)", { where });
  }
  const module = acquireModule(parameters.modulePath, parameters.moduleEnvironment);
  const p11 = module.p11;
  try {
    const moduleManufacturer = padded(p11.C_GetInfo().manufacturerID);
    const tokens = listTokens(p11, module.path);
    const existing = tokens.find((t) => t.initialized && t.label === parameters.tokenLabel);
    if (moduleManufacturer !== "SoftHSM") {
      if (!existing) selectTokens(tokens, { tokenLabel: parameters.tokenLabel }, module.path);
      checkLogin(p11, existing as TokenDescription, parameters.userPin, where);
      return { action: "present", tokenLabel: parameters.tokenLabel, tokenSerial: (existing as TokenDescription).serial, moduleManufacturer };
    }
    if (existing) {
      throw new KskError(
        "refused",
        "TOKEN-EXISTS",
        `a token with this label exists (serial ${existing.serial}); not re-initialised, which would erase its keys`,
        { where },
      );
    }
    const free = tokens.find((t) => !t.initialized);
    if (!free) throw keystoreError("PKCS11-NO-FREE-SLOT", "the module has no uninitialised token to set up", `module ${module.path}`);
    try {
      // CK_TOKEN_INFO.label is 32 blank-padded octets; pkcs11js pads with NULs, which other tools
      // then show as part of the label, so pad here.
      p11.C_InitToken(free.slot, parameters.soPin, parameters.tokenLabel + " ".repeat(32 - Buffer.byteLength(parameters.tokenLabel)));
      const session = p11.C_OpenSession(free.slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
      try {
        p11.C_Login(session, pkcs11js.CKU_SO, parameters.soPin);
        p11.C_InitPIN(session, parameters.userPin);
        p11.C_Logout(session);
      } finally {
        p11.C_CloseSession(session);
      }
    } catch (e) {
      throw pkcs11Failure(e, where, "initialising the token");
    }
    const made = listTokens(p11, module.path).find((t) => t.initialized && t.label === parameters.tokenLabel);
    if (!made) throw keystoreError("PKCS11-INIT", "the token was initialised but is not listed under its label", where);
    checkLogin(p11, made, parameters.userPin, where);
    return { action: "initialized", tokenLabel: made.label, tokenSerial: made.serial, moduleManufacturer };
  } finally {
    releaseModule(module);
  }
}

function checkLogin(p11: PKCS11, token: TokenDescription, pin: string, where: string): void {
  let session: Handle;
  try {
    session = p11.C_OpenSession(token.slot, pkcs11js.CKF_SERIAL_SESSION);
  } catch (e) {
    throw pkcs11Failure(e, where, "opening a session");
  }
  try {
    p11.C_Login(session, pkcs11js.CKU_USER, pin);
    p11.C_Logout(session);
  } catch (e) {
    if (ckrName(e) !== "CKR_USER_ALREADY_LOGGED_IN") throw pkcs11Failure(e, where, "login");
  } finally {
    p11.C_CloseSession(session);
  }
}
