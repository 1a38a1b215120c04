/**
 * The witness display of `skr sign` (../src/witness-display.ts) over the real 2017 Q2 KSR planned
 * with two lab KSKs: the question names only the keys that sign (publish+: the current KSK signs
 * slots 1–9, the next is published only; revoke: the revoked key signs its revocation), the
 * planned table says per KSK and slot what it does with the DNSKEY TTL and answer size, each KSK's
 * DS SHA-256 is shown with its PGP words, and no line is wider than 100 columns — also the lines
 * that had to be wrapped, which keep every word.
 */
import { ROOT, dsDigest, groupedHex, keyTag, pgpWords } from "@ksk/core";
import { describe, expect, it } from "vitest";
import {
  BUILT_IN_SCHEMAS,
  WITNESS_COLUMNS,
  documentSlotTable,
  fitLines,
  hsmLines,
  kskLines,
  planSigning,
  planSlotTable,
  signingQuestion,
  slotRanges,
} from "../src/index.js";
import { labConfig, labKsks, materials, readKsr } from "./helpers.js";

const ksr = readKsr("ksr-root-2017-q2-0.xml");
const ksks = labKsks();
const config = labConfig(ksks);
const plan = (schema: string) => planSigning({ ksr, schema: BUILT_IN_SCHEMAS.get(schema)!, kskPolicy: config.kskPolicy, ksks: materials(config, ksks) });
const fits = (lines: readonly string[]) => lines.every((l) => l.length <= WITNESS_COLUMNS);

describe("the witness display", () => {
  it("asks about the signing keys only: publish+ signs with the current KSK, the next is published only", () => {
    expect(signingQuestion(plan("publish+"))).toBe("Kcurrnt signs slots 1–9; Knextkk is published only.");
    expect(signingQuestion(plan("normal"))).toBe("Kcurrnt signs slots 1–9.");
    expect(signingQuestion(plan("rollover"))).toBe("Kcurrnt signs slot 1; Knextkk signs slots 2–9.");
    expect(signingQuestion(plan("revoke"))).toBe("Kcurrnt signs slots 2–8 revoked (its revocation); Knextkk signs slots 1–9.");
  });

  it("writes slot numbers as ranges", () => {
    expect(slotRanges([1, 2, 3, 4, 5, 6, 7, 8, 9])).toBe("1–9");
    expect(slotRanges([1, 3, 4, 5, 9])).toBe("1, 3–5, 9");
    expect(slotRanges([2, 3])).toBe("2, 3");
  });

  it("tabulates each planned slot: what each KSK does, the DNSKEY TTL and the answer size, within 100 columns", () => {
    const p = plan("publish+");
    const lines = planSlotTable("== Planned SKR (schema publish+)", p);
    expect(fits(lines)).toBe(true);
    expect(lines[1]).toMatch(/^slot\s+inception\s+expiration\s+ZSKs\s+Kcurrnt\s+Knextkk\s+TTL s\s+answer$/);
    for (const [i, b] of p.bundles.entries()) {
      const row = lines[2 + i] as string;
      expect(row).toMatch(new RegExp(`^\\s+${i + 1}\\s.*\\ssigns\\s+published\\s+${b.rrset[0]?.ttlSeconds}\\s+${b.responseSizeBytes} B`));
    }
    const revoke = planSlotTable("== Planned SKR (schema revoke)", plan("revoke"));
    expect(revoke[3]).toMatch(/rev\+signs\s+signs/);
    expect(revoke.join("\n")).toContain("rev+signs: published revoked and signing its revocation");
    expect(fits(revoke)).toBe(true);
    expect(revoke[10]).toMatch(/\s-\s+signs/);
  });

  it("names the HSM and shows each KSK's DS SHA-256 as grouped hex and PGP words", () => {
    const hsm = hsmLines([
      { modulePath: "/usr/lib/softhsm/libsofthsm2.so", label: "ksk-lab", serial: "68153049e7da1926", manufacturer: "SoftHSM project", model: "SoftHSM v2" },
    ]);
    expect(hsm.join("\n")).toContain("token serial  68153049e7da1926");
    expect(hsm.join("\n")).toContain("SoftHSM project, model SoftHSM v2");
    const lines = kskLines([{ label: "Kcurrnt", dnskey: ksks.current.dnskey }]);
    expect(fits(lines)).toBe(true);
    const digest = dsDigest(ROOT, ksks.current.dnskey, 2);
    expect(lines[1]).toBe(`  Kcurrnt  tag ${keyTag(ksks.current.dnskey)}  RSASHA256 (8), 2048 bits`);
    expect(lines[2]).toBe(`    DS SHA-256 ${groupedHex(digest)}`);
    expect(lines.slice(3).join(" ").split(/\s+/).filter(Boolean)).toEqual(pgpWords(digest));
  });

  it("shows a KSR's slots with its ZSK tags, KSK columns only for the KSKs in it", () => {
    const lines = documentSlotTable("== KSR", ksr.bundles);
    expect(lines).toHaveLength(2 + ksr.bundles.length);
    expect(fits(lines)).toBe(true);
    expect(lines[2]).toContain(ksr.bundles[0]?.keys.map((k) => keyTag(k.dnskey)).join(" "));
  });

  it("wraps a long line at spaces within 100 columns, keeping every word and the indentation", () => {
    const long = `  PASS KSR-ID ${"word ".repeat(40).trim()}`;
    const wrapped = fitLines([long, "short", ""]);
    expect(fits(wrapped)).toBe(true);
    expect(wrapped[0]?.startsWith("  PASS KSR-ID word")).toBe(true);
    expect(wrapped.slice(1, -2).every((l) => l.startsWith("      word"))).toBe(true);
    expect(wrapped.join(" ").split(/\s+/).filter(Boolean)).toEqual(long.split(/\s+/).filter(Boolean).concat("short"));
    expect(wrapped.at(-1)).toBe("");
    expect(fits(fitLines(["x".repeat(250)]))).toBe(true);
    // A line the caller keeps whole (a FAIL, quoted as one line) is left as it is.
    const fail = `  FAIL KSR-ID ${"word ".repeat(40).trim()}`;
    expect(fitLines([fail, long], 100, (l) => l.includes("FAIL"))[0]).toBe(fail);
  });
});
