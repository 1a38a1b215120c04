/**
 * The registry of check codes. Codes from IANA's dnssec-keytools keep their names (KSR-DOMAIN,
 * KSR-BUNDLE-POP, SKR-VERIFY, …) so operators recognise them in logs, docs and tests; codes this
 * toolkit adds are named in the same style. Each check elsewhere is a named function that throws
 * `checkFailed(code, …)`; nothing else invents a code.
 */
import { KskError } from "./errors.js";

export interface CheckInfo {
  /** What the check asserts, in one sentence. */
  readonly title: string;
  /** The policy field that switches it off, if it can be switched off. */
  readonly policyField?: string;
}

export const CHECKS = {
  // --- KSR checks (IANA dnssec-keytools names) ---
  "KSR-DOMAIN": { title: "The KSR is for the expected domain", policyField: "check_domain" },
  "KSR-ID": { title: "The KSR id is not the id of the previous SKR (no replay)", policyField: "check_id" },
  "KSR-BUNDLE-UNIQUE": { title: "Every bundle id is unique", policyField: "check_bundle_unique" },
  "KSR-BUNDLE-KEYS": { title: "Keys in bundles are consistent and carry the policy TTL", policyField: "check_keys_match_ksk_operator_policy" },
  "KSR-BUNDLE-POP": { title: "Every bundle is signed by every ZSK in it (proof of possession)", policyField: "validate_signatures" },
  "KSR-BUNDLE-COUNT": { title: "The KSR has the policy's number of bundles", policyField: "num_bundles" },
  "KSR-BUNDLE-CYCLE-DURATION": { title: "First-to-last inception lies within the policy's cycle duration", policyField: "check_cycle_length" },
  "KSR-POLICY-KEYS": { title: "Keys match the ZSK operator's declared policy", policyField: "keys_match_zsk_policy" },
  "KSR-POLICY-ALG": { title: "Signature algorithms are permitted and not deprecated (RFC 8624)", policyField: "approved_algorithms" },
  "KSR-POLICY-SIG-VALIDITY": { title: "Bundle validity lies within the declared minimum and maximum", policyField: "signature_validity_match_zsk_policy" },
  "KSR-POLICY-SIG-OVERLAP": { title: "Consecutive bundles overlap within the declared minimum and maximum", policyField: "check_bundle_overlap" },
  "KSR-POLICY-SIG-HORIZON": { title: "No signature expires beyond the signature horizon", policyField: "signature_horizon_days" },
  "KSR-POLICY-BUNDLE-INTERVALS": { title: "Bundle inceptions follow the policy's interval", policyField: "check_bundle_intervals" },
  "KSR-POLICY-SAFETY": { title: "Publish and retire safety periods are honoured", policyField: "enable_safety_check" },
  "KSR-CHAIN-KEYS": { title: "The KSR's first bundle keys equal the previous SKR's last bundle keys", policyField: "check_chain_keys" },
  "KSR-CHAIN-OVERLAP": { title: "The KSR's first bundle overlaps the previous SKR's last bundle", policyField: "check_chain_overlap" },
  "KSR-KEYTAG-CLASH": { title: "No ZSK key tag (or revoked tag) equals a KSK's", policyField: "check_keytag_clash" },
  // --- SKR checks ---
  "SKR-VERIFY": { title: "Every signature in the SKR verifies with a key in its bundle" },
  "SKR-ANCHOR": { title: "Each bundle is signed by a key the trust anchor designates" },
  "SKR-MATCHES-KSR": { title: "The SKR answers the KSR: same ids, ZSKs and windows" },
  // --- DNSSEC validation (RFC 4035 §5.3) ---
  "RRSIG-VALID": { title: "The RRSIG validates the RRset" },
  "RRSET-SIGNED": { title: "Every RRset is validly signed by a key in the zone's DNSKEY RRset" },
  "DNSKEY-ANCHORED": { title: "The DNSKEY RRset is signed by a key the trust anchor designates" },
} as const satisfies Record<string, CheckInfo>;

export type CheckCode = keyof typeof CHECKS;

export function isCheckCode(code: string): code is CheckCode {
  return Object.hasOwn(CHECKS, code);
}

/** A failed check: exit 1, naming the subject (bundle id, key tag, RRset). */
export function checkFailed(code: CheckCode, detail: string, where?: string): KskError {
  return new KskError("check", code, detail, where === undefined ? {} : { where });
}
