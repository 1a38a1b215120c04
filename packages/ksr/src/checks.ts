/**
 * Every KSR check, one named function per IANA check code (dnssec-keytools docs/ksr-processing.md
 * and kskm/ksr/verify_*.py), plus this toolkit's KSR-KEYTAG-CLASH. Each function either returns a
 * one-line summary of what it verified or throws `checkFailed(code, detail, where)` naming the
 * bundle (or key) at fault. Pure: `now` is a parameter.
 *
 * Where this differs from IANA's tool, on purpose:
 *   - KSR-POLICY-SIG-VALIDITY compares the validity with the declared *minimum* (IANA compares it
 *     with the maximum, so a too-short bundle passes when min = max is not declared);
 *   - KSR-BUNDLE-KEYS refuses a key whose TTL is not the policy TTL (IANA rewrites it);
 *   - KSR-POLICY-ALG refuses algorithms RFC 8624 §3.1 says MUST NOT be used for signing, whatever
 *     the policy says;
 *   - KSR-KEYTAG-CLASH refuses a ZSK whose tag equals a KSK's tag or revoked tag (IANA has none).
 * The chain checks against SKR(n-1) are in ./chain.ts; running them all is ./run-checks.ts.
 */
import {
  RRType,
  algorithmInfo,
  checkFailed,
  disabledByPolicy,
  formatDuration,
  formatIsoZ,
  isKskError,
  isSupportedAlgorithm,
  keyTag,
  makeRR,
  type Name,
  sameKeyMaterial,
  nameToString,
  namesEqual,
  parseAlgorithm,
  parseName,
  revokedKeyTag,
  rrsigLabelCount,
  verifyRrsig,
  withoutRevokeBit,
  type DnskeyRdata,
} from "@ksk/core";
import {
  type Bundle,
  type BundleKey,
  type KsrRequestDocument,
  bundleDnskeyRrset,
  bundleKeyTag,
  bundleLabel,
  dnskeyIdentity,
  documentDomain,
  rsaExponentOf,
  sameDnskey,
  ZSK_FLAGS,
} from "./model.js";
import type { KsrCheckPolicy } from "./policy.js";

/** Collects warnings a check wants shown even when it passes (a partly disabled check, a tolerated quirk). */
export type WarningSink = (message: string) => void;

function days(seconds: number): string {
  return formatDuration(seconds);
}

function describeBundleKey(key: BundleKey): string {
  return `key ${bundleKeyTag(key)}${key.keyIdentifier ? ` (${key.keyIdentifier.length > 24 ? `${key.keyIdentifier.slice(0, 24)}…` : key.keyIdentifier})` : ""}`;
}

/** KSR-DOMAIN: the KSR is for a domain in `acceptable_domains`. */
export function checkKsrDomain(ksr: KsrRequestDocument, policy: KsrCheckPolicy): string {
  const domain = documentDomain(ksr);
  const accepted = policy.acceptable_domains.some((d) => namesEqual(parseName(d.endsWith(".") ? d : `${d}.`), domain));
  if (!accepted) {
    throw checkFailed("KSR-DOMAIN", `domain ${nameToString(domain)} is not in acceptable_domains [${policy.acceptable_domains.join(", ")}]`, "KSR/@domain");
  }
  return `domain ${nameToString(domain)} is accepted`;
}

/** KSR-BUNDLE-UNIQUE: bundle ids are unique within the KSR and not reused from SKR(n-1). */
export function checkBundleUnique(ksr: KsrRequestDocument, previousBundleIds: readonly string[] = []): string {
  const seen = new Map<string, number>();
  const previous = new Set(previousBundleIds);
  for (const [i, bundle] of ksr.bundles.entries()) {
    const first = seen.get(bundle.id);
    if (first !== undefined)
      throw checkFailed("KSR-BUNDLE-UNIQUE", `bundle id ${bundle.id} is used by bundles ${first + 1} and ${i + 1}`, bundleLabel(bundle, i));
    seen.set(bundle.id, i);
    if (previous.has(bundle.id)) {
      throw checkFailed("KSR-BUNDLE-UNIQUE", `bundle id ${bundle.id} was already used in the previous SKR`, bundleLabel(bundle, i));
    }
  }
  return `all ${ksr.bundles.length} bundle ids are unique${previousBundleIds.length > 0 ? " and new" : ""}`;
}

