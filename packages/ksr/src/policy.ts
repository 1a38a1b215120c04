/**
 * The KSK operator's acceptance policy for KSRs, and the ZSK operator's policy for building them,
 * read from YAML and validated with zod (unknown keys refused, so a misspelt switch can never
 * silently leave a check on its default).
 *
 * `request_policy` uses exactly the key names of IANA's ksrsigner.yaml (dnssec-keytools,
 * `kskm/common/config_misc.py` RequestPolicy), with the root's numbers as defaults.
 * Differences from IANA, on purpose:
 *   - `dns_ttl` defaults to the root's 172800 and must be positive (IANA's 0 means "take
 *     ksk_policy.ttl", a section this file does not have); a key with another TTL is refused by
 *     KSR-BUNDLE-KEYS, never rewritten.
 *   - `check_keytag_clash` is this toolkit's own switch for KSR-KEYTAG-CLASH (IANA has no such check).
 *   - `check_chain_keys_in_hsm`, `check_keys_publish_safety` and `check_keys_retire_safety` are
 *     accepted for compatibility and carried to the KSK signer (@ksk/signer), which has the HSM and the SKR
 *     being produced; here SKR(n-1) is always verified in software.
 * `zsk_policy` (this toolkit's addition, same key names as IANA's `ksk_policy`) is the ZSK
 * operator's declared policy that `ksr build` writes into the KSR's RequestPolicy block.
 */
import { KskError, parseDuration } from "@ksk/core";
import type { SignaturePolicy } from "./model.js";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

/**
 * The root zone's DNSKEY TTL, 2 days: the default `dns_ttl` a KSR's keys must carry and the TTL
 * of the DNSKEY records the builder makes (IANA's ksrsigner.yaml and the root's KSRs use it).
 */
export const ROOT_DNSKEY_TTL_SECONDS = 172800;

const duration = z.string().min(1);
const positiveInt = z.number().int().positive();

/** zod schema of `request_policy` (exported so the KSK signer's config can compose it). */
export const requestPolicySchema = z
  .object({
    acceptable_domains: z.array(z.string().min(1)).min(1).default(["."]),
    num_bundles: positiveInt.default(9),
    validate_signatures: z.boolean().default(true),
    keys_match_zsk_policy: z.boolean().default(true),
    rsa_exponent_match_zsk_policy: z.boolean().default(true),
    enable_unsupported_ecdsa: z.boolean().default(false),
    check_cycle_length: z.boolean().default(true),
    min_cycle_inception_length: duration.default("P79D"),
    max_cycle_inception_length: duration.default("P81D"),
    min_bundle_interval: duration.default("P9D"),
    max_bundle_interval: duration.default("P11D"),
    check_bundle_overlap: z.boolean().default(true),
    signature_algorithms_match_zsk_policy: z.boolean().default(true),
    approved_algorithms: z.array(z.string().min(1)).min(1).default(["RSASHA256"]),
    rsa_approved_exponents: z.array(positiveInt).min(1).default([65537]),
    rsa_approved_key_sizes: z.array(z.number().int().min(1).max(65535)).min(1).default([2048]),
    signature_validity_match_zsk_policy: z.boolean().default(true),
    check_keys_match_ksk_operator_policy: z.boolean().default(true),
    num_keys_per_bundle: z.array(positiveInt).min(1).default([2, 1, 1, 1, 1, 1, 1, 1, 2]),
    num_different_keys_in_all_bundles: positiveInt.default(3),
    dns_ttl: positiveInt.default(ROOT_DNSKEY_TTL_SECONDS),
    signature_check_expire_horizon: z.boolean().default(true),
    signature_horizon_days: positiveInt.default(180),
    check_bundle_intervals: z.boolean().default(true),
    check_chain_keys: z.boolean().default(true),
    check_chain_keys_in_hsm: z.boolean().default(true),
    check_chain_overlap: z.boolean().default(true),
    check_keys_publish_safety: z.boolean().default(true),
    check_keys_retire_safety: z.boolean().default(true),
    check_keytag_clash: z.boolean().default(true),
  })
  .strict();

/** zod schema of `zsk_policy`: the ZSK operator's declared policy (root values by default). */
export const zskPolicySchema = z
  .object({
    publish_safety: duration.default("P10D"),
    retire_safety: duration.default("P10D"),
    max_signature_validity: duration.default("P21D"),
    min_signature_validity: duration.default("P21D"),
    max_validity_overlap: duration.default("P12D"),
    min_validity_overlap: duration.default("P9D"),
    ttl: positiveInt.default(ROOT_DNSKEY_TTL_SECONDS),
    /** Not an IANA key: days between bundle inceptions when building (the root uses 10). */
    bundle_interval: duration.default("P10D"),
    /** Not an IANA key: how long a built KSR's proof-of-possession signatures stay valid (the root's KSRs use 30 days). */
    proof_of_possession_validity: duration.default("P30D"),
  })
  .strict();

export const policyFileSchema = z
  .object({
    request_policy: requestPolicySchema.default(requestPolicySchema.parse({})),
    zsk_policy: zskPolicySchema.default(zskPolicySchema.parse({})),
  })
  .strict();

type RawRequestPolicy = z.infer<typeof requestPolicySchema>;
type DurationKeys = "min_cycle_inception_length" | "max_cycle_inception_length" | "min_bundle_interval" | "max_bundle_interval";

