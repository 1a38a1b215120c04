/**
 * The rollover planning check: a sequence of SKRs (and the root-anchors.xml files published along the
 * way) seen as an RFC 5011 resolver lives it, slot by slot. Pure: documents, times and policy in, a
 * timeline and findings out.
 *
 * The timeline (`rolloverTimeline`) is one column per slot — every bundle of every SKR, in time order,
 * each in force from its inception until the next slot's — and one row per KSK (keys are identified by
 * their key material, whatever the REVOKE bit says), with the KSK's state in that slot: absent,
 * published or published revoked, and whether a valid RRSIG by it covers the slot's DNSKEY RRset. Each
 * column also carries the size of the `. DNSKEY` answer with DO. It is the data a ceremony report
 * renders; the checks below read nothing else.
 *
 * The rules, one function each, each returning findings naming the slot:
 *   checkSkrSequence          ROLLOVER-GAP: a slot whose inception is after the previous slot's
 *                             signatures expired (between SKRs: the quarters missing are named);
 *                             ROLLOVER-OVERLAP: two SKRs covering the same slots.
 *   checkSlotSignatures       SKR-VERIFY: every RRSIG in a slot verifies (in its own window).
 *   checkAddHoldDown          ROLLOVER-ADD-HOLDDOWN (RFC 5011 §2.4.1): a KSK signs only when a resolver
 *                             already trusts it: it signed from the first slot given, or it has been
 *                             published unrevoked, without a break, since a slot the resolver could
 *                             validate (signed by a KSK it already trusted), for the add hold-down
 *                             (30 days) plus the DNSKEY TTL of that slot (a resolver may hold the RRset
 *                             without the new key for one TTL before it first sees it) — simulated slot
 *                             by slot. A KSK once revoked is never trusted again (§2.1). Any untrusted
 *                             signer fails, even beside a trusted one; a slot with no unrevoked signer
 *                             fails.
 *   checkRemoveHoldDown       ROLLOVER-REMOVE-HOLDDOWN (§2.4.2, §6.2): a KSK that resolvers may trust
 *                             leaves the RRset only after it was published revoked, signing its own
 *                             revocation, for the remove hold-down (30 days); else resolvers keep it as
 *                             a trust anchor that can no longer be revoked.
 *   checkRevokedSelfSigned    ROLLOVER-REVOKED-SELF-SIGNED (§2.1): a revoked KSK signs the RRset that
 *                             carries it, under its revoked key tag; else no resolver accepts the
 *                             revocation.
 *   checkDnskeyResponseSize   ROLLOVER-DNSKEY-SIZE: warn above 1232 octets, fail above 1452.
 *   checkAnchorPublications   TA-NONE-VALID: a root-anchors.xml with no KeyDigest valid when it is
 *                             published, or at a slot while it is the file in force;
 *                             ROLLOVER-ANCHOR-SIGNER: a KSK signing a slot without a KeyDigest valid
 *                             then in the file in force.
 * Rules return lists rather than throwing at the first failure because the report is per slot: an
 * operator planning a roll must see every slot that breaks, not the first.
 *
 * Where the SKRs given do not reach back far enough to judge (a KSK already published, not signing,
 * in the first slot; a KSK already revoked there), the rule passes with a note saying so; a KSK
 * still revoked in the last slot has nothing to judge yet.
 *
 * Left out: ZSKs (the SKR does not say which ZSK signs the zone when), resolvers' active refresh timing
 * (RFC 5011 §2.3: a resolver queries at least every 15 days, which the 30-day hold-downs already
 * cover), and the trust anchors' CMS signatures (`ksk anchors verify` checks those).
 */
import {
  type CheckCode,
  type DnskeyRdata,
  type Name,
  SECONDS_PER_DAY,
  dsMatches,
  formatDuration,
  formatIsoZ,
  isRevoked,
  isSep,
  inputError,
  keyTag,
  nameToString,
  namesEqual,
  revokedKeyTag,
  sameKeyMaterial,
  withoutRevokeBit,
} from "@ksk/core";
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
import { DNSKEY_RESPONSE_MAX_BYTES, DNSKEY_RESPONSE_WARN_BYTES, dnskeyResponseSizeBytes } from "./response-size.js";

