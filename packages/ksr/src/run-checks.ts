/**
 * Run every KSR check in IANA's order and report each as pass, fail, disabled (switched off by
 * policy: a loud warning naming the policy field) or not run (its input is missing, e.g. the chain
 * checks without SKR(n-1)). Input errors (malformed data) are not check results: they propagate.
 */
import { type CheckCode, type CheckInfo, type DnskeyRdata, isKskError } from "@ksk/core";
import { KSR_CHECKS } from "./check-codes.js";
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

export type CheckStatus = "pass" | "fail" | "disabled" | "not-run";

export interface CheckResult {
  readonly code: CheckCode;
  readonly status: CheckStatus;
  /** What passed, why it failed, or why it was not run. */
  readonly detail: string;
  /** The bundle or element at fault (failures). */
  readonly where?: string;
}

export interface KsrCheckReport {
  readonly results: readonly CheckResult[];
  /** Warnings to show loudly: disabled checks and tolerated deviations, each naming its policy field. */
  readonly warnings: readonly string[];
  /** Every check that ran passed. */
  readonly ok: boolean;
}

interface Step {
  readonly code: CheckCode;
  /** The policy switch, when the check can be switched off. */
  readonly enabled?: (p: KsrCheckPolicy) => boolean;
  /** Why the check cannot run with this input, or undefined when it can. */
  readonly missing?: (input: KsrCheckInput) => string | undefined;
  readonly run: (input: KsrCheckInput, warn: (m: string) => void) => string;
}

const NO_PREVIOUS = "no previous SKR given (--previous-skr)";
const needsPrevious = (i: KsrCheckInput) => (i.previousSkr ? undefined : NO_PREVIOUS);
const previous = (i: KsrCheckInput) => i.previousSkr as KsrResponseDocument;
const kskKeysOf = (i: KsrCheckInput) => i.kskKeys ?? (i.previousSkr ? skrKsks(i.previousSkr) : []);

const STEPS: readonly Step[] = [
  { code: "KSR-DOMAIN", run: (i) => checkKsrDomain(i.ksr, i.policy) },
  { code: "KSR-ID", missing: needsPrevious, run: (i) => checkKsrId(i.ksr, previous(i)) },
  { code: "KSR-BUNDLE-UNIQUE", run: (i) => checkBundleUnique(i.ksr, i.previousSkr?.bundles.map((b) => b.id) ?? []) },
  { code: "KSR-BUNDLE-KEYS", enabled: (p) => p.keys_match_zsk_policy, run: (i, warn) => checkBundleKeys(i.ksr, i.policy, warn) },
  { code: "KSR-BUNDLE-POP", enabled: (p) => p.validate_signatures, run: (i) => checkProofOfPossession(i.ksr) },
  { code: "KSR-BUNDLE-COUNT", run: (i) => checkBundleCount(i.ksr, i.policy) },
  { code: "KSR-BUNDLE-CYCLE-DURATION", enabled: (p) => p.check_cycle_length, run: (i) => checkCycleDuration(i.ksr, i.policy) },
  { code: "KSR-POLICY-KEYS", enabled: (p) => p.check_keys_match_ksk_operator_policy, run: (i) => checkPolicyKeys(i.ksr, i.policy) },
  // Partly switchable: deprecated algorithms are refused even when the switch is off.
  { code: "KSR-POLICY-ALG", run: (i, warn) => checkPolicyAlgorithms(i.ksr, i.policy, warn) },
  { code: "KSR-POLICY-SIG-VALIDITY", enabled: (p) => p.signature_validity_match_zsk_policy, run: (i) => checkSignatureValidity(i.ksr) },
  { code: "KSR-POLICY-SIG-OVERLAP", enabled: (p) => p.check_bundle_overlap, run: (i) => checkSignatureOverlap(i.ksr) },
  { code: "KSR-POLICY-SIG-HORIZON", enabled: (p) => p.signature_check_expire_horizon, run: (i) => checkSignatureHorizon(i.ksr, i.policy, i.nowEpochSeconds) },
  { code: "KSR-POLICY-BUNDLE-INTERVALS", enabled: (p) => p.check_bundle_intervals, run: (i) => checkBundleIntervals(i.ksr, i.policy) },
  {
    code: "KSR-KEYTAG-CLASH",
    enabled: (p) => p.check_keytag_clash,
    missing: (i) => (kskKeysOf(i).length > 0 ? undefined : "no KSK keys known (give --previous-skr)"),
    run: (i) => checkKeyTagClash(i.ksr, kskKeysOf(i)),
  },
  { code: "SKR-VERIFY", missing: needsPrevious, run: (i) => checkSkrSignatures(previous(i), i.trustedKsks, i.configuredKeys) },
  { code: "KSR-CHAIN-KEYS", enabled: (p) => p.check_chain_keys, missing: needsPrevious, run: (i) => checkChainKeys(i.ksr, previous(i)) },
  { code: "KSR-CHAIN-OVERLAP", enabled: (p) => p.check_chain_overlap, missing: needsPrevious, run: (i) => checkChainOverlap(i.ksr, previous(i)) },
];

/** The codes `runKsrChecks` reports, in order. */
export const KSR_CHECK_CODES: readonly CheckCode[] = STEPS.map((s) => s.code);

/** The policy field that switches a check off, from the registry in @ksk/core. */
export function policyFieldOf(code: CheckCode): string | undefined {
  return (KSR_CHECKS[code as keyof typeof KSR_CHECKS] as CheckInfo | undefined)?.policyField;
}

export function runKsrChecks(input: KsrCheckInput): KsrCheckReport {
  const results: CheckResult[] = [];
  const warnings: string[] = [];
  for (const step of STEPS) {
    if (step.enabled && !step.enabled(input.policy)) {
      const field = policyFieldOf(step.code);
      const message = `${step.code} DISABLED by policy (${field}: false): this check was NOT run`;
      warnings.push(message);
      results.push({ code: step.code, status: "disabled", detail: message });
      continue;
    }
    const missing = step.missing?.(input);
    if (missing !== undefined) {
      results.push({ code: step.code, status: "not-run", detail: missing });
      continue;
    }
    try {
      results.push({ code: step.code, status: "pass", detail: step.run(input, (m) => warnings.push(m)) });
    } catch (e) {
      if (isKskError(e) && e.kind === "check") {
        results.push({ code: step.code, status: "fail", detail: e.detail, ...(e.where === undefined ? {} : { where: e.where }) });
      } else {
        throw e;
      }
    }
  }
  return { results, warnings, ok: results.every((r) => r.status !== "fail") };
}
