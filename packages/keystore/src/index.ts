/**
 * @ksk/keystore — where private keys live: PKCS#11 tokens (SoftHSM2 in the lab, a vendor HSM in
 * production) and an encrypted software keystore for rehearsals. Both give @ksk/core `Signer`s
 * whose every signature is verified in software before it is returned. Open one with
 * `openKeystore(uri, options)`; see the README for URIs, secrets and what is left out.
 */
export { DIGEST_INFO_PREFIX, type KeyFamily, RSA_MODULUS_BITS, RSA_PUBLIC_EXPONENT, keyFamilyFor } from "./key-algorithms.js";
export { type HsmActivityRecorder, type HsmLogEntry, hsmLogFileSink, parseHsmLog, recordHsmActivity } from "./pkcs11-log.js";
export { SECRET_FILE_MAX_BYTES, readSecretFileText } from "./secret-file.js";
export { type Recombined, type ShareSources, readShareDirectory, recombineFromShares } from "./share-dir.js";
export {
  KEYSTORE_ENV,
  type KeyModule,
  loadSecretFile,
  moduleEnvironment,
  openKeyInModules,
  openKeystore,
  openTokenHoldingKey,
  resolveModulePath,
  secretFromFileText,
  secretFromShares,
  type TokenKeyLookup,
} from "./open.js";
// Types only from ./pkcs11.ts: importing its values would load the native addon for every user
// of this package (see ./pkcs11-lazy.ts).
export type { InitTokenParameters, InitTokenResult, TokenDescription } from "./pkcs11.js";
export { initToken, openPkcs11Keystore, tokensHoldingLabel } from "./pkcs11-lazy.js";
export { type KeystorePublicKey, keystorePublicKeys } from "./public-keys.js";
export { DEFAULT_SCRYPT, SOFTWARE_KEY_FORMAT, type ScryptParameters, exportSoftwarePrivateKey, openSoftwareKeystore } from "./software.js";
export {
  type GenerateSpec,
  type HsmToken,
  type KeyPairInfo,
  type Keystore,
  LABEL_PATTERN,
  type OpenOptions,
  type SignerOptions,
  type WrappedKeyExport,
  type WrappingKeystore,
  isWrappingKeystore,
} from "./types.js";
// Types only from ./pkcs11-wrap.ts, for the same reason as ./pkcs11.ts below.
export type { PublicKeyAttributes, UnwrapRequest, WrappedKey, WrappedKeyProtection } from "./pkcs11-wrap.js";
export { type FileKeystoreUri, type KeystoreUri, type Pkcs11Uri, describePkcs11Token, parseKeystoreUri } from "./uri.js";
export { verifiedSigner } from "./verified-signer.js";
export { type VerifyingPool, verifyingPool } from "./verifying-pool.js";
