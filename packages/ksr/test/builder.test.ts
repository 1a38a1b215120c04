/**
 * The KSR builder with TEST ONLY in-memory signers: the built KSR passes every check, follows the
 * root's timetable, continues a previous SKR, and refuses the wrong keys.
 */
import { KskError, type Signer, keyTag } from "@ksk/core";
import { describe, expect, it } from "vitest";
import { testSigner } from "../../../test/support/soft-signer.js";
import {
  type Bundle,
  type KsrResponseDocument,
  buildKsr,
  canonicalDocument,
  defaultKsrPolicy,
  parseKsrPolicyYaml,
  parseKsrXml,
  parseQuarter,
  quarterSlots,
  runKsrChecks,
  writeKsrXml,
} from "../src/index.js";
import { utc } from "./helpers.js";

const POLICY = defaultKsrPolicy();
const NOW = utc(2026, 11, 28, 12, 34, 56);
let counter = 0;
const newId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, "0")}`;
const zsks: Signer[] = ["retiring", "current", "next"].map((label) => testSigner({ algorithm: 8, label }));

describe("the root's timetable", () => {
  it.each([
    ["2017Q1", utc(2017, 3, 21)],
    ["2017Q2", utc(2017, 6, 20)],
    ["2016Q3", utc(2016, 9, 20)],
    ["2010Q1", utc(2010, 3, 21)],
  ])("%s ends where the real files end", (quarter, lastInception) => {
    const slots = quarterSlots(parseQuarter(quarter), { bundleCount: 9, intervalSeconds: 10 * 86400, validitySeconds: 21 * 86400 });
    expect(slots[0]!.inceptionEpochSeconds).toBe(utc(Number(quarter.slice(0, 4)), (Number(quarter[5]) - 1) * 3 + 1, 1));
    expect(slots[7]!.inceptionEpochSeconds - slots[0]!.inceptionEpochSeconds).toBe(70 * 86400);
    expect(slots[8]!.inceptionEpochSeconds).toBe(lastInception);
    expect(slots.every((s) => s.expirationEpochSeconds - s.inceptionEpochSeconds === 21 * 86400)).toBe(true);
  });
  it("refuses a malformed quarter", () => expect(() => parseQuarter("2027Q5")).toThrow(/2027Q1/));
});

describe("buildKsr", () => {
  it("builds a 2027Q1 KSR that passes every check and round-trips through XML", async () => {
    const ksr = await buildKsr({ quarter: parseQuarter("2027Q1"), zsks, policy: POLICY, nowEpochSeconds: NOW, newId });
    expect(ksr.bundles.map((b) => b.keys.length)).toEqual([2, 1, 1, 1, 1, 1, 1, 1, 2]);
    expect(ksr.bundles[0]!.keys.map((k) => k.keyIdentifier).sort()).toEqual(["current", "retiring"]);
    expect(ksr.bundles[8]!.keys.map((k) => k.keyIdentifier).sort()).toEqual(["current", "next"]);
    expect(ksr.bundles[0]!.inceptionEpochSeconds).toBe(utc(2027, 1, 1));
    expect(ksr.bundles[8]!.inceptionEpochSeconds).toBe(utc(2027, 3, 21));
    const pop = ksr.bundles[3]!.signatures[0]!.rrsig;
    expect([pop.inceptionEpochSeconds, pop.expirationEpochSeconds]).toEqual([NOW, NOW + 30 * 86400]);
    expect(new Set([ksr.id, ...ksr.bundles.map((b) => b.id)]).size).toBe(10);
    const report = runKsrChecks({ ksr, policy: POLICY.request, nowEpochSeconds: NOW });
    expect(report.results.filter((r) => r.status === "fail")).toEqual([]);
    expect(report.results.filter((r) => r.status === "pass")).toHaveLength(12);
    const reread = parseKsrXml(writeKsrXml(ksr)).document;
    expect(reread).toEqual(canonicalDocument(ksr));
  });

  it("continues from the previous SKR: the first bundle carries its last bundle's ZSKs", async () => {
    const q1 = await buildKsr({ quarter: parseQuarter("2027Q1"), zsks, policy: POLICY, nowEpochSeconds: NOW, newId });
    // Stand-in for the KSK operator's answer: the KSR's bundles (ZSK-only) as a response document.
    const previousSkr: KsrResponseDocument = { ...q1, kind: "response", policy: { ksk: q1.policy.zsk, zsk: q1.policy.zsk } };
    const after = testSigner({ algorithm: 8, label: "after" });
    const q2 = await buildKsr({ quarter: parseQuarter("2027Q2"), zsks: [zsks[1]!, zsks[2]!, after], policy: POLICY, nowEpochSeconds: NOW, newId, previousSkr });
    const tags = (b: Bundle) => b.keys.map((k) => keyTag(k.dnskey)).sort();
    expect(tags(q2.bundles[0]!)).toEqual(tags(q1.bundles[8]!));
    const report = runKsrChecks({ ksr: q2, policy: POLICY.request, nowEpochSeconds: utc(2027, 3, 1), previousSkr });
    const chain = report.results.filter((r) => ["KSR-ID", "KSR-CHAIN-KEYS", "KSR-CHAIN-OVERLAP", "KSR-BUNDLE-UNIQUE"].includes(r.code));
    expect(chain.map((r) => r.status)).toEqual(["pass", "pass", "pass", "pass"]);

    const wrong = buildKsr({ quarter: parseQuarter("2027Q2"), zsks: [zsks[0]!, zsks[2]!, after], policy: POLICY, nowEpochSeconds: NOW, newId, previousSkr });
    await expect(wrong).rejects.toMatchObject({ kind: "check", code: "KSR-CHAIN-KEYS" });
  });

  it("refuses the wrong number of ZSKs with a message saying how many it needs", async () => {
    const e = await buildKsr({ quarter: parseQuarter("2027Q1"), zsks: zsks.slice(0, 2), policy: POLICY, nowEpochSeconds: NOW, newId }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(KskError);
    expect((e as KskError).message).toBe(
      "the policy's key counts [2,1,1,1,1,1,1,1,2] need 3 ZSKs (the retiring, the current and the next ZSK), in that order; got 2",
    );
  });

  it("builds with no rollover when the policy asks for one key per bundle", async () => {
    const policy = parseKsrPolicyYaml("request_policy:\n  num_keys_per_bundle: [1,1,1,1,1,1,1,1,1]\n  num_different_keys_in_all_bundles: 1\n");
    const now = utc(2027, 6, 1);
    const ksr = await buildKsr({ quarter: parseQuarter("2027Q3"), zsks: [zsks[1]!], policy, nowEpochSeconds: now, newId });
    expect(runKsrChecks({ ksr, policy: policy.request, nowEpochSeconds: now }).ok).toBe(true);
  });

  it("signs with ECDSA P-256 ZSKs when the policy approves them", async () => {
    const policy = parseKsrPolicyYaml("request_policy:\n  approved_algorithms: [ECDSAP256SHA256]\n  enable_unsupported_ecdsa: true\n");
    const ec = [1, 2, 3].map((n) => testSigner({ algorithm: 13, label: `ec${n}` }));
    const ksr = await buildKsr({ quarter: parseQuarter("2027Q1"), zsks: ec, policy, nowEpochSeconds: NOW, newId });
    expect(ksr.policy.zsk.algorithms).toEqual([{ family: "ECDSA", algorithm: 13, sizeBits: 256 }]);
    expect(runKsrChecks({ ksr, policy: policy.request, nowEpochSeconds: NOW }).ok).toBe(true);
  });
});

describe("policy YAML", () => {
  it("uses IANA's request_policy names and refuses unknown keys", () => {
    expect(parseKsrPolicyYaml("request_policy:\n  num_bundles: 9\n  signature_horizon_days: 90\n").request.signature_horizon_days).toBe(90);
    expect(() => parseKsrPolicyYaml("request_policy:\n  num_bundle: 9\n", "p.yaml")).toThrow(/p\.yaml: request_policy: Unrecognized key.*num_bundle/);
    expect(() => parseKsrPolicyYaml("request_policy:\n  validate_signatures: 'yes'\n", "p.yaml")).toThrow(/request_policy\.validate_signatures/);
    expect(() => parseKsrPolicyYaml("zsk_policy:\n  max_signature_validity: P1M\n", "p.yaml")).toThrow(/years or months/);
    expect(() => parseKsrPolicyYaml("request_policy:\n  num_bundles: 8\n", "p.yaml")).toThrow(/num_keys_per_bundle lists 9 bundles but num_bundles is 8/);
  });
});