/** The acceptance policy with durations in seconds. Field names stay IANA's so messages can cite them. */
export type KsrCheckPolicy = Omit<RawRequestPolicy, DurationKeys> & {
  readonly min_cycle_inception_length_seconds: number;
  readonly max_cycle_inception_length_seconds: number;
  readonly min_bundle_interval_seconds: number;
  readonly max_bundle_interval_seconds: number;
};

/**
 * The ZSK operator's build policy, durations in seconds: the KSR's RequestPolicy/ZSK fields (its
 * algorithms come from the ZSKs), plus what building needs beyond them.
 */
export type ZskBuildPolicy = Omit<SignaturePolicy, "algorithms"> & {
  readonly ttlSeconds: number;
  readonly bundleIntervalSeconds: number;
  readonly proofOfPossessionValiditySeconds: number;
};

export interface KsrPolicyFile {
  readonly request: KsrCheckPolicy;
  readonly zsk: ZskBuildPolicy;
}

function seconds(text: string, field: string, where: string): number {
  try {
    return parseDuration(text, field);
  } catch (e) {
    throw new KskError("input", "POLICY-DURATION", (e as Error).message, { where });
  }
}

/** A validated `request_policy` value with its durations converted to seconds (used by the KSK signer config too). */
export function toCheckPolicy(raw: RawRequestPolicy, where: string): KsrCheckPolicy {
  const { min_cycle_inception_length, max_cycle_inception_length, min_bundle_interval, max_bundle_interval, ...rest } = raw;
  const policy: KsrCheckPolicy = {
    ...rest,
    min_cycle_inception_length_seconds: seconds(min_cycle_inception_length, "min_cycle_inception_length", where),
    max_cycle_inception_length_seconds: seconds(max_cycle_inception_length, "max_cycle_inception_length", where),
    min_bundle_interval_seconds: seconds(min_bundle_interval, "min_bundle_interval", where),
    max_bundle_interval_seconds: seconds(max_bundle_interval, "max_bundle_interval", where),
  };
  if (policy.num_keys_per_bundle.length !== policy.num_bundles) {
    throw new KskError(
      "input",
      "POLICY-INVALID",
      `num_keys_per_bundle lists ${policy.num_keys_per_bundle.length} bundles but num_bundles is ${policy.num_bundles}`,
      { where },
    );
  }
  if (
    policy.min_bundle_interval_seconds > policy.max_bundle_interval_seconds ||
    policy.min_cycle_inception_length_seconds > policy.max_cycle_inception_length_seconds
  ) {
    throw new KskError("input", "POLICY-INVALID", "a minimum exceeds its maximum (bundle interval or cycle inception length)", { where });
  }
  return policy;
}

function toZskPolicy(raw: z.infer<typeof zskPolicySchema>, where: string): ZskBuildPolicy {
  const policy: ZskBuildPolicy = {
    publishSafetySeconds: seconds(raw.publish_safety, "publish_safety", where),
    retireSafetySeconds: seconds(raw.retire_safety, "retire_safety", where),
    maxSignatureValiditySeconds: seconds(raw.max_signature_validity, "max_signature_validity", where),
    minSignatureValiditySeconds: seconds(raw.min_signature_validity, "min_signature_validity", where),
    maxValidityOverlapSeconds: seconds(raw.max_validity_overlap, "max_validity_overlap", where),
    minValidityOverlapSeconds: seconds(raw.min_validity_overlap, "min_validity_overlap", where),
    ttlSeconds: raw.ttl,
    bundleIntervalSeconds: seconds(raw.bundle_interval, "bundle_interval", where),
    proofOfPossessionValiditySeconds: seconds(raw.proof_of_possession_validity, "proof_of_possession_validity", where),
  };
  if (policy.minSignatureValiditySeconds > policy.maxSignatureValiditySeconds || policy.minValidityOverlapSeconds > policy.maxValidityOverlapSeconds) {
    throw new KskError("input", "POLICY-INVALID", "zsk_policy: a minimum exceeds its maximum (signature validity or validity overlap)", { where });
  }
  if (policy.bundleIntervalSeconds <= 0 || policy.proofOfPossessionValiditySeconds <= 0) {
    throw new KskError("input", "POLICY-INVALID", "zsk_policy: bundle_interval and proof_of_possession_validity must be positive", { where });
  }
  return policy;
}

/** The root's policy: what applies when no policy file is given. */
export function defaultKsrPolicy(): KsrPolicyFile {
  const raw = policyFileSchema.parse({});
  return { request: toCheckPolicy(raw.request_policy, "default policy"), zsk: toZskPolicy(raw.zsk_policy, "default policy") };
}

/** Read a policy YAML file; anything unknown, mistyped or inconsistent is bad input naming the key. */
export function parseKsrPolicyYaml(text: string, fileName = "policy"): KsrPolicyFile {
  let data: unknown;
  try {
    data = parseYaml(text, { strict: true, uniqueKeys: true, maxAliasCount: 0 });
  } catch (e) {
    throw new KskError("input", "POLICY-YAML", `is not valid YAML: ${(e as Error).message.split("\n")[0]}`, { where: fileName });
  }
  const result = policyFileSchema.safeParse(data ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.join(".") ?? "";
    const keys = issue && "keys" in issue ? ` (${(issue.keys as string[]).join(", ")})` : "";
    throw new KskError("input", "POLICY-INVALID", `${path || "top level"}: ${issue?.message ?? "invalid"}${keys}`, { where: fileName });
  }
  return { request: toCheckPolicy(result.data.request_policy, fileName), zsk: toZskPolicy(result.data.zsk_policy, fileName) };
}
