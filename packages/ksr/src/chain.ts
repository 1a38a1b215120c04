/**
 * The chain between KSR(n) and the SKR the KSK operator produced last quarter, SKR(n-1): checks
 * that need no HSM, so `ksk ksr validate --previous-skr` and the KSK signer (@ksk/signer) run the
 * same functions. IANA's names: KSR-ID, KSR-CHAIN-KEYS (its KSR-CHAIN-PRE and -POST together),
 * KSR-CHAIN-OVERLAP; SKR(n-1)'s own signatures are verified under SKR-VERIFY (IANA's
 * KSR-PREVIOUS, here in software; IANA's HSM check `check_chain_keys_in_hsm` is left out).
 * When the chain fails because the KSR is not for the quarter after SKR(n-1)'s, the failure says
 * so first: "a missing ZSK" would send the operator looking in the wrong place.
 */
import {
  type AnchorRecord,
  type CheckCode,
  RRType,
  anchoredKeys,
  checkFailed,
  formatDuration,
  formatIsoZ,
  isSep,
  keyTag,
  makeRR,
  namesEqual,
  nameToString,
  rrsigLabelCount,
  sameKeyMaterial,
  verifyRrsig,
  type DnskeyRdata,
  type Name,
} from "@ksk/core";
import {
  type Bundle,
  type KsrRequestDocument,
  type KsrResponseDocument,
  bundleDnskeyRrset,
  bundleLabel,
  dnskeyIdentity,
  documentDomain,
  sameDnskey,
} from "./model.js";
import { ROOT_DNSKEY_TTL_SECONDS } from "./policy.js";
import { formatQuarter, nextQuarter, quarterOf } from "./quarter.js";

/** The ZSKs of a bundle: keys without the SEP bit. */
export function bundleZsks(bundle: Bundle): DnskeyRdata[] {
  return bundle.keys.filter((k) => !isSep(k.dnskey)).map((k) => k.dnskey);
}

/** The KSK operator's keys in an SKR: every key with the SEP bit, in any bundle, deduplicated. */
export function skrKsks(skr: KsrResponseDocument): DnskeyRdata[] {
  const out = new Map<string, DnskeyRdata>();
  for (const b of skr.bundles) for (const k of b.keys) if (isSep(k.dnskey) && !out.has(dnskeyIdentity(k.dnskey))) out.set(dnskeyIdentity(k.dnskey), k.dnskey);
  return [...out.values()];
}

/**
 * The KSKs of SKR(n-1) that a trust anchor designates (a DS by its digest, a DNSKEY by equality;
 * RFC 4035 §5): the keys trusted to have signed it, for SKR-VERIFY.
 */
export function anchoredSkrKsks(skr: KsrResponseDocument, anchors: readonly AnchorRecord[]): DnskeyRdata[] {
  const domain = documentDomain(skr);
  // The TTL plays no part in designation; the root's DNSKEY TTL keeps the records well-formed.
  return anchoredKeys(
    skrKsks(skr).map((k) => makeRR(domain, ROOT_DNSKEY_TTL_SECONDS, k)),
    anchors,
  ).map((rr) => rr.rdata);
}

/** What one signature of an SKR bundle proves: its key tag, and the KSK that made it or why not. */
export interface BundleSignatureVerdict {
  readonly keyTag: number;
  /** The KSK (SEP key of the bundle) whose valid signature this is; absent when it is not valid. */
  readonly key?: DnskeyRdata;
  /** Why the signature is not valid; absent when it is. */
  readonly problem?: string;
}

/**
 * Judge every signature of an SKR bundle: an RRSIG over the bundle's full DNSKEY RRset by the zone,
 * with exactly the bundle's inception and expiration, made by a SEP key of the bundle
 * and valid — evaluated inside its own window, since an SKR holds RRsets for future (or, read later,
 * past) slots. The one place these rules live; SKR-VERIFY here and @ksk/signer's verifySkr use it.
 */