/**
 * KSR-BUNDLE-KEYS: every key is a ZSK (flags 256), carries the policy TTL (`dns_ttl`), matches an
 * algorithm the KSR's own RequestPolicy declares (RSA size and exponent, ECDSA size), and each
 * keyIdentifier and each key tag names one key throughout the KSR.
 */
export function checkBundleKeys(ksr: KsrRequestDocument, policy: KsrCheckPolicy, warn: WarningSink = () => undefined): string {
  const byIdentifier = new Map<string, BundleKey>();
  const byTag = new Map<number, BundleKey>();
  const checked = new Set<string>();
  for (const [i, bundle] of ksr.bundles.entries()) {
    const where = bundleLabel(bundle, i);
    for (const key of bundle.keys) {
      const fail = (detail: string) => checkFailed("KSR-BUNDLE-KEYS", `${describeBundleKey(key)}: ${detail}`, where);
      if (key.ttlSeconds !== policy.dns_ttl) {
        throw fail(`TTL ${key.ttlSeconds} is not the policy TTL ${policy.dns_ttl} (dns_ttl); a KSR key's TTL is refused, never rewritten`);
      }
      if (key.dnskey.flags !== ZSK_FLAGS) throw fail(`flags ${key.dnskey.flags}; a ZSK in a KSR must have flags ${ZSK_FLAGS} (zone key, no SEP, no REVOKE)`);
      // The key material before its tag and size: a key whose form is wrong has neither to judge.
      if (isSupportedAlgorithm(key.dnskey.algorithm)) {
        try {
          algorithmInfo(key.dnskey.algorithm).describeKey(key.dnskey.publicKeyBytes);
        } catch (e) {
          throw fail(`malformed key: ${isKskError(e) ? e.detail : (e as Error).message}`);
        }
      }
      const tag = bundleKeyTag(key);
      if (key.keyTagAttribute !== undefined) {
        throw fail(`keyTag attribute says ${key.keyTagAttribute} but the key's tag is ${tag} (RFC 4034 Appendix B)`);
      }
      if (key.keyIdentifier !== undefined) {
        const earlier = byIdentifier.get(key.keyIdentifier);
        if (earlier && (!sameDnskey(earlier.dnskey, key.dnskey) || earlier.ttlSeconds !== key.ttlSeconds)) {
          throw fail(`keyIdentifier ${key.keyIdentifier} names a different key (or TTL) in an earlier bundle`);
        }
        byIdentifier.set(key.keyIdentifier, key);
      }
      const sameTag = byTag.get(tag);
      if (sameTag && !sameDnskey(sameTag.dnskey, key.dnskey)) throw fail(`key tag ${tag} is shared by two different keys`);
      byTag.set(tag, key);
      const fingerprint = `${tag}/${Buffer.from(key.dnskey.publicKeyBytes).toString("base64")}`;
      if (checked.has(fingerprint)) continue;
      checked.add(fingerprint);
      let sizeBits: number;
      try {
        sizeBits = algorithmInfo(key.dnskey.algorithm).describeKey(key.dnskey.publicKeyBytes).sizeBits;
      } catch (e) {
        throw fail((e as Error).message);
      }
      const declared = ksr.policy.zsk.algorithms.filter((a) => a.algorithm === key.dnskey.algorithm && a.sizeBits === sizeBits);
      if (declared.length === 0) {
        throw fail(`algorithm ${key.dnskey.algorithm} with ${sizeBits}-bit key is not declared in the KSR's RequestPolicy`);
      }
      if (algorithmInfo(key.dnskey.algorithm).family === "RSA") {
        const exponent = rsaExponentOf(key.dnskey.publicKeyBytes);
        if (!declared.some((a) => a.family === "RSA" && a.exponent === exponent)) {
          const message = `RSA exponent ${exponent} is not the one the KSR's RequestPolicy declares for ${sizeBits}-bit keys`;
          if (policy.rsa_exponent_match_zsk_policy) throw fail(message);
          warn(`KSR-BUNDLE-KEYS: ${describeBundleKey(key)} in ${where}: ${message} (tolerated: rsa_exponent_match_zsk_policy is false)`);
        }
      }
    }
  }
  return `${checked.size} distinct ZSKs, consistent in every bundle, TTL ${policy.dns_ttl}, as declared`;
}

