/**
 * The HSM activity log: every PKCS#11 call the keystore makes, with its time, its arguments as an
 * auditor reads them and its return value (CKR_OK or the CKR_* code), as real ceremonies file the
 * HSM's own audit log with the signed script. One JSON object a line:
 *
 *   {"seq":7,"timeUtc":"…","call":"C_SignInit","rv":"CKR_OK","session":"…","mechanism":"CKM_SHA256_RSA_PKCS","key":{"handle":"…","label":"Klabcur"}}
 *
 * What is recorded: C_Initialize, C_GetInfo, C_GetSlotList, C_GetTokenInfo (label, serial,
 * manufacturer, model), C_OpenSession (slot, flags), C_Login (the user type), C_FindObjectsInit
 * (the template, attribute names and values), C_FindObjects (the handles found), C_GetAttributeValue
 * (the attribute names; label and id values), C_SignInit (mechanism, key handle with the label and
 * id read for it), C_Sign (sizes and SHA-256 of the data sent and of the signature returned),
 * C_GenerateKeyPair and C_CreateObject (their templates), C_DestroyObject, C_Logout, C_CloseSession,
 * C_Finalize, and any other C_* call by name. Never a PIN or SO PIN (C_Login, C_InitToken,
 * C_InitPIN record that one was given, not what), never a private value: key material in a
 * template (CKA_VALUE and the RSA private parts) is recorded as its length only, and other long
 * byte values as their length and SHA-256.
 *
 * ./pkcs11-module.ts wraps each module it loads with `withActivityLog`; the log goes where
 * `recordHsmActivity` says (a sink and a clock, injected: `ksk` installs a file sink when
 * $KSK_HSM_LOG names a file, as the ceremony runtime does for each step). With no sink the calls
 * go straight through. This module does not load the pkcs11js addon: its constants are passed in.
 *
 * A PKCS#11 signing pool's threads (./pkcs11-signing-pool.ts) call the module through handles of
 * their own, which the recorder (a main-thread sink) cannot reach: each thread notes its calls
 * (name, arguments, result or CKR_* code, and the time by the system clock when it made them) and
 * sends them with its answers; `foreignCallRecorder` records them here, in the order they arrive,
 * with the same details as a call made on this thread.
 */
import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync } from "node:fs";
import path from "node:path";
import { bytesToHex, sha256 } from "@ksk/core";

export interface HsmLogEntry {
  readonly seq: number;
  readonly timeUtc: string;
  readonly call: string;
  /** CKR_OK, or the CKR_* code the module answered, or `error: …` for a failure without one. */
  readonly rv: string;
  readonly [detail: string]: unknown;
}

export interface HsmActivityRecorder {
  readonly sink: (entry: HsmLogEntry) => void;
  readonly clock: () => Date;
}

let recorder: HsmActivityRecorder | undefined;
let seq = 0;

/** Record every PKCS#11 call from now on to `sink` (undefined: stop recording). */
export function recordHsmActivity(next: HsmActivityRecorder | undefined): void {
  recorder = next;
  seq = 0;
}

