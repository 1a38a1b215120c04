/**
 * The checks of a signing ceremony, before and after the KSK is used (pure; the HSM's answers come in
 * as data):
 *   before  the whole KSR validation of @ksk/ksr (including SKR(n-1) verified, KSR-ID, bundle ids unique
 *           across both files, KSR-CHAIN-KEYS, KSR-CHAIN-OVERLAP, key-tag clashes with the KSKs),
 *           KSK-CONFIG-MATCH (the key found under each label is the configured one), KSK-CHAIN-SIGNER
 *           (the KSK that signed SKR(n-1) is in the HSM with the same public key), then the plan itself
 *           (SCHEMA-FITS-KSR, KSK-VALIDITY, SKR-ALGORITHMS, TTLs), and the RFC 5011 rules over SKR(n-1)
 *           followed by the plan (ROLLOVER-ADD-HOLDDOWN, -REMOVE-HOLDDOWN, -REVOKED-SELF-SIGNED,
 *           -DNSKEY-SIZE; rollover.ts), each of which `rollover_policy` may switch to a loud warning;
 *   after   SKR-BUNDLE-COUNT, SKR-VERIFY and SKR-MATCHES-KSR on the SKR as written and read back, and
 *           KSR-POLICY-SAFETY over SKR(n-1) followed by the new SKR.
 */
import {
  type CheckReport,
  type CheckResult,
  type DnskeyRdata,
  KskError,
  type Name,
  attemptCheck,
  bytesToHex,
  checkFailed,
  dsDigest,
  joinCheckReports,
  runChecks,
  keyTag,
  sameKeyMaterial,
  switchedOff,
  withRevokeBit,
} from "@ksk/core";
import {
  type KsrRequestDocument,
  type KsrResponseDocument,
  documentDomain,
  KSR_POLICY_SAFETY_STEP,
  bundleSigners,
  ksrPolicySwitches,
  runKsrChecks,
  skrKsks,
} from "@ksk/ksr";
import type { KskKeyConfig, SignerConfig } from "./config.js";
import { type KskMaterial, type SigningPlan, planSigning, rsaParameters } from "./plan.js";
import { checkPlannedRollover, rolloverResults } from "./rollover.js";
import type { RolloverPolicy } from "./rollover-policy.js";
import type { NamedSkr } from "./rollover-timeline.js";
import type { SigningSchema } from "./schemas.js";
import { verifySkr } from "./skr-verify.js";

/**
 * KSK-CONFIG-MATCH, the role: the key found under a configured label is a KSK (DNSKEY flags 257, as
 * the keystore's record or the label says); a key that is not is refused, never re-flagged. A
 * keystore failure (exit 4), as below.
 */
export function checkConfiguredKeyIsKsk(name: string, label: string, dnskey: DnskeyRdata, location: string): void {
  if (dnskey.flags !== 257) {
    throw new KskError("keystore", "KSK-CONFIG-MATCH", `key ${name} (label ${label}) has DNSKEY flags ${dnskey.flags}, not 257: it is not a KSK`, {
      where: location,
    });
  }
}

/**
 * KSK-CONFIG-MATCH: the key found in the HSM under the configured label is the key the config
 * describes: algorithm, RSA size and exponent, key tag and DS SHA-256 where given. A mismatch means
 * the wrong key (or the wrong HSM) and is a keystore failure (exit 4): nothing may be signed with it.
 */
export function checkKskMatchesConfig(config: KskKeyConfig, dnskey: DnskeyRdata, domain: Name): string {
  const fail = (detail: string) => new KskError("keystore", "KSK-CONFIG-MATCH", `key ${config.name} (label ${config.label}): ${detail}`);
  if (dnskey.algorithm !== config.algorithm) throw fail(`the HSM key has algorithm ${dnskey.algorithm}, the config says ${config.algorithm}`);
  if (config.rsaSizeBits !== undefined || config.rsaExponent !== undefined) {
    const { sizeBits: rsaSizeBits, exponent: rsaExponent } = rsaParameters(dnskey);
    if (config.rsaSizeBits !== undefined && rsaSizeBits !== config.rsaSizeBits)
      throw fail(`the HSM key is RSA-${rsaSizeBits}, the config says ${config.rsaSizeBits}`);
    if (config.rsaExponent !== undefined && rsaExponent !== config.rsaExponent)
      throw fail(`the HSM key has exponent ${rsaExponent}, the config says ${config.rsaExponent}`);
  }
  const tag = keyTag(dnskey);
  if (config.keyTag !== undefined && tag !== config.keyTag) throw fail(`the HSM key has key tag ${tag}, the config says ${config.keyTag}`);
  if (config.dsSha256Hex !== undefined) {
    const ds = bytesToHex(dsDigest(domain, dnskey, 2), true);
    if (ds !== config.dsSha256Hex) throw fail(`the HSM key's DS SHA-256 is ${ds}, the config says ${config.dsSha256Hex}`);
  }
  return `${config.label} is key tag ${tag}${config.dsSha256Hex ? " with the configured DS" : ""}`;
}

