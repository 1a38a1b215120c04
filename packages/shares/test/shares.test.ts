/**
 * Officer shares: every M-subset of N recombines the secret, no (M-1)-subset is accepted, and
 * each refusal (another set, the same share twice, a damaged or mistyped share, a hand-edited
 * file) names the share, never its contents.
 */
import { randomBytes } from "node:crypto";
import { KskError, bytesEqual, pgpWords } from "@ksk/core";
import { combine } from "shamir-secret-sharing";
import { describe, expect, it } from "vitest";
import {
  type OfferedShare,
  type ShareRecord,
  combineShares,
  decodeShareRecord,
  encodeShareRecord,
  formatShareFile,
  octetsFromPgpWords,
  parseShareFile,
  parseTypedShare,
  shareFingerprint,
  splitSecret,
} from "../src/index.js";

const random = (n: number) => new Uint8Array(randomBytes(n));

function subsets<T>(items: readonly T[], size: number): T[][] {
  if (size === 0) return [[]];
  return items.flatMap((item, i) => subsets(items.slice(i + 1), size - 1).map((rest) => [item, ...rest]));
}

function offered(records: readonly ShareRecord[]): OfferedShare[] {
  return records.map((record) => ({ record, where: `share-${record.index}` }));
}

async function inputError(promise: Promise<unknown> | (() => unknown)): Promise<KskError> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (e) {
    expect(e).toBeInstanceOf(KskError);
    expect((e as KskError).kind).toBe("input");
    expect((e as KskError).message).not.toContain("\n");
    return e as KskError;
  }
  throw new Error("no error");
}

describe("m-of-n officer shares", () => {
  for (const [m, n] of [
    [2, 3],
    [3, 5],
  ] as const) {
    it(`every ${m}-subset of ${n} shares recombines the PIN, no ${m - 1}-subset is accepted`, async () => {
      const secret = new TextEncoder().encode("0418-2277");
      const shares = await splitSecret({ secretBytes: secret, kind: "pin", threshold: m, count: n, randomBytes: random });
      expect(new Set(shares.map((s) => s.setIdHex)).size).toBe(1);
      expect(shares.map((s) => s.index)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      for (const subset of subsets(shares, m)) {
        const { secretBytes, used } = await combineShares(offered(subset), "pin", "test");
        expect(bytesEqual(secretBytes, secret)).toBe(true);
        expect(used.map((u) => u.index)).toEqual(subset.map((s) => s.index));
      }
      for (const subset of subsets(shares, m - 1)) {
        const e = await inputError(combineShares(offered(subset), "pin", "test"));
        expect(e.code).toBe("SHARES-TOO-FEW");
        expect(e.detail).toContain(`${m - 1} of ${m} shares`);
        expect(e.detail).toContain("1 more needed");
        // And the arithmetic itself gives no secret from M-1 shares (which is why they are refused
        // rather than combined): two or more shares combine to something, just not the secret.
        if (subset.length >= 2) expect(bytesEqual(await combine(subset.map((s) => s.shareBytes)), secret)).toBe(false);
      }
    });
  }

  it("refuses a share of another set, the same share twice, and a share of the other kind", async () => {
    const a = await splitSecret({ secretBytes: random(32), kind: "kek", threshold: 2, count: 3, randomBytes: random });
    const b = await splitSecret({ secretBytes: random(32), kind: "kek", threshold: 2, count: 3, randomBytes: random });
    const [a1, a2] = a as [ShareRecord, ShareRecord];
    const other = await inputError(combineShares(offered([a1, b[1] as ShareRecord]), "kek", "test"));
    expect(other.code).toBe("SHARE-OTHER-SET");
    expect(other.where).toBe("share-2");
    const twice = await inputError(combineShares([...offered([a1]), { record: a1, where: "copy-of-1" }], "kek", "test"));
    expect(twice.code).toBe("SHARE-DUPLICATE");
    expect(twice.detail).toContain("the same share as share-1");
    const kind = await inputError(combineShares(offered([a1, a2]), "pin", "test"));
    expect(kind.code).toBe("SHARE-KIND");
  });

  it("a share file round-trips; a changed octet, word or hand-edited field is refused", async () => {
    const [record] = (await splitSecret({ secretBytes: random(32), kind: "kek", threshold: 2, count: 2, randomBytes: random })) as [ShareRecord];
    const text = formatShareFile({ record, officer: "Alice Liddell" });
    const read = parseShareFile(text, "share-1");
    expect(read.officer).toBe("Alice Liddell");
    expect(bytesEqual(encodeShareRecord(read.record), encodeShareRecord(record))).toBe(true);
    // The file never shows the secret: only the share, which alone says nothing about it.
    const recordHex = /record: ([0-9a-f]+)/.exec(text)?.[1] as string;
    const flipped = recordHex.slice(0, 40) + (recordHex[40] === "0" ? "1" : "0") + recordHex.slice(41);
    expect((await inputError(() => parseShareFile(text.replace(recordHex, flipped), "share-1"))).code).toBe("SHARE-CHECKSUM");
    expect((await inputError(() => parseShareFile(text.replace("index: 1", "index: 2"), "share-1"))).code).toBe("SHARE-CORRUPT");
    const words = pgpWords(encodeShareRecord(record));
    const swapped = [...words];
    [swapped[4], swapped[6]] = [swapped[6] as string, swapped[4] as string];
    expect((await inputError(() => parseTypedShare(swapped.join(" "), "typed share"))).code).toBe("SHARE-CHECKSUM");
    const dropped = await inputError(() => parseTypedShare(words.filter((_, i) => i !== 3).join(" "), "typed share"));
    expect(dropped.code).toBe("SHARE-WORDS");
    expect(dropped.detail).toBe("word 4 belongs at the other parity: a word is missing or doubled before it");
  });

  it("typed words, in any case and spacing, give the record back; the fingerprint hides the salt-free share", async () => {
    const [record] = (await splitSecret({ secretBytes: new TextEncoder().encode("123456"), kind: "pin", threshold: 2, count: 2, randomBytes: random })) as [
      ShareRecord,
    ];
    const bytes = encodeShareRecord(record);
    const typed = `  ${pgpWords(bytes).join("   ").toUpperCase()}\n`;
    expect(bytesEqual(octetsFromPgpWords(typed), bytes)).toBe(true);
    expect(shareFingerprint(parseTypedShare(typed, "typed"))).toBe(shareFingerprint(record));
    // A different salt gives a different fingerprint for the same Shamir share.
    const resalted = decodeShareRecord(encodeShareRecord({ ...record, saltBytes: random(4) }));
    expect(shareFingerprint(resalted)).not.toBe(shareFingerprint(record));
  });
});