export function verifyBundleSignatures(bundle: Bundle, domain: Name): BundleSignatureVerdict[] {
  const rrset = bundleDnskeyRrset(bundle, domain);
  return bundle.signatures.map((sig) => {
    const r = sig.rrsig;
    const fail = (problem: string): BundleSignatureVerdict => ({ keyTag: r.keyTag, problem });
    if (r.typeCovered !== RRType.DNSKEY || !namesEqual(r.signerName, domain) || r.labels !== rrsigLabelCount(domain)) {
      return fail(`is not a DNSKEY RRSIG by ${nameToString(domain)}`);
    }
    if (r.inceptionEpochSeconds !== bundle.inceptionEpochSeconds || r.expirationEpochSeconds !== bundle.expirationEpochSeconds) {
      return fail(`its window ${formatIsoZ(r.inceptionEpochSeconds)}..${formatIsoZ(r.expirationEpochSeconds)} differs from the bundle's`);
    }
    const verdict = verifyRrsig(rrset, makeRR(domain, sig.ttlSeconds, r), rrset, r.inceptionEpochSeconds);
    if (verdict.status !== "valid" || !verdict.key) return fail(verdict.reason);
    if (!isSep(verdict.key.rdata)) return fail(`made by key ${keyTag(verdict.key.rdata)}, which is not a KSK (no SEP bit)`);
    return { keyTag: r.keyTag, key: verdict.key.rdata };
  });
}

/**
 * SKR-VERIFY on SKR(n-1): each bundle carries at least one signature and every signature passes
 * `verifyBundleSignatures`.
 *
 * Keys found in the file prove only that the file is consistent: anyone can write an SKR signed by
 * keys of their own. With `trustedKsks` (the KSK operator's keys, from its HSM or a trust anchor)
 * every bundle must also carry a valid signature by one of them; without, the result says so.
 */
export function checkSkrSignatures(
  skr: KsrResponseDocument,
  trustedKsks?: readonly DnskeyRdata[],
  configuredKeys: ReadonlyMap<number, string> = new Map(),
): string {
  const domain = documentDomain(skr);
  let count = 0;
  for (const [i, bundle] of skr.bundles.entries()) {
    const where = `previous SKR ${bundleLabel(bundle, i)}`;
    if (bundle.signatures.length === 0) throw checkFailed("SKR-VERIFY", "no signature", where);
    const verdicts = verifyBundleSignatures(bundle, domain);
    const bad = verdicts.find((v) => v.problem !== undefined);
    if (bad) throw checkFailed("SKR-VERIFY", `signature by key tag ${bad.keyTag}: ${bad.problem}`, where);
    count += verdicts.length;
    if (trustedKsks && !verdicts.some((v) => v.key && trustedKsks.some((k) => sameKeyMaterial(k, v.key as DnskeyRdata)))) {
      throw checkFailed("SKR-VERIFY", untrustedSigners(verdicts, trustedKsks, configuredKeys), where);
    }
  }
  return trustedKsks
    ? `${count} KSK signatures in the previous SKR verify, each bundle signed by a trusted KSK`
    : `${count} KSK signatures in the previous SKR verify with the keys the file carries (no trusted KSK given to check them against)`;
}

/**
 * Why a bundle has no trusted signature, naming the keys that did sign it: one the operator's
 * configuration names (a key the schema did not open: the wrong --schema, or a roll not in the
 * config) is said to be so; one it does not name means the SKR is not the operator's.
 */