/** RFC 5011 §2.4.1 and §2.4.2: both hold-down times are 30 days. */
export const RFC5011_HOLD_DOWN_SECONDS = 30 * SECONDS_PER_DAY;

/** The rollover rules' parameters; `rollover_policy` in ksrsigner.yaml. */
export interface RolloverPolicy {
  readonly addHoldDownSeconds: number;
  readonly removeHoldDownSeconds: number;
  /** Above this the answer is reported (a warning). */
  readonly warnResponseBytes: number;
  /** Above this the slot fails ROLLOVER-DNSKEY-SIZE. */
  readonly maxResponseBytes: number;
  /** `false` turns the rule's failures into warnings naming the switch. */
  readonly checkAddHoldDown: boolean;
  readonly checkRemoveHoldDown: boolean;
  readonly checkDnskeyResponseSize: boolean;
}

export const DEFAULT_ROLLOVER_POLICY: RolloverPolicy = {
  addHoldDownSeconds: RFC5011_HOLD_DOWN_SECONDS,
  removeHoldDownSeconds: RFC5011_HOLD_DOWN_SECONDS,
  warnResponseBytes: DNSKEY_RESPONSE_WARN_BYTES,
  maxResponseBytes: DNSKEY_RESPONSE_MAX_BYTES,
  checkAddHoldDown: true,
  checkRemoveHoldDown: true,
  checkDnskeyResponseSize: true,
};

// --- The timeline --------------------------------------------------------------------------------

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

// --- Findings ------------------------------------------------------------------------------------

export type FindingSeverity = "fail" | "warn" | "note";

export interface RolloverFinding {
  readonly code: CheckCode;
  readonly severity: FindingSeverity;
  /** Index into `timeline.slots` when the finding is about one slot. */
  readonly slotIndex?: number;
  /** What to look at: a slot, a file, a pair of SKRs. */
  readonly where: string;
  readonly detail: string;
  /** The policy switch that turned this failure into a warning. */
  readonly allowedBy?: string;
}

function finding(code: CheckCode, severity: FindingSeverity, where: string, detail: string, slotIndex?: number): RolloverFinding {
  return { code, severity, where, detail, ...(slotIndex === undefined ? {} : { slotIndex }) };
}

function slotFinding(t: RolloverTimeline, code: CheckCode, severity: FindingSeverity, s: number, detail: string): RolloverFinding {
  return finding(code, severity, slotName(t.slots[s] as RolloverSlot), detail, s);
}

function state(t: RolloverTimeline, k: number, s: number): KskSlotState {
  return (t.states[k] as readonly KskSlotState[])[s] as KskSlotState;
}

function inception(t: RolloverTimeline, s: number): number {
  return (t.slots[s] as RolloverSlot).inceptionEpochSeconds;
}

function keyName(t: RolloverTimeline, k: number): string {
  return rolloverKeyName(t.keys[k] as RolloverKey);
}

// --- The rules -----------------------------------------------------------------------------------

