/**
 * Verifying an SKR, ours or IANA's: every signature in every bundle is a DNSKEY RRSIG by the zone
 * with exactly the bundle's inception and expiration, made by a KSK (SEP bit) of that bundle, and
 * verifies — each judged inside its own bundle's window, since an SKR holds RRsets for future slots
 * and a 2017 SKR must still verify today. Optional extra checks:
 *   SKR-ANCHOR       each bundle is validly signed by a key a trust anchor designates (any one of
 *                    several anchor records suffices, as a resolver accepts a DS set);
 *   SKR-MATCHES-KSR  the SKR answers a given KSR: same id, same bundle ids and windows, same ZSKs;
 *   SKR-COVERS-NOW   some bundle is in force at a given time or later.
 * Results are reported per bundle rather than stopping at the first failure, so an operator sees
 * every problem at once.
 */
import { type AnchorRecord, type CheckCode, type CheckResult, anchoredKeys, formatIsoZ, isRevoked, keyTag, sameKeyMaterial } from "@ksk/core";
import {
  type Bundle,
  type KsrRequestDocument,
  type KsrResponseDocument,
  bundleDnskeyRrset,
  bundleZsks,
  documentDomain,
  sameDnskey,
  verifyBundleSignatures,
} from "@ksk/ksr";

export interface SignatureVerdict {
  readonly keyTag: number;
  readonly valid: boolean;
  readonly reason: string;
}

export interface SkrBundleVerdict {
  readonly index: number;
  readonly id: string;
  readonly inceptionEpochSeconds: number;
  readonly expirationEpochSeconds: number;
  readonly signatures: readonly SignatureVerdict[];
  /** Failures of this bundle, each with its check code. */
  readonly problems: readonly { readonly code: CheckCode; readonly detail: string }[];
}

export interface SkrVerifyReport {
  readonly bundles: readonly SkrBundleVerdict[];
  /** One result per check (SKR-VERIFY, and SKR-ANCHOR, SKR-MATCHES-KSR, SKR-COVERS-NOW when asked), in core's one shape. */
  readonly checks: readonly CheckResult[];
  readonly ok: boolean;
}

export interface SkrVerifyOptions {
  readonly anchors?: readonly AnchorRecord[];
  readonly ksr?: KsrRequestDocument;
  readonly nowEpochSeconds?: number;
}

function verifyBundle(skr: KsrResponseDocument, bundle: Bundle, index: number, anchors: readonly AnchorRecord[] | undefined): SkrBundleVerdict {
  const domain = documentDomain(skr);
  const rrset = bundleDnskeyRrset(bundle, domain);
  const problems: { code: CheckCode; detail: string }[] = [];
  const signatures: SignatureVerdict[] = [];
  if (bundle.signatures.length === 0) problems.push({ code: "SKR-VERIFY", detail: "the bundle carries no signature" });
  const verdicts = verifyBundleSignatures(bundle, domain);
  for (const v of verdicts) {
    signatures.push({ keyTag: v.keyTag, valid: v.problem === undefined, reason: v.problem ?? "valid in its bundle's window" });
    if (v.problem !== undefined) problems.push({ code: "SKR-VERIFY", detail: `signature by ${v.keyTag}: ${v.problem}` });
  }
  const validBy = verdicts.flatMap((v) => (v.key ? [v.key] : []));
  // RFC 5011 §2.1: signatures by revoked keys validate only the revocation itself.
  if (validBy.length > 0 && validBy.every((k) => isRevoked(k))) {
    problems.push({ code: "SKR-VERIFY", detail: "only revoked keys sign this bundle: no resolver can validate it" });
  }
  for (const k of bundle.keys.filter((key) => isRevoked(key.dnskey))) {
    if (!validBy.some((v) => isRevoked(v) && sameKeyMaterial(v, k.dnskey))) {
      problems.push({ code: "SKR-VERIFY", detail: `revoked key ${keyTag(k.dnskey)} does not sign the RRset that carries it (RFC 5011 §2.1)` });
    }
  }
  if (anchors) {
    const designated = anchoredKeys(rrset, anchors);
    // Both lists hold the bundle's own key objects, so identity is key equality here.
    if (!validBy.some((k) => designated.some((d) => d.rdata === k))) {
      problems.push({
        code: "SKR-ANCHOR",
        detail:
          designated.length === 0
            ? "no key of the bundle is designated by the anchor"
            : `no valid signature by an anchored key (${designated.map((k) => keyTag(k.rdata)).join(", ")})`,
      });
    }
  }
  return {
    index,
    id: bundle.id,
    inceptionEpochSeconds: bundle.inceptionEpochSeconds,
    expirationEpochSeconds: bundle.expirationEpochSeconds,
    signatures,
    problems,
  };
}

