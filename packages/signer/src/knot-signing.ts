/**
 * Signing a Knot DNS KSR (keymgr `generate-ksr`) with the ceremony's checks, plan and rollover
 * schemas. The Knot KSR becomes request bundles (@ksk/ksr knot-convert.ts) cut by the KSK policy:
 * each slice is signed for `max_signature_validity`, from 90 minutes before it begins (Knot's own
 * inception offset; less if `min_validity_overlap` is shorter), and a new slice begins every
 * `max_signature_validity - min_validity_overlap`, so consecutive signatures overlap by at least
 * the policy's minimum and every moment of every Knot period is covered.
 *
 * Which KSR checks apply. A Knot KSR is the ZSK side's key timeline, nothing more: no id, no
 * declared policy, no proof of possession, no bundle count. The checks that judge those are
 * reported SKIP with the reason (below); the others run as for an IANA KSR: KSR-DOMAIN,
 * KSR-BUNDLE-KEYS (ZSK flags, TTL, algorithms), KSR-POLICY-ALG, KSR-POLICY-SIG-HORIZON (on the
 * windows made here), KSR-KEYTAG-CLASH, and after them every KSK-side check — KSK-POLICY-SIG-*
 * against ksk_policy, SCHEMA-FITS-KSR, the RFC 5011 rollover rules and, after signing, SKR-VERIFY
 * and KSR-POLICY-SAFETY. The chain checks need SKR(n-1); a Knot KSR chains to none, so they are
 * SKIP too.
 *
 * Rollover schemas name 9 slots (a root quarter). On Knot's periods the first slot is the first
 * bundle, the last slot the last bundle, and the middle slots — equal in every built-in schema —
 * every bundle between; a schema whose middle slots differ fits only a KSR of as many bundles.
 */
import { type CheckResult, checkFailed } from "@ksk/core";
import {
  KNOT_INCEPTION_OFFSET_SECONDS,
  KNOT_KSR_SKIPPED,
  type KnotSlicing,
  knotSkrToResponse,
  parseKnotText,
  responseToKnotSkr,
  writeKnotText,
} from "@ksk/ksr";
import { type PostflightInput, type PreflightInput, type PreflightReport, postflight, preflight } from "./ceremony-checks.js";
import type { KskPolicy } from "./config.js";
import { planSigning } from "./plan.js";
import type { SigningSchema } from "./schemas.js";
import type { CeremonyChecks, SkrFormat } from "./sign-quarter.js";

/** How a Knot KSR's periods are cut into signature windows under this KSK policy. */
export function knotSlicing(policy: KskPolicy): KnotSlicing {
  const stepSeconds = policy.maxSignatureValiditySeconds - policy.minValidityOverlapSeconds;
  if (stepSeconds <= 0) {
    throw checkFailed(
      "KSK-POLICY-SIG-OVERLAP",
      "ksk_policy.min_validity_overlap is not shorter than max_signature_validity: no slice of a Knot period could be signed",
    );
  }
  return {
    validitySeconds: policy.maxSignatureValiditySeconds,
    stepSeconds,
    inceptionOffsetSeconds: Math.min(KNOT_INCEPTION_OFFSET_SECONDS, policy.minValidityOverlapSeconds),
  };
}

/** The schema laid over `bundleCount` bundles: first slot, middle slot repeated, last slot. */
export function fitSchemaToBundles(schema: SigningSchema, bundleCount: number): SigningSchema {
  const slots = schema.slots;
  if (slots.length === bundleCount) return schema;
  const middle = slots.slice(1, -1);
  const same = middle.every((s) => JSON.stringify(s) === JSON.stringify(middle[0]));
  if (slots.length < 3 || !same || bundleCount < 2) {
    throw checkFailed(
      "SCHEMA-FITS-KSR",
      `has ${slots.length} slots whose middle ones differ, and the Knot KSR has ${bundleCount} bundles; give a schema of ${bundleCount} slots`,
      `schema ${schema.name}`,
    );
  }
  const first = slots[0] as SigningSchema["slots"][number];
  const last = slots[slots.length - 1] as SigningSchema["slots"][number];
  return { name: schema.name, slots: [first, ...Array(bundleCount - 2).fill(middle[0]), last] };
}

function skipInapplicable(results: readonly CheckResult[]): CheckResult[] {
  return results.map((r) => {
    const reason = KNOT_KSR_SKIPPED[r.code];
    return reason === undefined ? r : { code: r.code, status: "not-run" as const, detail: reason };
  });
}

/**
 * Everything checked before a Knot KSR is signed: `preflight` on the converted KSR with the
 * schema laid over its bundles, the inapplicable KSR checks reported SKIP with their reason.
 */
export function knotPreflight(input: PreflightInput): PreflightReport {
  let schema: SigningSchema;
  try {
    schema = fitSchemaToBundles(input.schema, input.ksr.bundles.length);
  } catch (e) {
    const report = preflight(input);
    return { ...report, results: [...skipInapplicable(report.results).filter((r) => r.code !== "SCHEMA-FITS-KSR"), failedFit(e)], ok: false };
  }
  const report = preflight({ ...input, schema });
  const results = skipInapplicable(report.results);
  const ok = results.every((r) => r.status !== "fail");
  // preflight keeps the plan only when every check passed, counting the ones skipped here.
  const plan = ok ? (report.plan ?? planSigning({ ksr: input.ksr, schema, kskPolicy: input.config.kskPolicy, ksks: input.ksks })) : undefined;
  return { results, warnings: report.warnings, ok, ...(plan ? { plan } : {}) };
}

function failedFit(e: unknown): CheckResult {
  const error = e as { code?: string; detail?: string; where?: string };
  if (error.code !== "SCHEMA-FITS-KSR") throw e;
  return { code: "SCHEMA-FITS-KSR", status: "fail", detail: error.detail ?? String(e), ...(error.where ? { where: error.where } : {}) };
}

/** Everything checked after signing a Knot KSR: `postflight`, the bundle count held to the KSR's alone. */
export function knotPostflight(input: PostflightInput): PreflightReport {
  const report = postflight(input);
  const results = report.results.map((r): CheckResult => {
    if (r.code !== "SKR-BUNDLE-COUNT") return r;
    const same = input.skr.bundles.length === input.ksr.bundles.length;
    return {
      code: r.code,
      status: same ? "pass" : "fail",
      detail: `${input.skr.bundles.length} bundles; the Knot KSR's periods make ${input.ksr.bundles.length} (response_policy.num_bundles is for IANA KSRs)`,
    };
  });
  return { results, warnings: report.warnings, ok: results.every((r) => r.status !== "fail") };
}

/** signQuarter's checks for a Knot KSR: knotPreflight and knotPostflight. */
export const KNOT_CHECKS: CeremonyChecks = { preflight: knotPreflight, postflight: knotPostflight };

/**
 * signQuarter's SKR format for a Knot KSR: Knot's text SKR (for `keymgr validate-skr` and
 * `import-skr`), its periods begun `slicing.inceptionOffsetSeconds` before the first signature's
 * inception, closed by a line naming `generator` and the time `generatedEpochSeconds`.
 */
export function knotSkrFormat(slicing: KnotSlicing, generator: string, generatedEpochSeconds: number): SkrFormat {
  return {
    serialize: (skr) => writeKnotText(responseToKnotSkr(skr, generator, generatedEpochSeconds, slicing.inceptionOffsetSeconds)),
    parse: (bytes, fileName) => knotSkrToResponse(parseKnotText(bytes, { fileName, kind: "skr" }), fileName),
  };
}
