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
  type CheckCode,
  type DnskeyRdata,
  KskError,
  type Name,
  bytesToHex,
  checkFailed,
  dsDigest,
  isKskError,
  isSep,
  keyTag,
  sameKeyMaterial,
  withRevokeBit,
} from "@ksk/core";
import {
  type Bundle,
  type CheckResult,
  type KsrRequestDocument,
  type KsrResponseDocument,
  documentDomain,
  runKsrChecks,
  skrKsks,
  verifyBundleSignatures,
} from "@ksk/ksr";
import type { KskKeyConfig, SignerConfig } from "./config.js";
import { type KskMaterial, type SigningPlan, planSigning, rsaParameters } from "./plan.js";
import { type NamedSkr, type RolloverPolicy, checkPlannedRollover } from "./rollover.js";
import { type TimelineSlot, checkKskSafety } from "./safety.js";
import type { SigningSchema } from "./schemas.js";
import { verifySkr } from "./skr-verify.js";

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

export interface PreflightReport {
  readonly results: readonly CheckResult[];
  readonly warnings: readonly string[];
  readonly ok: boolean;
  /** The plan, when every check passed. */
  readonly plan?: SigningPlan;
}

function attempt(code: CheckCode, run: () => string): CheckResult {
  try {
    return { code, status: "pass", detail: run() };
  } catch (e) {
    if (isKskError(e) && e.kind === "check")
      return { code: e.code as CheckCode, status: "fail", detail: e.detail, ...(e.where === undefined ? {} : { where: e.where }) };
    throw e;
  }
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
  const report = runKsrChecks({
    ksr,
    policy: config.requestPolicy,
    nowEpochSeconds,
    kskKeys,
    trustedKsks,
    configuredKeys,
    ...(previousSkr ? { previousSkr } : {}),
  });
  const results: CheckResult[] = [...report.results];
  const warnings = [...report.warnings];
  if (previousSkr) {
    if (config.requestPolicy.check_chain_keys_in_hsm) {
      results.push(
        attempt("KSK-CHAIN-SIGNER", () =>
          checkChainSignerPresent(
            previousSkr,
            [...ksks.values()].map((m) => m.dnskey),
            { schemaName: schema.name, opened: new Map([...ksks].map(([name, m]) => [name, m.config.label])) },
          ),
        ),
      );
    } else {
      warnings.push("KSK-CHAIN-SIGNER DISABLED by policy (check_chain_keys_in_hsm: false): this check was NOT run");
      results.push({ code: "KSK-CHAIN-SIGNER", status: "disabled", detail: "check_chain_keys_in_hsm: false" });
    }
  }
  let plan: SigningPlan | undefined;
  results.push(
    attempt("SCHEMA-FITS-KSR", () => {
      plan = planSigning({ ksr, schema, kskPolicy: config.kskPolicy, ksks });
      return `schema ${schema.name}: ${plan.bundles.length} bundles planned, ${plan.bundles.reduce((n, b) => n + b.signatures.length, 0)} signatures`;
    }),
  );
  if (plan) {
    const rollover = plannedRolloverResults(previousSkr ? [{ name: "previous SKR", skr: previousSkr }] : [], plan, config.rolloverPolicy);
    results.push(...rollover.results);
    warnings.push(...rollover.warnings);
  }
  const ok = results.every((r) => r.status !== "fail");
  return { results, warnings, ok, ...(ok && plan ? { plan } : {}) };
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
  const report = checkPlannedRollover(previous, plan, policy);
  const results: CheckResult[] = [];
  const warnings: string[] = [];
  const slots = `${plan.bundles.length} planned slots${previous.length > 0 ? " after the previous SKR" : ""}`;
  for (const code of PLANNED_ROLLOVER_CODES) {
    const mine = report.findings.filter((f) => f.code === code);
    const switchedOff = report.allowed.find((a) => a.code === code);
    for (const f of mine.filter((f) => f.severity === "fail")) results.push({ code, status: "fail", detail: f.detail, where: f.where });
    if (results.some((r) => r.code === code)) continue;
    if (switchedOff) {
      warnings.push(`${code} DISABLED by policy (${switchedOff.policyField}: false)`);
      for (const f of mine.filter((f) => f.allowedBy !== undefined)) warnings.push(`${code} ${f.where}: ${f.detail}`);
      results.push({ code, status: "disabled", detail: `${switchedOff.policyField}: false` });
      continue;
    }
    const notes = mine.filter((f) => f.severity === "note").map((f) => `; ${f.where}: ${f.detail}`);
    results.push({ code, status: "pass", detail: `holds over the ${slots}${notes.join("")}` });
  }
  return { results, warnings };
}

/** The KSKs whose signatures over a bundle's DNSKEY RRset are valid. */
function bundleSigners(bundle: Bundle, domain: Name): DnskeyRdata[] {
  return verifyBundleSignatures(bundle, domain).flatMap((v) => (v.key ? [v.key] : []));
}

/** The KSK publication and signing per slot of an SKR, for KSR-POLICY-SAFETY. */
export function skrTimeline(skr: KsrResponseDocument, name: string): TimelineSlot[] {
  const domain = documentDomain(skr);
  return skr.bundles.map((b, i) => ({
    label: `${name} bundle ${i + 1}`,
    inceptionEpochSeconds: b.inceptionEpochSeconds,
    published: b.keys.filter((k) => isSep(k.dnskey)).map((k) => k.dnskey),
    signers: bundleSigners(b, domain),
  }));
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
  const { ksr, previousSkr, skr, config } = input;
  const results: CheckResult[] = [];
  const warnings: string[] = [];
  results.push(
    attempt("SKR-BUNDLE-COUNT", () => {
      if (skr.bundles.length !== ksr.bundles.length || skr.bundles.length !== config.responsePolicy.numBundles) {
        throw checkFailed(
          "SKR-BUNDLE-COUNT",
          `the SKR has ${skr.bundles.length} bundles; the KSR has ${ksr.bundles.length} and response_policy.num_bundles is ${config.responsePolicy.numBundles}`,
        );
      }
      return `${skr.bundles.length} bundles, as the KSR`;
    }),
  );
  const verified = verifySkr(skr, { ksr });
  for (const line of verified.checks) results.push({ code: line.code, status: line.ok ? "pass" : "fail", detail: line.detail });
  const { check_keys_publish_safety: publish, check_keys_retire_safety: retire } = config.requestPolicy;
  if (!publish) warnings.push("KSR-POLICY-SAFETY publish safety DISABLED by policy (check_keys_publish_safety: false)");
  if (!retire) warnings.push("KSR-POLICY-SAFETY retire safety DISABLED by policy (check_keys_retire_safety: false)");
  if (publish || retire) {
    results.push(
      attempt("KSR-POLICY-SAFETY", () => {
        const slots = [...(previousSkr ? skrTimeline(previousSkr, "previous SKR") : []), ...skrTimeline(skr, "new SKR")];
        checkKskSafety(slots, {
          publishSafetySeconds: publish ? config.kskPolicy.publishSafetySeconds : 0,
          retireSafetySeconds: retire ? config.kskPolicy.retireSafetySeconds : 0,
        });
        return `KSK publish safety and retire safety hold over ${slots.length} slots${previousSkr ? " (previous SKR and this one)" : ""}`;
      }),
    );
  } else {
    results.push({ code: "KSR-POLICY-SAFETY", status: "disabled", detail: "check_keys_publish_safety and check_keys_retire_safety are false" });
  }
  return { results, warnings, ok: results.every((r) => r.status !== "fail") };
}
