/**
 * The check-code registry. Codes from IANA's dnssec-keytools keep their names (KSR-DOMAIN,
 * KSR-BUNDLE-POP, SKR-VERIFY, …) so operators recognise them in logs, docs and tests; codes this
 * toolkit adds are named in the same style. Each package registers the codes of its own checks
 * when it is loaded (`registerChecks`: @ksk/ksr the KSR checks, @ksk/signer the SKR and KSK
 * ones, @ksk/trust-anchor the trust-anchor and CSR ones); this module holds the mechanism and the
 * DNS codes core's own functions use. Each check is a named function that throws
 * `checkFailed(code, …)`; nothing else invents a code, and a test (test/check-codes.test.ts)
 * holds every code thrown to one registration.
 */
import { KskError } from "./errors.js";

export interface CheckInfo {
  /** What the check asserts, in one sentence. */
  readonly title: string;
  /** The policy field that switches it off, if it can be switched off. */
  readonly policyField?: string;
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
