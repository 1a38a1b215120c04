/**
 * The check codes of @ksk/trust-anchor, registered with core's registry when the package loads:
 * root-anchors.xml (RFC 9718), its CMS signature, and the KSK's CSR.
 */
import { registerChecks } from "@ksk/core";

export const TRUST_ANCHOR_CHECKS = registerChecks("@ksk/trust-anchor", {
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
});
