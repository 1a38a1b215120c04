/**
 * Which SKR bundle the zone publishes at a time, and which of its ZSKs signs the zone's data.
 *
 * Bundles overlap (each is valid 21 days, one starts every 10): the Root Zone Maintainer
 * publishes a slot from its inception until the next slot's, so the bundle in use at time T is
 * the latest one whose inception is at or before T, provided T is before its expiration.
 *
 * The root rolls ZSKs by pre-publication (RFC 6781 §4.1.1.1), seen in every real KSR: slots hold
 * ZSKs `[2,1,1,1,1,1,1,1,2]` — slot 1 carries the retiring ZSK (post-published) beside the
 * current one, slot 9 the current one beside the next (pre-published). So in a bundle with several
 * ZSKs the signing one is the ZSK that continues: not newly introduced (absent from the previous
 * bundle) and not retiring (absent from the next). Exactly one must remain, or the SKR does not
 * say which ZSK signs and the signer refuses.
 */
import {
  type Bundle,
  type BundleKey,
  type KsrResponseDocument,
  bundleDnskeyRrset,
  bundleLabel,
  bundleRrsigRecords,
  documentDomain,
  sameDnskey,
} from "@ksk/ksr";
import { checkFailed, formatIsoZ, isSep, keyTag, verifyRrsig } from "@ksk/core";

export interface BundleInUse {
  readonly bundle: Bundle;
  readonly index: number;
  /** The ZSK that signs the zone's data while this bundle is published. */
  readonly signingZsk: BundleKey;
}

function zsks(bundle: Bundle): BundleKey[] {
  return bundle.keys.filter((k) => !isSep(k.dnskey));
}

/** The bundle the zone publishes at `atEpochSeconds`, with its signing ZSK; ZONE-SKR-BUNDLE otherwise. */
export function bundleInUse(skr: KsrResponseDocument, atEpochSeconds: number): BundleInUse {
  let index = -1;
  for (const [i, b] of skr.bundles.entries()) {
    if (b.inceptionEpochSeconds <= atEpochSeconds && (index < 0 || b.inceptionEpochSeconds >= (skr.bundles[index] as Bundle).inceptionEpochSeconds)) index = i;
  }
  const bundle = skr.bundles[index];
  if (!bundle || atEpochSeconds >= bundle.expirationEpochSeconds) {
    const windows =
      skr.bundles.length === 0
        ? "it has no bundles"
        : `its bundles run ${formatIsoZ(Math.min(...skr.bundles.map((b) => b.inceptionEpochSeconds)))} to ${formatIsoZ(Math.max(...skr.bundles.map((b) => b.expirationEpochSeconds)))}`;
    throw checkFailed("ZONE-SKR-BUNDLE", `no bundle of SKR ${skr.id} is valid at ${formatIsoZ(atEpochSeconds)}: ${windows}`);
  }
  const label = bundleLabel(bundle, index);
  let candidates = zsks(bundle);
  const previous = skr.bundles[index - 1];
  const next = skr.bundles[index + 1];
  const inBundle = (b: Bundle, k: BundleKey) => b.keys.some((o) => sameDnskey(o.dnskey, k.dnskey));
  if (candidates.length > 1 && previous) candidates = narrow(candidates, (k) => inBundle(previous, k));
  if (candidates.length > 1 && next) candidates = narrow(candidates, (k) => inBundle(next, k));
  const signingZsk = candidates[0];
  if (!signingZsk || candidates.length > 1) {
    const tags = zsks(bundle).map((k) => keyTag(k.dnskey));
    throw checkFailed(
      "ZONE-SKR-BUNDLE",
      tags.length === 0 ? `${label} has no ZSK` : `${label} publishes ZSKs ${tags.join(", ")} and its neighbours do not say which one signs`,
    );
  }
  // The KSK signatures over the bundle's DNSKEY RRset must hold at the signing time, or the signed
  // zone would not validate from its first second.
  const domain = documentDomain(skr);
  const rrset = bundleDnskeyRrset(bundle, domain);
  const verdicts = bundleRrsigRecords(bundle, domain).map((s) => verifyRrsig(rrset, s, rrset, atEpochSeconds));
  const bad = verdicts.find((v) => v.status !== "valid");
  if (bad || verdicts.length === 0) {
    throw checkFailed("SKR-VERIFY", `${label}: ${bad ? bad.reason : "no signature over the DNSKEY RRset"}`);
  }
  return { bundle, index, signingZsk };
}

/** Keep the keys passing `keep`, unless that would leave none. */
function narrow(keys: BundleKey[], keep: (k: BundleKey) => boolean): BundleKey[] {
  const kept = keys.filter(keep);
  return kept.length > 0 ? kept : keys;
}