/** SKR-MATCHES-KSR: problems found comparing the SKR with the KSR it claims to answer. */
export function compareSkrWithKsr(skr: KsrResponseDocument, ksr: KsrRequestDocument): string[] {
  const problems: string[] = [];
  if (skr.id !== ksr.id) problems.push(`SKR id ${skr.id} is not the KSR id ${ksr.id}`);
  if (skr.domain !== ksr.domain) problems.push(`SKR domain ${skr.domain} is not the KSR domain ${ksr.domain}`);
  if (skr.bundles.length !== ksr.bundles.length) problems.push(`SKR has ${skr.bundles.length} bundles, the KSR ${ksr.bundles.length}`);
  ksr.bundles.forEach((k, i) => {
    const s = skr.bundles[i];
    if (!s) return;
    const at = `bundle ${i + 1}`;
    if (s.id !== k.id) problems.push(`${at}: id ${s.id} is not the KSR's ${k.id}`);
    if (s.inceptionEpochSeconds !== k.inceptionEpochSeconds || s.expirationEpochSeconds !== k.expirationEpochSeconds)
      problems.push(`${at}: window differs from the KSR's`);
    const skrZsks = bundleZsks(s);
    const ksrKeys = k.keys.map((x) => x.dnskey);
    for (const z of ksrKeys) if (!skrZsks.some((x) => sameDnskey(x, z))) problems.push(`${at}: the KSR's key ${keyTag(z)} is missing`);
    for (const z of skrZsks) if (!ksrKeys.some((x) => sameDnskey(x, z))) problems.push(`${at}: ZSK ${keyTag(z)} was not requested by the KSR`);
  });
  return problems;
}

export function verifySkr(skr: KsrResponseDocument, options: SkrVerifyOptions = {}): SkrVerifyReport {
  const bundles = skr.bundles.map((b, i) => verifyBundle(skr, b, i, options.anchors));
  const failing = (code: CheckCode) => bundles.flatMap((b) => b.problems.filter((p) => p.code === code).map((p) => `bundle ${b.index + 1}: ${p.detail}`));
  const checks: CheckResult[] = [];
  const result = (code: CheckCode, ok: boolean, detail: string): CheckResult => ({ code, status: ok ? "pass" : "fail", detail });
  const signatureCount = bundles.reduce((n, b) => n + b.signatures.length, 0);
  const verifyFailures = failing("SKR-VERIFY");
  checks.push(
    result(
      "SKR-VERIFY",
      verifyFailures.length === 0 && bundles.length > 0,
      verifyFailures[0] ?? (bundles.length === 0 ? "the SKR has no bundles" : `${signatureCount} signatures in ${bundles.length} bundles verify`),
    ),
  );
  if (options.anchors) {
    const anchorFailures = failing("SKR-ANCHOR");
    checks.push(result("SKR-ANCHOR", anchorFailures.length === 0, anchorFailures[0] ?? "every bundle is signed by an anchored key"));
  }
  if (options.ksr) {
    const problems = compareSkrWithKsr(skr, options.ksr);
    checks.push(result("SKR-MATCHES-KSR", problems.length === 0, problems[0] ?? `answers KSR ${options.ksr.id}: same ids, windows and ZSKs`));
  }
  if (options.nowEpochSeconds !== undefined) {
    const now = options.nowEpochSeconds;
    const current = skr.bundles.find((b) => b.expirationEpochSeconds >= now);
    checks.push(
      result(
        "SKR-COVERS-NOW",
        current !== undefined,
        current ? `bundle ${current.id} is valid until ${formatIsoZ(current.expirationEpochSeconds)}` : `every bundle expired before ${formatIsoZ(now)}`,
      ),
    );
  }
  return { bundles, checks, ok: checks.every((c) => c.status === "pass") };
}