function untrustedSigners(
  verdicts: readonly BundleSignatureVerdict[],
  trustedKsks: readonly DnskeyRdata[],
  configuredKeys: ReadonlyMap<number, string>,
): string {
  const trusted = trustedKsks.map((k) => `${keyTag(k)}${configuredKeys.has(keyTag(k)) ? ` ${configuredKeys.get(keyTag(k))}` : ""}`).join(", ") || "none given";
  const signers = [...new Set(verdicts.map((v) => v.keyTag))].map((tag) => {
    const name = configuredKeys.get(tag);
    if (name !== undefined) return `${tag}, which is ${name} in the config but not a key opened for this signing (is --schema right?)`;
    return `${tag}, which is ${configuredKeys.size ? "not in the config" : "not a trusted key"}: this SKR was not signed by the operator's keys`;
  });
  return `no signature by a trusted KSK (${trusted}); signed by ${signers.join("; and by ") || "no key"}`;
}

/** KSR-ID: the KSR's id is not the previous SKR's (a replayed or resubmitted request). */
export function checkKsrId(ksr: KsrRequestDocument, previousSkr: KsrResponseDocument): string {
  if (ksr.id === previousSkr.id) throw checkFailed("KSR-ID", `KSR id ${ksr.id} is the id of the previous SKR: this request was already answered`, "KSR/@id");
  return `KSR id ${ksr.id} differs from the previous SKR's ${previousSkr.id}`;
}

/**
 * Why a KSR does not follow SKR(n-1), when it is for another quarter than the one after it;
 * undefined when it is for that quarter. A document's quarter is that of its first inception (its
 * last bundle reaches into the next quarter by design, see quarter.ts).
 */
export function chainQuarterMismatch(ksr: KsrRequestDocument, previousSkr: KsrResponseDocument): string | undefined {
  const first = ksr.bundles[0];
  const previousFirst = previousSkr.bundles[0];
  if (first === undefined || previousFirst === undefined) return undefined;
  const covers = quarterOf(first.inceptionEpochSeconds);
  const previous = quarterOf(previousFirst.inceptionEpochSeconds);
  const expected = nextQuarter(previous);
  if (covers.year === expected.year && covers.quarter === expected.quarter) return undefined;
  return `a KSR from the wrong quarter: it covers ${formatQuarter(covers)}; the previous SKR covers ${formatQuarter(previous)}, so the next KSR is for ${formatQuarter(expected)}`;
}

/** A chain check's failure, led by the wrong quarter when that is the cause. */
function chainFailed(code: CheckCode, detail: string, where: string, ksr: KsrRequestDocument, previousSkr: KsrResponseDocument) {
  const mismatch = chainQuarterMismatch(ksr, previousSkr);
  return checkFailed(code, mismatch === undefined ? detail : `${mismatch}; hence ${detail}`, where);
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
      throw chainFailed(
        "KSR-CHAIN-KEYS",
        `ZSK ${keyTag(k)} of the KSR's first bundle is not in the previous SKR's last bundle (ZSKs ${previous.map(keyTag).join(", ")})`,
        bundleLabel(first, 0),
        ksr,
        previousSkr,
      );
    }
  }
  for (const p of previous) {
    if (!current.some((k) => sameDnskey(p, k))) {
      throw chainFailed(
        "KSR-CHAIN-KEYS",
        `ZSK ${keyTag(p)} of the previous SKR's last bundle is missing from the KSR's first bundle`,
        bundleLabel(first, 0),
        ksr,
        previousSkr,
      );
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
    throw chainFailed(
      "KSR-CHAIN-OVERLAP",
      `a gap of ${formatDuration(-overlap)} between the previous SKR's last bundle and this KSR's first`,
      bundleLabel(first, 0),
      ksr,
      previousSkr,
    );
  if (overlap < min || overlap > max) {
    throw chainFailed(
      "KSR-CHAIN-OVERLAP",
      `overlap with the previous SKR's last bundle is ${formatDuration(overlap)}; the KSR declares ${formatDuration(min)}..${formatDuration(max)}`,
      bundleLabel(first, 0),
      ksr,
      previousSkr,
    );
  }
  return `overlap with the previous SKR ${formatDuration(overlap)} (declared ${formatDuration(min)}..${formatDuration(max)})`;
}
