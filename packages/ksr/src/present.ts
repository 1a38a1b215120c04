/**
 * Text views of a KSR/SKR for operators and auditors: the declared policy, and every bundle as DNS
 * presentation records (DNSKEY + RRSIG lines) that zone tools such as `ldns-verify-zone` read.
 * Pure: returns strings. The bundle table is @ksk/signer's `documentTable` (one renderer, with the
 * KSKs' marks and the DNSKEY answer sizes).
 */
import { KskError, algorithmInfo, formatDuration, formatIsoZ, isSupportedAlgorithm, rrToString } from "@ksk/core";
import { type KsrDocument, type SignaturePolicy, bundleDnskeyRrset, bundleRrsigRecords, documentDomain } from "./model.js";

function algorithmName(n: number): string {
  return isSupportedAlgorithm(n) ? `${n} (${algorithmInfo(n).mnemonic})` : String(n);
}

/** The declared signing policy of one role, one field a line. */
export function signaturePolicyLines(role: string, p: SignaturePolicy): string[] {
  return [
    `${role} policy:`,
    `  PublishSafety ${formatDuration(p.publishSafetySeconds)}, RetireSafety ${formatDuration(p.retireSafetySeconds)}`,
    `  SignatureValidity ${formatDuration(p.minSignatureValiditySeconds)}..${formatDuration(p.maxSignatureValiditySeconds)}, ValidityOverlap ${formatDuration(p.minValidityOverlapSeconds)}..${formatDuration(p.maxValidityOverlapSeconds)}`,
    ...p.algorithms.map((a) => `  SignatureAlgorithm ${algorithmName(a.algorithm)} ${a.family}-${a.sizeBits}${a.family === "RSA" ? ` e=${a.exponent}` : ""}`),
  ];
}

export function documentPolicyLines(document: KsrDocument): string[] {
  return document.kind === "request"
    ? signaturePolicyLines("ZSK", document.policy.zsk)
    : [...signaturePolicyLines("KSK", document.policy.ksk), ...signaturePolicyLines("ZSK", document.policy.zsk)];
}

/** Every bundle (or one) as presentation records, each preceded by a comment naming it. */
export function bundleZoneText(document: KsrDocument, only?: number): string {
  const domain = documentDomain(document);
  const out: string[] = [];
  for (const [i, b] of document.bundles.entries()) {
    if (only !== undefined && only !== i) continue;
    // The id goes into a comment line: a newline in it would start a record of its own. The reader
    // refuses such ids; this guards documents built any other way.
    if (!/^[\x20-\x7e]*$/.test(b.id)) {
      throw new KskError("input", "KSR-XML-ATTRIBUTE", "the bundle id holds a character outside printable ASCII (0x20-0x7E)", {
        where: `bundle ${i + 1}`,
      });
    }
    out.push(`; bundle ${i + 1} ${b.id} ${formatIsoZ(b.inceptionEpochSeconds)} .. ${formatIsoZ(b.expirationEpochSeconds)}`);
    for (const rr of bundleDnskeyRrset(b, domain)) out.push(rrToString(rr));
    for (const rr of bundleRrsigRecords(b, domain)) out.push(rrToString(rr));
  }
  return `${out.join("\n")}\n`;
}
