/**
 * The checks around the KSK: preflight on a KSR built by @ksk/ksr for 2027 Q1 with lab ZSKs, then
 * one failing case per check (KSK-CONFIG-MATCH, KSK-CHAIN-SIGNER, KSK-VALIDITY, SKR-ALGORITHMS,
 * KSR-BUNDLE-KEYS TTL, KSR-ID replay, KSR-POLICY-SAFETY), and postflight on the signed result.
 */
import { randomUUID } from "node:crypto";
import { type Signer, bytesToHex, dsDigest, parseName } from "@ksk/core";
import { type KsrRequestDocument, type KsrResponseDocument, buildKsr, defaultKsrPolicy, parseQuarter } from "@ksk/ksr";
import { beforeAll, describe, expect, it } from "vitest";
import { testSigner } from "../../../test/support/soft-signer.js";
import { BUILT_IN_SCHEMAS, executePlan, planSigning, postflight, preflight } from "../src/index.js";
import { type LabKsks, labConfig, labKsks, materials } from "./helpers.js";

const NOW = Date.UTC(2026, 11, 1) / 1000; // a ceremony in December 2026 for 2027 Q1
let ksks: LabKsks;
let zsks: Signer[];
let ksr: KsrRequestDocument;
let previous: KsrResponseDocument;

beforeAll(async () => {
  ksks = labKsks();
  zsks = [0, 1, 2, 3].map((i) => testSigner({ algorithm: 8, label: `Zlab${i}` }));
  // Last quarter (2026 Q4), signed with the normal schema, then this quarter's KSR chaining to it.
  const q4 = await buildKsr({
    quarter: parseQuarter("2026Q4"),
    zsks: zsks.slice(0, 3),
    policy: defaultKsrPolicy(),
    nowEpochSeconds: NOW - 90 * 86400,
    newId: randomUUID,
  });
  const config = labConfig(ksks);
  previous = await executePlan(
    planSigning({ ksr: q4, schema: BUILT_IN_SCHEMAS.get("normal")!, kskPolicy: config.kskPolicy, ksks: materials(config, ksks) }),
    ksks.signers,
  );
  ksr = await buildKsr({
    quarter: parseQuarter("2027Q1"),
    zsks: zsks.slice(1, 4),
    policy: defaultKsrPolicy(),
    nowEpochSeconds: NOW,
    newId: randomUUID,
    previousSkr: previous,
  });
});

const failed = (report: { results: readonly { code: string; status: string; detail: string }[] }) => report.results.filter((r) => r.status === "fail");

