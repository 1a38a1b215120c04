/**
 * The check-code registry. Codes from IANA's dnssec-keytools keep their names (KSR-DOMAIN,
 * KSR-BUNDLE-POP, SKR-VERIFY, …) so operators recognise them in logs, docs and tests; codes this
 * toolkit adds are named in the same style. Each package registers the codes of its own checks
 * when it is loaded (`registerChecks`: @ksk/ksr the KSR checks, @ksk/signer the SKR and KSK
 * ones, @ksk/trust-anchor the trust-anchor and CSR ones); this module holds the mechanism and the
 * DNS codes core's own functions use. Each check is a named function that throws
 * `checkFailed(code, …)`; nothing else invents a code, and a test (test/check-codes.test.ts)
 * holds every code in the sources to one registration, used only in its owner's sources.
 *
 * It also holds the one check-result shape every package reports in (`CheckResult`: PASS, FAIL,
 * OFF, SKIP) and the one runner (`runChecks`) that turns a thrown check failure into a result and
 * decides OFF from the registry's `policyField`, so a policy switch is named once, where the code
 * is registered. Left out: printing beyond the one line per result (`checkLine`).
 */
import { KskError, isKskError } from "./errors.js";

export interface CheckInfo {
  /** What the check asserts, in one sentence. */
  readonly title: string;
  /**
   * The policy field that switches it off, if it can be switched off; with several fields, the
   * check is off only when every one is false (each may relax part of it inside the check).
   */
  readonly policyField?: string | readonly string[];
  /** A policy field that relaxes part of the check; the rest always runs, so it is never OFF. */
  readonly relaxedBy?: string;
  /** The policy field that sets what it checks against, for checks that cannot be switched off. */
  readonly configuredBy?: string;
}

/** A registered check code (see `registerChecks`). */
export type CheckCode = string;

const registry = new Map<string, { readonly owner: string; readonly info: CheckInfo }>();

/**
 * Register a package's check codes, once, when its module is loaded; returns them for the
 * package's own use. A code another package registered is a bug, and throws.
 */
export function registerChecks<const T extends Record<string, CheckInfo>>(owner: string, checks: T): T {
  for (const [code, info] of Object.entries(checks)) {
    const earlier = registry.get(code);
    if (earlier && earlier.owner !== owner) throw new Error(`check code ${code} is registered by both ${earlier.owner} and ${owner}`);
    registry.set(code, { owner, info });
  }
  return checks;
}

/** What a registered check asserts; undefined for a code no loaded package registered. */
export function checkInfo(code: string): CheckInfo | undefined {
  return registry.get(code)?.info;
}

/** Every code registered so far, with the package that owns it. */
export function registeredChecks(): ReadonlyMap<string, { readonly owner: string; readonly info: CheckInfo }> {
  return registry;
}

export function isCheckCode(code: string): boolean {
  return registry.has(code);
}

/** The codes of core's own checks: DNSSEC validation (RFC 4035 §5.3) and the software check of a signature before use. */
export const DNS_CHECKS = registerChecks("@ksk/core", {
  // Thrown by signRrset when a signature does not verify before it is used; the SKR checks report
  // their own failures under the same code (IANA's name for "the SKR's signatures verify").
  "SKR-VERIFY": { title: "Every signature in the SKR verifies with a key in its bundle" },
  // --- DNSSEC validation (RFC 4035 §5.3) ---
  "RRSIG-VALID": { title: "The RRSIG validates the RRset" },
  "RRSET-SIGNED": { title: "Every RRset is validly signed by a key in the zone's DNSKEY RRset" },
  "DNSKEY-ANCHORED": { title: "The DNSKEY RRset is signed by a key the trust anchor designates" },
});

/** A failed check: exit 1, naming the subject (bundle id, key tag, RRset). */
export function checkFailed(code: CheckCode, detail: string, where?: string): KskError {
  return new KskError("check", code, detail, where === undefined ? {} : { where });
}

// --- Check results and the one runner ---------------------------------------------------------

/**
 * PASS, FAIL, OFF (switched off by a named policy field: reported with a loud warning) or SKIP
 * (its input was not given, e.g. the chain checks without the previous SKR).
 */
export type CheckStatus = "pass" | "fail" | "disabled" | "not-run";

/** The word a report prints for each status, padded to one width. */
export const CHECK_STATUS_WORD: Readonly<Record<CheckStatus, string>> = { pass: "PASS", fail: "FAIL", disabled: "OFF ", "not-run": "SKIP" };