/**
 * KSK-CHAIN-SIGNER: the KSKs that signed SKR(n-1)'s last bundle are in the HSM with the same public
 * key. `opened` (config key name → label) and the schema name let a failure say what to change.
 */
export function checkChainSignerPresent(
  previousSkr: KsrResponseDocument,
  inHsm: readonly DnskeyRdata[],
  context?: { readonly schemaName: string; readonly opened: ReadonlyMap<string, string> },
): string {
  const last = previousSkr.bundles[previousSkr.bundles.length - 1];
  if (!last) throw checkFailed("KSK-CHAIN-SIGNER", "the previous SKR has no bundles");
  const present = bundleSigners(last, documentDomain(previousSkr)).filter((k) => inHsm.some((h) => sameKeyMaterial(h, k)));
  if (present.length === 0) {
    throw checkFailed(
      "KSK-CHAIN-SIGNER",
      `none of the keys that signed the previous SKR's last bundle (${last.signatures.map((s) => s.rrsig.keyTag).join(", ")}) is in the HSM${
        context
          ? `: schema ${context.schemaName} opened ${[...context.opened].map(([name, label]) => `keys.${name} (label ${label})`).join(", ")}; correct the label of the config key that holds the signing KSK, or choose the --schema that names it`
          : ""
      }`,
      "previous SKR",
    );
  }
  return `key ${present.map(keyTag).join(", ")}, which signed the previous SKR's last bundle, is in the HSM`;
}

export interface PreflightInput {
  readonly ksr: KsrRequestDocument;
  readonly previousSkr?: KsrResponseDocument;
  readonly config: SignerConfig;
  readonly schema: SigningSchema;
  /** The configured KSKs the schema names, with their public keys as found in the HSM. */
  readonly ksks: ReadonlyMap<string, KskMaterial>;
  readonly nowEpochSeconds: number;
}

/** The checks before or after signing, in core's one shape, and the plan when every check before signing passed. */
export interface PreflightReport extends CheckReport {
  /** The plan, when every check passed. */
  readonly plan?: SigningPlan;
}

/** Everything checked before the KSK is used. KSK-CONFIG-MATCH failures throw (exit 4). */
export function preflight(input: PreflightInput): PreflightReport {
  const { ksr, previousSkr, config, schema, ksks, nowEpochSeconds } = input;
  const domain = documentDomain(ksr);
  for (const m of ksks.values()) checkKskMatchesConfig(m.config, m.dnskey, domain);
  const kskKeys = [...ksks.values()].flatMap((m) => [m.dnskey, withRevokeBit(m.dnskey)]);
  if (previousSkr) kskKeys.push(...skrKsks(previousSkr));
  const trustedKsks = [...ksks.values()].map((m) => m.dnskey);
  // Every key of the config, opened or not, so SKR-VERIFY can say a signer is the operator's own.
  const configuredKeys = new Map<number, string>();
  for (const [name, k] of config.keys) if (k.keyTag !== undefined) configuredKeys.set(k.keyTag, `keys.${name} (label ${k.label})`);
  for (const [name, m] of ksks) configuredKeys.set(keyTag(m.dnskey), `keys.${name} (label ${m.config.label})`);
  const ksrReport = runKsrChecks({
    ksr,
    policy: config.requestPolicy,
    nowEpochSeconds,
    kskKeys,
    trustedKsks,
    configuredKeys,
    ...(previousSkr ? { previousSkr } : {}),
  });
  const chainSigner = previousSkr ? [chainSignerResult(previousSkr, input)] : [];
  let plan: SigningPlan | undefined;
  const planned = attemptCheck("SCHEMA-FITS-KSR", () => {
    plan = planSigning({ ksr, schema, kskPolicy: config.kskPolicy, ksks });
    return `schema ${schema.name}: ${plan.bundles.length} bundles planned, ${plan.bundles.reduce((n, b) => n + b.signatures.length, 0)} signatures`;
  });
  const rollover = plan
    ? plannedRolloverResults(previousSkr ? [{ name: "previous SKR", skr: previousSkr }] : [], plan, config.rolloverPolicy)
    : { results: [], warnings: [] };
  const report = joinCheckReports(
    ksrReport,
    ...chainSigner,
    { results: [planned], warnings: [], ok: planned.status !== "fail" },
    { ...rollover, ok: rollover.results.every((r) => r.status !== "fail") },
  );
  return { ...report, ...(report.ok && plan ? { plan } : {}) };
}

