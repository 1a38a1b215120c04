/**
 * The ZSK operator's KSR builder: plan first (pure: times, keys per bundle, RRSIG templates), then
 * sign the plan with injected `Signer`s (DESIGN.md §5). Every proof-of-possession signature goes
 * through core's `signRrset`, which verifies it in software before it is used.
 *
 * Keys per bundle follow `num_keys_per_bundle` (root: [2,1,1,1,1,1,1,1,2]) with ZSKs given in
 * role order — the retiring ZSK (post-published in the first bundle), the current ZSK (in every
 * bundle) and the next ZSK (pre-published in the last bundle). Only that shape is built: inner
 * bundles hold one key, the first and last one or two. With SKR(n-1) the first bundle must carry
 * exactly the ZSKs of its last bundle (KSR-CHAIN-KEYS), so the builder refuses ZSKs that do not.
 *
 * Proof-of-possession window: each RRSIG is valid from the build time for
 * `proof_of_possession_validity` (30 days), like the root's own KSRs (ksr-root-2010-q1: signed
 * 2009-12-21 for 30 days; ksr-root-2017-q2: 2017-01-01 for 30 days). It dates the KSR's creation,
 * and because it ends long before the bundles are published, these ZSK signatures over a
 * ZSK-only RRset are never valid at a time when they could be mistaken for zone data. The KSK
 * operator ignores these times (IANA's KSR-BUNDLE-POP).
 */
import { KskError, RRType, type RrsigTemplate, type Signer, algorithmInfo, checkFailed, keyTag, makeRR, rrsigLabelCount, signRrset } from "@ksk/core";
import { bundleZsks } from "./chain.js";
import {
  type AlgorithmPolicy,
  type Bundle,
  type BundleKey,
  type KsrRequestDocument,
  type KsrResponseDocument,
  type SignaturePolicy,
  documentDomain,
  rsaExponentOf,
  sameDnskey,
} from "./model.js";
import type { KsrPolicyFile } from "./policy.js";
import { type Quarter, quarterSlots } from "./quarter.js";

export interface BuildKsrOptions {
  readonly quarter: Quarter;
  /** The ZSKs in role order: [retiring], current, [next] — as many as the policy's key counts need. */
  readonly zsks: readonly Signer[];
  readonly policy: KsrPolicyFile;
  /** Build time: the KSR timestamp and the start of the proof-of-possession window. */
  readonly nowEpochSeconds: number;
  /** SKR(n-1): the first bundle must carry exactly its last bundle's ZSKs. */
  readonly previousSkr?: KsrResponseDocument;
  /** Fresh identifiers for the KSR and its bundles (crypto.randomUUID in the CLI). */
  readonly newId: () => string;
  readonly domain?: string;
  readonly serial?: number;
}

export interface PlannedBundle {
  readonly id: string;
  readonly inceptionEpochSeconds: number;
  readonly expirationEpochSeconds: number;
  /** Indexes into `zsks`, in key tag order. */
  readonly zskIndexes: readonly number[];
  readonly templates: readonly RrsigTemplate[];
}

export interface KsrPlan {
  readonly document: Omit<KsrRequestDocument, "bundles">;
  readonly bundles: readonly PlannedBundle[];
}

/** How many ZSKs a key-count shape needs: 1 current, +1 if the first bundle has 2, +1 if the last has 2. */
export function zsksNeeded(numKeysPerBundle: readonly number[]): number {
  const first = numKeysPerBundle[0] ?? 0;
  const last = numKeysPerBundle[numKeysPerBundle.length - 1] ?? 0;
  const inner = numKeysPerBundle.slice(1, -1);
  if (numKeysPerBundle.length < 2 || first < 1 || first > 2 || last < 1 || last > 2 || inner.some((n) => n !== 1)) {
    throw new KskError(
      "input",
      "POLICY-UNSUPPORTED",
      `num_keys_per_bundle [${numKeysPerBundle.join(",")}] is not a shape the builder makes: inner bundles must hold 1 key, the first and last 1 or 2`,
    );
  }
  return 1 + (first - 1) + (last - 1);
}

function algorithmPolicies(zsks: readonly Signer[]): AlgorithmPolicy[] {
  const out: AlgorithmPolicy[] = [];
  for (const z of zsks) {
    const info = algorithmInfo(z.dnskey.algorithm);
    const sizeBits = info.describeKey(z.dnskey.publicKeyBytes).sizeBits;
    const policy: AlgorithmPolicy =
      info.family === "RSA"
        ? { family: "RSA", algorithm: info.number, sizeBits, exponent: rsaExponentOf(z.dnskey.publicKeyBytes) }
        : info.family === "ECDSA"
          ? { family: "ECDSA", algorithm: info.number, sizeBits }
          : (() => {
              throw new KskError("input", "KSR-BUILD-ALGORITHM", `${info.mnemonic} keys cannot be described in a KSR RequestPolicy (RSA or ECDSA only)`, {
                where: z.label,
              });
            })();
    if (!out.some((o) => JSON.stringify(o) === JSON.stringify(policy))) out.push(policy);
  }
  return out;
}

