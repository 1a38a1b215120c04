/**
 * The PKCS#11 keystore's entry points, loading ./pkcs11.ts — and with it the pkcs11js native
 * addon — only when a `pkcs11:` keystore is opened or a token initialised. Commands that never
 * touch an HSM (`ksk ds`, `ksk words`, a `file:` keystore) thus neither pay for the addon nor fail
 * when it cannot be loaded.
 */
import { KskError } from "@ksk/core";
import type { InitTokenParameters, InitTokenResult, Pkcs11OpenParameters } from "./pkcs11.js";
import type { Keystore } from "./types.js";

async function loadPkcs11(where: string): Promise<typeof import("./pkcs11.js")> {
  try {
    return await import("./pkcs11.js");
  } catch (e) {
    throw new KskError("keystore", "PKCS11-ADDON", `cannot load the PKCS#11 support (pkcs11js): ${(e as Error)?.message ?? String(e)}`, { where });
  }
}

export async function openPkcs11Keystore(parameters: Pkcs11OpenParameters): Promise<Keystore> {
  return (await loadPkcs11(parameters.uriText)).openPkcs11Keystore(parameters);
}

export async function initToken(parameters: InitTokenParameters): Promise<InitTokenResult> {
  return (await loadPkcs11(parameters.modulePath)).initToken(parameters);
}