/** KSK-CHAIN-SIGNER, or OFF with its warning when `check_chain_keys_in_hsm` is false. */
function chainSignerResult(previousSkr: KsrResponseDocument, input: PreflightInput): CheckReport {
  const off = switchedOff("KSK-CHAIN-SIGNER", ksrPolicySwitches(input.config.requestPolicy));
  if (off) return { results: [off.result], warnings: [off.warning], ok: true };
  const { ksks, schema } = input;
  const result = attemptCheck("KSK-CHAIN-SIGNER", () =>
    checkChainSignerPresent(
      previousSkr,
      [...ksks.values()].map((m) => m.dnskey),
      { schemaName: schema.name, opened: new Map([...ksks].map(([name, m]) => [name, m.config.label])) },
    ),
  );
  return { results: [result], warnings: [], ok: result.status !== "fail" };
}

/** The rollover rules a signing is held to (the sequence rules are KSR-CHAIN-OVERLAP's job here). */
const PLANNED_ROLLOVER_CODES = ["ROLLOVER-ADD-HOLDDOWN", "ROLLOVER-REMOVE-HOLDDOWN", "ROLLOVER-REVOKED-SELF-SIGNED", "ROLLOVER-DNSKEY-SIZE"] as const;

/**
 * The RFC 5011 rules over SKR(n-1) followed by the plan, as check results: one FAIL per slot that
 * breaks a rule; a rule switched off by `rollover_policy` is reported OFF, and every slot it lets
 * through becomes a loud warning naming the switch.
 */
export function plannedRolloverResults(
  previous: readonly NamedSkr[],
  plan: SigningPlan,
  policy: RolloverPolicy,
): { results: CheckResult[]; warnings: string[] } {
  const slots = `${plan.bundles.length} planned slots${previous.length > 0 ? " after the previous SKR" : ""}`;
  return rolloverResults(checkPlannedRollover(previous, plan, policy), PLANNED_ROLLOVER_CODES, slots);
}

export interface PostflightInput {
  readonly ksr: KsrRequestDocument;
  readonly previousSkr?: KsrResponseDocument;
  /** The SKR as written and read back. */
  readonly skr: KsrResponseDocument;
  readonly config: SignerConfig;
}

/** Everything checked after signing, on the SKR as read back from the file written. */
export function postflight(input: PostflightInput): PreflightReport {
  const { ksr, skr, config } = input;
  const results: CheckResult[] = [];
  const warnings: string[] = [];
  results.push(
    attemptCheck("SKR-BUNDLE-COUNT", () => {
      if (skr.bundles.length !== ksr.bundles.length || skr.bundles.length !== config.responsePolicy.numBundles) {
        throw checkFailed(
          "SKR-BUNDLE-COUNT",
          `the SKR has ${skr.bundles.length} bundles; the KSR has ${ksr.bundles.length} and response_policy.num_bundles is ${config.responsePolicy.numBundles}`,
        );
      }
      return `${skr.bundles.length} bundles, as the KSR`;
    }),
  );
  results.push(...verifySkr(skr, { ksr }).checks);
  const safety = runChecks(
    [KSR_POLICY_SAFETY_STEP],
    { skr, requestPolicy: config.requestPolicy, safety: config.kskPolicy, ...(input.previousSkr ? { previousSkr: input.previousSkr } : {}) },
    ksrPolicySwitches(config.requestPolicy),
  );
  results.push(...safety.results);
  warnings.push(...safety.warnings);
  return { results, warnings, ok: results.every((r) => r.status !== "fail") };
}
