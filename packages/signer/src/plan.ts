/**
 * Planning a signing (pure): from the KSR, the config, the rollover schema and the KSKs' public keys
 * as read from the HSM, work out for every bundle the exact DNSKEY RRset to sign (the KSR's ZSKs plus
 * the schema's KSKs, revoked ones with flags 385), which KSKs sign it, and every RRSIG field
 * (inception and expiration = the bundle's, labels = the signer name's label count, original TTL =
 * ksk_policy.ttl, key tag recomputed for a revoked signer). Nothing is signed here; `execute.ts` runs
 * the plan through injected Signers. The planner refuses, rather than repairs: a ZSK whose TTL is
 * not the policy TTL, a KSK used outside its validity window, an algorithm in the RRset that no KSK
 * signature covers.
 */
import {
  type DnskeyRdata,
  type RR,
  RRType,
  type RrsigTemplate,
  algorithmInfo,
  checkFailed,
  decodeRsaPublicKey,
  formatDuration,
  formatIsoZ,
  keyTag,
  makeRR,
  rrsigLabelCount,
  withRevokeBit,
} from "@ksk/core";
import {
  type AlgorithmPolicy,
  type BundleKey,
  type KsrRequestDocument,
  type ResponsePolicy,
  bundleLabel,
  checkBundleKeysForSigning,
  checkKsrSignersName,
  checkRrsetKeyTagsUnique,
  documentDomain,
  rsaExponentOf,
} from "@ksk/ksr";
import type { KskKeyConfig, KskPolicy } from "./config.js";
import { dnskeyResponseSizeBytes } from "./response-size.js";
import { type SigningSchema, checkSchemaFitsKsr } from "./schemas.js";

/** A KSK the schema may use: its config entry and its public key as found in the HSM (flags 257). */
export interface KskMaterial {
  readonly config: KskKeyConfig;
  readonly dnskey: DnskeyRdata;
}

export type KskRole = "publish" | "revoke";

export interface PlannedKsk {
  readonly name: string;
  readonly label: string;
  readonly role: KskRole;
  readonly signs: boolean;
  /** As published: flags 385 when revoked. */
  readonly dnskey: DnskeyRdata;
}

export interface PlannedSignature {
  readonly keyName: string;
  readonly label: string;
  /** The DNSKEY the signature is made with, as published (revoked form when revoked). */
  readonly dnskey: DnskeyRdata;
  readonly template: RrsigTemplate;
}

export interface PlannedBundle {
  readonly id: string;
  readonly inceptionEpochSeconds: number;
  readonly expirationEpochSeconds: number;
  /** ZSKs from the KSR then KSKs from the schema, as they go into the SKR. */
  readonly keys: readonly BundleKey[];
  readonly ksks: readonly PlannedKsk[];
  readonly signatures: readonly PlannedSignature[];
  /** The DNSKEY RRset the signatures cover. */
  readonly rrset: readonly RR<DnskeyRdata>[];
  /** Size of the `. DNSKEY` answer with DO set for this slot (see response-size.ts). */
  readonly responseSizeBytes: number;
}

export interface SigningPlan {
  readonly ksrId: string;
  readonly serial: number;
  readonly domain: string;
  readonly schemaName: string;
  readonly policy: ResponsePolicy;
  readonly bundles: readonly PlannedBundle[];
}

export interface PlanInput {
  readonly ksr: KsrRequestDocument;
  readonly schema: SigningSchema;
  readonly kskPolicy: KskPolicy;
  /** Every configured KSK the schema names, by config key name. */
  readonly ksks: ReadonlyMap<string, KskMaterial>;
}

/** KSK-VALIDITY: the key's configured window covers the bundle it is used in. */
export function checkKskValidity(
  ksk: KskKeyConfig,
  bundle: { id: string; inceptionEpochSeconds: number; expirationEpochSeconds: number },
  where: string,
): void {
  if (ksk.validFromEpochSeconds > bundle.inceptionEpochSeconds) {
    throw checkFailed(
      "KSK-VALIDITY",
      `key ${ksk.name} (${ksk.label}) is valid only from ${formatIsoZ(ksk.validFromEpochSeconds)}, after the bundle's inception ${formatIsoZ(bundle.inceptionEpochSeconds)}`,
      where,
    );
  }
  if (ksk.validUntilEpochSeconds !== undefined && ksk.validUntilEpochSeconds < bundle.expirationEpochSeconds) {
    throw checkFailed(
      "KSK-VALIDITY",
      `key ${ksk.name} (${ksk.label}) is valid only until ${formatIsoZ(ksk.validUntilEpochSeconds)}, before the bundle's expiration ${formatIsoZ(bundle.expirationEpochSeconds)}`,
      where,
    );
  }
}