/** A sink that appends each entry as one JSON line to `file` and syncs it: a crash keeps what was done. */
export function hsmLogFileSink(file: string): (entry: HsmLogEntry) => void {
  let first = true;
  return (entry) => {
    // The directory is made with the first call: a command that never touches an HSM leaves nothing.
    if (first) mkdirSync(path.dirname(file), { recursive: true });
    first = false;
    const fd = openSync(file, "a", 0o644);
    try {
      appendFileSync(fd, `${JSON.stringify(entry)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  };
}

/** Whether PKCS#11 calls are being recorded now. */
export function hsmActivityRecording(): boolean {
  return recorder !== undefined;
}

/** A PKCS#11 call made by another thread, as it noted it. */
export interface ForeignCall {
  readonly call: string;
  readonly timeUtc: string;
  readonly args: readonly unknown[];
  /** CKR_OK, the CKR_* code, or `error: …`. */
  readonly rv: string;
  readonly result?: unknown;
}

/**
 * Record calls another thread made on the module (dropped when nothing is recording); `keyLabels`
 * names the key handles its C_SignInit calls use (hex of the handle to the label).
 */
export function foreignCallRecorder(constants: Pkcs11Constants, keyLabels: ReadonlyMap<string, string>): (calls: readonly ForeignCall[]) => void {
  let names: Names | undefined;
  const keys: KeyNames = new Map([...keyLabels].map(([handle, label]) => [handle, { label }]));
  return (calls) => {
    const active = recorder;
    if (active === undefined) return;
    names ??= namesOf(constants);
    for (const c of calls) {
      const result = c.rv === "CKR_OK" ? c.result : undefined;
      active.sink({ seq: ++seq, timeUtc: c.timeUtc, call: c.call, rv: c.rv, ...details(c.call, [...c.args], result, names, keys) });
    }
  };
}

/** Parse a log file's text back into entries (the report and the tests read it). */
export function parseHsmLog(text: string): HsmLogEntry[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as HsmLogEntry);
}

/** The pkcs11js constants the log names values with (CKA_*, CKO_*, CKK_*, CKM_*, CKU_*). */
export type Pkcs11Constants = Readonly<Record<string, unknown>>;

type Names = Readonly<Record<"CKA" | "CKO" | "CKK" | "CKM" | "CKU", ReadonlyMap<number, string>>>;

function namesOf(constants: Pkcs11Constants): Names {
  const maps = { CKA: new Map(), CKO: new Map(), CKK: new Map(), CKM: new Map(), CKU: new Map() } as Record<keyof Names, Map<number, string>>;
  // Sorted so that of two aliases (CKM_ECDSA_KEY_PAIR_GEN = CKM_EC_KEY_PAIR_GEN) the same one is named every time.
  for (const name of Object.keys(constants).sort()) {
    const value = constants[name];
    const prefix = name.split("_")[0] as keyof Names;
    if (typeof value === "number" && prefix in maps && !maps[prefix].has(value)) maps[prefix].set(value, name);
  }
  return maps;
}

const SHOWN_BYTES = 32;

function bytesValue(value: Uint8Array): string {
  if (value.length <= SHOWN_BYTES) return bytesToHex(value);
  return `${value.length} bytes, SHA-256 ${bytesToHex(sha256(value))}`;
}

function handleHex(handle: unknown): string {
  return handle instanceof Uint8Array ? bytesToHex(handle) : String(handle);
}

const TEXT_ATTRIBUTES = new Set(["CKA_LABEL", "CKA_APPLICATION"]);
/**
 * Attributes that may carry key material in a template (a KEK created from officers' shares for an
 * unwrap is a CKA_VALUE of 32 octets): only their length is recorded, never the value or a digest.
 */
const SECRET_ATTRIBUTES = new Set(["CKA_VALUE", "CKA_PRIVATE_EXPONENT", "CKA_PRIME_1", "CKA_PRIME_2", "CKA_EXPONENT_1", "CKA_EXPONENT_2", "CKA_COEFFICIENT"]);

function attributeValue(names: Names, type: string, value: unknown): unknown {
  if (typeof value === "number") {
    if (type === "CKA_CLASS") return names.CKO.get(value) ?? value;
    if (type === "CKA_KEY_TYPE") return names.CKK.get(value) ?? value;
    return value;
  }
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (value instanceof Uint8Array && SECRET_ATTRIBUTES.has(type)) return { octets: value.length, value: "not recorded" };
  if (value instanceof Uint8Array) return TEXT_ATTRIBUTES.has(type) && value.length <= 64 ? Buffer.from(value).toString("utf8") : bytesValue(value);
  return value === undefined ? null : String(value);
}

function template(names: Names, t: unknown): unknown[] {
  if (!Array.isArray(t)) return [];
  return t.map((a: { type: number; value?: unknown }) => {
    const type = names.CKA.get(a.type) ?? `0x${a.type.toString(16)}`;
    return a.value === undefined ? { type } : { type, value: attributeValue(names, type, a.value) };
  });
}

function rvOf(e: unknown): string {
  const m = /\b(CKR_[A-Z0-9_]+)\b/.exec((e as Error)?.message ?? "");
  return m?.[1] ?? `error: ${String((e as Error)?.message ?? e).split("\n")[0]}`;
}

/** Labels and ids read for each object handle, so a C_SignInit names the key it uses. */
type KeyNames = Map<string, { label?: string; id?: string }>;

function trimmed(text: string): string {
  // PKCS#11 strings are blank-padded; some modules end them with NULs.
  return (text.split(String.fromCharCode(0))[0] ?? "").trimEnd();
}

/** What each call's arguments (and its result, when it succeeded) say, for the log. */
function details(call: string, args: unknown[], result: unknown, names: Names, keys: KeyNames): Record<string, unknown> {
  const [first, second] = args;
  switch (call) {
    case "C_GetSlotList":
      return { tokenPresent: Boolean(first), ...(Array.isArray(result) ? { slots: result.map(handleHex) } : {}) };
    case "C_GetTokenInfo": {
      const info = result as { label?: string; serialNumber?: string; manufacturerID?: string; model?: string } | undefined;
      return {
        slot: handleHex(first),
        ...(info
          ? {
              label: trimmed(info.label ?? ""),
              serial: trimmed(info.serialNumber ?? ""),
              manufacturer: trimmed(info.manufacturerID ?? ""),
              model: trimmed(info.model ?? ""),
            }
          : {}),
      };
    }
    case "C_GetInfo": {
      const info = result as { manufacturerID?: string; libraryDescription?: string } | undefined;
      return info ? { manufacturer: trimmed(info.manufacturerID ?? ""), library: trimmed(info.libraryDescription ?? "") } : {};
    }
    case "C_OpenSession":
      return { slot: handleHex(first), flags: `0x${Number(second).toString(16)}`, ...(result === undefined ? {} : { session: handleHex(result) }) };
    case "C_Login":
      // The PIN (third argument) is never recorded.
      return { session: handleHex(first), userType: names.CKU.get(Number(second)) ?? second, pin: "given, not recorded" };
    case "C_InitToken":
      return { slot: handleHex(first), label: typeof args[2] === "string" ? trimmed(args[2]) : null, soPin: "given, not recorded" };
    case "C_InitPIN":
      return { session: handleHex(first), pin: "given, not recorded" };
    case "C_FindObjectsInit":
      return { session: handleHex(first), template: template(names, second) };
    case "C_FindObjects":
      return { session: handleHex(first), ...(Array.isArray(result) ? { found: result.map(handleHex) } : {}) };
    case "C_GetAttributeValue": {
      const asked = template(names, second).map((a) => (a as { type: string }).type);
      const out: Record<string, unknown> = { object: handleHex(args[1]), attributes: asked };
      if (Array.isArray(result)) {
        const key = keys.get(handleHex(args[1])) ?? {};
        for (const a of result as { type: number; value: Uint8Array }[]) {
          const type = names.CKA.get(a.type);
          if (type === "CKA_LABEL") out.label = key.label = Buffer.from(a.value).toString("utf8");
          if (type === "CKA_ID") out.id = key.id = bytesToHex(a.value);
        }
        keys.set(handleHex(args[1]), key);
      }
      return { session: handleHex(first), ...out };
    }
    case "C_SignInit": {
      const m = second as { mechanism: number; parameter?: unknown };
      const handle = handleHex(args[2]);
      return { session: handleHex(first), mechanism: names.CKM.get(m.mechanism) ?? `0x${m.mechanism.toString(16)}`, key: { handle, ...keys.get(handle) } };
    }
    case "C_Sign": {
      const data = second as Uint8Array;
      const signature = result as Uint8Array | undefined;
      return {
        session: handleHex(first),
        dataBytes: data.length,
        dataSha256Hex: bytesToHex(sha256(data)),
        ...(signature ? { signatureBytes: signature.length, signatureSha256Hex: bytesToHex(sha256(signature)) } : {}),
      };
    }
    case "C_GenerateKeyPair": {
      const pair = result as { publicKey?: unknown; privateKey?: unknown } | undefined;
      return {
        session: handleHex(first),
        mechanism: names.CKM.get((second as { mechanism: number }).mechanism) ?? null,
        publicTemplate: template(names, args[2]),
        privateTemplate: template(names, args[3]),
        ...(pair ? { publicKey: handleHex(pair.publicKey), privateKey: handleHex(pair.privateKey) } : {}),
      };
    }
    case "C_CreateObject":
      return { session: handleHex(first), template: template(names, second), ...(result === undefined ? {} : { object: handleHex(result) }) };
    case "C_DestroyObject":
      return { session: handleHex(first), object: handleHex(second) };
    case "C_Logout":
    case "C_CloseSession":
    case "C_FindObjectsFinal":
      return { session: handleHex(first) };
    case "C_GetMechanismList":
      return { slot: handleHex(first), ...(Array.isArray(result) ? { mechanisms: result.length } : {}) };
    default:
      return {};
  }
}

/**
 * `p11` with every `C_*` call recorded while a recorder is installed (the call itself unchanged:
 * same arguments, same result, same exception).
 */
export function withActivityLog<T extends object>(p11: T, constants: Pkcs11Constants): T {
  let names: Names | undefined;
  const keys: KeyNames = new Map();
  return new Proxy(p11, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      // The addon's methods need the real object as `this`.
      if (typeof property !== "string" || !property.startsWith("C_")) return (value as (...a: unknown[]) => unknown).bind(target);
      return (...args: unknown[]) => {
        const active = recorder;
        if (active === undefined) return (value as (...a: unknown[]) => unknown).apply(target, args);
        names ??= namesOf(constants);
        const timeUtc = active.clock().toISOString();
        let result: unknown;
        try {
          result = (value as (...a: unknown[]) => unknown).apply(target, args);
        } catch (e) {
          active.sink({ seq: ++seq, timeUtc, call: property, rv: rvOf(e), ...details(property, args, undefined, names, keys) });
          throw e;
        }
        active.sink({ seq: ++seq, timeUtc, call: property, rv: "CKR_OK", ...details(property, args, result, names, keys) });
        return result;
      };
    },
  });
}
