/**
 * The rollover planning check: a sequence of SKRs (and the root-anchors.xml files published along the
 * way) seen as an RFC 5011 resolver lives it, slot by slot. Pure: documents, times and policy in, a
 * timeline, findings and one check result per rule out. The pieces are their own modules:
 *   rollover-policy.ts    the parameters and switches (`rollover_policy`);
 *   rollover-timeline.ts  the key × slot timeline, from SKRs or a signing plan;
 *   rollover-rules.ts     the RFC 5011 rules, each returning findings per slot;
 *   rollover-anchors.ts   the anchor files published along the way (TA-NONE-VALID, ROLLOVER-ANCHOR-SIGNER).
 * This module runs them all: a rule switched off by `rollover_policy` still runs, and its failures
 * become warnings naming the switch; `rolloverResults` sums the findings up as PASS, FAIL or OFF per
 * rule in core's one check-result shape.
 */
import { type CheckCode, type CheckResult, disabledByPolicy, inputError, nameToString, namesEqual, policyFieldsOf, switchedOff } from "@ksk/core";
import { documentDomain } from "@ksk/ksr";
import { SIGNER_CHECKS } from "./check-codes.js";
import type { SigningPlan } from "./plan.js";
import { type AnchorPublication, checkAnchorPublications } from "./rollover-anchors.js";
import { type RolloverPolicy, rolloverPolicySwitches } from "./rollover-policy.js";
import {
  type RolloverFinding,
  checkAddHoldDown,
  checkDnskeyResponseSize,
  checkRemoveHoldDown,
  checkRevokedSelfSigned,
  checkSkrSequence,
  checkSlotSignatures,
} from "./rollover-rules.js";
import { type NamedSkr, type RolloverTimeline, buildRolloverTimeline, planTimelineSource, rolloverTimeline, skrTimelineSource } from "./rollover-timeline.js";

export * from "./rollover-anchors.js";
export * from "./rollover-policy.js";
export * from "./rollover-rules.js";
export * from "./rollover-timeline.js";

export interface RolloverReport {
  readonly timeline: RolloverTimeline;
  readonly findings: readonly RolloverFinding[];
  /** Rules a policy switch turned into warnings, with the switch. */
  readonly allowed: readonly { readonly code: CheckCode; readonly policyField: string }[];
  /** No finding of severity "fail". */
  readonly ok: boolean;
}

/** The rules the policy lets through (their failures become warnings), with the switch, from the registry's policy fields. */
function allowedRules(policy: RolloverPolicy): { code: CheckCode; policyField: string }[] {
  const switches = rolloverPolicySwitches(policy);
  return Object.keys(SIGNER_CHECKS).flatMap((code) => {
    const off = switchedOff(code, switches);
    return off ? [{ code, policyField: policyFieldsOf(code).join(", ") }] : [];
  });
}

/** Every rule over a timeline (and the anchor files, if any); failures of switched-off rules become warnings. */
export function checkRolloverTimeline(t: RolloverTimeline, policy: RolloverPolicy, anchors: readonly AnchorPublication[] = []): RolloverReport {
  for (const a of anchors) {
    if (t.slots.length > 0 && !namesEqual(a.zone, documentDomain(t))) {
      throw inputError("ROLLOVER-ANCHOR-ZONE", `is for ${nameToString(a.zone)}, but the SKRs are for ${t.domain}`, a.name);
    }
  }
  const raw = [
    ...checkSkrSequence(t),
    ...checkSlotSignatures(t),
    ...checkAddHoldDown(t, policy),
    ...checkRemoveHoldDown(t, policy),
    ...checkRevokedSelfSigned(t),
    ...checkDnskeyResponseSize(t, policy),
    ...checkAnchorPublications(t, anchors),
  ];
  const allowed = allowedRules(policy);
  const findings = raw.map((f) => {
    const sw = allowed.find((a) => a.code === f.code);
    return sw && f.severity === "fail"
      ? {
          ...f,
          severity: "warn" as const,
          allowedBy: sw.policyField,
          detail: `${f.detail} — ALLOWED by policy (${sw.policyField}: false); resolvers may lose the chain`,
        }
      : f;
  });
  findings.sort((a, b) => (a.slotIndex ?? -1) - (b.slotIndex ?? -1));
  return { timeline: t, findings, allowed, ok: findings.every((f) => f.severity !== "fail") };
}

/** `ksk rollover check`: SKRs read from files, in any order, and the anchor files published along the way. */
export function checkRollover(skrs: readonly NamedSkr[], policy: RolloverPolicy, anchors: readonly AnchorPublication[] = []): RolloverReport {
  return checkRolloverTimeline(rolloverTimeline(skrs), policy, anchors);
}

/**
 * Before signing: the previous SKR(s) followed by the plan. Only findings about the planned slots
 * count (the previous SKRs were signed already; their slots are history).
 */
export function checkPlannedRollover(previous: readonly NamedSkr[], plan: SigningPlan, policy: RolloverPolicy): RolloverReport {
  const t = buildRolloverTimeline([...previous.map(skrTimelineSource), planTimelineSource(plan)]);
  const report = checkRolloverTimeline(t, policy);
  const planned = (f: RolloverFinding) => f.slotIndex !== undefined && t.slots[f.slotIndex]?.source === "planned SKR";
  const findings = report.findings.filter(planned);
  return { ...report, findings, ok: findings.every((f) => f.severity !== "fail") };
}

/**
 * A rollover report as core's check results, one or more per rule in `codes`: a FAIL per finding
 * that fails; OFF when `rollover_policy` switches the rule off (its let-through findings become
 * warnings naming the switch); else PASS, with any notes. `scope` says what the rules held over.
 */
export function rolloverResults(report: RolloverReport, codes: readonly CheckCode[], scope: string): { results: CheckResult[]; warnings: string[] } {
  const results: CheckResult[] = [];
  const warnings: string[] = [];
  for (const code of codes) {
    const mine = report.findings.filter((f) => f.code === code);
    const failed = mine.filter((f) => f.severity === "fail");
    if (failed.length > 0) {
      for (const f of failed) results.push({ code, status: "fail", detail: f.detail, where: f.where });
      continue;
    }
    const allowed = report.allowed.find((a) => a.code === code);
    if (allowed) {
      const warning = disabledByPolicy(code, [allowed.policyField], "its failures are reported as warnings");
      warnings.push(warning);
      for (const f of mine.filter((f) => f.allowedBy !== undefined)) warnings.push(`${code} ${f.where}: ${f.detail}`);
      results.push({ code, status: "disabled", detail: warning });
      continue;
    }
    const notes = mine.filter((f) => f.severity === "note").map((f) => `; ${f.where}: ${f.detail}`);
    results.push({ code, status: "pass", detail: `holds over the ${scope}${notes.join("")}` });
  }
  return { results, warnings };
}