/**
 * KSR-BUNDLE-POP: every signature in a bundle is an RRSIG over the bundle's DNSKEY RRset by a key
 * in it, and every key in the bundle made one. As IANA specifies, the RRSIG's own inception and
 * expiration are not judged (the signature is evaluated at its inception); everything else is:
 * type covered, signer name, labels, key tag, algorithm and the signature octets over the
 * Original TTL. A key's TTL and malformed key material are KSR-BUNDLE-KEYS's findings, not this one's.
 */
export function checkProofOfPossession(ksr: KsrRequestDocument): string {
  const domain = documentDomain(ksr);
  let count = 0;
  let unjudged = 0;
  for (const [i, bundle] of ksr.bundles.entries()) {
    const where = bundleLabel(bundle, i);
    const rrset = bundleDnskeyRrset(bundle, domain);
    // A bundle with malformed key material has no DNSKEY RRset a signature could be judged over:
    // KSR-BUNDLE-KEYS reports the key, and proof of possession is not judged there.
    if (!bundle.keys.every(wellFormedKey)) {
      unjudged++;
      continue;
    }
    // Each key must make exactly one signature: counting per key (not a set) stops a bundle where
    // one key signs twice and stands in for a key that never signed.
    const signedBy = new Map<BundleKey, number>();
    for (const sig of bundle.signatures) {
      const r = sig.rrsig;
      const fail = (detail: string) => checkFailed("KSR-BUNDLE-POP", `signature by key tag ${r.keyTag}: ${detail}`, where);
      if (r.typeCovered !== RRType.DNSKEY) throw fail("covers a type other than DNSKEY");
      if (!namesEqual(r.signerName, domain)) throw fail(`signer name ${nameToString(r.signerName)} is not the domain ${nameToString(domain)}`);
      if (r.labels !== rrsigLabelCount(domain)) throw fail(`labels ${r.labels}; the domain has ${rrsigLabelCount(domain)}`);
      // A key's TTL is KSR-BUNDLE-KEYS's finding: the signature is over the Original TTL (RFC 4034
      // §3.1.8.1), so it proves possession whatever TTL the Key element gives.
      const verdict = verifyRrsig(rrset, makeRR(domain, sig.ttlSeconds, r), rrset, r.inceptionEpochSeconds);
      if (verdict.status !== "valid" || !verdict.key) throw fail(verdict.reason);
      // Matched by key tag and algorithm (RFC 4034 §3.1.6, §3.1.2) and by the key that verified it.
      const signer = bundle.keys.find(
        (k) => verdict.key && sameDnskey(k.dnskey, verdict.key.rdata) && keyTag(k.dnskey) === r.keyTag && k.dnskey.algorithm === r.algorithm,
      );
      if (!signer) throw fail("verified with a key that is not in the bundle");
      if (signedBy.has(signer)) throw fail(`${describeBundleKey(signer)} signed the bundle's DNSKEY RRset more than once; each key must sign exactly once`);
      if (sig.keyIdentifier !== undefined && signer.keyIdentifier !== undefined && sig.keyIdentifier !== signer.keyIdentifier) {
        throw fail(`keyIdentifier ${sig.keyIdentifier} is not the identifier of the key that made it`);
      }
      signedBy.set(signer, (signedBy.get(signer) ?? 0) + 1);
      count++;
    }
    for (const key of bundle.keys) {
      if (signedBy.get(key) !== 1)
        throw checkFailed("KSR-BUNDLE-POP", `${describeBundleKey(key)} did not sign the bundle's DNSKEY RRset (no proof of possession)`, where);
    }
  }
  const skipped = unjudged ? `; ${unjudged} bundle(s) with malformed keys not judged (see KSR-BUNDLE-KEYS)` : "";
  return `${count} proof-of-possession signatures verify; every key in every bundle signed${skipped}`;
}

/** Is the key's material well formed for its algorithm (unknown algorithms are KSR-BUNDLE-KEYS's to judge)? */
function wellFormedKey(key: BundleKey): boolean {
  try {
    algorithmInfo(key.dnskey.algorithm).describeKey(key.dnskey.publicKeyBytes);
    return true;
  } catch {
    return false;
  }
}

