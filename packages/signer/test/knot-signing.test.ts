/**
 * Signing Knot DNS's KSR (as keymgr 3.2.6 wrote it, ../../ksr/test/fixtures) with the ceremony's
 * checks and plan, TEST ONLY in-memory KSKs: which KSR checks apply (PASS) and which cannot (SKIP
 * with the reason), the rollover schemas laid over Knot's periods, the SKR verified after, and the
 * whole act through signQuarter with Knot's checks and the SKR written in Knot's format.
 */
import { type Signer, keyTag, makeRR, parseName } from "@ksk/core";
import { KNOT_KSR_SKIPPED, type KsrResponseDocument, knotKsrToRequest, parseKnotText } from "@ksk/ksr";
import { describe, expect, it } from "vitest";
import { testSigner } from "../../../test/support/soft-signer.js";
import {
  BUILT_IN_SCHEMAS,
  KNOT_CHECKS,
  type KskMaterial,
  type SignQuarterHooks,
  executePlan,
  fitSchemaToBundles,
  knotPostflight,
  knotPreflight,
  knotSkrFormat,
  knotSlicing,
  parseSignerConfig,
  signQuarter,
  verifySkr,
} from "../src/index.js";
import { fixtureBytes } from "./helpers.js";

const current = testSigner({ algorithm: 13, flags: 257, label: "knot-ksk-current" });
const next = testSigner({ algorithm: 13, flags: 257, label: "knot-ksk-next" });
const signers = new Map<string, Signer>([
  ["ksk_current", current],
  ["ksk_next", next],
]);

function config(overlap = "P14D") {
  const key = (name: string, s: Signer) =>
    `  ${name}:\n    description: ${name}\n    label: ${s.label}\n    key_tag: ${s.keyTag}\n    algorithm: ECDSAP256SHA256\n    valid_from: 2026-01-01T00:00:00+00:00\n`;
  return parseSignerConfig(
    `keystore: file:/lab/keystore\nkeys:\n${key("ksk_current", current)}${key("ksk_next", next)}ksk_policy:\n  max_signature_validity: P14D\n  min_signature_validity: P14D\n  max_validity_overlap: ${overlap}\n  min_validity_overlap: P7D\n  ttl: 3600\n  signers_name: example.\nrequest_policy:\n  acceptable_domains: [example.]\n  approved_algorithms: [ECDSAP256SHA256]\n  enable_unsupported_ecdsa: true\n  dns_ttl: 3600\n  signature_horizon_days: 365\n`,
    "knot.yaml",
  );
}

const NOW = 1796545300;

function input(schemaName: string, overlap?: string) {
  const c = config(overlap);
  const knot = parseKnotText(fixtureBytes("knot-3.2.6-ksr.txt"), { fileName: "knot-ksr.txt" });
  const ksr = knotKsrToRequest(knot, knotSlicing(c.kskPolicy));
  const ksks = new Map<string, KskMaterial>([...signers].map(([name, s]) => [name, { config: c.keys.get(name)!, dnskey: s.dnskey }]));
  return { ksr, config: c, schema: BUILT_IN_SCHEMAS.get(schemaName)!, ksks, nowEpochSeconds: NOW };
}

