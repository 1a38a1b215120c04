/**
 * What witnesses read: SHA-256 (FIPS 180-4 examples) as grouped hex and as PGP words. The word
 * vectors are published examples of the PGP word list (Juola and Zimmermann): the fingerprint
 * example of the Wikipedia "PGP word list" article (E582 94F2 … 3F19), also carried by the test
 * suites of several independent implementations (e.g. btcsuite/Decred's pgpwordlist), the second
 * example of those suites (D1D4 64C0 …), and dCode's example (DC 0D 33).
 */
import { describe, expect, it } from "vitest";
import { PGP_WORDS_EVEN, PGP_WORDS_ODD, bytesToHex, groupedHex, hexToBytes, pgpWords, sha256 } from "../src/index.js";

describe("SHA-256 (FIPS 180-4 / NIST examples)", () => {
  it("hashes the empty string and abc", () => {
    expect(bytesToHex(sha256(new Uint8Array(0)))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(bytesToHex(sha256(new TextEncoder().encode("abc")))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("shows hex in groups of four octets", () => {
    expect(groupedHex(hexToBytes("e06d44b80b8f1d39a95c"))).toBe("e06d44b8 0b8f1d39 a95c");
  });
});

describe("PGP words: even positions two-syllable, odd positions three-syllable", () => {
  it("the Wikipedia fingerprint example", () => {
    const words = pgpWords(hexToBytes("E582 94F2 E9A2 2748 6E8B 061B 31CC 528F D7FA 3F19"));
    expect(words.join(" ")).toBe(
      "topmost Istanbul Pluto vagabond treadmill Pacific brackish dictator goldfish Medusa afflict bravado chatter revolver Dupont midsummer stopwatch whimsical cowbell bottomless",
    );
  });

  it("the second example of the pgpwordlist test suites", () => {
    expect(pgpWords(hexToBytes("D1D464C004F00FB5C9A4C8D8E433E7FB7FF56256")).join(" ")).toBe(
      "stairway souvenir flytrap recipe adrift upcoming artist positive spearhead Pandora spaniel stupendous tonic concurrent transit Wichita lockup visitor flagpole escapade",
    );
  });

  it("dCode's example DC 0D 33", () => {
    expect(pgpWords(hexToBytes("DC0D33"))).toEqual(["sweatband", "asteroid", "chisel"]);
  });

  it("a byte reads differently at an even and an odd position, so a swap is heard", () => {
    expect(pgpWords(hexToBytes("0000"))).toEqual(["aardvark", "adroitness"]);
    expect(pgpWords(hexToBytes("FFFF"))).toEqual(["Zulu", "Yucatan"]);
    expect(pgpWords(hexToBytes("1700"))).not.toEqual(pgpWords(hexToBytes("0017")).reverse());
  });

  it("the lists hold 256 distinct words each and share none", () => {
    expect(PGP_WORDS_EVEN).toHaveLength(256);
    expect(PGP_WORDS_ODD).toHaveLength(256);
    const all = [...PGP_WORDS_EVEN, ...PGP_WORDS_ODD].map((w) => w.toLowerCase());
    expect(new Set(all).size).toBe(512);
  });

  it("a SHA-256 reads as 32 words", () => {
    expect(pgpWords(sha256(new Uint8Array(0)))).toHaveLength(32);
  });
});
