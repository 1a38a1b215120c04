/**
 * Wrapping a private key out of a token and unwrapping it into another, for a KSK backup carried
 * between facilities: CKM_AES_KEY_WRAP_PAD (RFC 5649, AES key wrap with padding; PKCS#11 v2.40
 * §2.14) under a fresh AES-256 key-encryption key (KEK).
 *
 * Wrap: the KEK is generated in the token as a session object (CKA_TOKEN false, so it is never
 * stored), with CKA_EXTRACTABLE true and CKA_SENSITIVE false so that its value can be read once and
 * split among officers; it wraps the private key and is destroyed before this returns. The caller
 * gets the KEK's octets and must drop them as soon as they are split.
 *
 * Unwrap: the KEK is created from the recombined octets as a session object, unwraps the key into
 * the token as CKA_SENSITIVE, not CKA_EXTRACTABLE, CKA_SIGN only, and is destroyed. RFC 5649 §3's
 * integrity check (the alternative initial value and the padding length) makes a changed wrapped
 * key or a wrong KEK fail in the token (CKR_WRAPPED_KEY_INVALID or CKR_ENCRYPTED_DATA_INVALID).
 *
 * What SoftHSM 2.6.1 enforces, measured: CKA_EXTRACTABLE false refuses the wrap
 * (CKR_KEY_UNEXTRACTABLE); CKA_WRAP_WITH_TRUSTED true refuses a KEK without CKA_TRUSTED
 * (CKR_KEY_NOT_WRAPPABLE) and cannot be reset (CKR_ATTRIBUTE_READ_ONLY); CKA_TRUSTED can be set by
 * the security officer only (a user gets CKR_ATTRIBUTE_READ_ONLY). The KEK here is the user's, so a
 * key to back up must be extractable and not wrap-with-trusted; see docs/custody.md for what a
 * production HSM enforces instead.
 *
 * Left out: other wrapping mechanisms (CKM_AES_KEY_WRAP without padding cannot wrap a PKCS#8 key
 * whose length is not a multiple of eight; RSA-OAEP wrapping needs a public key at the other
 * facility first), CKA_UNWRAP_TEMPLATE, trusted KEKs made by the security officer.
 */
import { KskError } from "@ksk/core";
import { type Handle, type PKCS11, type Template, keystoreError, pkcs11Failure, pkcs11js } from "./pkcs11-module.js";
import { attribute, bool, ulong } from "./pkcs11-attributes.js";

/** RFC 5649 key wrap with padding, and the AES key generation the KEK needs. */
export const WRAP_MECHANISMS = [
  { mechanism: pkcs11js.CKM_AES_KEY_WRAP_PAD, name: "CKM_AES_KEY_WRAP_PAD (RFC 5649)" },
  { mechanism: pkcs11js.CKM_AES_KEY_GEN, name: "CKM_AES_KEY_GEN" },
] as const;
export const KEK_OCTETS = 32;
/**
 * How a token reports a wrapped key that fails RFC 5649's integrity check (§3: the alternative
 * initial value and the padding length are checked after decryption): PKCS#11 names
 * CKR_WRAPPED_KEY_INVALID and CKR_ENCRYPTED_DATA_INVALID; SoftHSM 2.6.1, measured, answers
 * CKR_GENERAL_ERROR (its unwrap returns a bare failure). C_UnwrapKey has nothing else to fail on
 * once the KEK is loaded and the mechanism offered, so that is taken as the same verdict.
 */
const INTEGRITY_FAILURES = new Set(["PKCS11-WRAPPED_KEY_INVALID", "PKCS11-ENCRYPTED_DATA_INVALID", "PKCS11-WRAPPED_KEY_LEN_RANGE", "PKCS11-GENERAL_ERROR"]);
/** An RSA-4096 PKCS#8 key wrapped is about 2.4 KiB; this is ample. */
const WRAPPED_MAX_OCTETS = 8192;

/** The public half of a key as the token holds it, enough to recreate the public key object. */
export type PublicKeyAttributes =
  | { readonly keyType: "rsa"; readonly modulusBytes: Uint8Array; readonly publicExponentBytes: Uint8Array }
  | { readonly keyType: "ec" | "ec-edwards"; readonly ecParamsBytes: Uint8Array; readonly ecPointBytes: Uint8Array };

/** The protection a private key had when it was wrapped, as the token reported it. */
export interface WrappedKeyProtection {
  readonly sensitive: boolean;
  readonly extractable: boolean;
  readonly wrapWithTrusted: boolean;
}

