/**
 * The rollover planning check. The real roll's files first: IANA's SKRs for 2017 Q1 and Q2 (KSK-2010
 * signing alone) pass, in either order, and their DNSKEY answer sizes agree with dns-packet's encoding
 * of the same answer. Then the 2024–2027 calendar on lab keys, signed by the real signer (KSK-2024 →
 * "next" published 2025-01-11, signing 2026-10-11, the old key revoked 2027-01-11), which passes; and
 * each planted mistake, caught with its slot and rule and nothing else: a quarter missing, too-early
 * signing, a KSK dropped without revocation, a revoked key not signing, an oversize slot, anchor files
 * with no KeyDigest valid or without the signing key. Each rule also has its switch tested.
 */
import { ROOT, SECONDS_PER_DAY, type Signer, makeDs } from "@ksk/core";
import dnsPacket from "dns-packet";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type AnchorPublication,
  DEFAULT_ROLLOVER_POLICY,
  type NamedSkr,
  type RolloverReport,
  checkRollover,
  rolloverTimeline,
  slotName,
} from "../src/index.js";
import { type LabKsks, labKsks, readSkr } from "./helpers.js";
import { ROOT_ROLL_CALENDAR, type SignedQuarter, labRollConfig, labZsks, signQuarters } from "./roll-sequence.js";

const day = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / 1000;
const failures = (r: RolloverReport) => r.findings.filter((f) => f.severity === "fail").map((f) => `${f.code} @ ${f.where}`);
const real: NamedSkr[] = [
  { name: "skr-root-2017-q1-0.xml", skr: readSkr("skr-root-2017-q1-0.xml") },
  { name: "skr-root-2017-q2-0.xml", skr: readSkr("skr-root-2017-q2-0.xml") },
];

describe("IANA's SKRs for 2017 Q1 and Q2 (KSK-2010)", () => {
  it("pass, in either order, with one KSK signing every one of the 18 slots", () => {
    for (const order of [real, [...real].reverse()]) {
      const report = checkRollover(order, DEFAULT_ROLLOVER_POLICY);
      expect(failures(report)).toEqual([]);
      expect(report.ok).toBe(true);
      const t = report.timeline;
      expect(t.slots.map((s) => s.quarter)).toEqual([...Array(9).fill("2017Q1"), ...Array(9).fill("2017Q2")]);
      expect(t.keys).toHaveLength(1);
      expect(t.states[0]?.every((s) => s.presence === "published" && s.signs)).toBe(true);
    }
  });

  it("give the size of each slot's DNSKEY answer as dns-packet encodes the same answer with DO", () => {
    const t = rolloverTimeline(real);
    for (const [i, bundle] of [...real[0]!.skr.bundles, ...real[1]!.skr.bundles].entries()) {
      const packet = dnsPacket.encode({
        type: "response",
        id: 0,
        flags: 0,
        questions: [{ type: "DNSKEY", name: "." }],
        answers: [
          ...bundle.keys.map((k) => ({
            type: "DNSKEY" as const,
            name: ".",
            ttl: k.ttlSeconds,
            data: { flags: k.dnskey.flags, algorithm: k.dnskey.algorithm, key: Buffer.from(k.dnskey.publicKeyBytes) },
          })),
          ...bundle.signatures.map((s) => ({
            type: "RRSIG" as const,
            name: ".",
            ttl: s.ttlSeconds,
            data: {
              typeCovered: "DNSKEY",
              algorithm: s.rrsig.algorithm,
              labels: s.rrsig.labels,
              originalTTL: s.rrsig.originalTtlSeconds,
              expiration: s.rrsig.expirationEpochSeconds,
              inception: s.rrsig.inceptionEpochSeconds,
              keyTag: s.rrsig.keyTag,
              signersName: ".",
              signature: Buffer.from(s.rrsig.signatureBytes),
            },
          })),
        ],
        additionals: [{ type: "OPT", name: ".", udpPayloadSize: 1232, flags: dnsPacket.DNSSEC_OK }],
      } as dnsPacket.Packet);
      expect(t.slots[i]?.dnskeyResponseSizeBytes, `slot ${i + 1}`).toBe(packet.length);
    }
  });

  it("ROLLOVER-OVERLAP: the same quarter given twice", () => {
    const report = checkRollover([real[0]!, { ...real[0]!, name: "copy.xml" }], DEFAULT_ROLLOVER_POLICY);
    expect(failures(report)).toEqual(["ROLLOVER-OVERLAP @ skr-root-2017-q1-0.xml and copy.xml"]);
  });

  it("SKR-VERIFY: a signature byte changed is reported at its slot", () => {
    const skr = real[1]!.skr;
    const bundles = skr.bundles.map((b, i) =>
      i !== 4
        ? b
        : {
            ...b,
            signatures: b.signatures.map((s) => ({ ...s, rrsig: { ...s.rrsig, signatureBytes: s.rrsig.signatureBytes.map((x, j) => (j === 7 ? x ^ 1 : x)) } })),
          },
    );
    const report = checkRollover([real[0]!, { name: "tampered.xml", skr: { ...skr, bundles } }], DEFAULT_ROLLOVER_POLICY);
    expect(failures(report)).toContain(
      `SKR-VERIFY @ 2017Q2 slot 5 (${new Date(skr.bundles[4]!.inceptionEpochSeconds * 1000).toISOString().replace(".000", "")})`,
    );
  });
});