/**
 * KSK-POLICY-SIG-VALIDITY and KSK-POLICY-SIG-OVERLAP: the KSR's windows, which the KSK's RRSIGs
 * take over, must also fit the KSK operator's own policy — the KSR's checks only hold them to the
 * limits the ZSK operator declared.
 */
export function checkKskPolicyWindows(
  bundles: readonly { inceptionEpochSeconds: number; expirationEpochSeconds: number }[],
  policy: KskPolicy,
  label: (i: number) => string,
): void {
  for (const [i, b] of bundles.entries()) {
    const validity = b.expirationEpochSeconds - b.inceptionEpochSeconds;
    if (validity < policy.minSignatureValiditySeconds || validity > policy.maxSignatureValiditySeconds) {
      throw checkFailed(
        "KSK-POLICY-SIG-VALIDITY",
        `valid for ${formatDuration(validity)}; ksk_policy allows ${formatDuration(policy.minSignatureValiditySeconds)}..${formatDuration(policy.maxSignatureValiditySeconds)}`,
        label(i),
      );
    }
    const next = bundles[i + 1];
    if (!next) continue;
    const overlap = b.expirationEpochSeconds - next.inceptionEpochSeconds;
    if (overlap < policy.minValidityOverlapSeconds || overlap > policy.maxValidityOverlapSeconds) {
      throw checkFailed(
        "KSK-POLICY-SIG-OVERLAP",
        `overlaps the next bundle by ${overlap < 0 ? `-${formatDuration(-overlap)}` : formatDuration(overlap)}; ksk_policy allows ${formatDuration(policy.minValidityOverlapSeconds)}..${formatDuration(policy.maxValidityOverlapSeconds)}`,
        label(i),
      );
    }
  }
}

/** SKR-ALGORITHMS: every algorithm in the RRset is covered by a KSK signature (RFC 4035 §2.2). */
export function checkAlgorithmCoverage(rrsetAlgorithms: ReadonlySet<number>, signingAlgorithms: ReadonlySet<number>, where: string): void {
  for (const algorithm of rrsetAlgorithms) {
    if (!signingAlgorithms.has(algorithm)) {
      throw checkFailed(
        "SKR-ALGORITHMS",
        `algorithm ${algorithm} is in the DNSKEY RRset but no KSK of that algorithm signs it (signing: ${[...signingAlgorithms].join(", ")})`,
        where,
      );
    }
  }
}

/** Modulus size and public exponent of an RSA DNSKEY (RFC 3110 key field). */
export function rsaParameters(dnskey: DnskeyRdata): { sizeBits: number; exponent: number } {
  return { sizeBits: algorithmInfo(dnskey.algorithm).describeKey(dnskey.publicKeyBytes).sizeBits, exponent: rsaExponentOf(dnskey.publicKeyBytes) };
}

function algorithmPolicyOf(dnskey: DnskeyRdata, name: string): AlgorithmPolicy {
  const info = algorithmInfo(dnskey.algorithm);
  if (info.family === "RSA") return { family: "RSA", algorithm: dnskey.algorithm, ...rsaParameters(dnskey) };
  if (info.family === "ECDSA") return { family: "ECDSA", algorithm: dnskey.algorithm, sizeBits: info.describeKey(dnskey.publicKeyBytes).sizeBits };
  throw checkFailed(
    "SCHEMA-FITS-KSR",
    `key ${name} uses ${info.mnemonic}, which the KSR/SKR format's SignatureAlgorithm element cannot declare (RSA and ECDSA only); ` +
      `sign with an RSA or ECDSA KSK: change keys.${name} in the config, or choose a schema in which ${name} does not sign`,
  );
}

