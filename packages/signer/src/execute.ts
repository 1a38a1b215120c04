/**
 * Executing a signing plan: every planned RRSIG is made through the injected `Signer` of its KSK
 * and verified in software before it is accepted (core's `signRrset`; SKR-VERIFY). The result is the
 * SKR document, deterministic for the same plan and keys (RSA PKCS#1 v1.5 and EdDSA signatures are
 * deterministic; the canonical writer fixes the order of keys and signatures).
 */
import { KskError, type Signer, keyTag, sameKeyMaterial, signRrset } from "@ksk/core";
import type { BundleSignature, KsrResponseDocument } from "@ksk/ksr";
import type { SigningPlan } from "./plan.js";

export interface ExecuteOptions {
  /**
   * The signing time (the caller's clock), kept in the model; the XML writer leaves it out unless
   * asked (`writeKsrXml(skr, { timestamp: true })`), as IANA's readers cannot take it.
   */
  readonly timestampEpochSeconds?: number;
  /** Called after each signature, e.g. to show progress on the ceremony screen. */
  readonly onSignature?: (bundleIndex: number, keyTag: number, label: string) => void;
}

export async function executePlan(plan: SigningPlan, signers: ReadonlyMap<string, Signer>, options: ExecuteOptions = {}): Promise<KsrResponseDocument> {
  const bundles = [];
  for (const [index, bundle] of plan.bundles.entries()) {
    const signatures: BundleSignature[] = [];
    for (const planned of bundle.signatures) {
      const signer = signers.get(planned.keyName);
      if (!signer)
        throw new KskError("keystore", "KEY-MISSING", `no signer for key ${planned.keyName} (${planned.label})`, {
          where: `bundle ${index + 1} (${bundle.id})`,
        });
      if (!sameKeyMaterial(signer.dnskey, planned.dnskey)) {
        throw new KskError(
          "keystore",
          "KSK-CONFIG-MATCH",
          `the key behind ${planned.label} (${signer.keyTag}) is not the key planned (${keyTag(planned.dnskey)})`,
          { where: `bundle ${index + 1} (${bundle.id})` },
        );
      }
      const rrsig = await signRrset(signer, bundle.rrset, planned.template);
      signatures.push({ keyIdentifier: planned.label, ttlSeconds: planned.template.originalTtlSeconds, rrsig: rrsig.rdata });
      options.onSignature?.(index, planned.template.keyTag, planned.label);
    }
    bundles.push({
      id: bundle.id,
      inceptionEpochSeconds: bundle.inceptionEpochSeconds,
      expirationEpochSeconds: bundle.expirationEpochSeconds,
      keys: bundle.keys,
      signatures,
    });
  }
  return {
    kind: "response",
    id: plan.ksrId,
    serial: plan.serial,
    domain: plan.domain,
    ...(options.timestampEpochSeconds === undefined ? {} : { timestampEpochSeconds: options.timestampEpochSeconds }),
    policy: plan.policy,
    bundles,
  };
}
