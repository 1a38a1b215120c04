/**
 * The chain between KSR(n) and the SKR the KSK operator produced last quarter, SKR(n-1): checks
 * that need no HSM, so `ksk ksr validate --previous-skr` and the KSK signer (#5) run the same
 * functions. IANA's names: KSR-ID, KSR-CHAIN-KEYS (its KSR-CHAIN-PRE and -POST together),
 * KSR-CHAIN-OVERLAP; SKR(n-1)'s own signatures are verified under SKR-VERIFY (IANA's
 * KSR-PREVIOUS, here in software; #5 may add the HSM check `check_chain_keys_in_hsm`).
 */
import {
  RRType,
  checkFailed,
  formatDuration,
  isSep,
  keyTag,
  makeRR,
  namesEqual,
  nameToString,
  rrsigLabelCount,
  sameKeyMaterial,
  verifyRrsig,
  type DnskeyRdata,
} from "@ksk/core";
import { type Bundle, type KsrRequestDocument, type KsrResponseDocument, bundleDnskeyRrset, bundleLabel, documentDomain, sameDnskey } from "./model.js";

/** The ZSKs of a bundle: keys without the SEP bit. */
export function bundleZsks(bundle: Bundle): DnskeyRdata[] {
  return bundle.keys.filter((k) => !isSep(k.dnskey)).map((k) => k.dnskey);
}

/** The KSK operator's keys in an SKR: every key with the SEP bit, in any bundle, deduplicated. */
export function skrKsks(skr: KsrResponseDocument): DnskeyRdata[] {
  const out: DnskeyRdata[] = [];
  for (const b of skr.bundles) for (const k of b.keys) if (isSep(k.dnskey) && !out.some((o) => sameDnskey(o, k.dnskey))) out.push(k.dnskey);
  return out;
}

/**
 * SKR-VERIFY on SKR(n-1): each bundle carries at least one signature; each signature is an RRSIG
 * over the bundle's full DNSKEY RRset by a SEP key in that bundle, with exactly the bundle's
 * inception and expiration (DESIGN.md §3), and verifies (evaluated inside its own window, since
 * last quarter's signatures may have expired by now).
 *
 * Keys found in the file prove only that the file is consistent: anyone can write an SKR signed by
 * keys of their own. With `trustedKsks` (the KSK operator's keys, from its HSM or a trust anchor)
 * every bundle must also carry a valid signature by one of them; without, the result says so.
 */
export function checkSkrSignatures(skr: KsrResponseDocument, trustedKsks?: readonly DnskeyRdata[]): string {
  const domain = documentDomain(skr);
  let count = 0;
  for (const [i, bundle] of skr.bundles.entries()) {
    const where = `previous SKR ${bundleLabel(bundle, i)}`;
    if (bundle.signatures.length === 0) throw checkFailed("SKR-VERIFY", "no signature", where);
    const rrset = bundleDnskeyRrset(bundle, domain);
    let trustedSignature = false;
    for (const sig of bundle.signatures) {
      const r = sig.rrsig;
      const fail = (detail: string) => checkFailed("SKR-VERIFY", `signature by key tag ${r.keyTag}: ${detail}`, where);
      if (r.typeCovered !== RRType.DNSKEY || !namesEqual(r.signerName, domain) || r.labels !== rrsigLabelCount(domain)) {
        throw fail(`is not a DNSKEY RRSIG by ${nameToString(domain)}`);
      }
      if (r.inceptionEpochSeconds !== bundle.inceptionEpochSeconds || r.expirationEpochSeconds !== bundle.expirationEpochSeconds) {
        throw fail("its inception/expiration differ from the bundle's");
      }
      const verdict = verifyRrsig(rrset, makeRR(domain, sig.ttlSeconds, r), rrset, r.inceptionEpochSeconds);
      if (verdict.status !== "valid" || !verdict.key) throw fail(verdict.reason);
      if (!isSep(verdict.key.rdata)) throw fail(`made by key ${keyTag(verdict.key.rdata)}, which is not a KSK (no SEP bit)`);
      const signer = verdict.key.rdata;
      if (trustedKsks?.some((k) => sameKeyMaterial(k, signer))) trustedSignature = true;
      count++;
    }
    if (trustedKsks && !trustedSignature) {
      throw checkFailed(
        "SKR-VERIFY",
        `no signature by a trusted KSK (${trustedKsks.map(keyTag).join(", ") || "none given"}): this SKR was not signed by the operator's keys`,
        where,
      );
    }
  }
  return trustedKsks
    ? `${count} KSK signatures in the previous SKR verify, each bundle signed by a trusted KSK`
    : `${count} KSK signatures in the previous SKR verify with the keys the file carries (no trusted KSK given to check them against)`;
}

