/**
 * Every built-in rollover schema planned and signed over the real KSR of 2017 Q2
 * (ksr-root-2017-q2-0.xml: 9 bundles, ZSKs [2,1,1,1,1,1,1,1,2]) with two lab KSKs: the exact key
 * sets, flags and signing key tags per slot, the revoked tag recomputed, the DNSKEY response sizes
 * of the root's shapes (864 / 1414 / 1425 octets, see packages/signer/src/response-size.ts), and a byte-identical SKR for the same inputs.
 */
import { DNSKEY_FLAG_REVOKE, keyTag, revokedKeyTag } from "@ksk/core";
import { writeKsrXml } from "@ksk/ksr";
import { describe, expect, it } from "vitest";
import {
  BUILT_IN_SCHEMAS,
  DNSKEY_RESPONSE_WARN_BYTES,
  checkSchemaFitsKsr,
  executePlan,
  isBuiltInSchema,
  planSigning,
  schemaFromConfig,
  verifySkr,
} from "../src/index.js";
import { labConfig, labKsks, materials, readKsr } from "./helpers.js";
import { testSigner } from "../../../test/support/soft-signer.js";

const ksr = readKsr("ksr-root-2017-q2-0.xml");
const ksks = labKsks();
const config = labConfig(ksks);
const input = (schemaName: string) => ({ ksr, schema: BUILT_IN_SCHEMAS.get(schemaName)!, kskPolicy: config.kskPolicy, ksks: materials(config, ksks) });

// What each slot must hold: C = ksk_current, N = ksk_next, R = ksk_current revoked; signers likewise.
const EXPECTED: Record<string, { published: string; signers: string }[]> = {
  normal: Array(9).fill({ published: "C", signers: "C" }),
  "pre-publish": [{ published: "C", signers: "C" }, ...Array(8).fill({ published: "CN", signers: "C" })],
  "publish+": Array(9).fill({ published: "CN", signers: "C" }),
  rollover: [{ published: "CN", signers: "C" }, ...Array(8).fill({ published: "CN", signers: "N" })],
  "rollover+": Array(9).fill({ published: "CN", signers: "N" }),
  revoke: [{ published: "CN", signers: "N" }, ...Array(7).fill({ published: "NR", signers: "NR" }), { published: "N", signers: "N" }],
  "revoke+": [{ published: "N", signers: "N" }, ...Array(7).fill({ published: "NR", signers: "NR" }), { published: "N", signers: "N" }],
};

const letter = (tag: number) =>
  tag === ksks.current.keyTag ? "C" : tag === ksks.next.keyTag ? "N" : tag === revokedKeyTag(ksks.current.dnskey) ? "R" : `?${tag}`;
const letters = (tags: number[]) => tags.map(letter).sort().join("");

