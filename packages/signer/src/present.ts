/**
 * What the witnesses see before the KSK is used: one table each for the previous SKR, the KSR and
 * the planned SKR, with a row per slot — inception, expiration, ZSK key tags, and each KSK as
 * `tag/label` marked S (published and signs), P (published only), R (published revoked) or RS
 * (revoked and signing its own revocation) — and the DNSKEY response size of each planned slot.
 * Pure: returns lines of text.
 */
import { type DnskeyRdata, formatIsoZ, isRevoked, isSep, keyTag } from "@ksk/core";
import type { Bundle } from "@ksk/ksr";
import type { SigningPlan } from "./plan.js";
import { DNSKEY_RESPONSE_WARN_BYTES } from "./response-size.js";

export interface WitnessRow {
  readonly inceptionEpochSeconds: number;
  readonly expirationEpochSeconds: number;
  readonly zskTags: readonly number[];
  readonly ksks: readonly string[];
  readonly responseSizeBytes?: number;
}

function mark(revoked: boolean, signs: boolean): string {
  if (revoked) return signs ? "RS" : "R";
  return signs ? "S" : "P";
}

/** Rows for a KSR or SKR as read: KSKs are the SEP keys, signers found by their RRSIG key tags. */
export function documentWitnessRows(bundles: readonly Bundle[]): WitnessRow[] {
  return bundles.map((b) => {
    const signing = new Set(b.signatures.map((s) => s.rrsig.keyTag));
    const ksks = b.keys.filter((k) => isSep(k.dnskey));
    return {
      inceptionEpochSeconds: b.inceptionEpochSeconds,
      expirationEpochSeconds: b.expirationEpochSeconds,
      zskTags: b.keys.filter((k) => !isSep(k.dnskey)).map((k) => keyTag(k.dnskey)),
      ksks: ksks.map(
        (k) =>
          `${keyTag(k.dnskey)}${k.keyIdentifier && k.keyIdentifier.length <= 16 ? `/${k.keyIdentifier}` : ""} ${mark(isRevoked(k.dnskey), signing.has(keyTag(k.dnskey)))}`,
      ),
    };
  });
}

export function planWitnessRows(plan: SigningPlan): WitnessRow[] {
  return plan.bundles.map((b) => {
    const kskTags = new Set(b.ksks.map((k) => keyTag(k.dnskey)));
    return {
      inceptionEpochSeconds: b.inceptionEpochSeconds,
      expirationEpochSeconds: b.expirationEpochSeconds,
      zskTags: b.keys.map((k) => keyTag(k.dnskey)).filter((t) => !kskTags.has(t)),
      ksks: b.ksks.map((k) => `${keyTag(k.dnskey as DnskeyRdata)}/${k.label} ${mark(k.role === "revoke", k.signs)}`),
      responseSizeBytes: b.responseSizeBytes,
    };
  });
}

export function formatWitnessTable(title: string, rows: readonly WitnessRow[]): string[] {
  const sized = rows.some((r) => r.responseSizeBytes !== undefined);
  const lines = [
    title,
    `  #  inception             expiration            ZSKs         KSKs (S signs, P published, R revoked)${sized ? "   DNSKEY answer" : ""}`,
  ];
  for (const [i, r] of rows.entries()) {
    const size =
      r.responseSizeBytes === undefined
        ? ""
        : `   ${r.responseSizeBytes} B${r.responseSizeBytes > DNSKEY_RESPONSE_WARN_BYTES ? " (over 1232: may be truncated)" : ""}`;
    lines.push(
      `${String(i + 1).padStart(3)}  ${formatIsoZ(r.inceptionEpochSeconds)}  ${formatIsoZ(r.expirationEpochSeconds)}  ${r.zskTags.join(" ").padEnd(11)}  ${r.ksks.join(", ").padEnd(38)}${size}`,
    );
  }
  return lines;
}