/** KSR-ID: the KSR's id is not the previous SKR's (a replayed or resubmitted request). */
export function checkKsrId(ksr: KsrRequestDocument, previousSkr: KsrResponseDocument): string {
  if (ksr.id === previousSkr.id) throw checkFailed("KSR-ID", `KSR id ${ksr.id} is the id of the previous SKR: this request was already answered`, "KSR/@id");
  return `KSR id ${ksr.id} differs from the previous SKR's ${previousSkr.id}`;
}

/**
 * KSR-CHAIN-KEYS: the ZSKs of the KSR's first bundle are exactly the ZSKs of SKR(n-1)'s last
 * bundle, both ways: the pre-published ZSK of SKR(n-1) must appear (KSR-CHAIN-PRE) and the
 * post-published ZSK of KSR(n) must have been published (KSR-CHAIN-POST). IANA checks one direction.
 */
export function checkChainKeys(ksr: KsrRequestDocument, previousSkr: KsrResponseDocument): string {
  const first = ksr.bundles[0] as Bundle;
  const last = previousSkr.bundles[previousSkr.bundles.length - 1] as Bundle;
  const previous = bundleZsks(last);
  const current = first.keys.map((k) => k.dnskey);
  for (const k of current) {
    if (!previous.some((p) => sameDnskey(p, k))) {
      throw checkFailed(
        "KSR-CHAIN-KEYS",
        `ZSK ${keyTag(k)} of the KSR's first bundle is not in the previous SKR's last bundle (ZSKs ${previous.map(keyTag).join(", ")})`,
        bundleLabel(first, 0),
      );
    }
  }
  for (const p of previous) {
    if (!current.some((k) => sameDnskey(p, k))) {
      throw checkFailed("KSR-CHAIN-KEYS", `ZSK ${keyTag(p)} of the previous SKR's last bundle is missing from the KSR's first bundle`, bundleLabel(first, 0));
    }
  }
  return `first bundle ZSKs ${current.map(keyTag).join(", ")} equal the previous SKR's last bundle ZSKs`;
}

/** KSR-CHAIN-OVERLAP: SKR(n-1)'s last bundle and the KSR's first overlap by the KSR's declared MinValidityOverlap..MaxValidityOverlap. */
export function checkChainOverlap(ksr: KsrRequestDocument, previousSkr: KsrResponseDocument): string {
  const first = ksr.bundles[0] as Bundle;
  const last = previousSkr.bundles[previousSkr.bundles.length - 1] as Bundle;
  const overlap = last.expirationEpochSeconds - first.inceptionEpochSeconds;
  const { minValidityOverlapSeconds: min, maxValidityOverlapSeconds: max } = ksr.policy.zsk;
  if (overlap < 0)
    throw checkFailed(
      "KSR-CHAIN-OVERLAP",
      `a gap of ${formatDuration(-overlap)} between the previous SKR's last bundle and this KSR's first`,
      bundleLabel(first, 0),
    );
  if (overlap < min || overlap > max) {
    throw checkFailed(
      "KSR-CHAIN-OVERLAP",
      `overlap with the previous SKR's last bundle is ${formatDuration(overlap)}; the KSR declares ${formatDuration(min)}..${formatDuration(max)}`,
      bundleLabel(first, 0),
    );
  }
  return `overlap with the previous SKR ${formatDuration(overlap)} (declared ${formatDuration(min)}..${formatDuration(max)})`;
}
