/**
 * The check codes of @ksk/ksr, registered with core's registry when the package loads: IANA's
 * dnssec-keytools names; the policy fields are IANA's ksrsigner.yaml `request_policy` keys.
 */
import { registerChecks } from "@ksk/core";

export const KSR_CHECKS = registerChecks("@ksk/ksr", {
  // KSR-DOMAIN, KSR-ID, KSR-BUNDLE-UNIQUE and KSR-BUNDLE-COUNT cannot be switched off: they are
  // configured (acceptable_domains, num_bundles) and a KSR failing them is not one to sign.
  "KSR-DOMAIN": { title: "The KSR is for a domain the policy accepts", configuredBy: "acceptable_domains" },
  "KSR-ID": { title: "The KSR id is not the id of the previous SKR (no replay)" },
  "KSR-BUNDLE-UNIQUE": { title: "Every bundle id is unique, and none reuses a bundle id of the previous SKR" },
  "KSR-BUNDLE-KEYS": {
    title: "Keys are ZSKs consistent across bundles, match the declared algorithms and carry the policy TTL",
    policyField: "keys_match_zsk_policy",
  },
  "KSR-BUNDLE-POP": { title: "Every bundle is signed by every ZSK in it (proof of possession)", policyField: "validate_signatures" },
  "KSR-BUNDLE-COUNT": { title: "The KSR has the policy's number of bundles", configuredBy: "num_bundles" },
  "KSR-BUNDLE-CYCLE-DURATION": { title: "First-to-last inception lies within the policy's cycle inception length", policyField: "check_cycle_length" },
  "KSR-POLICY-KEYS": { title: "Keys per bundle and distinct keys match the KSK operator's policy", policyField: "check_keys_match_ksk_operator_policy" },
  "KSR-POLICY-ALG": {
    title: "Signature algorithms are approved (RFC 8624 deprecated algorithms refused always)",
    // Partly switchable: deprecated algorithms are refused even when the switch is off.
    relaxedBy: "signature_algorithms_match_zsk_policy",
  },
  "KSR-POLICY-SIG-VALIDITY": {
    title: "Each bundle's validity lies within the declared minimum and maximum",
    policyField: "signature_validity_match_zsk_policy",
  },
  "KSR-POLICY-SIG-OVERLAP": { title: "Consecutive bundles overlap within the declared minimum and maximum", policyField: "check_bundle_overlap" },
  "KSR-POLICY-SIG-HORIZON": { title: "No bundle expires in the past or beyond the signature horizon", policyField: "signature_check_expire_horizon" },
  "KSR-POLICY-BUNDLE-INTERVALS": { title: "Intervals between bundle inceptions lie within the policy's bounds", policyField: "check_bundle_intervals" },
  "KSR-POLICY-SAFETY": {
    title: "Publish and retire safety periods are honoured",
    // Each field relaxes its half; the check is OFF only when both are false.
    policyField: ["check_keys_publish_safety", "check_keys_retire_safety"],
  },
  "KSR-CHAIN-KEYS": { title: "The KSR's first bundle ZSKs equal the previous SKR's last bundle ZSKs", policyField: "check_chain_keys" },
  "KSR-CHAIN-OVERLAP": {
    title: "The KSR's first bundle overlaps the previous SKR's last bundle within the declared bounds",
    policyField: "check_chain_overlap",
  },
  "KSR-KEYTAG-CLASH": { title: "No ZSK key tag equals a KSK's key tag or revoked key tag", policyField: "check_keytag_clash" },
});
