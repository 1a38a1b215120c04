/**
 * The root-anchors.xml files published along a rollover, over its timeline:
 *   TA-NONE-VALID            a file with no KeyDigest valid when it is published, or at a slot while
 *                            it is the file in force (@ksk/trust-anchor's check, asked per slot);
 *   ROLLOVER-ANCHOR-SIGNER   a KSK signing a slot without a KeyDigest valid then in the file in force.
 * Left out: the files' CMS signatures (`ksk anchors verify` checks those).
 */
import { type Name, dsMatches, formatIsoZ, isKskError } from "@ksk/core";
import { type AnchorDigest, checkSomeDigestValidAt, isValidAt, keyDigestDs } from "@ksk/trust-anchor";
import { type RolloverFinding, finding, keyName, keyState, slotFinding } from "./rollover-rules.js";
import { type RolloverKey, type RolloverSlot, type RolloverTimeline, slotName } from "./rollover-timeline.js";

/** A root-anchors.xml and the time it was published (from then on it is the file resolvers bootstrap from). */
export interface AnchorPublication {
  readonly name: string;
  readonly publishedEpochSeconds: number;
  readonly zone: Name;
  readonly keyDigests: readonly AnchorDigest[];
}

/**
 * When a root-anchors.xml counts as published if no time is given: the latest validFrom in it — a file
 * is published when its newest KeyDigest comes into force (IANA published KSK-2024's on 2024-07-18, its
 * validFrom). A validUntil added later does not move it; give the time explicitly for such a file.
 */
export function defaultPublicationTime(keyDigests: readonly AnchorDigest[]): number {
  return Math.max(...keyDigests.map((kd) => kd.validFromEpochSeconds));
}

/** TA-NONE-VALID as a finding: trust-anchor's check, its failure kept with the slot it concerns. */
function noneValid(keyDigests: readonly AnchorDigest[], at: number, where: string, of: string | undefined, slotIndex?: number): RolloverFinding[] {
  try {
    checkSomeDigestValidAt(keyDigests, at, where, of);
    return [];
  } catch (e) {
    if (!isKskError(e) || e.kind !== "check") throw e;
    return [finding(e.code, "fail", where, e.detail, slotIndex)];
  }
}

/** TA-NONE-VALID and ROLLOVER-ANCHOR-SIGNER for the anchor files published along the way. */
export function checkAnchorPublications(t: RolloverTimeline, anchors: readonly AnchorPublication[]): RolloverFinding[] {
  const out: RolloverFinding[] = [];
  const ordered = [...anchors].sort((a, b) => a.publishedEpochSeconds - b.publishedEpochSeconds);
  for (const a of ordered) {
    out.push(...noneValid(a.keyDigests, a.publishedEpochSeconds, `${a.name} (published ${formatIsoZ(a.publishedEpochSeconds)})`, undefined));
  }
  for (const [s, slot] of t.slots.entries()) {
    const inForce = ordered.filter((a) => a.publishedEpochSeconds <= slot.inceptionEpochSeconds).pop();
    if (!inForce) continue;
    const valid = inForce.keyDigests.filter((kd) => isValidAt(kd, slot.inceptionEpochSeconds));
    if (valid.length === 0) {
      out.push(...noneValid(inForce.keyDigests, slot.inceptionEpochSeconds, slotName(slot as RolloverSlot), `${inForce.name}, the anchors in force`, s));
      continue;
    }
    for (let k = 0; k < t.keys.length; k++) {
      const st = keyState(t, k, s);
      if (!st.signs || st.presence !== "published") continue;
      const dnskey = (t.keys[k] as RolloverKey).dnskey;
      if (!valid.some((kd) => dsMatches(keyDigestDs(kd), inForce.zone, dnskey))) {
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
