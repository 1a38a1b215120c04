/**
 * The share record: one crypto officer's share of a secret as octets, the form that is written to
 * a share file (as hex and as PGP words) and typed back at a terminal. Layout, all integers one
 * octet:
 *
 *   version (1) | set id (8) | index | threshold M | count N | kind | salt (4) | share | checksum (4)
 *
 * - set id: random, the same in every share of one split; shares of two splits never combine.
 * - index: 1..N, the officer's number (the file `share-INDEX`); not the Shamir x-coordinate, which
 *   is the share's last octet as shamir-secret-sharing lays it out.
 * - kind: what the secret is (1: a token PIN or keystore passphrase, 2: a key-encryption key), so a
 *   KEK share is never taken for a PIN share.
 * - salt: random, per share, so that the fingerprint below says nothing about the secret even to
 *   someone holding M-1 other shares (without it, a fingerprint of a share of a six-digit PIN could
 *   be searched with M-1 shares in hand).
 * - checksum: the first four octets of SHA-256 over everything before it; it catches a mistyped
 *   word or a damaged file, not an adversary (who would recompute it).
 *
 * The fingerprint, which transcripts and reports show, is the first eight octets of SHA-256 over
 * the whole record. Pure: no I/O, no randomness (the caller supplies set id and salts).
 */
import { KskError, bytesEqual, bytesToHex, concatBytes, sha256 } from "@ksk/core";

export const SHARE_RECORD_VERSION = 1;
export const SET_ID_OCTETS = 8;
export const SALT_OCTETS = 4;
export const CHECKSUM_OCTETS = 4;
const HEADER_OCTETS = 1 + SET_ID_OCTETS + 4 + SALT_OCTETS;

/** What a split secret is for, so a share of one kind is never used as the other. */
export type SecretKind = "pin" | "kek";
const KIND_CODES: Record<SecretKind, number> = { pin: 1, kek: 2 };

export interface ShareRecord {
  readonly setIdHex: string;
  /** 1..count: the officer's number. */
  readonly index: number;
  /** M: how many shares recombine the secret. */
  readonly threshold: number;
  /** N: how many shares the split made. */
  readonly count: number;
  readonly kind: SecretKind;
  readonly saltBytes: Uint8Array;
  /** The Shamir share as shamir-secret-sharing returns it (secret length + 1 octets). */
  readonly shareBytes: Uint8Array;
}

function bad(code: string, detail: string, where?: string): KskError {
  return new KskError("input", code, detail, where === undefined ? {} : { where });
}

/** The record's octets, checksum included. */
export function encodeShareRecord(record: ShareRecord): Uint8Array {
  const setId = Buffer.from(record.setIdHex, "hex");
  if (setId.length !== SET_ID_OCTETS || record.saltBytes.length !== SALT_OCTETS) throw new Error("share record: set id or salt of the wrong size");
  const body = concatBytes(
    Uint8Array.of(SHARE_RECORD_VERSION),
    new Uint8Array(setId),
    Uint8Array.of(record.index, record.threshold, record.count, KIND_CODES[record.kind]),
    record.saltBytes,
    record.shareBytes,
  );
  return concatBytes(body, sha256(body).slice(0, CHECKSUM_OCTETS));
}

/** Read a record, refusing a wrong checksum, version or an impossible index/threshold/count. */
export function decodeShareRecord(bytes: Uint8Array, where?: string): ShareRecord {
  if (bytes.length < HEADER_OCTETS + 2 + CHECKSUM_OCTETS) throw bad("SHARE-CORRUPT", `a share record of ${bytes.length} octets is too short`, where);
  const body = bytes.subarray(0, bytes.length - CHECKSUM_OCTETS);
  if (!bytesEqual(sha256(body).subarray(0, CHECKSUM_OCTETS), bytes.subarray(bytes.length - CHECKSUM_OCTETS))) {
    throw bad("SHARE-CHECKSUM", "the share's checksum does not match: the share is damaged or mistyped", where);
  }
  if (bytes[0] !== SHARE_RECORD_VERSION) throw bad("SHARE-VERSION", `share record version ${bytes[0]} is not ${SHARE_RECORD_VERSION}`, where);
  const at = 1 + SET_ID_OCTETS;
  const index = bytes[at] as number;
  const threshold = bytes[at + 1] as number;
  const count = bytes[at + 2] as number;
  const kindCode = bytes[at + 3] as number;
  const kind = (Object.keys(KIND_CODES) as SecretKind[]).find((k) => KIND_CODES[k] === kindCode);
  if (!kind) throw bad("SHARE-CORRUPT", `unknown secret kind ${kindCode}`, where);
  if (threshold < 2 || count < threshold || index < 1 || index > count) {
    throw bad("SHARE-CORRUPT", `share ${index} of ${count} with threshold ${threshold} is impossible`, where);
  }
  return {
    setIdHex: bytesToHex(bytes.subarray(1, 1 + SET_ID_OCTETS)),
    index,
    threshold,
    count,
    kind,
    saltBytes: bytes.slice(at + 4, HEADER_OCTETS),
    shareBytes: bytes.slice(HEADER_OCTETS, bytes.length - CHECKSUM_OCTETS),
  };
}

/** Sixteen hex digits identifying a share without revealing it (see the header). */
export function shareFingerprint(record: ShareRecord): string {
  return bytesToHex(sha256(encodeShareRecord(record)).subarray(0, 8));
}
