/**
 * The rollover timeline (`buildRolloverTimeline`): one column per slot — every bundle of every SKR,
 * or of a signing plan, in time order, each in force from its inception until the next slot's — and
 * one row per KSK (keys are identified by their key material, whatever the REVOKE bit says), with
 * the KSK's state in that slot: absent, published or published revoked, and whether a valid RRSIG
 * by it covers the slot's DNSKEY RRset. Each column also carries the size of the `. DNSKEY` answer
 * with DO. It is the data a ceremony report renders; the rules (rollover-rules.ts) read nothing
 * else. Left out: ZSKs beyond listing them (the SKR does not say which ZSK signs when).
 */
import { type DnskeyRdata, formatIsoZ, isRevoked, isSep, keyTag, sameKeyMaterial, withoutRevokeBit } from "@ksk/core";
import {
  type BundleKey,
  type KsrResponseDocument,
  bundleDnskeyRrset,
  bundleRrsigRecords,
  documentDomain,
  formatQuarter,
  quarterOf,
  verifyBundleSignatures,
} from "@ksk/ksr";
import type { SigningPlan } from "./plan.js";
import { dnskeyResponseSizeBytes } from "./response-size.js";

/** One slot (an SKR bundle, or a planned one) as the timeline shows it. */
export interface RolloverSlot {
  /** The file (or `planned SKR`) the slot comes from. */
  readonly source: string;
  readonly skrId: string;
  /** The quarter of the SKR, from its first bundle's inception: `2027Q1`. */
  readonly quarter: string;
  /** 0-based position of the bundle in its SKR (slot number − 1). */
  readonly bundleIndex: number;
  readonly bundleId: string;
  readonly inceptionEpochSeconds: number;
  readonly expirationEpochSeconds: number;
  /** The largest TTL in the slot's DNSKEY RRset (all equal in a well-formed SKR). */
  readonly dnskeyTtlSeconds: number;
  /** The ZSKs of the slot, as published. */
  readonly zsks: readonly DnskeyRdata[];
  /** The `. DNSKEY` answer with DO set, in octets (response-size.ts). */
  readonly dnskeyResponseSizeBytes: number;
  /** Signatures in the slot that do not verify, each as `key tag N: why`. */
  readonly signatureProblems: readonly string[];
}

/** A KSK's row: the key without the REVOKE bit; its tags are `keyTag(dnskey)` and `revokedKeyTag(dnskey)`. */
export interface RolloverKey {
  readonly dnskey: DnskeyRdata;
  /** The first short `keyIdentifier` the SKRs give it (an HSM label such as `Klajeyz`), if any. */
  readonly label?: string;
}

export type KskPresence = "absent" | "published" | "revoked";

export interface KskSlotState {
  readonly presence: KskPresence;
  /** A valid RRSIG by the key, as published in the slot, covers the slot's DNSKEY RRset. */
  readonly signs: boolean;
}

/**
 * Key × slot: `states[k][s]` is key `keys[k]` in slot `slots[s]`. Slots are in inception order, keys in
 * order of first appearance.
 */
export interface RolloverTimeline {
  readonly domain: string;
  readonly slots: readonly RolloverSlot[];
  readonly keys: readonly RolloverKey[];
  readonly states: readonly (readonly KskSlotState[])[];
}

/** One bundle's worth of input to the timeline: its keys as published and its valid signers. */
export interface TimelineBundleInput {
  readonly id: string;
  readonly inceptionEpochSeconds: number;
  readonly expirationEpochSeconds: number;
  readonly keys: readonly BundleKey[];
  /** KSKs (as published) whose signature over the bundle's RRset is valid. */
  readonly signers: readonly DnskeyRdata[];
  readonly signatureProblems: readonly string[];
  readonly responseSizeBytes: number;
}

/** One SKR's worth of input to the timeline: read from a file or planned for signing. */
export interface TimelineSource {
  readonly source: string;
  readonly skrId: string;
  readonly domain: string;
  readonly bundles: readonly TimelineBundleInput[];
}

/** An SKR with the name to show for it (its file name). */
export interface NamedSkr {
  readonly name: string;
  readonly skr: KsrResponseDocument;
}