describe("a Knot KSR through the ceremony's checks", () => {
  it("runs the checks that apply, SKIPs the ones that cannot with the reason, and plans every slice", () => {
    const report = knotPreflight(input("normal"));
    expect(report.results.filter((r) => r.status === "fail")).toEqual([]);
    const skipped = report.results.filter((r) => r.status === "not-run").map((r) => r.code);
    expect(skipped).toEqual(expect.arrayContaining(Object.keys(KNOT_KSR_SKIPPED)));
    expect(report.results.find((r) => r.code === "KSR-BUNDLE-POP")?.detail).toMatch(/no proof of possession/);
    for (const code of ["KSR-DOMAIN", "KSR-BUNDLE-KEYS", "KSR-POLICY-ALG", "KSR-POLICY-SIG-HORIZON", "KSR-KEYTAG-CLASH", "SCHEMA-FITS-KSR"]) {
      expect(report.results.find((r) => r.code === code)?.status, code).toBe("pass");
    }
    expect(report.plan?.bundles.length).toBe(input("normal").ksr.bundles.length);
  });

  it("fails on the KSK policy's own windows: an overlap cap shorter than a period boundary needs", () => {
    const report = knotPreflight(input("normal", "P8D"));
    expect(report.ok).toBe(false);
    expect(report.results.filter((r) => r.status === "fail").map((r) => [r.code, r.where])).toEqual([["KSK-POLICY-SIG-OVERLAP", "bundle 5 (knot-1798964410)"]]);
  });

  it("lays a 9-slot schema over the periods: first, middle repeated, last", () => {
    const schema = fitSchemaToBundles(BUILT_IN_SCHEMAS.get("rollover")!, 14);
    expect(schema.slots).toHaveLength(14);
    expect(schema.slots[0]?.sign).toEqual(["ksk_current"]);
    expect(schema.slots.slice(1).every((s) => s.sign.join() === "ksk_next")).toBe(true);
    expect(() =>
      fitSchemaToBundles(
        { name: "odd", slots: [...BUILT_IN_SCHEMAS.get("normal")!.slots.slice(0, 4), ...BUILT_IN_SCHEMAS.get("rollover")!.slots.slice(4)] },
        14,
      ),
    ).toThrow(/middle ones differ/);
  });

  it("signs, and the SKR verifies and passes the checks after signing; a tampered one does not", async () => {
    const i = input("pre-publish");
    const report = knotPreflight(i);
    expect(report.ok).toBe(true);
    const skr = await executePlan(report.plan!, signers);
    const after = knotPostflight({ ksr: i.ksr, skr, config: i.config });
    expect(after.results.filter((r) => r.status === "fail")).toEqual([]);
    expect(skr.bundles.at(-1)?.keys.map((k) => keyTag(k.dnskey))).toContain(next.keyTag);
    expect(verifySkr(skr, { anchors: [makeRR(parseName("example."), 3600, current.dnskey)] }).ok).toBe(true);
    const sig = skr.bundles[2]!.signatures[0]!;
    const bytes = Uint8Array.from(sig.rrsig.signatureBytes);
    bytes[5] = (bytes[5] ?? 0) ^ 1;
    const tampered: KsrResponseDocument = {
      ...skr,
      bundles: skr.bundles.map((b, n) => (n === 2 ? { ...b, signatures: [{ ...sig, rrsig: { ...sig.rrsig, signatureBytes: bytes } }] } : b)),
    };
    expect(knotPostflight({ ksr: i.ksr, skr: tampered, config: i.config }).ok).toBe(false);
  });

  describe("through signQuarter with Knot's checks and format", () => {
    function knotAct(alter: (bytes: Uint8Array) => Uint8Array = (b) => b) {
      const i = input("pre-publish");
      const seen: string[] = [];
      let kept: Uint8Array | undefined;
      const hooks: SignQuarterHooks = {
        onChecks: (stage, report) => seen.push(`${stage}: ${report.results.filter((r) => r.status === "not-run").length} skipped, ok ${report.ok}`),
        confirm: async (display) => {
          seen.push(`tables ${display.tables.length}`, display.question);
          return "Yes";
        },
        write: async (bytes, verify) => {
          const written = alter(bytes);
          verify(written);
          kept = written;
        },
      };
      const slicing = knotSlicing(i.config.kskPolicy);
      const run = signQuarter(
        {
          ...i,
          signers,
          outputName: "knot-skr.txt",
          checks: KNOT_CHECKS,
          format: knotSkrFormat(slicing, "ksk test", NOW),
        },
        hooks,
      );
      return { i, seen, run, kept: () => kept };
    }

    it("asks the question naming the signing keys and writes a Knot SKR that reads back as the SKR signed", async () => {
      const act = knotAct();
      const done = await act.run;
      const skipped = Object.keys(KNOT_KSR_SKIPPED).length;
      const slots = act.i.ksr.bundles.length;
      expect(act.seen).toEqual([
        `before: ${skipped} skipped, ok true`,
        "tables 2",
        `knot-ksk-current signs slots 1–${slots}; knot-ksk-next is published only.`,
        "after: 0 skipped, ok true",
      ]);
      const text = new TextDecoder().decode(act.kept());
      expect(text).toMatch(/^;; SignedKeyResponse 1\.0 /m);
      expect(text).not.toMatch(/<\?xml/);
      const reread = knotSkrFormat(knotSlicing(act.i.config.kskPolicy), "ksk test", NOW).parse(act.kept()!, "knot-skr.txt");
      expect(reread.bundles.map((b) => b.signatures.length)).toEqual(done.skr.bundles.map((b) => b.signatures.length));
    });

    it("keeps nothing when the Knot SKR as written fails the checks after signing", async () => {
      const act = knotAct((bytes) => {
        // One signature's base64 changed: the SKR as written no longer verifies. The character is
        // taken well before the end, where all six of its bits are signature bits (the last ones
        // before "==" carry padding bits a decoder ignores).
        const text = new TextDecoder().decode(bytes);
        const at = text.indexOf("RRSIG");
        let p = text.indexOf("\n", at) - 10;
        while (!/[A-Za-z0-9+/]/.test(text[p] ?? "")) p--;
        const flipped = text[p] === "A" ? "B" : "A";
        return new TextEncoder().encode(`${text.slice(0, p)}${flipped}${text.slice(p + 1)}`);
      });
      await expect(act.run).rejects.toThrow(/checks after signing failed: .*SKR-VERIFY/);
      expect(act.kept()).toBeUndefined();
    });
  });
});
