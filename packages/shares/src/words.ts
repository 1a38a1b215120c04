/**
 * PGP words back to octets, for a share typed at a terminal: the inverse of @ksk/core's
 * `pgpWords`. A word must come from the list of its position's parity (two-syllable words at even
 * positions, three-syllable at odd), which is what makes the list catch a dropped, doubled or
 * swapped word (Juola and Zimmermann's design). Case and extra blanks are ignored; anything else
 * is refused with the word's position. Pure.
 */
import { KskError, PGP_WORDS_EVEN, PGP_WORDS_ODD } from "@ksk/core";

const EVEN = new Map(PGP_WORDS_EVEN.map((w, i) => [w.toLowerCase(), i]));
const ODD = new Map(PGP_WORDS_ODD.map((w, i) => [w.toLowerCase(), i]));

export function octetsFromPgpWords(text: string, where?: string): Uint8Array {
  const words = text
    .trim()
    .split(/\s+/)
    .filter((w) => w !== "");
  const out = new Uint8Array(words.length);
  words.forEach((word, i) => {
    const lower = word.toLowerCase();
    const table = i % 2 === 0 ? EVEN : ODD;
    const value = table.get(lower);
    if (value === undefined) {
      const other = (i % 2 === 0 ? ODD : EVEN).has(lower);
      const why = other ? "belongs at the other parity: a word is missing or doubled before it" : "is not a PGP word";
      // Only the position is named, never the word: it is part of a secret share.
      throw new KskError("input", "SHARE-WORDS", `word ${i + 1} ${why}`, where === undefined ? {} : { where });
    }
    out[i] = value;
  });
  return out;
}
