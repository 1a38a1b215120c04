/**
 * What witnesses read aloud: the SHA-256 of a file as hex and as PGP words. Even-position bytes
 * take the two-syllable list, odd-position bytes the three-syllable list (see ./pgp-words.ts).
 */
import { createHash } from "node:crypto";
import { PGP_WORDS_EVEN, PGP_WORDS_ODD } from "./pgp-words.js";

export function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(bytes).digest());
}

export function pgpWords(bytes: Uint8Array): string[] {
  return Array.from(bytes, (b, i) => (i % 2 === 0 ? PGP_WORDS_EVEN[b] : PGP_WORDS_ODD[b]) as string);
}

/** Hex split in groups of four octets, as shown on a ceremony screen: `e06d44b8 0b8f1d39 …`. */
export function groupedHex(bytes: Uint8Array): string {
  return (
    Buffer.from(bytes)
      .toString("hex")
      .match(/.{1,8}/g) ?? []
  ).join(" ");
}
