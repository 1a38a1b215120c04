/**
 * Splitting a secret among N officers so that any M recombine it, and recombining: Shamir's
 * scheme over GF(2^8) as implemented by shamir-secret-sharing (Privy; audited by Cure53 and by
 * Zellic), not a home-made one. This module adds what a ceremony needs around it:
 * set ids, officer indexes, the secret's kind, and the refusals the library does not make —
 * fewer than M shares (the library would return a wrong secret without a word), shares of another
 * set, the same share twice, a share of the wrong kind.
 *
 * The randomness of the set id and salts is the caller's (pure module); the library draws the
 * polynomial's coefficients from the platform's CSPRNG (crypto.getRandomValues).
 */
import { KskError } from "@ksk/core";
import { combine, split } from "shamir-secret-sharing";
import { SALT_OCTETS, SET_ID_OCTETS, type SecretKind, type ShareRecord, shareFingerprint } from "./record.js";

export interface SplitParameters {
  readonly secretBytes: Uint8Array;
  readonly kind: SecretKind;
  readonly threshold: number;
  readonly count: number;
  /** Random octets: SET_ID_OCTETS for the set id, then SALT_OCTETS per share. */
  readonly randomBytes: (octets: number) => Uint8Array;
}

/** The largest secret split: a PIN, a passphrase or a 256-bit key fits many times over. */
export const SECRET_MAX_OCTETS = 255;

export function checkSplitParameters(threshold: number, count: number): void {
  if (!Number.isInteger(threshold) || !Number.isInteger(count) || threshold < 2 || count < threshold || count > 255) {
    throw new KskError("usage", "SHARES-PARAMETERS", `--threshold ${threshold} of --shares ${count}: need 2 <= threshold <= shares <= 255`);
  }
}

export async function splitSecret(parameters: SplitParameters): Promise<ShareRecord[]> {
  const { secretBytes, threshold, count } = parameters;
  checkSplitParameters(threshold, count);
  if (secretBytes.length === 0 || secretBytes.length > SECRET_MAX_OCTETS) {
    throw new KskError("input", "SECRET-SIZE", `a secret of ${secretBytes.length} octets cannot be split (1 to ${SECRET_MAX_OCTETS})`);
  }
  const setIdHex = Buffer.from(parameters.randomBytes(SET_ID_OCTETS)).toString("hex");
  const shares = await split(secretBytes, count, threshold);
  return shares.map((shareBytes, i) => ({
    setIdHex,
    index: i + 1,
    threshold,
    count,
    kind: parameters.kind,
    saltBytes: parameters.randomBytes(SALT_OCTETS),
    shareBytes,
  }));
}

/** What the transcript may say about a share: never the share itself. */
export interface ShareUse {
  readonly setIdHex: string;
  readonly index: number;
  readonly fingerprint: string;
  readonly officer?: string;
}

export interface OfferedShare {
  readonly record: ShareRecord;
  readonly officer?: string;
  /** Where it came from, for messages: a file name or "typed share 2". */
  readonly where: string;
}

/**
 * Check a set of offered shares without recombining it: all of one set and kind, no index twice,
 * at least M. Returns what may be recorded about each (sorted by index).
 */
export function checkShareSet(offered: readonly OfferedShare[], kind: SecretKind, where: string): ShareUse[] {
  const first = offered[0];
  if (!first) throw new KskError("input", "SHARES-TOO-FEW", "no shares given", { where });
  const seen = new Map<number, OfferedShare>();
  for (const s of offered) {
    if (s.record.kind !== kind) throw new KskError("input", "SHARE-KIND", `a share of a ${s.record.kind}, not of a ${kind}`, { where: s.where });
    if (s.record.setIdHex !== first.record.setIdHex) {
      throw new KskError("input", "SHARE-OTHER-SET", `a share of set ${s.record.setIdHex}, not of set ${first.record.setIdHex} (${first.where})`, {
        where: s.where,
      });
    }
    const before = seen.get(s.record.index);
    if (before) {
      const same = shareFingerprint(before.record) === shareFingerprint(s.record);
      throw new KskError("input", "SHARE-DUPLICATE", `${same ? "the same share as" : `a second share with index ${s.record.index} besides`} ${before.where}`, {
        where: s.where,
      });
    }
    seen.set(s.record.index, s);
  }
  const { threshold, count, setIdHex } = first.record;
  if (offered.some((s) => s.record.threshold !== threshold || s.record.count !== count)) {
    throw new KskError("input", "SHARE-CORRUPT", "shares of one set disagree on threshold or count", { where });
  }
  if (offered.length < threshold) {
    const more = threshold - offered.length;
    throw new KskError("input", "SHARES-TOO-FEW", `${offered.length} of ${threshold} shares of set ${setIdHex}: ${more} more needed`, { where });
  }
  const used = offered.map((s) => ({
    setIdHex,
    index: s.record.index,
    fingerprint: shareFingerprint(s.record),
    ...(s.officer === undefined ? {} : { officer: s.officer }),
  }));
  return used.sort((a, b) => a.index - b.index);
}

/**
 * Recombine a secret from officers' shares, checked as `checkShareSet` does. Returns the secret
 * and the shares used (every one offered; more than M is fine).
 */
export async function combineShares(offered: readonly OfferedShare[], kind: SecretKind, where: string): Promise<{ secretBytes: Uint8Array; used: ShareUse[] }> {
  const used = checkShareSet(offered, kind, where);
  const secretBytes = await combine(offered.map((s) => s.record.shareBytes));
  return { secretBytes, used };
}

/** One line per officer for a transcript: `set 3f2a… share 2 (alice) fingerprint 9c2e…`. */
export function describeShareUse(used: readonly ShareUse[]): string {
  return used.map((u) => `set ${u.setIdHex} share ${u.index}${u.officer === undefined ? "" : ` (${u.officer})`} fingerprint ${u.fingerprint}`).join("\n");
}
