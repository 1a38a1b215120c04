/**
 * PKCS#11 module lifecycle and errors: the one place that loads the pkcs11js native addon (a 1:1
 * binding of the C API), one module load and one C_Initialize per process and module path, and
 * the translation of PKCS#11 failures (CKR_* codes) into one-line KskErrors of kind "keystore",
 * e.g. `pkcs11:token=ksk-lab: wrong PIN (CKR_PIN_INCORRECT)`.
 *
 * Why one C_Initialize: a second C_Initialize in the same process fails with
 * CKR_CRYPTOKI_ALREADY_INITIALIZED (PKCS#11 v2.40 §5.4), so modules are reference-counted and
 * C_Finalize runs when the last user releases one.
 *
 * Only the other pkcs11-*.ts modules and ./pkcs11.ts import this file; everything else goes through
 * ./pkcs11-lazy.ts, so the addon loads only when a `pkcs11:` keystore is opened.
 *
 * C_Initialize asks for CKF_OS_LOCKING_OK (PKCS#11 v2.40 §5.4): a PKCS#11 signing pool
 * (./pkcs11-signing-pool.ts) calls the module from worker threads, each on its own session, and a
 * module initialised without it may assume one thread (SoftHSM then turns its mutexes off). A
 * module that cannot lock (CKR_CANT_LOCK) is initialised without the flag and used from the main
 * thread only (`osLocking` false).
 *
 * Left out: PKCS#11 3.0 interfaces (C_GetInterface), C_WaitForSlotEvent, application-supplied
 * locking callbacks (CreateMutex and friends).
 */
import { createRequire } from "node:module";
import { KskError, isKskError } from "@ksk/core";
import type * as Pkcs11Types from "pkcs11js";
import { type Pkcs11Constants, withActivityLog } from "./pkcs11-log.js";

// pkcs11js is CommonJS with runtime-built exports; require() it so it works the same under tsx,
// vitest and plain node.
const requireHere = createRequire(import.meta.url);
export const pkcs11js = requireHere("pkcs11js") as typeof Pkcs11Types;
/** Where the addon was loaded from, for worker threads that load it themselves. */
export const pkcs11jsPath = requireHere.resolve("pkcs11js");
export type Handle = Buffer;
export type PKCS11 = Pkcs11Types.PKCS11;
export type Template = Pkcs11Types.Template;
export type KeyPair = Pkcs11Types.KeyPair;

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

export function ckrName(e: unknown): string | undefined {
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

export function keystoreError(code: string, detail: string, where: string): KskError {
  return new KskError("keystore", code, detail, { where });
}

// --- modules: one load and one C_Initialize per process and path ---------------------------

export interface LoadedModule {
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
  /** Initialised with CKF_OS_LOCKING_OK: other threads of this process may call it too. */
  readonly osLocking: boolean;
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
  // Every call through this module's handle goes to the HSM activity log when one is recording.
  const p11 = withActivityLog(new pkcs11js.PKCS11(), pkcs11js as unknown as Pkcs11Constants);
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
  let osLocking = true;
  try {
    try {
      p11.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
    } catch (e) {
      if (ckrName(e) !== "CKR_CANT_LOCK") throw e;
      osLocking = false;
      p11.C_Initialize();
    }
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
  const module: LoadedModule = { p11, path: modulePath, environment, references: 1, loginPinDigests: new Map(), osLocking };
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

/** The paths of the modules this process holds initialised now, in the order they were loaded. */
export function initialisedModulePaths(): string[] {
  return [...loaded.keys()];
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}