/** KSR-BUNDLE-COUNT: the KSR has `num_bundles` bundles. */
export function checkBundleCount(ksr: KsrRequestDocument, policy: KsrCheckPolicy): string {
  if (ksr.bundles.length !== policy.num_bundles) {
    throw checkFailed("KSR-BUNDLE-COUNT", `${ksr.bundles.length} bundles; the policy asks for ${policy.num_bundles} (num_bundles)`, "KSR/Request");
  }
  return `${ksr.bundles.length} bundles`;
}

function firstAndLast(ksr: KsrRequestDocument): [Bundle, Bundle] {
  return [ksr.bundles[0] as Bundle, ksr.bundles[ksr.bundles.length - 1] as Bundle];
}

/** KSR-BUNDLE-CYCLE-DURATION: first-to-last inception within [min, max]_cycle_inception_length. */
export function checkCycleDuration(ksr: KsrRequestDocument, policy: KsrCheckPolicy): string {
  const [first, last] = firstAndLast(ksr);
  const length = last.inceptionEpochSeconds - first.inceptionEpochSeconds;
  const min = policy.min_cycle_inception_length_seconds;
  const max = policy.max_cycle_inception_length_seconds;
  if (length < min || length > max) {
    throw checkFailed(
      "KSR-BUNDLE-CYCLE-DURATION",
      `first to last inception is ${days(length)}; the policy allows ${days(min)} to ${days(max)} (min/max_cycle_inception_length)`,
      `bundles 1 and ${ksr.bundles.length}`,
    );
  }
  return `first to last inception ${days(length)} (allowed ${days(min)}..${days(max)})`;
}

/** KSR-POLICY-KEYS: keys per bundle equal `num_keys_per_bundle`; distinct keys equal `num_different_keys_in_all_bundles`. */
export function checkPolicyKeys(ksr: KsrRequestDocument, policy: KsrCheckPolicy): string {
  const expected = policy.num_keys_per_bundle;
  if (ksr.bundles.length !== expected.length) {
    throw checkFailed("KSR-POLICY-KEYS", `num_keys_per_bundle covers ${expected.length} bundles; the KSR has ${ksr.bundles.length}`, "KSR/Request");
  }
  for (const [i, bundle] of ksr.bundles.entries()) {
    if (bundle.keys.length !== expected[i]) {
      throw checkFailed(
        "KSR-POLICY-KEYS",
        `${bundle.keys.length} keys; the policy asks for ${expected[i]} in bundle ${i + 1} (num_keys_per_bundle)`,
        bundleLabel(bundle, i),
      );
    }
  }
  const byIdentity = new Map<string, DnskeyRdata>();
  for (const b of ksr.bundles) for (const k of b.keys) if (!byIdentity.has(dnskeyIdentity(k.dnskey))) byIdentity.set(dnskeyIdentity(k.dnskey), k.dnskey);
  const distinct = [...byIdentity.values()];
  if (distinct.length !== policy.num_different_keys_in_all_bundles) {
    throw checkFailed(
      "KSR-POLICY-KEYS",
      `${distinct.length} distinct ZSKs (${distinct.map(keyTag).join(", ")}); the policy asks for ${policy.num_different_keys_in_all_bundles} (num_different_keys_in_all_bundles)`,
      "KSR/Request",
    );
  }
  return `keys per bundle [${expected.join(",")}], ${distinct.length} distinct ZSKs`;
}

/**
 * KSR-POLICY-ALG: the algorithms the KSR declares and its keys use are supported and not
 * deprecated (RFC 8624 §3.1; refused whatever the policy says, as are DSA and, unless
 * `enable_unsupported_ecdsa`, ECDSA); with `signature_algorithms_match_zsk_policy` each declared
 * algorithm must be in `approved_algorithms` and RSA ones use an approved size and exponent.
 */