/** An SKR as timeline input: every signature verified in its own bundle's window. */
export function skrTimelineSource({ name, skr }: NamedSkr): TimelineSource {
  const domain = documentDomain(skr);
  return {
    source: name,
    skrId: skr.id,
    domain: skr.domain,
    bundles: skr.bundles.map((b) => {
      const verdicts = verifyBundleSignatures(b, domain);
      return {
        id: b.id,
        inceptionEpochSeconds: b.inceptionEpochSeconds,
        expirationEpochSeconds: b.expirationEpochSeconds,
        keys: b.keys,
        signers: verdicts.flatMap((v) => (v.key ? [v.key] : [])),
        signatureProblems: verdicts.flatMap((v) => (v.problem === undefined ? [] : [`key tag ${v.keyTag}: ${v.problem}`])),
        responseSizeBytes: dnskeyResponseSizeBytes(domain, bundleDnskeyRrset(b, domain), bundleRrsigRecords(b, domain)),
      };
    }),
  };
}

/** A signing plan as timeline input: the signatures it will make, before they are made. */
export function planTimelineSource(plan: SigningPlan, name = "planned SKR"): TimelineSource {
  return {
    source: name,
    skrId: plan.ksrId,
    domain: plan.domain,
    bundles: plan.bundles.map((b) => ({
      id: b.id,
      inceptionEpochSeconds: b.inceptionEpochSeconds,
      expirationEpochSeconds: b.expirationEpochSeconds,
      keys: b.keys,
      signers: b.ksks.filter((k) => k.signs).map((k) => k.dnskey),
      signatureProblems: [],
      responseSizeBytes: b.responseSizeBytes,
    })),
  };
}

function firstInception(source: TimelineSource): number {
  return source.bundles[0]?.inceptionEpochSeconds ?? Number.POSITIVE_INFINITY;
}

/** Build the key × slot timeline; sources are put in time order (by first inception). */
export function buildRolloverTimeline(sources: readonly TimelineSource[]): RolloverTimeline {
  const ordered = [...sources].sort((a, b) => firstInception(a) - firstInception(b));
  const slots: RolloverSlot[] = [];
  const perSlot: { published: readonly DnskeyRdata[]; signers: readonly DnskeyRdata[] }[] = [];
  const keys: { dnskey: DnskeyRdata; label?: string }[] = [];
  for (const source of ordered) {
    const quarter = source.bundles[0] ? formatQuarter(quarterOf(source.bundles[0].inceptionEpochSeconds)) : "?";
    for (const [bundleIndex, b] of source.bundles.entries()) {
      slots.push({
        source: source.source,
        skrId: source.skrId,
        quarter,
        bundleIndex,
        bundleId: b.id,
        inceptionEpochSeconds: b.inceptionEpochSeconds,
        expirationEpochSeconds: b.expirationEpochSeconds,
        dnskeyTtlSeconds: Math.max(0, ...b.keys.map((k) => k.ttlSeconds)),
        zsks: b.keys.filter((k) => !isSep(k.dnskey)).map((k) => k.dnskey),
        dnskeyResponseSizeBytes: b.responseSizeBytes,
        signatureProblems: b.signatureProblems,
      });
      const ksks = b.keys.filter((k) => isSep(k.dnskey));
      for (const k of ksks) {
        if (keys.some((x) => sameKeyMaterial(x.dnskey, k.dnskey))) continue;
        const label = k.keyIdentifier !== undefined && k.keyIdentifier.length <= 16 ? k.keyIdentifier : undefined;
        keys.push({ dnskey: withoutRevokeBit(k.dnskey), ...(label === undefined ? {} : { label }) });
      }
      perSlot.push({ published: ksks.map((k) => k.dnskey), signers: b.signers });
    }
  }
  const states = keys.map((key) =>
    perSlot.map(({ published, signers }): KskSlotState => {
      const found = published.find((p) => sameKeyMaterial(p, key.dnskey));
      return {
        presence: found === undefined ? "absent" : isRevoked(found) ? "revoked" : "published",
        signs: signers.some((s) => sameKeyMaterial(s, key.dnskey)),
      };
    }),
  );
  return { domain: ordered[0]?.domain ?? ".", slots, keys, states };
}

/** The timeline of SKRs read from files (given in any order). */
export function rolloverTimeline(skrs: readonly NamedSkr[]): RolloverTimeline {
  return buildRolloverTimeline(skrs.map(skrTimelineSource));
}

/** `2027Q1 slot 2 (2027-01-11T00:00:00Z)`: how findings name a slot. */
export function slotName(slot: RolloverSlot): string {
  return `${slot.quarter} slot ${slot.bundleIndex + 1} (${formatIsoZ(slot.inceptionEpochSeconds)})`;
}

/** `KSK 20326` or `KSK 20326/Klajeyz`: how findings name a key. */
export function rolloverKeyName(key: RolloverKey): string {
  return `KSK ${keyTag(key.dnskey)}${key.label ? `/${key.label}` : ""}`;
}
