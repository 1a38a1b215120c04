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
  "KSK-CHAIN-SIGNER": { title: "The KSK that signed the previous SKR is present in the HSM with the same public key" },
  "SCHEMA-FITS-KSR": { title: "The rollover schema has one slot per KSR bundle and names only configured keys" },
});