/** ROLLOVER-GAP and ROLLOVER-OVERLAP over consecutive slots. */
export function checkSkrSequence(t: RolloverTimeline): RolloverFinding[] {
  const out: RolloverFinding[] = [];
  for (let s = 1; s < t.slots.length; s++) {
    const before = t.slots[s - 1] as RolloverSlot;
    const slot = t.slots[s] as RolloverSlot;
    const newSkr = before.skrId !== slot.skrId || before.source !== slot.source;
    if (slot.inceptionEpochSeconds > before.expirationEpochSeconds) {
      const uncovered = `nothing is signed from ${formatIsoZ(before.expirationEpochSeconds)} to ${formatIsoZ(slot.inceptionEpochSeconds)}`;
      if (newSkr) {
        const missing = quartersBetween(before.quarter, slot.quarter);
        out.push(
          finding(
            "ROLLOVER-GAP",
            "fail",
            `between ${before.quarter} (${before.source}) and ${slot.quarter} (${slot.source})`,
            `${missing.length > 0 ? `no SKR for ${missing.join(", ")}: ` : ""}the last signatures of ${before.quarter} expire before ${slot.quarter} begins; ${uncovered}`,
            s,
          ),
        );
      } else {
        out.push(slotFinding(t, "ROLLOVER-GAP", "fail", s, `begins after the previous slot's signatures expired: ${uncovered}`));
      }
    } else if (newSkr && slot.inceptionEpochSeconds <= before.inceptionEpochSeconds) {
      out.push(
        finding(
          "ROLLOVER-OVERLAP",
          "fail",
          `${before.source} and ${slot.source}`,
          `${slot.quarter} (${slot.source}) begins at ${formatIsoZ(slot.inceptionEpochSeconds)}, not after the last slot of ${before.quarter} (${before.source}) at ${formatIsoZ(before.inceptionEpochSeconds)}: the same slots are covered twice`,
          s,
        ),
      );
    }
  }
  return out;
}

/** The quarters strictly between two (`2017Q1`, `2017Q4` → `2017Q2`, `2017Q3`). */
function quartersBetween(from: string, to: string): string[] {
  const index = (q: string) => Number(q.slice(0, 4)) * 4 + Number(q.slice(5)) - 1;
  const out: string[] = [];
  for (let i = index(from) + 1; i < index(to); i++) out.push(`${Math.floor(i / 4)}Q${(i % 4) + 1}`);
  return out;
}

/** SKR-VERIFY: every signature of every slot verifies. */
export function checkSlotSignatures(t: RolloverTimeline): RolloverFinding[] {
  return t.slots.flatMap((slot, s) => slot.signatureProblems.map((p) => slotFinding(t, "SKR-VERIFY", "fail", s, `signature by ${p}`)));
}

/** What an RFC 5011 resolver that followed every slot from the first makes of one key in one slot. */
type Trust = { readonly trusted: true; readonly note?: string } | { readonly trusted: false; readonly why: string };

/**
 * Simulate an RFC 5011 resolver over the timeline (§2.4.1, §4): a key signing in the first slot given is
 * a trust anchor already; a key published unrevoked in an RRset the resolver can validate (signed by a
 * key it trusts) starts its add hold-down, which restarts if the key leaves the RRset; after the
 * hold-down plus the TTL of the RRset it was first seen in, the key is trusted; a key seen revoked is
 * never trusted again (§2.1). A key already published, not signing, in the first slot has an unknown
 * history: it is given the benefit of the doubt, with a note. Returns trust[k][s].
 */
