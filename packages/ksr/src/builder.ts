/**
 * The ZSK operator's KSR builder: plan first (pure: times, keys per bundle, RRSIG templates), then
 * sign the plan with injected `Signer`s (docs/architecture.md). Every proof-of-possession signature goes
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
import {
  type DnskeyRdata,
  KskError,
  RRType,
  type RrsigTemplate,
  type Signer,
  algorithmInfo,
  checkFailed,
  keyTag,
  makeRR,
  rrsigLabelCount,
  signRrset,
} from "@ksk/core";
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
  ZSK_FLAGS,
} from "./model.js";
import type { KsrPolicyFile } from "./policy.js";
import { type Quarter, quarterSlots } from "./quarter.js";
import { type KsrCheckReport, runKsrChecks } from "./run-checks.js";
import { parseKsrXml } from "./xml-reader.js";
import { canonicalDocument, writeKsrXml } from "./xml-writer.js";

export interface BuildKsrOptions {
  readonly quarter: Quarter;
  /** The ZSKs in role order: [retiring], current, [next] — as many as the policy's key counts need. */
  readonly zsks: readonly Signer[];
  readonly policy: KsrPolicyFile;
  /** Build time: the start of the proof-of-possession window (and the model's timestamp, written only on request). */
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

/** A built KSR that passed every check, as the bytes to write, or the report of the checks it failed. */
export type CheckedKsr =
  | { readonly ok: true; readonly ksr: KsrRequestDocument; readonly bytes: Uint8Array; readonly report: KsrCheckReport }
  | { readonly ok: false; readonly report: KsrCheckReport };

/**
 * Build a KSR, run every check the KSK operator will run on it (with SKR(n-1) if given), and only
 * if all pass, serialise it and read the bytes back: what is returned is what will be written, and
 * it is known to read back as the KSR that was built (`checkKsrReadsBack`).
 */
export async function buildCheckedKsr(options: BuildKsrOptions): Promise<CheckedKsr> {
  const ksr = await buildKsr(options);
  const report = runKsrChecks({
    ksr,
    policy: options.policy.request,
    nowEpochSeconds: options.nowEpochSeconds,
    ...(options.previousSkr ? { previousSkr: options.previousSkr } : {}),
  });
  if (!report.ok) return { ok: false, report };
  const bytes = writeKsrXml(ksr);
  checkKsrReadsBack(bytes, ksr, "the serialised KSR");
  return { ok: true, ksr, bytes, report };
}

/** The bytes (as serialised, or as found in the written file) read back as exactly this KSR; else bad input. */
export function checkKsrReadsBack(bytes: Uint8Array, ksr: KsrRequestDocument, fileName: string): void {
  const reread = parseKsrXml(bytes, { fileName }).document;
  if (JSON.stringify(reread, hexBytes) !== JSON.stringify(canonicalDocument(ksr), hexBytes)) {
    throw new KskError("input", "KSR-WRITE-MISMATCH", "the written file does not read back as the KSR that was built", { where: fileName });
  }
}

/** JSON.stringify replacer that writes byte arrays as hex, so two models can be compared. */
function hexBytes(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? Buffer.from(value).toString("hex") : value;
}

/** A key as a keystore lists it (structurally @ksk/keystore's KeyPairInfo). */
export interface ListedKey {
  readonly label: string;
  readonly dnskey?: DnskeyRdata | undefined;
  readonly hasPrivateKey: boolean;
  readonly hasPublicKey: boolean;
}

/**
 * A keystore's ZSKs (flags 256, both halves present) in role order — retiring, current, next —
 * which for the root's pattern is creation order, read by `createdAt` from each label (a PKCS#11
 * token records no creation time; IANA-style labels carry it). A ZSK whose creation time is
 * unknown makes the order unknown, and guessing it would silently swap the current and next
 * ZSK: that is a usage error (the operator names the order).
 */
export function zsksInRoleOrder(keys: readonly ListedKey[], createdAt: (label: string) => number | undefined, where: string): string[] {
  const zsks = keys
    .filter((k) => k.dnskey?.flags === ZSK_FLAGS && k.hasPrivateKey && k.hasPublicKey)
    .map((k) => ({ label: k.label, created: createdAt(k.label) }));
  const untimed = zsks.filter((z) => z.created === undefined).map((z) => z.label);
  if (untimed.length > 0) {
    throw new KskError(
      "usage",
      "USAGE-ZSK-ORDER",
      `the creation order of ${untimed.join(", ")} is unknown (not IANA-style labels): give the ZSKs in role order with --zsk`,
      {
        where,
      },
    );
  }
  return zsks.sort((a, b) => (a.created as number) - (b.created as number)).map((z) => z.label);
}
