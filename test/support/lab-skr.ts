/**
 * TEST ONLY: a lab quarter's SKR made in-process — the KSR built by @ksk/ksr's builder from three
 * ZSKs (retiring, current, next), then each bundle's DNSKEY RRset (ZSKs + the KSK) signed by the
 * KSK over the bundle's window, as the KSK operator's ceremony does. For zone tests that need an
 * SKR without running a ceremony; the ceremony itself is tested in the signer package and the lab.
 */
import { type Signer, signRrset } from "@ksk/core";
import { type Bundle, type KsrResponseDocument, buildKsr, bundleDnskeyRrset, defaultKsrPolicy, documentDomain, parseQuarter } from "@ksk/ksr";

export async function labSkr(options: { zsks: readonly Signer[]; ksk: Signer; quarter: string; nowEpochSeconds: number }): Promise<KsrResponseDocument> {
  const policy = defaultKsrPolicy();
  let n = 0;
  const ksr = await buildKsr({
    quarter: parseQuarter(options.quarter),
    zsks: options.zsks,
    policy,
    nowEpochSeconds: options.nowEpochSeconds,
    newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`,
  });
  const domain = documentDomain(ksr);
  const ksk = options.ksk;
  const bundles: Bundle[] = [];
  for (const b of ksr.bundles) {
    const keys = [...b.keys, { ttlSeconds: 172800, dnskey: ksk.dnskey }];
    const withKeys: Bundle = {
      id: b.id,
      inceptionEpochSeconds: b.inceptionEpochSeconds,
      expirationEpochSeconds: b.expirationEpochSeconds,
      keys,
      signatures: [],
    };
    const rrsig = await signRrset(ksk, bundleDnskeyRrset(withKeys, domain), {
      typeCovered: 48,
      algorithm: ksk.dnskey.algorithm,
      labels: 0,
      originalTtlSeconds: 172800,
      expirationEpochSeconds: b.expirationEpochSeconds,
      inceptionEpochSeconds: b.inceptionEpochSeconds,
      keyTag: ksk.keyTag,
      signerName: domain,
    });
    bundles.push({ ...withKeys, signatures: [{ ttlSeconds: 172800, rrsig: rrsig.rdata }] });
  }
  const zskPolicy = ksr.policy.zsk;
  return {
    kind: "response",
    id: ksr.id,
    serial: ksr.serial,
    domain: ksr.domain,
    timestampEpochSeconds: options.nowEpochSeconds,
    bundles,
    policy: { ksk: { ...zskPolicy, maxSignatureValiditySeconds: 21 * 86400, minSignatureValiditySeconds: 21 * 86400 }, zsk: zskPolicy },
  };
}