function simulateRfc5011Trust(t: RolloverTimeline, policy: RolloverPolicy): Trust[][] {
  const trust: Trust[][] = t.keys.map(() => []);
  const pendingSince: (number | undefined)[] = t.keys.map(() => undefined);
  const revokedIn: (number | undefined)[] = t.keys.map(() => undefined);
  const established = t.keys.map((_, k) => t.slots.length > 0 && state(t, k, 0).presence === "published" && state(t, k, 0).signs);
  const unknownHistory = t.keys.map((_, k) => t.slots.length > 0 && state(t, k, 0).presence === "published" && !state(t, k, 0).signs);
  for (let s = 0; s < t.slots.length; s++) {
    for (let k = 0; k < t.keys.length; k++) {
      const st = state(t, k, s);
      if (st.presence === "revoked" && revokedIn[k] === undefined) revokedIn[k] = s;
      const revoked = revokedIn[k];
      const row = trust[k] as Trust[];
      if (revoked !== undefined) {
        row.push({
          trusted: false,
          why: `it was published revoked in ${slotName(t.slots[revoked] as RolloverSlot)}, and a revoked key is never trusted again (RFC 5011 §2.1)`,
        });
      } else if (st.presence !== "published") {
        established[k] = false;
        unknownHistory[k] = false;
        pendingSince[k] = undefined;
        row.push({ trusted: false, why: "it is not published" });
      } else if (established[k]) {
        row.push({ trusted: true });
      } else {
        const since = pendingSince[k];
        if (since === undefined) {
          row.push({ trusted: false, why: "no RRset carrying it had been validly signed by a trusted KSK before this slot" });
        } else {
          const needed = policy.addHoldDownSeconds + (t.slots[since] as RolloverSlot).dnskeyTtlSeconds;
          const elapsed = inception(t, s) - inception(t, since);
          if (elapsed >= needed) row.push({ trusted: true });
          else if (unknownHistory[k])
            row.push({
              trusted: true,
              note: `published since before the first slot given (${slotName(t.slots[0] as RolloverSlot)}); give the earlier SKRs to check its add hold-down`,
            });
          else
            row.push({
              trusted: false,
              why: `it has been published in validly signed RRsets only since ${slotName(t.slots[since] as RolloverSlot)}, ${formatDuration(elapsed)} before; the add hold-down is ${formatDuration(policy.addHoldDownSeconds)} + the DNSKEY TTL ${formatDuration((t.slots[since] as RolloverSlot).dnskeyTtlSeconds)} = ${formatDuration(needed)}`,
            });
        }
      }
    }
    // The resolver can validate this slot if a key it trusts signs it; then every new key in it starts its hold-down.
    const validated = t.keys.some((_, k) => state(t, k, s).signs && state(t, k, s).presence === "published" && (trust[k] as Trust[])[s]?.trusted);
    for (let k = 0; k < t.keys.length; k++) {
      if (state(t, k, s).presence === "published" && pendingSince[k] === undefined && !established[k] && (validated || unknownHistory[k])) pendingSince[k] = s;
    }
  }
  return trust;
}

/** ROLLOVER-ADD-HOLDDOWN: every unrevoked signer of every slot is trusted by then. */
export function checkAddHoldDown(t: RolloverTimeline, policy: RolloverPolicy): RolloverFinding[] {
  const out: RolloverFinding[] = [];
  const trust = simulateRfc5011Trust(t, policy);
  const noted = new Set<number>();
  for (let s = 0; s < t.slots.length; s++) {
    const signers = t.keys.map((_, k) => k).filter((k) => state(t, k, s).signs && state(t, k, s).presence === "published");
    if (signers.length === 0) {
      out.push(slotFinding(t, "ROLLOVER-ADD-HOLDDOWN", "fail", s, "no unrevoked KSK signs this slot: no resolver can validate it"));
      continue;
    }
    for (const k of signers) {
      const verdict = (trust[k] as Trust[])[s] as Trust;
      if (!verdict.trusted) {
        out.push(slotFinding(t, "ROLLOVER-ADD-HOLDDOWN", "fail", s, `${keyName(t, k)} signs before RFC 5011 resolvers trust it: ${verdict.why}`));
      } else if (verdict.note && !noted.has(k)) {
        noted.add(k);
        out.push(slotFinding(t, "ROLLOVER-ADD-HOLDDOWN", "note", s, `${keyName(t, k)} signs; ${verdict.note}`));
      }
    }
  }
  return out;
}

/** ROLLOVER-REMOVE-HOLDDOWN: a KSK resolvers may trust leaves only after its revocation was published long enough. */
export function checkRemoveHoldDown(t: RolloverTimeline, policy: RolloverPolicy): RolloverFinding[] {
  const out: RolloverFinding[] = [];
  const trust = simulateRfc5011Trust(t, policy);
  for (let k = 0; k < t.keys.length; k++) {
    for (let s = 1; s < t.slots.length; s++) {
      if (state(t, k, s).presence !== "absent" || state(t, k, s - 1).presence === "absent") continue;
      // Only a key resolvers may hold as a trust anchor needs its removal announced.
      const mayBeTrusted = (trust[k] as Trust[]).slice(0, s).some((v) => v.trusted) || state(t, k, 0).presence === "revoked";
      if (!mayBeTrusted) continue;
      let start = s;
      while (start > 0 && state(t, k, start - 1).presence === "revoked" && state(t, k, start - 1).signs) start--;
      if (start === s) {
        out.push(
          slotFinding(
            t,
            "ROLLOVER-REMOVE-HOLDDOWN",
            "fail",
            s,
            `${keyName(t, k)} is dropped without having been published revoked and self-signed: RFC 5011 resolvers keep it as a trust anchor (publish it revoked for ${formatDuration(policy.removeHoldDownSeconds)} first)`,
          ),
        );
      } else if (start === 0) {
        out.push(
          slotFinding(
            t,
            "ROLLOVER-REMOVE-HOLDDOWN",
            "note",
            s,
            `${keyName(t, k)} is dropped; it was revoked since before the first slot given, so the remove hold-down cannot be checked`,
          ),
        );
      } else {
        const elapsed = inception(t, s) - inception(t, start);
        if (elapsed < policy.removeHoldDownSeconds) {
          out.push(
            slotFinding(
              t,
              "ROLLOVER-REMOVE-HOLDDOWN",
              "fail",
              s,
              `${keyName(t, k)} is dropped ${formatDuration(elapsed)} after its revocation was first published (${slotName(t.slots[start] as RolloverSlot)}); the remove hold-down is ${formatDuration(policy.removeHoldDownSeconds)}`,
            ),
          );
        }
      }
    }
  }
  return out;
}