describe("the 2024–2027 calendar on lab keys", () => {
  let ksks: LabKsks;
  let zsks: Signer[];
  let roll: SignedQuarter[];
  const anchors = (name: string, publishedEpochSeconds: number, keys: readonly { signer: Signer; from: number; until?: number }[]): AnchorPublication => ({
    name,
    publishedEpochSeconds,
    zone: ROOT,
    keyDigests: keys.map((k, i) => {
      const ds = makeDs(ROOT, k.signer.dnskey, 2);
      return { id: `K${i}`, validFromEpochSeconds: k.from, validUntilEpochSeconds: k.until, ...ds };
    }),
  });

  beforeAll(async () => {
    ksks = labKsks();
    zsks = labZsks(ROOT_ROLL_CALENDAR.length);
    roll = await signQuarters(ksks, labRollConfig(ksks), zsks, ROOT_ROLL_CALENDAR);
  }, 60_000);

  it("passes, and its timeline shows the real roll's dates", () => {
    const report = checkRollover(roll, DEFAULT_ROLLOVER_POLICY);
    expect(failures(report)).toEqual([]);
    const t = report.timeline;
    const row = (s: Signer) => t.states[t.keys.findIndex((k) => k.dnskey.publicKeyBytes.every((b, i) => b === s.dnskey.publicKeyBytes[i]))]!;
    const first = (s: Signer, p: (x: { presence: string; signs: boolean }) => boolean) => t.slots[row(s).findIndex(p)]?.inceptionEpochSeconds;
    expect(first(ksks.next, (x) => x.presence === "published")).toBe(day(2025, 1, 11));
    expect(first(ksks.next, (x) => x.signs)).toBe(day(2026, 10, 11));
    expect(first(ksks.current, (x) => x.presence === "revoked")).toBe(day(2027, 1, 11));
    expect(first(ksks.current, (x) => x.presence === "absent")).toBe(day(2027, 3, 21));
    // The shapes the root's DNSKEY answer takes: 864 normally, 1414 with 2 KSKs + 2 ZSKs, 1425 revoking.
    const sizes = new Set(t.slots.map((s) => s.dnskeyResponseSizeBytes));
    for (const shape of [864, 1414, 1425]) expect(sizes).toContain(shape);
    expect(Math.max(...sizes)).toBe(1425);
    expect(report.findings.filter((f) => f.severity === "warn").every((f) => f.code === "ROLLOVER-DNSKEY-SIZE")).toBe(true);
  });

  it("passes with the anchor files published along the way: the old key alone, then both from 2024-07-18", () => {
    const report = checkRollover(roll, DEFAULT_ROLLOVER_POLICY, [
      anchors("root-anchors-2017.xml", day(2017, 2, 2), [{ signer: ksks.current, from: day(2017, 2, 2) }]),
      anchors("root-anchors-2024.xml", day(2024, 7, 18), [
        { signer: ksks.current, from: day(2017, 2, 2) },
        { signer: ksks.next, from: day(2024, 7, 18) },
      ]),
    ]);
    expect(failures(report)).toEqual([]);
  });

  it("ROLLOVER-ANCHOR-SIGNER: the anchors never list the new key", () => {
    const report = checkRollover(roll, DEFAULT_ROLLOVER_POLICY, [anchors("old-only.xml", day(2017, 2, 2), [{ signer: ksks.current, from: day(2017, 2, 2) }])]);
    const bad = report.findings.filter((f) => f.severity === "fail");
    expect(new Set(bad.map((f) => f.code))).toEqual(new Set(["ROLLOVER-ANCHOR-SIGNER"]));
    expect(bad[0]?.where).toBe("2026Q4 slot 2 (2026-10-11T00:00:00Z)");
    expect(bad[0]?.detail).toMatch(/old-only\.xml .* has no KeyDigest for it/);
  });

  it("TA-NONE-VALID: an anchors file whose only KeyDigest ended before it was published", () => {
    const report = checkRollover(roll.slice(0, 2), DEFAULT_ROLLOVER_POLICY, [
      anchors("expired.xml", day(2025, 1, 1), [{ signer: ksks.current, from: day(2017, 2, 2), until: day(2024, 12, 1) }]),
    ]);
    // In force from 2025-01-01: every 2025Q1 slot fails, no 2024Q4 slot does.
    expect(failures(report)).toEqual([
      "TA-NONE-VALID @ expired.xml (published 2025-01-01T00:00:00Z)",
      ...report.timeline.slots.filter((s) => s.quarter === "2025Q1").map((s) => `TA-NONE-VALID @ ${slotName(s)}`),
    ]);
  });

  it("ROLLOVER-GAP: a quarter missing is named", async () => {
    const report = checkRollover([roll[3]!, roll[5]!], DEFAULT_ROLLOVER_POLICY);
    expect(failures(report)).toEqual(["ROLLOVER-GAP @ between 2025Q3 (skr-2025Q3.xml) and 2026Q1 (skr-2026Q1.xml)"]);
    expect(report.findings.find((f) => f.code === "ROLLOVER-GAP")?.detail).toMatch(
      /^no SKR for 2025Q4: .* nothing is signed from 2025-10-11T00:00:00Z to 2026-01-01T00:00:00Z/,
    );
  });

  it("ROLLOVER-ADD-HOLDDOWN: rolling in the quarter the new key is first published", async () => {
    const early = await signQuarters(ksks, labRollConfig(ksks), zsks, [
      ["2026Q3", "normal"],
      ["2026Q4", "rollover"],
    ]);
    const report = checkRollover(early, DEFAULT_ROLLOVER_POLICY);
    // Published 2026-10-01; trusted from 30 days + 2 days TTL later: slots 2 to 4 are signed too early.
    expect(failures(report)).toEqual([
      "ROLLOVER-ADD-HOLDDOWN @ 2026Q4 slot 2 (2026-10-11T00:00:00Z)",
      "ROLLOVER-ADD-HOLDDOWN @ 2026Q4 slot 3 (2026-10-21T00:00:00Z)",
      "ROLLOVER-ADD-HOLDDOWN @ 2026Q4 slot 4 (2026-10-31T00:00:00Z)",
    ]);
    expect(report.findings.find((f) => f.severity === "fail")?.detail).toMatch(
      /only since 2026Q4 slot 1 .*, P10D before; the add hold-down is P30D \+ the DNSKEY TTL P2D = P32D/,
    );
    const allowed = checkRollover(early, { ...DEFAULT_ROLLOVER_POLICY, checkAddHoldDown: false });
    expect(allowed.ok).toBe(true);
    expect(allowed.findings.filter((f) => f.allowedBy === "rollover_policy.check_add_hold_down")).toHaveLength(3);
    // The same roll with a compressed lab clock: hold-downs of a few days pass.
    expect(checkRollover(early, { ...DEFAULT_ROLLOVER_POLICY, addHoldDownSeconds: 5 * SECONDS_PER_DAY }).ok).toBe(true);
  });

  it("ROLLOVER-ADD-HOLDDOWN: a key revoked once is never trusted again", async () => {
    const back = await signQuarters(ksks, labRollConfig(ksks), zsks, [
      ["2026Q4", "rollover"],
      ["2027Q1", "revoke"],
      ["2027Q2", "normal"],
    ]);
    const report = checkRollover(back, DEFAULT_ROLLOVER_POLICY);
    expect(failures(report)).toContain("ROLLOVER-ADD-HOLDDOWN @ 2027Q2 slot 1 (2027-04-01T00:00:00Z)");
    expect(report.findings.find((f) => f.code === "ROLLOVER-ADD-HOLDDOWN" && f.severity === "fail")?.detail).toMatch(
      /published revoked in 2027Q1 slot 2 .* never trusted again/,
    );
  });

  it("ROLLOVER-REMOVE-HOLDDOWN: the old key dropped without being revoked", async () => {
    const dropped = await signQuarters(ksks, labRollConfig(ksks), zsks, [
      ["2026Q3", "publish+"],
      ["2026Q4", "rollover"],
      ["2027Q1", "drop"],
    ]);
    const report = checkRollover(dropped, DEFAULT_ROLLOVER_POLICY);
    expect(failures(report)).toEqual(["ROLLOVER-REMOVE-HOLDDOWN @ 2027Q1 slot 2 (2027-01-11T00:00:00Z)"]);
    expect(report.findings.find((f) => f.severity === "fail")?.detail).toMatch(/dropped without having been published revoked and self-signed/);
    expect(checkRollover(dropped, { ...DEFAULT_ROLLOVER_POLICY, checkRemoveHoldDown: false }).ok).toBe(true);
  });

  it("ROLLOVER-REMOVE-HOLDDOWN: revoked for less than 30 days", async () => {
    const short = await signQuarters(ksks, labRollConfig(ksks), zsks, [
      ["2026Q4", "rollover"],
      ["2027Q1", "revoke-short"],
    ]);
    const report = checkRollover(short, DEFAULT_ROLLOVER_POLICY);
    expect(failures(report)).toEqual(["ROLLOVER-REMOVE-HOLDDOWN @ 2027Q1 slot 4 (2027-01-31T00:00:00Z)"]);
    expect(report.findings.find((f) => f.severity === "fail")?.detail).toMatch(
      /dropped P20D after its revocation was first published \(2027Q1 slot 2 .*the remove hold-down is P30D/,
    );
  });

  it("ROLLOVER-REVOKED-SELF-SIGNED: the revoked key's own signature missing from one slot", () => {
    const q1 = roll[9]!;
    const revokedTag = (b: (typeof q1.skr.bundles)[number]) => b.keys.find((k) => k.dnskey.flags === 385)!;
    const bundles = q1.skr.bundles.map((b, i) =>
      i !== 2 ? b : { ...b, signatures: b.signatures.filter((s) => s.keyIdentifier !== revokedTag(b).keyIdentifier) },
    );
    const report = checkRollover([roll[8]!, { name: "stripped.xml", skr: { ...q1.skr, bundles } }], DEFAULT_ROLLOVER_POLICY);
    expect(failures(report)).toEqual(["ROLLOVER-REVOKED-SELF-SIGNED @ 2027Q1 slot 3 (2027-01-21T00:00:00Z)"]);
  });

  it("ROLLOVER-DNSKEY-SIZE: revoking in a slot that still carries two ZSKs", async () => {
    const big = await signQuarters(ksks, labRollConfig(ksks), zsks, [
      ["2026Q4", "rollover"],
      ["2027Q1", "revoke-early"],
    ]);
    const report = checkRollover(big, DEFAULT_ROLLOVER_POLICY);
    expect(failures(report)).toEqual(["ROLLOVER-DNSKEY-SIZE @ 2027Q1 slot 1 (2027-01-01T00:00:00Z)"]);
    expect(report.timeline.slots[9]?.dnskeyResponseSizeBytes).toBeGreaterThan(1452);
    expect(report.findings.find((f) => f.severity === "fail")?.detail).toMatch(/is \d{4} octets, over 1452/);
    const allowed = checkRollover(big, { ...DEFAULT_ROLLOVER_POLICY, checkDnskeyResponseSize: false });
    expect(allowed.ok).toBe(true);
  });
});
