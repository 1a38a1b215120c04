/**
 * The ZSK operator's steps below the command line: ZSKs put in role order from their labels,
 * a KSR built, checked and serialised only when every check passes, the written bytes checked to
 * read back as that KSR, and the KSKs of SKR(n-1) an anchor designates (the real 2017 Q1 SKR).
 * TEST ONLY in-memory signers; no yargs.
 */
import { type KskError, type Signer, keyTag, makeDs, makeRR, withRevokeBit } from "@ksk/core";
import { describe, expect, it } from "vitest";
import { testSigner } from "../../../test/support/soft-signer.js";
import {
  ROOT_DNSKEY_TTL_SECONDS,
  anchoredSkrKsks,
  buildCheckedKsr,
  checkKsrReadsBack,
  defaultKsrPolicy,
  parseKsrXml,
  parseQuarter,
  skrKsks,
  zsksInRoleOrder,
} from "../src/index.js";
import { loadSkr, utc } from "./helpers.js";

const NOW = utc(2026, 11, 28, 12, 34, 56);
let counter = 0;
const newId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, "0")}`;
const zsks: Signer[] = ["retiring", "current", "next"].map((label) => testSigner({ algorithm: 8, label }));
const ecdsaZsks: Signer[] = ["retiring", "current", "next"].map((label) => testSigner({ algorithm: 13, label }));

describe("zsksInRoleOrder", () => {
  const listed = (label: string, flags = 256, both = true) => ({
    label,
    dnskey: { kind: "DNSKEY" as const, flags, protocol: 3, algorithm: 8, publicKeyBytes: new Uint8Array([3, 1, 0, 1, 0xc0]) },
    hasPrivateKey: both,
    hasPublicKey: true,
  });
  const created: Record<string, number> = { Za: 300, Zb: 100, Zc: 200, Kx: 50, Zhalf: 10 };

  it("orders the ZSKs by creation time, leaving out KSKs and keys without a private half", () => {
    const keys = [listed("Za"), listed("Kx", 257), listed("Zb"), listed("Zhalf", 256, false), listed("Zc")];
    expect(zsksInRoleOrder(keys, (l) => created[l], "file:ks")).toEqual(["Zb", "Zc", "Za"]);
  });

  it("refuses to guess when a ZSK's creation time is unknown (usage error)", () => {
    expect(() => zsksInRoleOrder([listed("Za"), listed("mine")], (l) => created[l], "file:ks")).toThrow(
      expect.objectContaining({ kind: "usage", code: "USAGE-ZSK-ORDER", where: "file:ks" }),
    );
  });
});

describe("buildCheckedKsr", () => {
  it("returns the bytes of a KSR that passes every check and reads back as built", async () => {
    const built = await buildCheckedKsr({ quarter: parseQuarter("2027Q1"), zsks, policy: defaultKsrPolicy(), nowEpochSeconds: NOW, newId });
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.report.results.filter((r) => r.status === "fail")).toEqual([]);
    expect(parseKsrXml(built.bytes).document.id).toBe(built.ksr.id);
    expect(built.ksr.bundles[0]!.keys.every((k) => k.ttlSeconds === ROOT_DNSKEY_TTL_SECONDS)).toBe(true);
    expect(() => checkKsrReadsBack(built.bytes, built.ksr, "out.xml")).not.toThrow();
  });

  it("returns only the report when a check fails (ECDSA ZSKs under the root's RSA-only policy)", async () => {
    const built = await buildCheckedKsr({ quarter: parseQuarter("2027Q1"), zsks: ecdsaZsks, policy: defaultKsrPolicy(), nowEpochSeconds: NOW, newId });
    expect(built.ok).toBe(false);
    expect(built.report.results.find((r) => r.status === "fail")?.code).toBe("KSR-POLICY-ALG");
    expect("bytes" in built).toBe(false);
  });

  it("refuses written bytes that read back as another KSR", async () => {
    const built = await buildCheckedKsr({ quarter: parseQuarter("2027Q1"), zsks, policy: defaultKsrPolicy(), nowEpochSeconds: NOW, newId });
    if (!built.ok) throw new Error("not built");
    const other = new TextEncoder().encode(new TextDecoder().decode(built.bytes).replace(built.ksr.id, "another-id"));
    const e = (() => {
      try {
        checkKsrReadsBack(other, built.ksr, "out.xml");
      } catch (err) {
        return err as KskError;
      }
    })();
    expect({ kind: e?.kind, code: e?.code, where: e?.where }).toEqual({ kind: "input", code: "KSR-WRITE-MISMATCH", where: "out.xml" });
  });
});

describe("anchoredSkrKsks — the real skr-root-2017-q1-0.xml", () => {
  const skr = loadSkr("skr-root-2017-q1-0.xml");
  const ksks = skrKsks(skr);

  it("keeps the KSK a DS anchor designates, and only it", () => {
    expect(ksks.map(keyTag).sort()).toEqual([19036]);
    const ksk2010 = ksks[0]!;
    const ds = makeRR({ labels: [] }, ROOT_DNSKEY_TTL_SECONDS, makeDs({ labels: [] }, ksk2010, 2));
    expect(anchoredSkrKsks(skr, [ds]).map(keyTag)).toEqual([19036]);
  });

  it("keeps none for an anchor of another key (the same key revoked)", () => {
    const revoked = withRevokeBit(ksks[0]!);
    expect(anchoredSkrKsks(skr, [makeRR({ labels: [] }, ROOT_DNSKEY_TTL_SECONDS, revoked)])).toEqual([]);
  });
});