/** ROLLOVER-REVOKED-SELF-SIGNED: every revoked KSK signs the slot that carries it. */
export function checkRevokedSelfSigned(t: RolloverTimeline): RolloverFinding[] {
  const out: RolloverFinding[] = [];
  for (let s = 0; s < t.slots.length; s++) {
    for (let k = 0; k < t.keys.length; k++) {
      const st = state(t, k, s);
      if (st.presence === "revoked" && !st.signs) {
        const key = t.keys[k] as RolloverKey;
        out.push(
          slotFinding(
            t,
            "ROLLOVER-REVOKED-SELF-SIGNED",
            "fail",
            s,
            `${keyName(t, k)} is published revoked (key tag ${revokedKeyTag(key.dnskey)}) but no valid RRSIG by it under that tag covers the RRset: resolvers never see the revocation`,
          ),
        );
      }
    }
  }
  return out;
}

/** ROLLOVER-DNSKEY-SIZE: the `. DNSKEY` answer of each slot. */
export function checkDnskeyResponseSize(t: RolloverTimeline, policy: RolloverPolicy): RolloverFinding[] {
  const out: RolloverFinding[] = [];
  for (const [s, slot] of t.slots.entries()) {
    const size = slot.dnskeyResponseSizeBytes;
    if (size > policy.maxResponseBytes) {
      out.push(
        slotFinding(
          t,
          "ROLLOVER-DNSKEY-SIZE",
          "fail",
          s,
          `the DNSKEY answer with DO is ${size} octets, over ${policy.maxResponseBytes}: it does not fit one IPv6 packet on a 1500-octet path`,
        ),
      );
    } else if (size > policy.warnResponseBytes) {
      out.push(
        slotFinding(
          t,
          "ROLLOVER-DNSKEY-SIZE",
          "warn",
          s,
          `the DNSKEY answer with DO is ${size} octets, over ${policy.warnResponseBytes}: UDP answers may be truncated`,
        ),
      );
    }
  }
  return out;
}

/** One KeyDigest of a root-anchors.xml, as @ksk/trust-anchor reads it (structurally its `KeyDigest`). */
export interface AnchorDigest {
  readonly id: string;
  readonly validFromEpochSeconds: number;
  readonly validUntilEpochSeconds: number | undefined;
  readonly keyTag: number;
  readonly algorithm: number;
  readonly digestType: number;
  readonly digestBytes: Uint8Array;
}

/** A root-anchors.xml and the time it was published (from then on it is the file resolvers bootstrap from). */
export interface AnchorPublication {
  readonly name: string;
  readonly publishedEpochSeconds: number;
  readonly zone: Name;
  readonly keyDigests: readonly AnchorDigest[];
}

function digestValidAt(kd: AnchorDigest, at: number): boolean {
  return kd.validFromEpochSeconds <= at && (kd.validUntilEpochSeconds === undefined || at < kd.validUntilEpochSeconds);
}

