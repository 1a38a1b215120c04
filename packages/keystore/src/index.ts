/**
 * @ksk/keystore — where private keys live: PKCS#11 tokens (SoftHSM2 in the lab, a vendor HSM in
 * production) and an encrypted software keystore for rehearsals. Both give @ksk/core `Signer`s
 * whose every signature is verified in software before it is returned. Open one with
 * `openKeystore(uri, options)`; see the README for URIs, secrets and what is left out.
 */
export {
  type AtomicOutput,
  abandonPendingWrites,
  checkOutputPath,
  describeFsError,
  sweepStaleTemporaries,
  temporaryNameFor,
  writeFilesAtomically,
} from "./atomic-file.js";
export { DIGEST_INFO_PREFIX, type KeyFamily, RSA_MODULUS_BITS, RSA_PUBLIC_EXPONENT, keyFamilyFor } from "./key-algorithms.js";
export { KEYSTORE_ENV, findKeyInAnyToken, loadSecretFile, moduleEnvironment, openKeystore, resolveModulePath, secretFromFileText } from "./open.js";
export {
  DNSKEY_RECORD_APPLICATION,
  type InitTokenParameters,
  type InitTokenResult,
  type TokenDescription,
  initToken,
  openPkcs11Keystore,
  pkcs11Failure,
} from "./pkcs11.js";
export { DEFAULT_SCRYPT, SOFTWARE_KEY_FORMAT, type ScryptParameters, openSoftwareKeystore } from "./software.js";
export { type GenerateSpec, type KeyPairInfo, type Keystore, LABEL_PATTERN, type OpenOptions } from "./types.js";
export { type FileKeystoreUri, type KeystoreUri, type Pkcs11Uri, describePkcs11Token, parseKeystoreUri } from "./uri.js";
export { verifiedSigner } from "./verified-signer.js";