export interface WrappedKey {
  readonly wrappedKeyBytes: Uint8Array;
  /** The KEK's value: split it among officers, then drop it. */
  readonly kekBytes: Uint8Array;
  readonly publicKey: PublicKeyAttributes;
  readonly protection: WrappedKeyProtection;
}

export function requireWrapMechanisms(mechanisms: ReadonlySet<number>, where: string): void {
  for (const { mechanism, name } of WRAP_MECHANISMS) {
    if (!mechanisms.has(mechanism)) throw keystoreError("PKCS11-MECHANISM", `the token does not offer ${name}, which a backup and restore need`, where);
  }
}

function publicKeyAttributes(p11: PKCS11, session: Handle, publicKey: Handle): PublicKeyAttributes {
  const keyType = ulong(attribute(p11, session, publicKey, pkcs11js.CKA_KEY_TYPE));
  if (keyType === pkcs11js.CKK_RSA) {
    return {
      keyType: "rsa",
      modulusBytes: new Uint8Array(attribute(p11, session, publicKey, pkcs11js.CKA_MODULUS)),
      publicExponentBytes: new Uint8Array(attribute(p11, session, publicKey, pkcs11js.CKA_PUBLIC_EXPONENT)),
    };
  }
  return {
    keyType: keyType === pkcs11js.CKK_EC ? "ec" : "ec-edwards",
    ecParamsBytes: new Uint8Array(attribute(p11, session, publicKey, pkcs11js.CKA_EC_PARAMS)),
    ecPointBytes: new Uint8Array(attribute(p11, session, publicKey, pkcs11js.CKA_EC_POINT)),
  };
}

/** PKCS#11 key type numbers; CKK_EC_EDWARDS (0x40) is PKCS#11 3.0 and not in pkcs11js. */
function keyTypeNumber(keyType: PublicKeyAttributes["keyType"]): number {
  return keyType === "rsa" ? pkcs11js.CKK_RSA : keyType === "ec" ? pkcs11js.CKK_EC : 0x40;
}

function destroyQuietly(p11: PKCS11, session: Handle, handle: Handle): void {
  try {
    p11.C_DestroyObject(session, handle);
  } catch {
    // A session object goes with the session anyway; the original outcome is what matters.
  }
}

/** Wrap a private key under a fresh KEK (see the header). */
export function wrapPrivateKey(
  p11: PKCS11,
  session: Handle,
  keys: { readonly privateKey: Handle; readonly publicKey: Handle },
  mechanisms: ReadonlySet<number>,
  where: string,
): WrappedKey {
  requireWrapMechanisms(mechanisms, where);
  let protection: WrappedKeyProtection;
  let publicKey: PublicKeyAttributes;
  try {
    protection = {
      sensitive: bool(attribute(p11, session, keys.privateKey, pkcs11js.CKA_SENSITIVE)),
      extractable: bool(attribute(p11, session, keys.privateKey, pkcs11js.CKA_EXTRACTABLE)),
      wrapWithTrusted: bool(attribute(p11, session, keys.privateKey, pkcs11js.CKA_WRAP_WITH_TRUSTED)),
    };
    publicKey = publicKeyAttributes(p11, session, keys.publicKey);
  } catch (e) {
    throw pkcs11Failure(e, where, "reading the key's attributes");
  }
  if (!protection.extractable) {
    throw keystoreError("PKCS11-KEY-UNEXTRACTABLE", "the private key is not extractable (CKA_EXTRACTABLE false), so it cannot be wrapped for a backup", where);
  }
  if (protection.wrapWithTrusted) {
    throw keystoreError(
      "PKCS11-KEY-NOT-WRAPPABLE",
      "the private key may be wrapped only with a trusted KEK (CKA_WRAP_WITH_TRUSTED), which a user cannot make",
      where,
    );
  }
  let kek: Handle;
  try {
    kek = p11.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
      { type: pkcs11js.CKA_TOKEN, value: false },
      { type: pkcs11js.CKA_VALUE_LEN, value: KEK_OCTETS },
      { type: pkcs11js.CKA_WRAP, value: true },
      { type: pkcs11js.CKA_SENSITIVE, value: false },
      { type: pkcs11js.CKA_EXTRACTABLE, value: true },
    ]);
  } catch (e) {
    throw pkcs11Failure(e, where, "generating the key-encryption key");
  }
  try {
    const kekBytes = new Uint8Array(attribute(p11, session, kek, pkcs11js.CKA_VALUE));
    if (kekBytes.length !== KEK_OCTETS) throw keystoreError("PKCS11-KEK", `the token made a KEK of ${kekBytes.length} octets, not ${KEK_OCTETS}`, where);
    const wrapped = p11.C_WrapKey(session, { mechanism: pkcs11js.CKM_AES_KEY_WRAP_PAD }, kek, keys.privateKey, Buffer.alloc(WRAPPED_MAX_OCTETS));
    return { wrappedKeyBytes: new Uint8Array(wrapped), kekBytes, publicKey, protection };
  } catch (e) {
    throw pkcs11Failure(e, where, "wrapping the key");
  } finally {
    destroyQuietly(p11, session, kek);
  }
}

