/**
 * What the witnesses see before the KSK is used: one table each for the previous SKR, the KSR and
 * the planned SKR, with a row per slot — inception, expiration, ZSK key tags, and each KSK as
 * `tag/label` marked S (published and signs), P (published only), R (published revoked) or RS
 * (revoked and signing its own revocation) — and the DNSKEY response size of each planned slot.
 * Pure: returns lines of text.
 */
import { type DnskeyRdata, formatIsoZ, isRevoked, isSep, keyTag, withoutRevokeBit } from "@ksk/core";
import { type Bundle, type KsrDocument, bundleDnskeyRrset, bundleRrsigRecords, documentDomain } from "@ksk/ksr";
import type { SigningPlan } from "./plan.js";
import { DNSKEY_RESPONSE_WARN_BYTES, dnskeyResponseSizeBytes } from "./response-size.js";

export interface WitnessRow {
  readonly inceptionEpochSeconds: number;
  readonly expirationEpochSeconds: number;
  readonly zskTags: readonly number[];
  readonly ksks: readonly string[];
  readonly responseSizeBytes?: number;
}

/** What a key does in one slot: published only, signing the DNSKEY RRset, revoked, or revoked and signing its revocation. */
export type SlotKeyState = "published" | "signing" | "revoked" | "revoked-signing";

export interface SlotKey {
  /** KSKs are the SEP keys (flags bit 15); the rest are ZSKs. */
  readonly role: "KSK" | "ZSK";
  readonly keyTag: number;
  /** The tag without the REVOKE bit: one key keeps one identity across its revocation. */
  readonly unrevokedKeyTag: number;
  readonly keyIdentifier?: string;
  readonly state: SlotKeyState;
}

/** The keys of a KSR or SKR bundle as read, each with its state; signers found by their RRSIG key tags. */
export function slotKeys(bundle: Bundle): SlotKey[] {
  const signing = new Set(bundle.signatures.map((s) => s.rrsig.keyTag));
  return bundle.keys.map((k) => {
    const tag = keyTag(k.dnskey);
    const revoked = isRevoked(k.dnskey);
    const signs = signing.has(tag);
    return {
      role: isSep(k.dnskey) ? "KSK" : "ZSK",
      keyTag: tag,
      unrevokedKeyTag: revoked ? keyTag(withoutRevokeBit(k.dnskey)) : tag,
      ...(k.keyIdentifier === undefined ? {} : { keyIdentifier: k.keyIdentifier }),
      state: slotKeyState(revoked, signs),
    };
  });
}

function slotKeyState(revoked: boolean, signs: boolean): SlotKeyState {
  if (revoked) return signs ? "revoked-signing" : "revoked";
  return signs ? "signing" : "published";
}

/** The witness tables' marks: S signs, P published, R revoked, RS revoked and signing. */
export const STATE_MARK: Readonly<Record<SlotKeyState, string>> = { published: "P", signing: "S", revoked: "R", "revoked-signing": "RS" };

/** Rows for a KSR or SKR as read: KSKs are the SEP keys, signers found by their RRSIG key tags. */
export function documentWitnessRows(bundles: readonly Bundle[]): WitnessRow[] {
  return bundles.map((b) => {
    const keys = slotKeys(b);
    return {
      inceptionEpochSeconds: b.inceptionEpochSeconds,
      expirationEpochSeconds: b.expirationEpochSeconds,
      zskTags: keys.filter((k) => k.role === "ZSK").map((k) => k.keyTag),
      ksks: keys
        .filter((k) => k.role === "KSK")
        .map((k) => `${k.keyTag}${k.keyIdentifier && k.keyIdentifier.length <= 16 ? `/${k.keyIdentifier}` : ""} ${STATE_MARK[k.state]}`),
    };
  });
}

/** The DNSKEY answer size of each bundle of a KSR or SKR as read (see ./response-size.ts). */
export function documentResponseSizes(document: KsrDocument): number[] {
  const domain = documentDomain(document);
  return document.bundles.map((b) => dnskeyResponseSizeBytes(domain, bundleDnskeyRrset(b, domain), bundleRrsigRecords(b, domain)));
}

export function planWitnessRows(plan: SigningPlan): WitnessRow[] {
  return plan.bundles.map((b) => {
    const kskTags = new Set(b.ksks.map((k) => keyTag(k.dnskey)));
    return {
      inceptionEpochSeconds: b.inceptionEpochSeconds,
      expirationEpochSeconds: b.expirationEpochSeconds,
      zskTags: b.keys.map((k) => keyTag(k.dnskey)).filter((t) => !kskTags.has(t)),
      ksks: b.ksks.map((k) => `${keyTag(k.dnskey as DnskeyRdata)}/${k.label} ${STATE_MARK[slotKeyState(k.role === "revoke", k.signs)]}`),
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