export function checkPolicyAlgorithms(ksr: KsrRequestDocument, policy: KsrCheckPolicy, warn: WarningSink = () => undefined): string {
  const where = "KSR/Request/RequestPolicy/ZSK";
  const numbers = new Set<number>(ksr.policy.zsk.algorithms.map((a) => a.algorithm));
  for (const b of ksr.bundles) for (const k of b.keys) numbers.add(k.dnskey.algorithm);
  for (const n of numbers) {
    if (!isSupportedAlgorithm(n)) {
      let why = `algorithm ${n} is not supported`;
      try {
        algorithmInfo(n);
      } catch (e) {
        why = (e as Error).message;
      }
      throw checkFailed("KSR-POLICY-ALG", why, where);
    }
  }
  for (const a of ksr.policy.zsk.algorithms) {
    const info = algorithmInfo(a.algorithm);
    if (a.family === "DSA") throw checkFailed("KSR-POLICY-ALG", `DSA is deprecated (RFC 8624 §3.1)`, where);
    if (info.family !== a.family)
      throw checkFailed("KSR-POLICY-ALG", `algorithm ${a.algorithm} (${info.mnemonic}) is declared with ${a.family} parameters`, where);
    if (a.family === "ECDSA" && !policy.enable_unsupported_ecdsa) {
      throw checkFailed("KSR-POLICY-ALG", `ECDSA (${info.mnemonic}) is refused unless enable_unsupported_ecdsa is true`, where);
    }
  }
  if (!policy.signature_algorithms_match_zsk_policy) {
    warn(
      disabledByPolicy(
        "KSR-POLICY-ALG",
        ["signature_algorithms_match_zsk_policy"],
        "approved_algorithms, rsa_approved_key_sizes and rsa_approved_exponents are NOT compared (deprecated algorithms are still refused)",
      ),
    );
    return "no deprecated or unsupported algorithm (approved lists not compared: disabled by policy)";
  }
  const approved = policy.approved_algorithms.map((text) => parseAlgorithm(text).number);
  for (const a of ksr.policy.zsk.algorithms) {
    const mnemonic = algorithmInfo(a.algorithm).mnemonic;
    if (!approved.includes(a.algorithm)) {
      throw checkFailed("KSR-POLICY-ALG", `algorithm ${mnemonic} is not in approved_algorithms [${policy.approved_algorithms.join(", ")}]`, where);
    }
    if (a.family === "RSA") {
      if (!policy.rsa_approved_key_sizes.includes(a.sizeBits)) {
        throw checkFailed("KSR-POLICY-ALG", `RSA-${a.sizeBits} is not in rsa_approved_key_sizes [${policy.rsa_approved_key_sizes.join(", ")}]`, where);
      }
      if (!policy.rsa_approved_exponents.includes(a.exponent)) {
        throw checkFailed("KSR-POLICY-ALG", `RSA exponent ${a.exponent} is not in rsa_approved_exponents [${policy.rsa_approved_exponents.join(", ")}]`, where);
      }
    }
  }
  return `declared algorithms approved: ${ksr.policy.zsk.algorithms.map((a) => `${algorithmInfo(a.algorithm).mnemonic}${a.family === "RSA" ? `/${a.sizeBits}/e=${a.exponent}` : `/${a.sizeBits}`}`).join(", ")}`;
}

/** KSR-POLICY-SIG-VALIDITY: each bundle's validity lies within the KSR's declared MinSignatureValidity..MaxSignatureValidity. */
export function checkSignatureValidity(ksr: KsrRequestDocument): string {
  const { minSignatureValiditySeconds: min, maxSignatureValiditySeconds: max } = ksr.policy.zsk;
  if (min > max)
    throw checkFailed(
      "KSR-POLICY-SIG-VALIDITY",
      `declared MinSignatureValidity ${days(min)} exceeds MaxSignatureValidity ${days(max)}`,
      "KSR/Request/RequestPolicy/ZSK",
    );
  for (const [i, bundle] of ksr.bundles.entries()) {
    const validity = bundle.expirationEpochSeconds - bundle.inceptionEpochSeconds;
    // Compared with the minimum (IANA's tool compares it with the maximum here).
    if (validity < min) {
      throw checkFailed(
        "KSR-POLICY-SIG-VALIDITY",
        `validity ${days(Math.max(validity, 0))}${validity < 0 ? " (expires before inception)" : ""} is shorter than the declared MinSignatureValidity ${days(min)}`,
        bundleLabel(bundle, i),
      );
    }
    if (validity > max)
      throw checkFailed(
        "KSR-POLICY-SIG-VALIDITY",
        `validity ${days(validity)} is longer than the declared MaxSignatureValidity ${days(max)}`,
        bundleLabel(bundle, i),
      );
  }
  return `every bundle is valid ${days(min)}${min === max ? "" : `..${days(max)}`}`;
}

