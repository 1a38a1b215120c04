/**
 * Independent verification of KSR proof-of-possession signatures with ldns (ldns-verify-zone -t).
 * Each bundle is written as zone records with `ksk ksr show --format zone`'s formatter plus an
 * unsigned SOA (ldns needs one). ldns then reports exactly two expected zone-level errors — the
 * SOA has no signature and there is no NSEC chain — and must report nothing about the DNSKEY
 * RRset inside the POP window; a changed signature byte or a time outside the window must make it
 * report the DNSKEY RRset.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { formatRrsigTime } from "@ksk/core";
import { type KsrRequestDocument, buildKsr, bundleZoneText, defaultKsrPolicy, parseKsrXml, parseQuarter } from "@ksk/ksr";
import { afterAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { testSigner } from "./support/soft-signer.js";
import { hasTool, runTool } from "./support/tools.js";

const dir = mkdtempSync(path.join(tmpdir(), "ksr-ldns-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SOA = ".\t86400\tIN\tSOA\ta.root-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400\n";

function ldnsDnskeyErrors(ksr: KsrRequestDocument, bundle: number, at: number): { dnskeyErrors: string[]; output: string } {
  const file = path.join(dir, `bundle-${bundle}-${at}.zone`);
  writeFileSync(file, SOA + bundleZoneText(ksr, bundle));
  const r = runTool("ldns-verify-zone", ["-t", formatRrsigTime(at), file]);
  const output = `${r.stdout}${r.stderr}`;
  const errors = output.split("\n").filter((l) => l.startsWith("Error"));
  // The two errors every such file gets, whatever its signatures.
  const expected = ["Error: no signatures for .\tSOA", "Error: there is no NSEC(3) for ."];
  for (const e of expected) expect(errors).toContain(e);
  return { dnskeyErrors: errors.filter((e) => !expected.includes(e)), output };
}

describe("ldns-verify-zone checks KSR proofs of possession", () => {
  it.runIf(hasTool("ldns-verify-zone"))("every bundle of the real ksr-root-2017-q2-0.xml", () => {
    const ksr = parseKsrXml(new Uint8Array(readFileSync(new URL("../packages/ksr/test/fixtures/ksr-root-2017-q2-0.xml", import.meta.url))))
      .document as KsrRequestDocument;
    const inside = Date.UTC(2017, 0, 15) / 1000;
    for (let i = 0; i < 9; i++) expect(ldnsDnskeyErrors(ksr, i, inside).dnskeyErrors).toEqual([]);
    expect(ldnsDnskeyErrors(ksr, 0, Date.UTC(2017, 1, 15) / 1000).dnskeyErrors.join("\n")).toMatch(/expired.*DNSKEY/);
  });

  it.runIf(hasTool("ldns-verify-zone"))("every bundle of a built KSR, and not a tampered one", async () => {
    const now = Date.UTC(2026, 10, 28) / 1000;
    let n = 0;
    const ksr = await buildKsr({
      quarter: parseQuarter("2027Q1"),
      zsks: ["a", "b", "c"].map((label) => testSigner({ algorithm: 8, label })),
      policy: defaultKsrPolicy(),
      nowEpochSeconds: now,
      newId: () => `id-${++n}`,
    });
    for (let i = 0; i < 9; i++) expect(ldnsDnskeyErrors(ksr, i, now + 86400).dnskeyErrors).toEqual([]);
    // Bundle 4 has one ZSK and one signature (a resolver accepts an RRset if any one RRSIG is valid,
    // so tampering with one of two signatures would rightly go unnoticed).
    const sig = ksr.bundles[3]!.signatures[0]!;
    const bytes = sig.rrsig.signatureBytes.slice();
    bytes[20] = (bytes[20] as number) ^ 1;
    const tampered = {
      ...ksr,
      bundles: ksr.bundles.map((b, i) => (i === 3 ? { ...b, signatures: [{ ...sig, rrsig: { ...sig.rrsig, signatureBytes: bytes } }] } : b)),
    };
    expect(ldnsDnskeyErrors(tampered, 3, now + 86400).dnskeyErrors.join("\n")).toMatch(/DNSKEY/);
  });
});