export interface UnwrapRequest {
  readonly label: string;
  readonly wrappedKeyBytes: Uint8Array;
  readonly kekBytes: Uint8Array;
  readonly publicKey: PublicKeyAttributes;
}

/**
 * Unwrap a private key into the token and create its public key beside it; returns both handles
 * (the caller destroys them if a later check fails). The KEK lives only in this call.
 */
export function unwrapPrivateKey(
  p11: PKCS11,
  session: Handle,
  request: UnwrapRequest,
  mechanisms: ReadonlySet<number>,
  where: string,
): { privateKey: Handle; publicKey: Handle } {
  requireWrapMechanisms(mechanisms, where);
  const keyType = keyTypeNumber(request.publicKey.keyType);
  const common: Template = [
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_LABEL, value: request.label },
    { type: pkcs11js.CKA_ID, value: Buffer.from(request.label, "utf8") },
    { type: pkcs11js.CKA_KEY_TYPE, value: keyType },
  ];
  let kek: Handle;
  try {
    kek = p11.C_CreateObject(session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
      { type: pkcs11js.CKA_TOKEN, value: false },
      { type: pkcs11js.CKA_UNWRAP, value: true },
      { type: pkcs11js.CKA_VALUE, value: Buffer.from(request.kekBytes) },
    ]);
  } catch (e) {
    throw pkcs11Failure(e, where, "loading the key-encryption key");
  }
  let privateKey: Handle;
  try {
    privateKey = p11.C_UnwrapKey(session, { mechanism: pkcs11js.CKM_AES_KEY_WRAP_PAD }, kek, Buffer.from(request.wrappedKeyBytes), [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
      ...common,
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_SENSITIVE, value: true },
      { type: pkcs11js.CKA_EXTRACTABLE, value: false },
      { type: pkcs11js.CKA_SIGN, value: true },
      { type: pkcs11js.CKA_DECRYPT, value: false },
      { type: pkcs11js.CKA_UNWRAP, value: false },
      ...(request.publicKey.keyType === "rsa" ? [] : [{ type: pkcs11js.CKA_DERIVE, value: false }]),
    ]);
  } catch (e) {
    const failure = pkcs11Failure(e, where, "unwrapping the key");
    if (INTEGRITY_FAILURES.has(failure.code)) {
      // Bad input, not a failing HSM: the wrapped octets or the recombined KEK are wrong.
      throw new KskError(
        "input",
        "BACKUP-INTEGRITY",
        `the wrapped key fails RFC 5649's integrity check (${failure.detail}): the backup was changed or the shares are not its KEK's`,
        { where },
      );
    }
    throw failure;
  } finally {
    destroyQuietly(p11, session, kek);
  }
  const pk = request.publicKey;
  try {
    const publicKey = p11.C_CreateObject(session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
      ...common,
      { type: pkcs11js.CKA_PRIVATE, value: false },
      { type: pkcs11js.CKA_VERIFY, value: true },
      { type: pkcs11js.CKA_ENCRYPT, value: false },
      { type: pkcs11js.CKA_WRAP, value: false },
      ...(pk.keyType === "rsa"
        ? [
            { type: pkcs11js.CKA_MODULUS, value: Buffer.from(pk.modulusBytes) },
            { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from(pk.publicExponentBytes) },
          ]
        : [
            { type: pkcs11js.CKA_EC_PARAMS, value: Buffer.from(pk.ecParamsBytes) },
            { type: pkcs11js.CKA_EC_POINT, value: Buffer.from(pk.ecPointBytes) },
          ]),
    ]);
    return { privateKey, publicKey };
  } catch (e) {
    destroyQuietly(p11, session, privateKey);
    throw pkcs11Failure(e, where, "creating the public key");
  }
}
