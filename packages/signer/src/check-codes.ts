/**
 * The check codes of @ksk/signer, registered with core's registry when the package loads: the
 * SKR checks and the KSK operator's (signing side) checks.
 */
import { registerChecks } from "@ksk/core";

export const SIGNER_CHECKS = registerChecks("@ksk/signer", {
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
  "KSK-CHAIN-SIGNER": {
    title: "The KSK that signed the previous SKR is present in the HSM with the same public key",
    policyField: "check_chain_keys_in_hsm",
  },
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
});
