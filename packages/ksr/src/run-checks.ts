/**
 * Every KSR check in IANA's order, run by core's one runner (`runChecks`), each reported as PASS,
 * FAIL, OFF (switched off by the policy field its code is registered with: a loud warning) or SKIP
 * (its input is missing, e.g. the chain checks without SKR(n-1)). Input errors (malformed data) are
 * not check results: they propagate.
 */
import { type CheckCode, type CheckReport, type CheckStep, type DnskeyRdata, type PolicySwitches, runChecks } from "@ksk/core";
import "./check-codes.js";
import { checkChainKeys, checkChainOverlap, checkKsrId, checkSkrSignatures, skrKsks } from "./chain.js";
import {
  checkBundleCount,
  checkBundleIntervals,
  checkBundleKeys,
  checkBundleUnique,
  checkCycleDuration,
  checkKeyTagClash,
  checkKsrDomain,
  checkPolicyAlgorithms,
  checkPolicyKeys,
  checkProofOfPossession,
  checkSignatureHorizon,
  checkSignatureOverlap,
  checkSignatureValidity,
} from "./checks.js";
import type { KsrRequestDocument, KsrResponseDocument } from "./model.js";
import type { KsrCheckPolicy } from "./policy.js";

export interface KsrCheckInput {
  readonly ksr: KsrRequestDocument;
  readonly policy: KsrCheckPolicy;
  readonly nowEpochSeconds: number;
  /** SKR(n-1): enables KSR-ID, KSR-CHAIN-KEYS, KSR-CHAIN-OVERLAP and SKR-VERIFY of it. */
  readonly previousSkr?: KsrResponseDocument;
  /** The KSK operator's keys for KSR-KEYTAG-CLASH; by default the KSKs found in `previousSkr`. */
  readonly kskKeys?: readonly DnskeyRdata[];
  /**
   * The KSK operator's own keys (from its HSM, or designated by a trust anchor): SKR(n-1) must be
   * signed by them, not merely by keys it carries itself.
   */
  readonly trustedKsks?: readonly DnskeyRdata[];
  /** Key tag → name (`ksk_current (Kcurrnt)`) of every KSK in the operator's config, for SKR-VERIFY's words. */
  readonly configuredKeys?: ReadonlyMap<number, string>;
}

/** The KSR checks report in core's one shape (`CheckReport`: PASS, FAIL, OFF, SKIP per check). */
export type KsrCheckReport = CheckReport;

type Step = CheckStep<KsrCheckInput>;

const NO_PREVIOUS = "no previous SKR given (--previous-skr)";
const needsPrevious = (i: KsrCheckInput) => (i.previousSkr ? undefined : NO_PREVIOUS);
const previous = (i: KsrCheckInput) => i.previousSkr as KsrResponseDocument;
const kskKeysOf = (i: KsrCheckInput) => i.kskKeys ?? (i.previousSkr ? skrKsks(i.previousSkr) : []);

const STEPS: readonly Step[] = [
  { code: "KSR-DOMAIN", run: (i) => checkKsrDomain(i.ksr, i.policy) },
  { code: "KSR-ID", missing: needsPrevious, run: (i) => checkKsrId(i.ksr, previous(i)) },
  { code: "KSR-BUNDLE-UNIQUE", run: (i) => checkBundleUnique(i.ksr, i.previousSkr?.bundles.map((b) => b.id) ?? []) },
  { code: "KSR-BUNDLE-KEYS", run: (i, warn) => checkBundleKeys(i.ksr, i.policy, warn) },
  { code: "KSR-BUNDLE-POP", run: (i) => checkProofOfPossession(i.ksr) },
  { code: "KSR-BUNDLE-COUNT", run: (i) => checkBundleCount(i.ksr, i.policy) },
  { code: "KSR-BUNDLE-CYCLE-DURATION", run: (i) => checkCycleDuration(i.ksr, i.policy) },
  { code: "KSR-POLICY-KEYS", run: (i) => checkPolicyKeys(i.ksr, i.policy) },
  // Partly switchable: deprecated algorithms are refused even when the switch is off.
  { code: "KSR-POLICY-ALG", run: (i, warn) => checkPolicyAlgorithms(i.ksr, i.policy, warn) },
  { code: "KSR-POLICY-SIG-VALIDITY", run: (i) => checkSignatureValidity(i.ksr) },
  { code: "KSR-POLICY-SIG-OVERLAP", run: (i) => checkSignatureOverlap(i.ksr) },
  { code: "KSR-POLICY-SIG-HORIZON", run: (i) => checkSignatureHorizon(i.ksr, i.policy, i.nowEpochSeconds) },
  { code: "KSR-POLICY-BUNDLE-INTERVALS", run: (i) => checkBundleIntervals(i.ksr, i.policy) },
  {
    code: "KSR-KEYTAG-CLASH",
    missing: (i) => (kskKeysOf(i).length > 0 ? undefined : "no KSK keys known (give --previous-skr)"),
    run: (i) => checkKeyTagClash(i.ksr, kskKeysOf(i)),
  },
  { code: "SKR-VERIFY", missing: needsPrevious, run: (i) => checkSkrSignatures(previous(i), i.trustedKsks, i.configuredKeys) },
  { code: "KSR-CHAIN-KEYS", missing: needsPrevious, run: (i) => checkChainKeys(i.ksr, previous(i)) },
  { code: "KSR-CHAIN-OVERLAP", missing: needsPrevious, run: (i) => checkChainOverlap(i.ksr, previous(i)) },
];

/** The codes `runKsrChecks` reports, in order. */
export const KSR_CHECK_CODES: readonly CheckCode[] = STEPS.map((s) => s.code);

/** The policy fields of `request_policy` as the registry names them (`check_chain_keys`, …). */
export function ksrPolicySwitches(policy: KsrCheckPolicy): PolicySwitches {
  return (field) => {
    const value = (policy as unknown as Record<string, unknown>)[field];
    return typeof value === "boolean" ? value : undefined;
  };
}

/** Every KSR check, through core's one runner; a check is OFF when its registered policy field is false. */
export function runKsrChecks(input: KsrCheckInput): KsrCheckReport {
  return runChecks(STEPS, input, ksrPolicySwitches(input.policy));
}