export function planSigning(input: PlanInput): SigningPlan {
  const { ksr, schema, kskPolicy, ksks } = input;
  const domain = documentDomain(ksr);
  checkKsrSignersName(ksr, kskPolicy.signersName);
  checkSchemaFitsKsr(schema, ksr.bundles.length, new Set(ksks.keys()));
  checkKskPolicyWindows(ksr.bundles, kskPolicy, (i) => bundleLabel(ksr.bundles[i] as KsrRequestDocument["bundles"][number], i));
  const labels = rrsigLabelCount(domain);
  // Before any bundle: a signing KSK the SKR cannot declare is the config's problem, not a slot's.
  const signingNames = [...new Set(schema.slots.flatMap((s) => s.sign))];
  const kskAlgorithms = signingNames.map((name) => algorithmPolicyOf((ksks.get(name) as KskMaterial).dnskey, name));

  const bundles = ksr.bundles.map((bundle, index): PlannedBundle => {
    const where = bundleLabel(bundle, index);
    const slot = schema.slots[index] as SigningSchema["slots"][number];
    checkBundleKeysForSigning(
      bundle.keys,
      kskPolicy.ttlSeconds,
      new Map([...ksks].map(([name, m]) => [name, { dnskey: m.dnskey, label: m.config.label }])),
      where,
    );
    const material = (name: string) => ksks.get(name) as KskMaterial;
    const planned: PlannedKsk[] = [
      ...slot.publish.map((name) => ({ name, role: "publish" as const, dnskey: material(name).dnskey })),
      ...slot.revoke.map((name) => ({ name, role: "revoke" as const, dnskey: withRevokeBit(material(name).dnskey) })),
    ].map((k) => ({ ...k, label: material(k.name).config.label, signs: slot.sign.includes(k.name) }));
    for (const k of planned) checkKskValidity(material(k.name).config, bundle, where);

    const keys: BundleKey[] = [...bundle.keys, ...planned.map((k) => ({ keyIdentifier: k.label, ttlSeconds: kskPolicy.ttlSeconds, dnskey: k.dnskey }))];
    checkRrsetKeyTagsUnique(keys, where);

    const signatures: PlannedSignature[] = planned
      .filter((k) => k.signs)
      .map((k) => ({
        keyName: k.name,
        label: k.label,
        dnskey: k.dnskey,
        template: {
          typeCovered: RRType.DNSKEY,
          algorithm: k.dnskey.algorithm,
          labels,
          originalTtlSeconds: kskPolicy.ttlSeconds,
          expirationEpochSeconds: bundle.expirationEpochSeconds,
          inceptionEpochSeconds: bundle.inceptionEpochSeconds,
          keyTag: keyTag(k.dnskey),
          signerName: domain,
        },
      }));
    checkAlgorithmCoverage(new Set(keys.map((k) => k.dnskey.algorithm)), new Set(signatures.map((s) => s.template.algorithm)), where);

    const rrset = keys.map((k) => makeRR(domain, k.ttlSeconds, k.dnskey));
    // The RRSIGs are not made yet; their size is known: fixed fields, signer name, one signature.
    const sizedRrsigs = signatures.map((s) =>
      makeRR(domain, kskPolicy.ttlSeconds, { kind: "RRSIG" as const, ...s.template, signatureBytes: new Uint8Array(signatureLength(s.dnskey)) }),
    );
    return {
      id: bundle.id,
      inceptionEpochSeconds: bundle.inceptionEpochSeconds,
      expirationEpochSeconds: bundle.expirationEpochSeconds,
      keys,
      ksks: planned,
      signatures,
      rrset,
      responseSizeBytes: dnskeyResponseSizeBytes(domain, rrset, sizedRrsigs),
    };
  });

  const uniqueAlgorithms = kskAlgorithms.filter((a, i) => kskAlgorithms.findIndex((b) => JSON.stringify(a) === JSON.stringify(b)) === i);
  return {
    ksrId: ksr.id,
    serial: ksr.serial,
    domain: ksr.domain,
    schemaName: schema.name,
    policy: {
      ksk: { ...signaturePolicyFields(kskPolicy), algorithms: uniqueAlgorithms },
      zsk: ksr.policy.zsk,
    },
    bundles,
  };
}

/** The ResponsePolicy/KSK duration fields of ksk_policy (everything but TTL and signer name). */
function signaturePolicyFields(policy: KskPolicy): Omit<KskPolicy, "ttlSeconds" | "signersName"> {
  const { ttlSeconds: _ttl, signersName: _signer, ...fields } = policy;
  return fields;
}

/** The length of a signature made with the key: RSA modulus length, ECDSA 2×field, EdDSA 64/114. */
function signatureLength(dnskey: DnskeyRdata): number {
  const info = algorithmInfo(dnskey.algorithm);
  if (info.family === "RSA") return decodeRsaPublicKey(dnskey.publicKeyBytes).modulusBytes.length;
  if (info.family === "ECDSA") return dnskey.publicKeyBytes.length;
  return dnskey.algorithm === 15 ? 64 : 114;
}
