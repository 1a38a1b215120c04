/**
 * Lab-only token set-up for `ksk hsm init`: with SoftHSM, C_InitToken on the free slot and
 * C_InitPIN as the security officer (PKCS#11 v2.40 §5.6, §5.7); with any other module, only a check
 * that the token is there and the user PIN logs in, since initialising a production HSM is the
 * vendor's procedure, not ours.
 *
 * Left out: re-initialising a token (it would erase its keys), SO PIN changes, vendor set-up.
 */
import { KskError } from "@ksk/core";
import { type Handle, type LoadedModule, acquireModule, keystoreError, pkcs11Failure, pkcs11js, releaseModule } from "./pkcs11-module.js";
import { type TokenDescription, listTokens, login, padded, selectTokens } from "./pkcs11-token.js";
import { describePkcs11Token } from "./uri.js";

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
      checkLogin(module, existing as TokenDescription, parameters.userPin, where);
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
        // A token initialised just now has no other session: this logs out only our SO login.
        p11.C_Logout(session);
      } finally {
        p11.C_CloseSession(session);
      }
    } catch (e) {
      throw pkcs11Failure(e, where, "initialising the token");
    }
    const made = listTokens(p11, module.path).find((t) => t.initialized && t.label === parameters.tokenLabel);
    if (!made) throw keystoreError("PKCS11-INIT", "the token was initialised but is not listed under its label", where);
    checkLogin(module, made, parameters.userPin, where);
    return { action: "initialized", tokenLabel: made.label, tokenSerial: made.serial, moduleManufacturer };
  } finally {
    releaseModule(module);
  }
}

/**
 * Check that the user PIN logs in, and leave the token as it was found: C_Logout only when this
 * check made the login (see ./pkcs11-token.ts), never one another keystore of this process holds.
 */
function checkLogin(module: LoadedModule, token: TokenDescription, pin: string, where: string): void {
  const p11 = module.p11;
  let session: Handle;
  try {
    session = p11.C_OpenSession(token.slot, pkcs11js.CKF_SERIAL_SESSION);
  } catch (e) {
    throw pkcs11Failure(e, where, "opening a session");
  }
  try {
    if (login(module, token, session, pin, where)) p11.C_Logout(session);
  } catch (e) {
    throw pkcs11Failure(e, where, "login");
  } finally {
    p11.C_CloseSession(session);
  }
}