/** KSR-POLICY-SIG-OVERLAP: each bundle begins after the previous one and overlaps it by the declared MinValidityOverlap..MaxValidityOverlap. */
export function checkSignatureOverlap(ksr: KsrRequestDocument): string {
  const { minValidityOverlapSeconds: min, maxValidityOverlapSeconds: max } = ksr.policy.zsk;
  if (min > max)
    throw checkFailed(
      "KSR-POLICY-SIG-OVERLAP",
      `declared MinValidityOverlap ${days(min)} exceeds MaxValidityOverlap ${days(max)}`,
      "KSR/Request/RequestPolicy/ZSK",
    );
  // Order first: an out-of-order bundle would otherwise show up as a puzzling overlap.
  for (let i = 1; i < ksr.bundles.length; i++) {
    const previous = ksr.bundles[i - 1] as Bundle;
    const bundle = ksr.bundles[i] as Bundle;
    if (bundle.inceptionEpochSeconds <= previous.inceptionEpochSeconds) {
      throw checkFailed(
        "KSR-POLICY-SIG-OVERLAP",
        `inception ${formatIsoZ(bundle.inceptionEpochSeconds)} is not after bundle ${i}'s inception ${formatIsoZ(previous.inceptionEpochSeconds)}`,
        bundleLabel(bundle, i),
      );
    }
  }
  for (let i = 1; i < ksr.bundles.length; i++) {
    const previous = ksr.bundles[i - 1] as Bundle;
    const bundle = ksr.bundles[i] as Bundle;
    const where = bundleLabel(bundle, i);
    const overlap = previous.expirationEpochSeconds - bundle.inceptionEpochSeconds;
    if (overlap < 0)
      throw checkFailed("KSR-POLICY-SIG-OVERLAP", `a gap of ${days(-overlap)} after bundle ${i} expires: the zone would have no valid DNSKEY signature`, where);
    if (overlap < min)
      throw checkFailed(
        "KSR-POLICY-SIG-OVERLAP",
        `overlap with bundle ${i} is ${days(overlap)}, shorter than the declared MinValidityOverlap ${days(min)}`,
        where,
      );
    if (overlap > max)
      throw checkFailed(
        "KSR-POLICY-SIG-OVERLAP",
        `overlap with bundle ${i} is ${days(overlap)}, longer than the declared MaxValidityOverlap ${days(max)}`,
        where,
      );
  }
  return `consecutive bundles overlap ${days(min)}..${days(max)}`;
}

/**
 * KSR-POLICY-SIG-HORIZON: no bundle expires more than `signature_horizon_days` after `now` (DPS
 * §5.1.4: never more than 180 days in the future), and none has already expired (a sign of a
 * wrong clock or a stale KSR). Compared in seconds, not IANA's whole days.
 */
export function checkSignatureHorizon(ksr: KsrRequestDocument, policy: KsrCheckPolicy, nowEpochSeconds: number): string {
  const horizon = nowEpochSeconds + policy.signature_horizon_days * 86400;
  for (const [i, bundle] of ksr.bundles.entries()) {
    if (bundle.expirationEpochSeconds > horizon) {
      throw checkFailed(
        "KSR-POLICY-SIG-HORIZON",
        `expires ${formatIsoZ(bundle.expirationEpochSeconds)}, more than ${policy.signature_horizon_days} days after now (${formatIsoZ(nowEpochSeconds)}; signature_horizon_days)`,
        bundleLabel(bundle, i),
      );
    }
    if (bundle.expirationEpochSeconds <= nowEpochSeconds) {
      throw checkFailed(
        "KSR-POLICY-SIG-HORIZON",
        `already expired at ${formatIsoZ(bundle.expirationEpochSeconds)} (now ${formatIsoZ(nowEpochSeconds)})`,
        bundleLabel(bundle, i),
      );
    }
  }
  return `every bundle expires within ${policy.signature_horizon_days} days of ${formatIsoZ(nowEpochSeconds)}`;
}

/** KSR-POLICY-BUNDLE-INTERVALS: each inception follows the previous one by min_bundle_interval..max_bundle_interval. */
export function checkBundleIntervals(ksr: KsrRequestDocument, policy: KsrCheckPolicy): string {
  const min = policy.min_bundle_interval_seconds;
  const max = policy.max_bundle_interval_seconds;
  for (let i = 1; i < ksr.bundles.length; i++) {
    const bundle = ksr.bundles[i] as Bundle;
    const interval = bundle.inceptionEpochSeconds - (ksr.bundles[i - 1] as Bundle).inceptionEpochSeconds;
    if (interval < min || interval > max) {
      throw checkFailed(
        "KSR-POLICY-BUNDLE-INTERVALS",
        `${interval < 0 ? "inception goes back" : `inception is ${days(interval)}`} after bundle ${i}'s; the policy allows ${days(min)}..${days(max)} (min/max_bundle_interval)`,
        bundleLabel(bundle, i),
      );
    }
  }
  return `intervals between inceptions within ${days(min)}..${days(max)}`;
}

