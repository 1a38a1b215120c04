/**
 * PKCS#11 token selection and login: tokens found by label, serial, manufacturer or model (RFC 7512
 * `token=`, `serial=`, `manufacturer=`, `model=`), never by slot number, since modules renumber
 * slots (SoftHSM on every initialisation); the user-PIN flags read before a login (PKCS#11 v2.40
 * §5.7.1 CK_TOKEN_INFO), so a locked PIN is never tried; and the login itself.
 *
 * Login state is per application and token (PKCS#11 v2.40 §5.6): every session of this process on
 * a token shares it. Hence a second C_Login answers CKR_USER_ALREADY_LOGGED_IN without checking
 * the PIN, which the PIN digests of ./pkcs11-module.ts make up for; and C_Logout, which would end
 * the login of every other keystore of this process on the token, is only ever called right after
 * a C_Login of our own succeeded — when, by the rule above, no other session was logged in.
 *
 * Left out: CKA_ALWAYS_AUTHENTICATE (context-specific login), protected authentication paths
 * (PIN pads), C_WaitForSlotEvent.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { findObjects } from "./pkcs11-attributes.js";
import { type Handle, type LoadedModule, type PKCS11, acquireModule, ckrName, keystoreError, pkcs11Failure, pkcs11js, releaseModule } from "./pkcs11-module.js";
import { describePkcs11Token } from "./uri.js";

/** PKCS#11 pads CK_UTF8CHAR fields with blanks; some modules (and pkcs11js on write) with NULs. */
export function padded(text: string): string {
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

export function selectTokens(tokens: readonly TokenDescription[], selector: TokenSelector, modulePath: string): TokenDescription[] {
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

/**
 * Log the user in on a session of this token, refusing a locked PIN before trying it and warning of
 * a low count or final try. True when this call logged the token in; false when another session of
 * this process already had (the PIN then must equal the one it used).
 */
export function login(module: LoadedModule, token: TokenDescription, session: Handle, pin: string, where: string, warn?: (text: string) => void): boolean {
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
    return true;
  } catch (e) {
    if (ckrName(e) !== "CKR_USER_ALREADY_LOGGED_IN") throw pkcs11Failure(e, where, "login");
    // Another keystore of this process logged in: the PIN must be the one it used.
    const previous = module.loginPinDigests.get(token.serial);
    if (!previous || !timingSafeEqual(previous, digest)) {
      throw keystoreError("PKCS11-PIN_INCORRECT", "wrong PIN (CKR_PIN_INCORRECT: differs from the PIN this process logged in with)", where);
    }
    return false;
  }
}
