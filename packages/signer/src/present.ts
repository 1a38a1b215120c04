/**
 * What the witnesses see before the KSK is used: one table each for the previous SKR, the KSR and
 * the planned SKR, with a row per slot — inception, expiration, ZSK key tags, and each KSK as
 * `tag/label` marked S (published and signs), P (published only), R (published revoked) or RS
 * (revoked and signing its own revocation) — and the DNSKEY response size of each planned slot.
 * Also the rollover check's report, as text and as JSON. Pure: returns lines of text.
 */
import { type DnskeyRdata, formatIsoZ, isRevoked, isSep, keyTag, revokedKeyTag, withoutRevokeBit } from "@ksk/core";
import { type Bundle, type KsrDocument, bundleDnskeyRrset, bundleRrsigRecords, documentDomain } from "@ksk/ksr";
import type { SigningPlan } from "./plan.js";
import { DNSKEY_RESPONSE_WARN_BYTES, dnskeyResponseSizeBytes } from "./response-size.js";
import { type RolloverReport, slotName } from "./rollover.js";

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

/**
 * The one bundle table of a KSR or SKR as read, for every view of a document (`ksk ksr show`,
 * `ksk skr show`, `ksk ksr validate` and `build`, the witnesses' tables, the ceremony report): the
 * witness table with the DNSKEY answer size of each bundle.
 */
export function documentTable(title: string, document: KsrDocument): string[] {
  const sizes = documentResponseSizes(document);
  return formatWitnessTable(
    title,
    documentWitnessRows(document.bundles).map((r, i) => ({ ...r, responseSizeBytes: sizes[i] ?? 0 })),
  );
}

/** A document's bundles as JSON: ids, times, key tags, signers, and the witness table's ZSK tags and KSK marks. */
export function documentBundlesJson(document: KsrDocument): unknown[] {
  const rows = documentWitnessRows(document.bundles);
  return document.bundles.map((b, i) => ({
    number: i + 1,
    id: b.id,
    inception: formatIsoZ(b.inceptionEpochSeconds),
    expiration: formatIsoZ(b.expirationEpochSeconds),
    keyTags: b.keys.map((k) => keyTag(k.dnskey)),
    signatureKeyTags: b.signatures.map((s) => s.rrsig.keyTag),
    zskTags: rows[i]?.zskTags ?? [],
    ksks: rows[i]?.ksks ?? [],
  }));
}

/**
 * The rollover timeline as text: one line per slot with each KSK as `tag/label` marked S, P, R or RS
 * (as above) and the DNSKEY answer size, then every finding (FAIL, WARN, NOTE) with its rule and slot.
 */
export function formatRolloverReport(report: RolloverReport): string[] {
  const t = report.timeline;
  const lines = [
    `== Rollover timeline: ${plural(t.slots.length, "slot")}, ${plural(new Set(t.slots.map((s) => s.source)).size, "SKR")}, ${plural(t.keys.length, "KSK")}`,
    "  slot                                  ZSKs         KSKs (S signs, P published, R revoked)   DNSKEY answer",
  ];
  for (const [s, slot] of t.slots.entries()) {
    const ksks = t.keys.flatMap((key, k) => {
      const st = t.states[k]?.[s];
      if (!st || st.presence === "absent") return [];
      const revoked = st.presence === "revoked";
      return [`${revoked ? revokedKeyTag(key.dnskey) : keyTag(key.dnskey)}${key.label ? `/${key.label}` : ""} ${STATE_MARK[slotKeyState(revoked, st.signs)]}`];
    });
    const size = slot.dnskeyResponseSizeBytes;
    lines.push(
      `  ${slotName(slot).padEnd(36)}  ${slot.zsks.map(keyTag).join(" ").padEnd(11)}  ${ksks.join(", ").padEnd(39)}  ${size} B${size > DNSKEY_RESPONSE_WARN_BYTES ? " (over 1232)" : ""}`,
    );
  }
  lines.push("", "== Findings");
  const tag = { fail: "FAIL", warn: "WARN", note: "NOTE" } as const;
  for (const f of report.findings) lines.push(`  ${tag[f.severity]} ${f.code.padEnd(28)} ${f.where}: ${f.detail}`);
  if (report.findings.length === 0) lines.push("  none");
  const failed = report.findings.filter((f) => f.severity === "fail").length;
  lines.push("", report.ok ? "Rollover plan OK: no RFC 5011 resolver loses the chain" : `Rollover plan FAILED: ${failed} finding${failed === 1 ? "" : "s"}`);
  return lines;
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

/** The report as plain JSON: keys as tags and base64, times as ISO 8601. */
export function rolloverReportJson(report: RolloverReport): unknown {
  const t = report.timeline;
  return {
    ok: report.ok,
    domain: t.domain,
    keys: t.keys.map((k) => ({
      keyTag: keyTag(k.dnskey),
      revokedKeyTag: revokedKeyTag(k.dnskey),
      algorithm: k.dnskey.algorithm,
      ...(k.label ? { label: k.label } : {}),
      publicKeyBase64: Buffer.from(k.dnskey.publicKeyBytes).toString("base64"),
    })),
    slots: t.slots.map((s, i) => ({
      name: slotName(s),
      source: s.source,
      skrId: s.skrId,
      quarter: s.quarter,
      slot: s.bundleIndex + 1,
      bundleId: s.bundleId,
      inception: formatIsoZ(s.inceptionEpochSeconds),
      expiration: formatIsoZ(s.expirationEpochSeconds),
      dnskeyTtlSeconds: s.dnskeyTtlSeconds,
      zskTags: s.zsks.map(keyTag),
      dnskeyResponseSizeBytes: s.dnskeyResponseSizeBytes,
      ksks: t.keys.map((_, k) => t.states[k]?.[i]),
    })),
    findings: report.findings,
    allowed: report.allowed,
  };
}