/**
 * KSR-KEYTAG-CLASH: no ZSK's key tag equals a KSK's tag or the tag it has with the REVOKE bit
 * set (RFC 5011 §7: the revoked key is published and signs under its new tag, so a ZSK with that
 * tag would make validators try the wrong key). Tags are recomputed, never derived by adding 128.
 */
export function checkKeyTagClash(ksr: KsrRequestDocument, kskKeys: readonly DnskeyRdata[]): string {
  const forbidden = new Map<number, string>();
  for (const k of kskKeys) {
    const plain = withoutRevokeBit(k);
    forbidden.set(keyTag(plain), `KSK ${keyTag(plain)}`);
    forbidden.set(revokedKeyTag(plain), `KSK ${keyTag(plain)} with the REVOKE bit (tag ${revokedKeyTag(plain)})`);
  }
  for (const [i, bundle] of ksr.bundles.entries()) {
    for (const key of bundle.keys) {
      if (kskKeys.some((k) => sameDnskey(withoutRevokeBit(k), withoutRevokeBit(key.dnskey)))) continue; // same key: KSR-BUNDLE-KEYS refuses a KSK in a KSR
      const clash = forbidden.get(bundleKeyTag(key));
      if (clash) throw checkFailed("KSR-KEYTAG-CLASH", `ZSK key tag ${bundleKeyTag(key)} equals the tag of ${clash}`, bundleLabel(bundle, i));
    }
  }
  return `no ZSK tag equals any of ${[...forbidden.keys()].sort((a, b) => a - b).join(", ")}`;
}

// --- The same checks at signing, against the KSK operator's own policy (@ksk/signer's plan) ------

/** KSR-DOMAIN at signing: the KSR is for the name the KSK signs as (ksk_policy.signers_name). */
export function checkKsrSignersName(ksr: KsrRequestDocument, signersName: Name): void {
  const domain = documentDomain(ksr);
  if (!namesEqual(domain, signersName)) {
    throw checkFailed("KSR-DOMAIN", `the KSR is for ${nameToString(domain)} but ksk_policy.signers_name is ${nameToString(signersName)}`);
  }
}

/**
 * KSR-BUNDLE-KEYS at signing: every key the KSR asks to publish carries the KSK policy's TTL
 * (refused, not rewritten: the SKR must hold the keys as requested) and none is one of the KSKs.
 */
export function checkBundleKeysForSigning(
  keys: readonly BundleKey[],
  ttlSeconds: number,
  ksks: ReadonlyMap<string, { readonly dnskey: DnskeyRdata; readonly label: string }>,
  where: string,
): void {
  for (const zsk of keys) {
    if (zsk.ttlSeconds !== ttlSeconds) {
      throw checkFailed(
        "KSR-BUNDLE-KEYS",
        `key ${keyTag(zsk.dnskey)} has TTL ${zsk.ttlSeconds}, not the policy TTL ${ttlSeconds}; refused, not rewritten`,
        where,
      );
    }
    for (const [name, k] of ksks) {
      if (sameKeyMaterial(zsk.dnskey, k.dnskey))
        throw checkFailed("KSR-BUNDLE-KEYS", `the KSR carries the KSK ${name} (${k.label}) as one of its own keys`, where);
    }
  }
}

/** KSR-KEYTAG-CLASH at signing: no two keys of a planned DNSKEY RRset (ZSKs and KSKs) share a key tag. */
export function checkRrsetKeyTagsUnique(keys: readonly BundleKey[], where: string): void {
  const tags = keys.map((k) => keyTag(k.dnskey));
  const clash = tags.find((t, i) => tags.indexOf(t) !== i);
  if (clash !== undefined) throw checkFailed("KSR-KEYTAG-CLASH", `two keys in the DNSKEY RRset share key tag ${clash}`, where);
}