describe("built-in schemas over the real 2017 Q2 KSR", () => {
  it("covers the seven phases of a KSK roll", () => {
    expect([...BUILT_IN_SCHEMAS.keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [name, slots] of Object.entries(EXPECTED)) {
    it(`${name}: exact KSKs, flags and signing key tags in every slot, and the SKR verifies`, async () => {
      const plan = planSigning(input(name));
      expect(plan.bundles).toHaveLength(9);
      for (const [i, bundle] of plan.bundles.entries()) {
        const ksrBundle = ksr.bundles[i]!;
        const zskTags = ksrBundle.keys.map((k) => keyTag(k.dnskey));
        const kskKeys = bundle.keys.filter((k) => !zskTags.includes(keyTag(k.dnskey)));
        expect(letters(kskKeys.map((k) => keyTag(k.dnskey))), `slot ${i + 1} published`).toBe(slots[i]!.published.split("").sort().join(""));
        expect(letters(bundle.signatures.map((s) => s.template.keyTag)), `slot ${i + 1} signers`).toBe(slots[i]!.signers.split("").sort().join(""));
        for (const k of kskKeys) {
          const revoked = letter(keyTag(k.dnskey)) === "R";
          expect(k.dnskey.flags).toBe(revoked ? 257 | DNSKEY_FLAG_REVOKE : 257);
          expect(k.ttlSeconds).toBe(172800);
        }
        for (const s of bundle.signatures) {
          expect(s.template.inceptionEpochSeconds).toBe(ksrBundle.inceptionEpochSeconds);
          expect(s.template.expirationEpochSeconds).toBe(ksrBundle.expirationEpochSeconds);
          expect(s.template.labels).toBe(0);
          expect(s.template.originalTtlSeconds).toBe(172800);
        }
        expect(bundle.keys.slice(0, zskTags.length).map((k) => k.dnskey)).toEqual(ksrBundle.keys.map((k) => k.dnskey));
      }
      const skr = await executePlan(plan, ksks.signers);
      const report = verifySkr(skr, { ksr });
      expect(report.checks.filter((c) => c.status !== "pass")).toEqual([]);
      expect(report.ok).toBe(true);
    });
  }

  it("verifySkr reports a bundle signed only by a revoked key, and a revoked key that does not sign", async () => {
    const skr = await executePlan(planSigning(input("revoke")), ksks.signers);
    const revokedTag = revokedKeyTag(ksks.current.dnskey);
    const only = (keep: (tag: number) => boolean) => ({
      ...skr,
      bundles: skr.bundles.map((b, i) => (i === 1 ? { ...b, signatures: b.signatures.filter((s) => keep(s.rrsig.keyTag)) } : b)),
    });
    const revokedOnly = verifySkr(only((t) => t === revokedTag));
    expect(revokedOnly.ok).toBe(false);
    expect(revokedOnly.bundles[1]?.problems.map((p) => p.detail)).toContain("only revoked keys sign this bundle: no resolver can validate it");
    const silent = verifySkr(only((t) => t !== revokedTag));
    expect(silent.bundles[1]?.problems.map((p) => p.detail)).toContain(`revoked key ${revokedTag} does not sign the RRset that carries it (RFC 5011 §2.1)`);
    expect(verifySkr(skr).ok).toBe(true);
  });

  it("recomputes the revoked KSK's tag instead of adding 128, and the revoked key signs under it", () => {
    const plan = planSigning(input("revoke"));
    const revoked = plan.bundles[1]!.signatures.find((s) => s.keyName === "ksk_current")!;
    expect(revoked.template.keyTag).toBe(keyTag({ ...ksks.current.dnskey, flags: 385 }));
    expect(revoked.dnskey.flags).toBe(385);
  });

  it("reports the DNSKEY response size per slot: 864 normally, 1414 with 2 KSKs + 2 ZSKs, 1425 with revoked + new KSK", () => {
    const normal = planSigning(input("normal")).bundles.map((b) => b.responseSizeBytes);
    expect(normal[1]).toBe(864);
    const prePublish = planSigning(input("pre-publish")).bundles.map((b) => b.responseSizeBytes);
    expect(prePublish[8]).toBe(1414);
    const revoke = planSigning(input("revoke")).bundles.map((b) => b.responseSizeBytes);
    expect(revoke[1]).toBe(1425);
    expect(revoke[1]).toBeGreaterThan(DNSKEY_RESPONSE_WARN_BYTES);
  });

  it("gives a byte-identical SKR for the same KSR, config and keys", async () => {
    const plan = planSigning(input("rollover"));
    const a = writeKsrXml(await executePlan(plan, ksks.signers, { timestampEpochSeconds: 1_700_000_000 }));
    const b = writeKsrXml(await executePlan(planSigning(input("rollover")), ksks.signers, { timestampEpochSeconds: 1_700_000_000 }));
    expect(Buffer.compare(a, b)).toBe(0);
  });
});

describe("SCHEMA-FITS-KSR (refused when loaded, not at slot 7)", () => {
  const keys = new Set(["ksk_current", "ksk_next"]);
  const normal = BUILT_IN_SCHEMAS.get("normal")!;
  it("accepts a built-in schema for a 9-bundle KSR", () => {
    expect(() => checkSchemaFitsKsr(normal, 9, keys)).not.toThrow();
  });
  it("tells a built-in schema from a config schema of the same name", () => {
    expect(isBuiltInSchema(normal)).toBe(true);
    expect(isBuiltInSchema(schemaFromConfig("normal", { "1": { publish: ["ksk_current"], sign: ["ksk_current"] } }))).toBe(false);
  });
  it("refuses a key listed twice, naming the list to change", () => {
    const twice = { name: "x", slots: [{ publish: ["ksk_current", "ksk_current"], revoke: [], sign: ["ksk_current"] }] };
    expect(() => checkSchemaFitsKsr(twice, 1, keys)).toThrow(/lists a key twice in publish; change schemas.x.1.publish$/);
  });
  it.each([
    [
      "a KSR of 8 bundles (built-in schema)",
      normal,
      8,
      keys,
      /has 9 slots but the KSR has 8 bundles; schema normal is built in: choose another, or define one in the config's schemas section$/,
    ],
    [
      "a KSR of 8 bundles (config schema)",
      schemaFromConfig("normal", Object.fromEntries(normal.slots.map((s, i) => [String(i + 1), s]))),
      8,
      keys,
      /has 9 slots but the KSR has 8 bundles; give schemas.normal slots 1..8$/,
    ],
    [
      "a key missing from the config (built-in schema)",
      normal,
      9,
      new Set(["ksk_next"]),
      /names key "ksk_current" \(publish\), which is not in the config's keys \(ksk_next\); add keys.ksk_current to the config, or choose a schema that names only configured keys$/,
    ],
    [
      "a key missing from the config (config schema)",
      { name: "x", slots: [{ publish: ["ksk_current"], revoke: [], sign: ["ksk_current", "ksk_nxt"] }] },
      1,
      keys,
      /names key "ksk_nxt" \(sign\), which is not in the config's keys \(ksk_current, ksk_next\); add keys.ksk_nxt to the config, or change schemas.x.1.sign$/,
    ],
    [
      "a slot with no signer",
      { name: "x", slots: [{ publish: ["ksk_current"], revoke: [], sign: [] }] },
      1,
      keys,
      /has no signing key; change schemas.x.1.sign$/,
    ],
    [
      "a signer that is not published",
      { name: "x", slots: [{ publish: ["ksk_current"], revoke: [], sign: ["ksk_next"] }] },
      1,
      keys,
      /signs but is neither published nor revoked in this slot; change schemas.x.1.publish or schemas.x.1.sign$/,
    ],
    [
      "a slot signed only by a revoked key",
      { name: "x", slots: [{ publish: ["ksk_next"], revoke: ["ksk_current"], sign: ["ksk_current"] }] },
      1,
      keys,
      /is signed only by revoked keys: no resolver could validate this slot; change schemas.x.1.sign$/,
    ],
    [
      "a revoked key that does not sign its revocation",
      { name: "x", slots: [{ publish: ["ksk_next"], revoke: ["ksk_current"], sign: ["ksk_next"] }] },
      1,
      keys,
      /key "ksk_current" is published revoked but does not sign: resolvers would never accept the revocation; change schemas.x.1.sign$/,
    ],
    [
      "a key both published and revoked",
      { name: "x", slots: [{ publish: ["ksk_current"], revoke: ["ksk_current"], sign: ["ksk_current"] }] },
      1,
      keys,
      /both published and revoked; change schemas.x.1.publish or schemas.x.1.revoke$/,
    ],
  ])("refuses %s", (_why, schema, count, configured, message) => {
    expect(() => checkSchemaFitsKsr(schema, count, configured)).toThrow(message);
    try {
      checkSchemaFitsKsr(schema, count, configured);
    } catch (e) {
      expect((e as { code: string }).code).toBe("SCHEMA-FITS-KSR");
    }
  });
});

describe("SCHEMA-FITS-KSR: a signing KSK whose algorithm the KSR/SKR format cannot declare", () => {
  it("an Ed25519 KSK is refused before anything is signed, naming the key and what to change; the RSA KSK plans", () => {
    const ed25519 = testSigner({ algorithm: 15, flags: 257, label: "Ked2551" });
    const withEd = new Map(materials(config, ksks));
    const current = withEd.get("ksk_current")!;
    withEd.set("ksk_current", { config: current.config, dnskey: ed25519.dnskey });
    const schema = BUILT_IN_SCHEMAS.get("normal")!;
    expect(() => planSigning({ ksr, schema, kskPolicy: config.kskPolicy, ksks: withEd })).toThrow(
      /^key ksk_current uses ED25519, which the KSR\/SKR format's SignatureAlgorithm element cannot declare \(RSA and ECDSA only\); sign with an RSA or ECDSA KSK: change keys\.ksk_current in the config, or choose a schema in which ksk_current does not sign$/,
    );
    expect(planSigning(input("normal")).bundles).toHaveLength(9);
  });
});