/**
 * When a root-anchors.xml counts as published if no time is given: the latest validFrom in it — a file
 * is published when its newest KeyDigest comes into force (IANA published KSK-2024's on 2024-07-18, its
 * validFrom). A validUntil added later does not move it; give the time explicitly for such a file.
 */
export function defaultPublicationTime(keyDigests: readonly AnchorDigest[]): number {
  return Math.max(...keyDigests.map((kd) => kd.validFromEpochSeconds));
}

/** TA-NONE-VALID and ROLLOVER-ANCHOR-SIGNER for the anchor files published along the way. */
export function checkAnchorPublications(t: RolloverTimeline, anchors: readonly AnchorPublication[]): RolloverFinding[] {
  const out: RolloverFinding[] = [];
  const ordered = [...anchors].sort((a, b) => a.publishedEpochSeconds - b.publishedEpochSeconds);
  for (const a of ordered) {
    if (!a.keyDigests.some((kd) => digestValidAt(kd, a.publishedEpochSeconds))) {
      out.push(
        finding(
          "TA-NONE-VALID",
          "fail",
          `${a.name} (published ${formatIsoZ(a.publishedEpochSeconds)})`,
          "no KeyDigest is valid when the file is published: unbound-anchor would treat the root as unsigned",
        ),
      );
    }
  }
  for (const [s, slot] of t.slots.entries()) {
    const inForce = ordered.filter((a) => a.publishedEpochSeconds <= slot.inceptionEpochSeconds).pop();
    if (!inForce) continue;
    const valid = inForce.keyDigests.filter((kd) => digestValidAt(kd, slot.inceptionEpochSeconds));
    if (valid.length === 0) {
      out.push(slotFinding(t, "TA-NONE-VALID", "fail", s, `no KeyDigest of ${inForce.name}, the anchors in force, is valid then`));
      continue;
    }
    for (let k = 0; k < t.keys.length; k++) {
      const st = state(t, k, s);
      if (!st.signs || st.presence !== "published") continue;
      const dnskey = (t.keys[k] as RolloverKey).dnskey;
      const ds = (kd: AnchorDigest) => ({
        kind: "DS" as const,
        keyTag: kd.keyTag,
        algorithm: kd.algorithm,
        digestType: kd.digestType,
        digestBytes: kd.digestBytes,
      });
      if (!valid.some((kd) => dsMatches(ds(kd), inForce.zone, dnskey))) {
        out.push(
          slotFinding(
            t,
            "ROLLOVER-ANCHOR-SIGNER",
            "fail",
            s,
            `${keyName(t, k)} signs, but ${inForce.name} (in force since ${formatIsoZ(inForce.publishedEpochSeconds)}) has no KeyDigest for it valid then (valid: ${valid.map((kd) => `${kd.id}/${kd.keyTag}`).join(", ")}): resolvers bootstrapping from it cannot validate`,
          ),
        );
      }
    }
  }
  return out;
}

// --- The whole check -----------------------------------------------------------------------------

export interface RolloverReport {
  readonly timeline: RolloverTimeline;
  readonly findings: readonly RolloverFinding[];
  /** Rules a policy switch turned into warnings, with the switch. */
  readonly allowed: readonly { readonly code: CheckCode; readonly policyField: string }[];
  /** No finding of severity "fail". */
  readonly ok: boolean;
}

const SWITCHES: readonly { code: CheckCode; field: string; on: (p: RolloverPolicy) => boolean }[] = [
  { code: "ROLLOVER-ADD-HOLDDOWN", field: "rollover_policy.check_add_hold_down", on: (p) => p.checkAddHoldDown },
  { code: "ROLLOVER-REMOVE-HOLDDOWN", field: "rollover_policy.check_remove_hold_down", on: (p) => p.checkRemoveHoldDown },
  { code: "ROLLOVER-DNSKEY-SIZE", field: "rollover_policy.check_dnskey_response_size", on: (p) => p.checkDnskeyResponseSize },
];

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
  const allowed = SWITCHES.filter((sw) => !sw.on(policy)).map((sw) => ({ code: sw.code, policyField: sw.field }));
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
