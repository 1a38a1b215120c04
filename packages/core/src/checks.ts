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
  /** The policy field that sets what it checks against, for checks that cannot be switched off. */
  readonly configuredBy?: string;
}

export const CHECKS = {
  // --- KSR checks (IANA dnssec-keytools names; policy fields are IANA's ksrsigner.yaml request_policy keys) ---
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
    policyField: "signature_algorithms_match_zsk_policy",
  },
  "KSR-POLICY-SIG-VALIDITY": {
    title: "Each bundle's validity lies within the declared minimum and maximum",
    policyField: "signature_validity_match_zsk_policy",
  },
  "KSR-POLICY-SIG-OVERLAP": { title: "Consecutive bundles overlap within the declared minimum and maximum", policyField: "check_bundle_overlap" },
  "KSR-POLICY-SIG-HORIZON": { title: "No bundle expires in the past or beyond the signature horizon", policyField: "signature_check_expire_horizon" },
  "KSR-POLICY-BUNDLE-INTERVALS": { title: "Intervals between bundle inceptions lie within the policy's bounds", policyField: "check_bundle_intervals" },
  "KSR-POLICY-SAFETY": { title: "Publish and retire safety periods are honoured", policyField: "check_keys_publish_safety" },
  "KSR-CHAIN-KEYS": { title: "The KSR's first bundle ZSKs equal the previous SKR's last bundle ZSKs", policyField: "check_chain_keys" },
  "KSR-CHAIN-OVERLAP": {
    title: "The KSR's first bundle overlaps the previous SKR's last bundle within the declared bounds",
    policyField: "check_chain_overlap",
  },
  "KSR-KEYTAG-CLASH": { title: "No ZSK key tag equals a KSK's key tag or revoked key tag", policyField: "check_keytag_clash" },
  // --- SKR checks ---
  "SKR-VERIFY": { title: "Every signature in the SKR verifies with a key in its bundle" },
  "SKR-ANCHOR": { title: "Each bundle is signed by a key the trust anchor designates" },
  "SKR-MATCHES-KSR": { title: "The SKR answers the KSR: same ids, ZSKs and windows" },
  "SKR-BUNDLE-COUNT": { title: "The SKR has as many bundles as the KSR it answers" },
  "SKR-ALGORITHMS": { title: "Every algorithm in a bundle's DNSKEY RRset has a KSK signature over it (RFC 4035 §2.2)" },
  "SKR-COVERS-NOW": { title: "A bundle of the SKR covers the given time or a later one" },
  // --- KSK operator's keys (the signing side) ---
  "KSK-CONFIG-MATCH": { title: "The key found in the HSM is the one the config describes (algorithm, size, key tag, DS)" },
  "KSK-POLICY-SIG-VALIDITY": { title: "Every bundle the KSK signs is valid within ksk_policy's min/max signature validity" },
  "KSK-POLICY-SIG-OVERLAP": { title: "Consecutive bundles the KSK signs overlap within ksk_policy's min/max validity overlap" },
  "KSK-VALIDITY": { title: "Each KSK's configured validity window covers every bundle it is used in" },
  "KSK-CHAIN-SIGNER": { title: "The KSK that signed the previous SKR is present in the HSM with the same public key" },
  "SCHEMA-FITS-KSR": { title: "The rollover schema has one slot per KSR bundle and names only configured keys" },
  // --- a KSK rollover as an RFC 5011 resolver lives it (the SKRs of several quarters, and the anchor files published along the way) ---
  "ROLLOVER-ADD-HOLDDOWN": {
    title:
      "A KSK signs only after it has been published, in validly signed DNSKEY RRsets, for the add hold-down (30 days, RFC 5011 §2.4.1) plus the DNSKEY TTL",
    policyField: "rollover_policy.check_add_hold_down",
  },
  "ROLLOVER-REMOVE-HOLDDOWN": {
    title: "A KSK leaves the DNSKEY RRset only after it has been published revoked and self-signed for the remove hold-down (30 days, RFC 5011 §2.4.2, §6.2)",
    policyField: "rollover_policy.check_remove_hold_down",
  },
  "ROLLOVER-REVOKED-SELF-SIGNED": { title: "A revoked KSK signs the DNSKEY RRset that carries it, under its revoked key tag (RFC 5011 §2.1)" },
  "ROLLOVER-DNSKEY-SIZE": {
    title: "The `. DNSKEY` answer with DO fits in 1452 octets (one 1500-octet IPv6 packet); above 1232 it is reported",
    policyField: "rollover_policy.check_dnskey_response_size",
  },
  "ROLLOVER-GAP": { title: "Each SKR takes over before the previous one's last signatures expire: no quarter is missing" },
  "ROLLOVER-OVERLAP": { title: "No two SKRs cover the same slots (the same quarter given twice, or out of order)" },
  "ROLLOVER-ANCHOR-SIGNER": { title: "Every KSK that signs a slot has a KeyDigest valid then in the root-anchors.xml published at that time" },
  // --- trust anchors (root-anchors.xml, RFC 9718; its CMS signature; the KSK's CSR) ---
  "TA-DIGEST-KEY": { title: "Each KeyDigest's Digest and KeyTag match its PublicKey (RFC 9718 §2.2)" },
  "TA-NONE-VALID": { title: "At least one KeyDigest is valid at the publication time (else unbound-anchor declares the root unsigned)" },
  "TA-DNSKEY-ANCHORED": { title: "A KeyDigest valid at the time designates a key of the given DNSKEY RRset" },
  "TA-CMS-DIGEST": { title: "The CMS messageDigest is the SHA-256 of the exact XML bytes" },
  "TA-CMS-SIGNATURE": { title: "The CMS signature over the signed attributes verifies with the signer certificate" },
  "TA-CMS-CHAIN": { title: "The signer certificate chains to a given CA" },
  "TA-CMS-CERT-TIME": { title: "Every certificate in the chain is valid at the verification time" },
  "TA-CMS-CERT-USAGE": { title: "The signer certificate allows digitalSignature (and emailProtection if it has an EKU)" },
  "TA-CMS-EMAIL": { title: "The signer certificate's subject emailAddress is the expected one (unbound-anchor -n)" },
  "CSR-SIGNATURE": { title: "The CSR's self-signature verifies with its public key" },
  "CSR-DS": { title: "The CSR's DS attribute designates the key that signed the CSR" },
  // --- DNSSEC validation (RFC 4035 §5.3) ---
  "RRSIG-VALID": { title: "The RRSIG validates the RRset" },
  "RRSET-SIGNED": { title: "Every RRset is validly signed by a key in the zone's DNSKEY RRset" },
  "DNSKEY-ANCHORED": { title: "The DNSKEY RRset is signed by a key the trust anchor designates" },
  // --- whole zones (RFC 4035 §2, RFC 8976): signing with an SKR bundle, and validating a signed zone ---
  "ZONE-SKR-BUNDLE": { title: "A bundle of the SKR is valid at the signing time, and the ZSK it publishes for signing is known" },
  "ZONE-APEX-DNSKEY": { title: "The zone's apex DNSKEY RRset is exactly the SKR bundle's (no other apex DNSKEYs in the input)" },
  "ZONE-ALGORITHMS": { title: "Every authoritative RRset is signed with each algorithm of the apex DNSKEY RRset (RFC 4035 §2.2)" },
  "ZONE-DELEGATION": { title: "Delegation NS RRsets and glue carry no RRSIG or NSEC; DS RRsets are signed (RFC 4035 §2.2, §2.3)" },
  "ZONE-NSEC-CHAIN": { title: "One NSEC at every authoritative name and delegation point, linked in canonical order back to the apex (RFC 4035 §2.3)" },
  "ZONE-NSEC-BITMAP": { title: "Each NSEC type bitmap lists exactly the types present at its owner (RFC 4034 §4.1.2)" },
  "ZONE-ZONEMD": { title: "The apex ZONEMD digest matches the zone and its serial is the SOA serial (RFC 8976 §4)" },
} as const satisfies Record<string, CheckInfo>;

export type CheckCode = keyof typeof CHECKS;

export function isCheckCode(code: string): code is CheckCode {
  return Object.hasOwn(CHECKS, code);
}

/** A failed check: exit 1, naming the subject (bundle id, key tag, RRset). */
export function checkFailed(code: CheckCode, detail: string, where?: string): KskError {
  return new KskError("check", code, detail, where === undefined ? {} : { where });
}
