/**
 * The RFC 5011 rollover rules over a timeline (rollover-timeline.ts), one function each, each
 * returning findings naming the slot:
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
 * Rules return lists rather than throwing at the first failure because the report is per slot: an
 * operator planning a roll must see every slot that breaks, not the first. Where the SKRs given do
 * not reach back far enough to judge (a KSK already published, not signing, in the first slot; a KSK
 * already revoked there), the rule passes with a note saying so. Left out: the anchor files
 * (rollover-anchors.ts) and resolvers' active refresh timing (RFC 5011 §2.3: a resolver queries at
 * least every 15 days, which the 30-day hold-downs already cover).
 */
import { type CheckCode, formatDuration, formatIsoZ, revokedKeyTag } from "@ksk/core";
import type { RolloverPolicy } from "./rollover-policy.js";
import { type KskSlotState, type RolloverKey, type RolloverSlot, type RolloverTimeline, rolloverKeyName, slotName } from "./rollover-timeline.js";

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

export function finding(code: CheckCode, severity: FindingSeverity, where: string, detail: string, slotIndex?: number): RolloverFinding {
  return { code, severity, where, detail, ...(slotIndex === undefined ? {} : { slotIndex }) };
}

export function slotFinding(t: RolloverTimeline, code: CheckCode, severity: FindingSeverity, s: number, detail: string): RolloverFinding {
  return finding(code, severity, slotName(t.slots[s] as RolloverSlot), detail, s);
}

export function keyState(t: RolloverTimeline, k: number, s: number): KskSlotState {
  return (t.states[k] as readonly KskSlotState[])[s] as KskSlotState;
}

function inception(t: RolloverTimeline, s: number): number {
  return (t.slots[s] as RolloverSlot).inceptionEpochSeconds;
}

export function keyName(t: RolloverTimeline, k: number): string {
  return rolloverKeyName(t.keys[k] as RolloverKey);
}

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
  const established = t.keys.map((_, k) => t.slots.length > 0 && keyState(t, k, 0).presence === "published" && keyState(t, k, 0).signs);
  const unknownHistory = t.keys.map((_, k) => t.slots.length > 0 && keyState(t, k, 0).presence === "published" && !keyState(t, k, 0).signs);
  for (let s = 0; s < t.slots.length; s++) {
    for (let k = 0; k < t.keys.length; k++) {
      const st = keyState(t, k, s);
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
    const validated = t.keys.some((_, k) => keyState(t, k, s).signs && keyState(t, k, s).presence === "published" && (trust[k] as Trust[])[s]?.trusted);
    for (let k = 0; k < t.keys.length; k++) {
      if (keyState(t, k, s).presence === "published" && pendingSince[k] === undefined && !established[k] && (validated || unknownHistory[k]))
        pendingSince[k] = s;
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
    const signers = t.keys.map((_, k) => k).filter((k) => keyState(t, k, s).signs && keyState(t, k, s).presence === "published");
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
      if (keyState(t, k, s).presence !== "absent" || keyState(t, k, s - 1).presence === "absent") continue;
      // Only a key resolvers may hold as a trust anchor needs its removal announced.
      const mayBeTrusted = (trust[k] as Trust[]).slice(0, s).some((v) => v.trusted) || keyState(t, k, 0).presence === "revoked";
      if (!mayBeTrusted) continue;
      let start = s;
      while (start > 0 && keyState(t, k, start - 1).presence === "revoked" && keyState(t, k, start - 1).signs) start--;
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
      const st = keyState(t, k, s);
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
