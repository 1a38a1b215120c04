/**
 * @ksk/shares — crypto officers' shares of a secret, m of n: a token PIN or keystore passphrase
 * for HSM activation, or the key-encryption key of a KSK backup. The share record and its file and
 * word forms are this package's (see ./record.ts, ./share-file.ts); the arithmetic is
 * shamir-secret-sharing's. Pure: files and randomness are the callers'.
 */
export {
  CHECKSUM_OCTETS,
  SALT_OCTETS,
  SET_ID_OCTETS,
  SHARE_RECORD_VERSION,
  type SecretKind,
  type ShareRecord,
  decodeShareRecord,
  encodeShareRecord,
  shareFingerprint,
} from "./record.js";
export {
  OFFICER_PATTERN,
  SHARE_FILE_FORMAT,
  SHARE_FILE_MAX_BYTES,
  type ShareFileContents,
  formatShareFile,
  parseShareFile,
  parseTypedShare,
} from "./share-file.js";
export {
  type OfferedShare,
  SECRET_MAX_OCTETS,
  type ShareUse,
  type SplitParameters,
  checkShareSet,
  checkSplitParameters,
  combineShares,
  describeShareUse,
  splitSecret,
} from "./split.js";
export { octetsFromPgpWords } from "./words.js";