/** One check's result, the same shape in every package and every report. */
export interface CheckResult {
  readonly code: CheckCode;
  readonly status: CheckStatus;
  /** What passed, why it failed, or why it was off or not run. */
  readonly detail: string;
  /** The bundle, slot, file or element at fault. */
  readonly where?: string | undefined;
}

export interface CheckReport {
  readonly results: readonly CheckResult[];
  /** Warnings to show loudly: checks switched off and tolerated deviations, each naming its policy field. */
  readonly warnings: readonly string[];
  /** No result is FAIL. */
  readonly ok: boolean;
}

/** One check as a runner step: its code, what input it needs, and the check itself. */
export interface CheckStep<I> {
  readonly code: CheckCode;
  /** Why the check cannot run with this input (SKIP), or undefined when it can. */
  readonly missing?: (input: I) => string | undefined;
  /** The check: returns what passed, throws `checkFailed` for what failed. */
  readonly run: (input: I, warn: (message: string) => void) => string;
}

/** The value of a policy field by its registered name (`check_chain_keys`, `rollover_policy.check_add_hold_down`). */
export type PolicySwitches = (field: string) => boolean | undefined;

function fieldsOf(info: CheckInfo | undefined): readonly string[] {
  const f = info?.policyField;
  return f === undefined ? [] : typeof f === "string" ? [f] : f;
}

/** The policy fields that switch a registered check off, `[]` when it cannot be switched off. */
export function policyFieldsOf(code: CheckCode): readonly string[] {
  return fieldsOf(checkInfo(code));
}

/** The one wording of a check switched off by policy. */
export function disabledByPolicy(code: CheckCode, fields: readonly string[], consequence = "this check was NOT run"): string {
  return `${code} DISABLED by policy (${fields.map((f) => `${f}: false`).join(", ")}): ${consequence}`;
}

/** The OFF result of a check, with its warning, when the policy switches it off; else undefined. */
export function switchedOff(code: CheckCode, switches: PolicySwitches, consequence?: string): { result: CheckResult; warning: string } | undefined {
  const fields = policyFieldsOf(code);
  if (fields.length === 0 || !fields.every((f) => switches(f) === false)) return undefined;
  const warning = disabledByPolicy(code, fields, consequence);
  return { result: { code, status: "disabled", detail: warning }, warning };
}

/**
 * Run one check: PASS under `code` with what it returns, FAIL with what it threw — under the code it
 * threw, since one step may hold several checks (planning throws KSK-VALIDITY, SKR-ALGORITHMS, …),
 * or under `code` with `{ asStep: true }`. Other errors propagate: they are not check results.
 */
export function attemptCheck(code: CheckCode, run: () => string, options: { readonly asStep?: boolean } = {}): CheckResult {
  try {
    return { code, status: "pass", detail: run() };
  } catch (e) {
    if (!isKskError(e) || e.kind !== "check") throw e;
    return { code: options.asStep ? code : e.code, status: "fail", detail: e.detail, ...(e.where === undefined ? {} : { where: e.where }) };
  }
}

/**
 * The one check runner: each step in order, OFF when the policy switches its registered
 * `policyField` off, SKIP when its input is missing, else PASS or FAIL. Input errors (malformed
 * data) are not check results: they propagate.
 */
export function runChecks<I>(steps: readonly CheckStep<I>[], input: I, switches: PolicySwitches): CheckReport {
  const results: CheckResult[] = [];
  const warnings: string[] = [];
  for (const step of steps) {
    const off = switchedOff(step.code, switches);
    if (off) {
      warnings.push(off.warning);
      results.push(off.result);
      continue;
    }
    const missing = step.missing?.(input);
    if (missing !== undefined) {
      results.push({ code: step.code, status: "not-run", detail: missing });
      continue;
    }
    results.push(attemptCheck(step.code, () => step.run(input, (m) => warnings.push(m)), { asStep: true }));
  }
  return { results, warnings, ok: results.every((r) => r.status !== "fail") };
}

/** Reports joined in order: every result and warning, ok when each is. */
export function joinCheckReports(...reports: readonly CheckReport[]): CheckReport {
  const results = reports.flatMap((r) => r.results);
  return { results, warnings: reports.flatMap((r) => r.warnings), ok: results.every((r) => r.status !== "fail") };
}

/** `PASS KSR-ID                      where: what passed`: how every report prints a result. */
export function checkLine(r: CheckResult): string {
  return `${CHECK_STATUS_WORD[r.status]} ${r.code.padEnd(27)} ${r.where ? `${r.where}: ` : ""}${r.detail}`;
}
