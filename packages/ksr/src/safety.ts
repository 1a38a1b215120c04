/**
 * KSR-POLICY-SAFETY for the KSK operator's keys, over the timeline of the previous SKR followed by
 * the new one (DPS: a key must be published at least PublishSafety before it is first used for
 * signing, and stay published at least RetireSafety after it was last used for signing).
 *
 * The timeline is a list of slots in inception order; a slot is in force from its inception until
 * the next slot's inception. For each key (identified by its key material, whatever the REVOKE bit):
 *   - publish safety: inception of its first signing slot − inception of its first publishing slot;
 *   - retire safety: inception of the first slot where it is no longer published unrevoked − inception
 *     of the first slot after its last signing slot. A revoked key validates nothing (RFC 5011 §2.1,
 *     and its key tag changed), so revoked publication does not count as staying published, and
 *     signatures made by the revoked key itself are exempt (they only prove the revocation).
 * Where the timeline does not reach far enough to know (a key already published in the first slot, or
 * still published or signing in the last), the check has nothing to judge and passes.
 * IANA's dnssec-keytools leaves this check out: it only logs a warning that it was skipped.
 *
 * `KSR_POLICY_SAFETY_STEP` runs it after signing over SKR(n-1) and the new SKR as read back, through
 * core's runner: OFF when both `check_keys_publish_safety` and `check_keys_retire_safety` are false,
 * each half skipped with a warning when only its own switch is false.
 */
import {
  type CheckStep,
  type DnskeyRdata,
  type Name,
  checkFailed,
  disabledByPolicy,
  formatDuration,
  formatIsoZ,
  isRevoked,
  isSep,
  keyTag,
  sameKeyMaterial,
  withoutRevokeBit,
} from "@ksk/core";
import { verifyBundleSignatures } from "./chain.js";
import { type Bundle, type KsrResponseDocument, documentDomain } from "./model.js";
import type { KsrCheckPolicy } from "./policy.js";

export interface TimelineSlot {
  /** Where the slot comes from, for messages: `previous SKR bundle 9 (id)`. */
  readonly label: string;
  readonly inceptionEpochSeconds: number;
  /** KSKs in the slot's DNSKEY RRset, as published (revoked ones with the REVOKE bit). */
  readonly published: readonly DnskeyRdata[];
  /** KSKs whose RRSIG covers the slot's DNSKEY RRset, as published (a revoked signer with the bit). */
  readonly signers: readonly DnskeyRdata[];
}

export interface SafetyPolicy {
  readonly publishSafetySeconds: number;
  readonly retireSafetySeconds: number;
}

export function checkKskSafety(slots: readonly TimelineSlot[], policy: SafetyPolicy): void {
  const ordered = [...slots].sort((a, b) => a.inceptionEpochSeconds - b.inceptionEpochSeconds);
  const keys: DnskeyRdata[] = [];
  for (const s of ordered) {
    for (const k of s.signers) if (!keys.some((x) => sameKeyMaterial(x, k))) keys.push(withoutRevokeBit(k));
  }
  const has = (list: readonly DnskeyRdata[], key: DnskeyRdata, revoked?: boolean) =>
    list.some((k) => sameKeyMaterial(k, key) && (revoked === undefined || isRevoked(k) === revoked));

  for (const key of keys) {
    const subject = `KSK ${keyTag(key)}`;
    const firstPublished = ordered.findIndex((s) => has(s.published, key));
    const firstSigning = ordered.findIndex((s) => has(s.signers, key));
    if (firstPublished > 0 && firstSigning >= 0) {
      const published = ordered[firstPublished] as TimelineSlot;
      const signing = ordered[firstSigning] as TimelineSlot;
      const seconds = signing.inceptionEpochSeconds - published.inceptionEpochSeconds;
      if (seconds < policy.publishSafetySeconds) {
        throw checkFailed(
          "KSR-POLICY-SAFETY",
          `first signs in ${signing.label} (${formatIsoZ(signing.inceptionEpochSeconds)}) only ${formatDuration(Math.max(seconds, 0))} after it was first published in ${published.label}; publish safety is ${formatDuration(policy.publishSafetySeconds)}`,
          subject,
        );
      }
    }

    let lastSigning = -1;
    ordered.forEach((s, i) => {
      if (has(s.signers, key, false)) lastSigning = i;
    });
    if (lastSigning < 0 || lastSigning === ordered.length - 1) continue;
    const stopped = ordered[lastSigning + 1] as TimelineSlot;
    const removedIndex = ordered.findIndex((s, i) => i > lastSigning && !has(s.published, key, false));
    if (removedIndex < 0) continue;
    const removed = ordered[removedIndex] as TimelineSlot;
    const seconds = removed.inceptionEpochSeconds - stopped.inceptionEpochSeconds;
    if (seconds < policy.retireSafetySeconds) {
      throw checkFailed(
        "KSR-POLICY-SAFETY",
        `stops signing at ${stopped.label} (${formatIsoZ(stopped.inceptionEpochSeconds)}) and is no longer published unrevoked from ${removed.label}, ${formatDuration(seconds)} later; retire safety is ${formatDuration(policy.retireSafetySeconds)}`,
        subject,
      );
    }
  }
}

/** The KSKs whose signatures over a bundle's DNSKEY RRset are valid. */
export function bundleSigners(bundle: Bundle, domain: Name): DnskeyRdata[] {
  return verifyBundleSignatures(bundle, domain).flatMap((v) => (v.key ? [v.key] : []));
}

/** The KSK publication and signing per slot of an SKR, for KSR-POLICY-SAFETY. */
export function skrTimeline(skr: KsrResponseDocument, name: string): TimelineSlot[] {
  const domain = documentDomain(skr);
  return skr.bundles.map((b, i) => ({
    label: `${name} bundle ${i + 1}`,
    inceptionEpochSeconds: b.inceptionEpochSeconds,
    published: b.keys.filter((k) => isSep(k.dnskey)).map((k) => k.dnskey),
    signers: bundleSigners(b, domain),
  }));
}

export interface SafetyCheckInput {
  /** SKR(n-1), when given. */
  readonly previousSkr?: KsrResponseDocument;
  /** The new SKR as written and read back. */
  readonly skr: KsrResponseDocument;
  readonly requestPolicy: KsrCheckPolicy;
  /** The KSK operator's safety periods (ksk_policy). */
  readonly safety: SafetyPolicy;
}

/** KSR-POLICY-SAFETY over SKR(n-1) followed by the new SKR, as a step for core's runner. */
export const KSR_POLICY_SAFETY_STEP: CheckStep<SafetyCheckInput> = {
  code: "KSR-POLICY-SAFETY",
  run: (input, warn) => {
    const { previousSkr, skr, requestPolicy, safety } = input;
    const { check_keys_publish_safety: publish, check_keys_retire_safety: retire } = requestPolicy;
    if (!publish) warn(disabledByPolicy("KSR-POLICY-SAFETY", ["check_keys_publish_safety"], "the publish safety period is NOT checked"));
    if (!retire) warn(disabledByPolicy("KSR-POLICY-SAFETY", ["check_keys_retire_safety"], "the retire safety period is NOT checked"));
    const slots = [...(previousSkr ? skrTimeline(previousSkr, "previous SKR") : []), ...skrTimeline(skr, "new SKR")];
    checkKskSafety(slots, {
      publishSafetySeconds: publish ? safety.publishSafetySeconds : 0,
      retireSafetySeconds: retire ? safety.retireSafetySeconds : 0,
    });
    return `KSK publish safety and retire safety hold over ${slots.length} slots${previousSkr ? " (previous SKR and this one)" : ""}`;
  },
};
