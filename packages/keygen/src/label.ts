/**
 * Key labels in IANA's style: a role letter and the first six characters of the lowercase
 * RFC 4648 base32 encoding of the creation time (32-bit big-endian Unix seconds). The ids of the
 * root KSKs in root-anchors.xml are such labels: `Kjqmt7v` (KSK-2010, 19036) decodes to
 * 2010-06-16T21:19:16Z, `Klajeyz` (KSK-2017, 20326) to
 * 2016-10-27T18:50:12Z and `Kmyv6jo` (KSK-2024, 38696) to 2024-04-26T17:30:32Z, each months before
 * the key's validFrom. Six characters keep the top 30 bits: labels made within the same four
 * seconds are equal, and the keystore refuses a label that exists.
 *
 * Left out: the letter of other roles (IANA uses K for its KSKs; Z is this toolkit's ZSK letter).
 */
import { KskError } from "@ksk/core";

export type KeyRole = "ksk" | "zsk";

/** RFC 4034 §2.1.1: Zone Key bit, plus SEP (RFC 3757) for a KSK. */
export const ROLE_FLAGS: Readonly<Record<KeyRole, number>> = { ksk: 257, zsk: 256 };
export const ROLE_LETTER: Readonly<Record<KeyRole, string>> = { ksk: "K", zsk: "Z" };

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

export function ianaLabel(role: KeyRole, creationEpochSeconds: number): string {
  if (!Number.isInteger(creationEpochSeconds) || creationEpochSeconds < 0 || creationEpochSeconds > 0xffffffff) {
    throw new KskError("usage", "KEY-LABEL-TIME", `creation time ${creationEpochSeconds} is not a 32-bit count of seconds`);
  }
  let out = ROLE_LETTER[role];
  // Six 5-bit groups from the most significant end of the 32 bits.
  for (let i = 0; i < 6; i++) out += BASE32[(creationEpochSeconds >>> (27 - 5 * i)) & 31];
  return out;
}

/** The earliest creation time a six-character IANA-style label stands for (inverse of ianaLabel). */
export function ianaLabelTime(label: string): number | undefined {
  const m = /^[KZ]([a-z2-7]{6})$/.exec(label);
  if (!m) return undefined;
  let value = 0;
  for (const c of m[1] as string) value = value * 32 + BASE32.indexOf(c);
  return value * 4; // 30 bits kept, 2 dropped
}