describe("preflight", () => {
  it("SKR-VERIFY names the operator's own key that signed SKR(n-1) when the schema did not open it", () => {
    const config = labConfig(ksks);
    // Only ksk_next opened (a schema naming it alone): the previous SKR is signed by ksk_current.
    const m = new Map([["ksk_next", { config: config.keys.get("ksk_next")!, dnskey: ksks.next.dnskey }]]);
    const report = preflight({ ksr, previousSkr: previous, config, schema: BUILT_IN_SCHEMAS.get("rollover+")!, ksks: m, nowEpochSeconds: NOW });
    const skrVerify = report.results.find((r) => r.code === "SKR-VERIFY");
    expect(skrVerify?.status).toBe("fail");
    expect(skrVerify?.detail).toBe(
      `no signature by a trusted KSK (${ksks.next.keyTag} keys.ksk_next (label Knextkk)); signed by ${ksks.current.keyTag}, which is keys.ksk_current (label Kcurrnt) in the config but not a key opened for this signing (is --schema right?)`,
    );
  });

  it("passes a built KSR chained to the previous SKR, and returns the plan", () => {
    const config = labConfig(ksks);
    const report = preflight({
      ksr,
      previousSkr: previous,
      config,
      schema: BUILT_IN_SCHEMAS.get("normal")!,
      ksks: materials(config, ksks),
      nowEpochSeconds: NOW,
    });
    expect(failed(report)).toEqual([]);
    expect(report.results.map((r) => r.code)).toEqual(
      expect.arrayContaining(["KSR-CHAIN-KEYS", "KSR-CHAIN-OVERLAP", "KSR-ID", "SKR-VERIFY", "KSK-CHAIN-SIGNER", "SCHEMA-FITS-KSR"]),
    );
    expect(report.plan?.bundles).toHaveLength(9);
  });

  it("KSK-CONFIG-MATCH: a DS in the config that is not the HSM key's is a keystore failure (exit 4)", () => {
    const wrongDs = bytesToHex(dsDigest(parseName("."), ksks.next.dnskey, 2), true);
    const config = labConfig(ksks, { extra: "" });
    const text = { ...config.keys.get("ksk_current")!, dsSha256Hex: wrongDs };
    const keys = new Map(config.keys).set("ksk_current", text);
    const m = materials({ ...config, keys }, ksks);
    expect(() =>
      preflight({ ksr, previousSkr: previous, config: { ...config, keys }, schema: BUILT_IN_SCHEMAS.get("normal")!, ksks: m, nowEpochSeconds: NOW }),
    ).toThrow(expect.objectContaining({ kind: "keystore", code: "KSK-CONFIG-MATCH", message: expect.stringMatching(/DS SHA-256 is .* the config says/) }));
  });

  it("KSK-CONFIG-MATCH: a key tag or RSA size that differs is refused the same way", () => {
    const config = labConfig(ksks);
    for (const change of [{ keyTag: (ksks.current.keyTag + 1) % 65536 }, { rsaSizeBits: 3072 }]) {
      const keys = new Map(config.keys).set("ksk_current", { ...config.keys.get("ksk_current")!, ...change });
      expect(() =>
        preflight({
          ksr,
          previousSkr: previous,
          config: { ...config, keys },
          schema: BUILT_IN_SCHEMAS.get("normal")!,
          ksks: materials({ ...config, keys }, ksks),
          nowEpochSeconds: NOW,
        }),
      ).toThrow(expect.objectContaining({ code: "KSK-CONFIG-MATCH" }));
    }
  });

  it("KSK-CHAIN-SIGNER: fails when the key that signed the previous SKR is not in the HSM", () => {
    const other = testSigner({ algorithm: 8, flags: 257, label: "Kother1" });
    const config = labConfig({
      current: other,
      next: ksks.next,
      signers: new Map([
        ["ksk_current", other],
        ["ksk_next", ksks.next],
      ]),
    });
    const m = new Map([
      ["ksk_current", { config: config.keys.get("ksk_current")!, dnskey: other.dnskey }],
      ["ksk_next", { config: config.keys.get("ksk_next")!, dnskey: ksks.next.dnskey }],
    ]);
    const report = preflight({ ksr, previousSkr: previous, config, schema: BUILT_IN_SCHEMAS.get("normal")!, ksks: m, nowEpochSeconds: NOW });
    // SKR(n-1) is not signed by any key the operator holds: both its SKR-VERIFY and KSK-CHAIN-SIGNER fail;
    // and signing with a key no resolver has seen, dropping the one they trust, breaks both RFC 5011 rules.
    expect(new Set(failed(report).map((r) => r.code))).toEqual(
      new Set(["SKR-VERIFY", "KSK-CHAIN-SIGNER", "ROLLOVER-ADD-HOLDDOWN", "ROLLOVER-REMOVE-HOLDDOWN"]),
    );
    // It names the key that signed and says it is not in the config.
    expect(failed(report)[0]?.detail).toMatch(
      new RegExp(
        `^no signature by a trusted KSK \\(.*\\); signed by ${ksks.current.keyTag}, which is not in the config: this SKR was not signed by the operator's keys$`,
      ),
    );
    // It says what to change: which config keys (and labels) the schema opened.
    expect(failed(report)[1]?.detail).toMatch(
      /: schema normal opened keys\.ksk_current \(label Kother1\), keys\.ksk_next \(label \S+\); correct the label of the config key that holds the signing KSK, or choose the --schema that names it$/,
    );
    expect(report.plan).toBeUndefined();
  });

  it("KSK-VALIDITY: fails when a KSK's valid_from is after a bundle it is used in", () => {
    const config = labConfig(ksks, { validFrom: "2027-02-01T00:00:00+00:00" });
    const report = preflight({
      ksr,
      previousSkr: previous,
      config,
      schema: BUILT_IN_SCHEMAS.get("normal")!,
      ksks: materials(config, ksks),
      nowEpochSeconds: NOW,
    });
    expect(failed(report).map((r) => r.code)).toEqual(["KSK-VALIDITY"]);
    expect(failed(report)[0]?.detail).toMatch(/valid only from 2027-02-01T00:00:00Z, after the bundle's inception 2027-01-01T00:00:00Z/);
  });

  it("SKR-ALGORITHMS: fails when a published KSK's algorithm has no KSK signature (RFC 4035 §2.2)", () => {
    const ecdsa = testSigner({ algorithm: 13, flags: 257, label: "Kecdsa1" });
    const lab = {
      current: ksks.current,
      next: ecdsa,
      signers: new Map([
        ["ksk_current", ksks.current],
        ["ksk_next", ecdsa],
      ]),
    };
    const config = labConfig(lab);
    const keys = new Map(config.keys).set("ksk_next", {
      ...config.keys.get("ksk_next")!,
      algorithm: 13,
      rsaSizeBits: undefined,
      rsaExponent: undefined,
    } as never);
    const m = materials({ ...config, keys }, lab);
    const report = preflight({
      ksr,
      previousSkr: previous,
      config: { ...config, keys },
      schema: BUILT_IN_SCHEMAS.get("pre-publish")!,
      ksks: m,
      nowEpochSeconds: NOW,
    });
    expect(failed(report).map((r) => r.code)).toEqual(["SKR-ALGORITHMS"]);
  });

  it("KSK-POLICY-SIG-VALIDITY and -OVERLAP: the KSR's windows must fit the KSK operator's own policy too", () => {
    const config = labConfig(ksks);
    const plan = (kskPolicy: typeof config.kskPolicy) =>
      preflight({
        ksr,
        previousSkr: previous,
        config: { ...config, kskPolicy },
        schema: BUILT_IN_SCHEMAS.get("normal")!,
        ksks: materials(config, ksks),
        nowEpochSeconds: NOW,
      });
    const short = plan({ ...config.kskPolicy, maxSignatureValiditySeconds: 20 * 86400, minSignatureValiditySeconds: 20 * 86400 });
    expect(failed(short).map((r) => [r.code, r.detail])).toEqual([["KSK-POLICY-SIG-VALIDITY", "valid for P21D; ksk_policy allows P20D..P20D"]]);
    const tight = plan({ ...config.kskPolicy, maxValidityOverlapSeconds: 10 * 86400 });
    expect(failed(tight).map((r) => [r.code, r.detail])).toEqual([["KSK-POLICY-SIG-OVERLAP", "overlaps the next bundle by P11D; ksk_policy allows P9D..P10D"]]);
    expect(failed(plan(config.kskPolicy))).toEqual([]);
  });

  it("KSR-BUNDLE-KEYS: a ZSK TTL other than ksk_policy.ttl is refused, not rewritten", () => {
    const config = labConfig(ksks, { kskPolicy: "" });
    const shortTtl = { ...config, kskPolicy: { ...config.kskPolicy, ttlSeconds: 86400 } };
    expect(() => planSigning({ ksr, schema: BUILT_IN_SCHEMAS.get("normal")!, kskPolicy: shortTtl.kskPolicy, ksks: materials(config, ksks) })).toThrow(
      /has TTL 172800, not the policy TTL 86400; refused, not rewritten/,
    );
  });

  it("KSR-ID: a KSR whose id is the previous SKR's (a replay) fails", () => {
    const config = labConfig(ksks);
    const replay = { ...ksr, id: previous.id };
    const report = preflight({
      ksr: replay,
      previousSkr: previous,
      config,
      schema: BUILT_IN_SCHEMAS.get("normal")!,
      ksks: materials(config, ksks),
      nowEpochSeconds: NOW,
    });
    expect(failed(report).map((r) => r.code)).toContain("KSR-ID");
  });
});

describe("postflight", () => {
  it("passes the signed SKR: bundle count, signatures, answers the KSR, safety against the previous SKR", async () => {
    const config = labConfig(ksks);
    const report = preflight({
      ksr,
      previousSkr: previous,
      config,
      schema: BUILT_IN_SCHEMAS.get("pre-publish")!,
      ksks: materials(config, ksks),
      nowEpochSeconds: NOW,
    });
    const skr = await executePlan(report.plan!, ksks.signers);
    const after = postflight({ ksr, previousSkr: previous, skr, config });
    expect(failed(after)).toEqual([]);
    expect(after.results.map((r) => r.code)).toEqual(["SKR-BUNDLE-COUNT", "SKR-VERIFY", "SKR-MATCHES-KSR", "KSR-POLICY-SAFETY"]);
  });

  it("KSR-POLICY-SAFETY: switching straight to a new KSK with no overlap fails retire safety", async () => {
    const config = labConfig(ksks);
    const abrupt = { name: "abrupt", slots: Array(9).fill({ publish: ["ksk_next"], revoke: [], sign: ["ksk_next"] }) };
    const plan = planSigning({ ksr, schema: abrupt, kskPolicy: config.kskPolicy, ksks: materials(config, ksks) });
    const skr = await executePlan(plan, ksks.signers);
    const after = postflight({ ksr, previousSkr: previous, skr, config });
    expect(failed(after).map((r) => r.code)).toEqual(["KSR-POLICY-SAFETY"]);
    expect(failed(after)[0]?.detail).toMatch(/retire safety is P28D/);
  });

  it("SKR-BUNDLE-COUNT and SKR-MATCHES-KSR: an SKR missing a bundle fails both", async () => {
    const config = labConfig(ksks);
    const skr = await executePlan(
      planSigning({ ksr, schema: BUILT_IN_SCHEMAS.get("normal")!, kskPolicy: config.kskPolicy, ksks: materials(config, ksks) }),
      ksks.signers,
    );
    const short = { ...skr, bundles: skr.bundles.slice(0, 8) };
    expect(failed(postflight({ ksr, previousSkr: previous, skr: short, config })).map((r) => r.code)).toEqual(["SKR-BUNDLE-COUNT", "SKR-MATCHES-KSR"]);
  });
});