/** Plan a KSR: every time, key and RRSIG template, with nothing signed yet. */
export function planKsr(options: BuildKsrOptions): KsrPlan {
  const { policy, zsks, quarter } = options;
  const counts = policy.request.num_keys_per_bundle;
  const needed = zsksNeeded(counts);
  if (needed !== policy.request.num_different_keys_in_all_bundles) {
    throw new KskError(
      "input",
      "POLICY-INVALID",
      `num_keys_per_bundle [${counts.join(",")}] needs ${needed} distinct ZSKs but num_different_keys_in_all_bundles is ${policy.request.num_different_keys_in_all_bundles}`,
    );
  }
  const roles =
    needed === 3
      ? "the retiring, the current and the next ZSK"
      : needed === 2
        ? counts[0] === 2
          ? "the retiring and the current ZSK"
          : "the current and the next ZSK"
        : "the current ZSK";
  if (zsks.length !== needed) {
    throw new KskError(
      "refused",
      "KSR-BUILD-ZSKS",
      `the policy's key counts [${counts.join(",")}] need ${needed} ZSKs (${roles}), in that order; got ${zsks.length}`,
    );
  }
  for (const z of zsks) {
    if (z.dnskey.flags !== 256) throw new KskError("refused", "KSR-BUILD-ZSKS", `key ${z.label} (${z.keyTag}) has flags ${z.dnskey.flags}; a ZSK has 256`);
  }
  const tags = zsks.map((z) => z.keyTag);
  if (new Set(tags).size !== tags.length) throw new KskError("refused", "KSR-BUILD-ZSKS", `the ZSKs' key tags ${tags.join(", ")} are not distinct`);
  const first = counts[0] === 2 ? [0, 1] : [0];
  const current = counts[0] === 2 ? 1 : 0;
  const last = counts[counts.length - 1] === 2 ? [current, current + 1] : [current];
  if (options.previousSkr) {
    const previous = bundleZsks(options.previousSkr.bundles[options.previousSkr.bundles.length - 1] as Bundle);
    const mine = first.map((i) => (zsks[i] as Signer).dnskey);
    const same = previous.length === mine.length && previous.every((p) => mine.some((m) => sameDnskey(p, m)));
    if (!same) {
      throw checkFailed(
        "KSR-CHAIN-KEYS",
        `the first bundle would carry ZSKs ${mine.map(keyTag).join(", ")} but the previous SKR's last bundle has ${previous.map(keyTag).join(", ")}; give those ZSKs (retiring first) and the next one`,
      );
    }
  }
  const zsk = policy.zsk;
  const slots = quarterSlots(quarter, {
    bundleCount: counts.length,
    intervalSeconds: zsk.bundleIntervalSeconds,
    validitySeconds: zsk.maxSignatureValiditySeconds,
  });
  const domain = options.domain ?? ".";
  const domainName = documentDomain({ domain });
  const zskPolicy: SignaturePolicy = {
    publishSafetySeconds: zsk.publishSafetySeconds,
    retireSafetySeconds: zsk.retireSafetySeconds,
    maxSignatureValiditySeconds: zsk.maxSignatureValiditySeconds,
    minSignatureValiditySeconds: zsk.minSignatureValiditySeconds,
    maxValidityOverlapSeconds: zsk.maxValidityOverlapSeconds,
    minValidityOverlapSeconds: zsk.minValidityOverlapSeconds,
    algorithms: algorithmPolicies(zsks),
  };
  const popInception = options.nowEpochSeconds;
  const popExpiration = options.nowEpochSeconds + zsk.proofOfPossessionValiditySeconds;
  const bundles = slots.map((slot, i): PlannedBundle => {
    const indexes = (i === 0 ? first : i === slots.length - 1 ? last : [current]).slice().sort((a, b) => tags[a]! - tags[b]!);
    return {
      id: options.newId(),
      ...slot,
      zskIndexes: indexes,
      templates: indexes.map((k) => ({
        typeCovered: RRType.DNSKEY,
        algorithm: (zsks[k] as Signer).dnskey.algorithm,
        labels: rrsigLabelCount(domainName),
        originalTtlSeconds: zsk.ttlSeconds,
        expirationEpochSeconds: popExpiration,
        inceptionEpochSeconds: popInception,
        keyTag: (zsks[k] as Signer).keyTag,
        signerName: domainName,
      })),
    };
  });
  return {
    document: {
      kind: "request",
      id: options.newId(),
      serial: options.serial ?? 1,
      domain,
      timestampEpochSeconds: options.nowEpochSeconds,
      policy: { zsk: zskPolicy },
    },
    bundles,
  };
}

/** Sign a plan: each bundle's DNSKEY RRset by each of its ZSKs, every signature verified before use. */
export async function signKsrPlan(plan: KsrPlan, zsks: readonly Signer[], ttlSeconds: number): Promise<KsrRequestDocument> {
  const domainName = documentDomain(plan.document);
  const bundles: Bundle[] = [];
  for (const planned of plan.bundles) {
    const keys: BundleKey[] = planned.zskIndexes.map((i) => ({ keyIdentifier: (zsks[i] as Signer).label, ttlSeconds, dnskey: (zsks[i] as Signer).dnskey }));
    const rrset = keys.map((k) => makeRR(domainName, k.ttlSeconds, k.dnskey));
    const signatures = [];
    for (const [n, template] of planned.templates.entries()) {
      const signer = zsks[planned.zskIndexes[n] as number] as Signer;
      const rrsig = await signRrset(signer, rrset, template);
      signatures.push({ keyIdentifier: signer.label, ttlSeconds, rrsig: rrsig.rdata });
    }
    bundles.push({
      id: planned.id,
      inceptionEpochSeconds: planned.inceptionEpochSeconds,
      expirationEpochSeconds: planned.expirationEpochSeconds,
      keys,
      signatures,
    });
  }
  return { ...plan.document, bundles };
}

/** Plan and sign a KSR. */
export async function buildKsr(options: BuildKsrOptions): Promise<KsrRequestDocument> {
  return signKsrPlan(planKsr(options), options.zsks, options.policy.zsk.ttlSeconds);
}
