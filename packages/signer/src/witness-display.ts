/**
 * The witness display of `skr sign`, sized for a projected terminal (every line at most 100
 * columns): the HSM the KSKs are in (module, token label, serial, manufacturer, model, as the
 * token's C_GetTokenInfo gave them), each KSK (label, key tag, algorithm, size, and its DS SHA-256
 * as grouped hex and PGP words, to compare with the record made when the key was generated), the
 * KSR and previous SKR slot by slot, and the planned SKR slot by slot — per KSK whether it signs,
 * is published only or is revoked, with the DNSKEY TTL and answer size — and the question that
 * names only the keys that sign ("Klabcur signs slots 1–9; Klabnxt is published only.").
 *
 * Pure: the plan, the KSKs' DNSKEYs and the token descriptions come in; lines of text go out.
 * Left out: the files' hashes (the CLI shows them with @ksk/ceremony's fileWitnessLines).
 */
import { type DnskeyRdata, ROOT, algorithmInfo, dsDigest, formatIsoZ, groupedHex, keyTag, parseName, pgpWords } from "@ksk/core";
import type { Bundle } from "@ksk/ksr";
import type { SigningPlan } from "./plan.js";
import { STATE_MARK, type SlotKeyState, slotKeys } from "./present.js";
import { DNSKEY_RESPONSE_WARN_BYTES } from "./response-size.js";

/** The widest line the display prints: a projected terminal's width. */
export const WITNESS_COLUMNS = 100;

/** A token the KSKs are in, as C_GetTokenInfo describes it (@ksk/keystore's HsmToken). */
export interface WitnessHsm {
  readonly modulePath: string;
  readonly label: string;
  readonly serial: string;
  readonly manufacturer: string;
  readonly model: string;
}

/** A KSK the witnesses compare: its label and its DNSKEY as the HSM holds it (never revoked). */
export interface WitnessKsk {
  readonly label: string;
  readonly dnskey: DnskeyRdata;
}

/**
 * Lines no wider than `columns`: a longer line is broken at spaces, the rest indented under its
 * first word, and a word longer than a line is cut — except the lines `keepWhole` picks.
 */
export function fitLines(lines: readonly string[], columns = WITNESS_COLUMNS, keepWhole: (line: string) => boolean = () => false): string[] {
  const out: string[] = [];
  for (const line of lines.flatMap((l) => l.split("\n"))) {
    if (line.length <= columns || keepWhole(line)) {
      out.push(line);
      continue;
    }
    const lead = /^\s*/.exec(line)?.[0] ?? "";
    const indent = " ".repeat(Math.min(lead.length + 4, 16));
    let current = lead;
    for (const word of line.slice(lead.length).split(" ")) {
      const candidate = current.trim() === "" ? `${current}${word}` : `${current} ${word}`;
      if (candidate.length <= columns || current.trim() === "") {
        current = candidate;
      } else {
        out.push(current);
        current = `${indent}${word}`;
      }
      while (current.length > columns) {
        out.push(current.slice(0, columns));
        current = `${indent}${current.slice(columns)}`;
      }
    }
    if (current.trim() !== "") out.push(current);
  }
  return out;
}

/** The tokens, one block each. */
export function hsmLines(hsms: readonly WitnessHsm[]): string[] {
  if (hsms.length === 0) return ["== HSM: none (the KSKs are in a software keystore: LAB ONLY)"];
  return hsms.flatMap((h) => [
    `== HSM ${h.label}`,
    `  module        ${h.modulePath}`,
    `  token serial  ${h.serial}`,
    `  made by       ${h.manufacturer}, model ${h.model}`,
  ]);
}

/** Each KSK: label, tag, algorithm and size, then its DS SHA-256 (RFC 4509) in groups and as PGP words. */
export function kskLines(ksks: readonly WitnessKsk[], domain = "."): string[] {
  const owner = domain === "." ? ROOT : parseName(domain);
  const lines = ["== KSKs in the HSM (compare each DS with the one recorded when the key was made)"];
  for (const k of ksks) {
    const info = algorithmInfo(k.dnskey.algorithm);
    const digest = dsDigest(owner, k.dnskey, 2);
    lines.push(
      `  ${k.label}  tag ${keyTag(k.dnskey)}  ${info.mnemonic} (${k.dnskey.algorithm}), ${info.describeKey(k.dnskey.publicKeyBytes).sizeBits} bits`,
      `    DS SHA-256 ${groupedHex(digest)}`,
    );
    const words = pgpWords(digest);
    for (let i = 0; i < words.length; i += 8) lines.push(`      ${words.slice(i, i + 8).join(" ")}`);
  }
  return lines;
}

const STATE_WORD: Readonly<Record<SlotKeyState, string>> = {
  signing: "signs",
  published: "published",
  revoked: "revoked",
  // Short enough that two KSK columns fit beside the dates; the legend under the table spells it out.
  "revoked-signing": "rev+signs",
};

/** `2026-07-01 00:00`: the minute is enough at a glance (slots start and end on whole hours). */
function shortTime(epochSeconds: number): string {
  return formatIsoZ(epochSeconds).slice(0, 16).replace("T", " ");
}

interface TableRow {
  readonly inceptionEpochSeconds: number;
  readonly expirationEpochSeconds: number;
  readonly zskTags: readonly number[];
  /** One state per column key; undefined when the key is not in the slot. */
  readonly states: readonly (SlotKeyState | undefined)[];
  readonly ttlSeconds?: number;
  readonly responseSizeBytes?: number;
}

/** A slot table with one column per KSK; states as words when they fit, else as S/P/R/RS marks. */
function slotTable(title: string, columns: readonly string[], rows: readonly TableRow[]): string[] {
  const zskWidth = Math.max(4, ...rows.map((r) => r.zskTags.join(" ").length));
  const sized = rows.some((r) => r.responseSizeBytes !== undefined);
  // slot, inception, expiration, ZSKs; then TTL (6 digits) and answer (`1414 B !`).
  const fixed = 4 + 2 + 16 + 2 + 16 + 2 + zskWidth + (sized ? 2 + 6 + 2 + 8 : 0);
  const wordWidth = Math.max(...columns.map((c) => c.length), ...Object.values(STATE_WORD).map((w) => w.length));
  const words = fixed + columns.length * (wordWidth + 2) <= WITNESS_COLUMNS;
  const width = words ? wordWidth : Math.max(2, ...columns.map((c) => c.length));
  const cell = (s: SlotKeyState | undefined) => (s === undefined ? "-" : words ? STATE_WORD[s] : STATE_MARK[s]);
  const lines = [
    title,
    `${"slot".padStart(4)}  ${"inception".padEnd(16)}  ${"expiration".padEnd(16)}  ${"ZSKs".padEnd(zskWidth)}${columns.map((c) => `  ${c.padEnd(width)}`).join("")}${sized ? `  ${"TTL s".padStart(6)}  answer` : ""}`.trimEnd(),
  ];
  for (const [i, r] of rows.entries()) {
    const size =
      r.responseSizeBytes === undefined
        ? ""
        : `  ${String(r.ttlSeconds ?? "").padStart(6)}  ${r.responseSizeBytes} B${r.responseSizeBytes > DNSKEY_RESPONSE_WARN_BYTES ? " !" : ""}`;
    lines.push(
      `${String(i + 1).padStart(4)}  ${shortTime(r.inceptionEpochSeconds)}  ${shortTime(r.expirationEpochSeconds)}  ${r.zskTags.join(" ").padEnd(zskWidth)}${r.states.map((s) => `  ${cell(s).padEnd(width)}`).join("")}${size}`.trimEnd(),
    );
  }
  if (!words) lines.push("  S signs, P published only, R revoked, RS revoked and signing its revocation");
  else if (rows.some((r) => r.states.includes("revoked-signing"))) lines.push("  rev+signs: published revoked and signing its revocation (RFC 5011 §2.1)");
  if (rows.some((r) => (r.responseSizeBytes ?? 0) > DNSKEY_RESPONSE_WARN_BYTES))
    lines.push(`  ! answer over ${DNSKEY_RESPONSE_WARN_BYTES} bytes: UDP answers may be truncated`);
  return lines;
}

/** A KSR or previous SKR as read: one column per KSK (by key tag, without the REVOKE bit). */
export function documentSlotTable(title: string, bundles: readonly Bundle[], labels: ReadonlyMap<number, string> = new Map()): string[] {
  const perSlot = bundles.map(slotKeys);
  const ksks = [...new Set(perSlot.flatMap((keys) => keys.filter((k) => k.role === "KSK").map((k) => k.unrevokedKeyTag)))];
  const rows = bundles.map((b, i) => {
    const keys = perSlot[i] ?? [];
    return {
      inceptionEpochSeconds: b.inceptionEpochSeconds,
      expirationEpochSeconds: b.expirationEpochSeconds,
      zskTags: keys.filter((k) => k.role === "ZSK").map((k) => k.keyTag),
      states: ksks.map((tag) => keys.find((k) => k.role === "KSK" && k.unrevokedKeyTag === tag)?.state),
    };
  });
  return slotTable(
    title,
    ksks.map((t) => labels.get(t) ?? String(t)),
    rows,
  );
}

/** The planned SKR: per KSK of the schema whether it signs, is published or revoked; TTL and answer size. */
export function planSlotTable(title: string, plan: SigningPlan): string[] {
  const labels = [...new Set(plan.bundles.flatMap((b) => b.ksks.map((k) => k.label)))];
  const rows = plan.bundles.map((b) => {
    const kskTags = new Set(b.ksks.map((k) => keyTag(k.dnskey)));
    return {
      inceptionEpochSeconds: b.inceptionEpochSeconds,
      expirationEpochSeconds: b.expirationEpochSeconds,
      zskTags: b.keys.map((k) => keyTag(k.dnskey)).filter((t) => !kskTags.has(t)),
      states: labels.map((label) => {
        const k = b.ksks.find((x) => x.label === label);
        if (!k) return undefined;
        if (k.role === "revoke") return k.signs ? "revoked-signing" : "revoked";
        return k.signs ? "signing" : "published";
      }) as (SlotKeyState | undefined)[],
      ...(b.rrset[0] ? { ttlSeconds: b.rrset[0].ttlSeconds } : {}),
      responseSizeBytes: b.responseSizeBytes,
    };
  });
  return slotTable(title, labels, rows);
}

/** `1–9`, `1, 3–5`: slot numbers as a witness reads them. */
export function slotRanges(slots: readonly number[]): string {
  const sorted = [...new Set(slots)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const start = sorted[i] as number;
    let end = start;
    while (sorted[i + 1] === end + 1) end = sorted[++i] as number;
    parts.push(end === start ? String(start) : end === start + 1 ? `${start}, ${end}` : `${start}–${end}`);
  }
  return parts.join(", ");
}

function slotsWord(slots: readonly number[]): string {
  return `${slots.length === 1 ? "slot" : "slots"} ${slotRanges(slots)}`;
}

/**
 * What the witnesses agree to, naming only the keys that sign and where:
 * `Klabcur signs slots 1–9; Klabnxt is published only.` (a revoked key: `Klabcur signs slots
 * 2–8 revoked (its revocation)`; a key only revoked: `… is published revoked only`).
 */
export function signingQuestion(plan: SigningPlan): string {
  const labels = [...new Set(plan.bundles.flatMap((b) => b.ksks.map((k) => k.label)))];
  const parts = labels.map((label) => {
    const slots = (test: (k: SigningPlan["bundles"][number]["ksks"][number]) => boolean) =>
      plan.bundles.flatMap((b, i) => (b.ksks.some((k) => k.label === label && test(k)) ? [i + 1] : []));
    const signs = slots((k) => k.signs && k.role === "publish");
    const revokedSigns = slots((k) => k.signs && k.role === "revoke");
    const revoked = slots((k) => k.role === "revoke");
    const said: string[] = [];
    if (signs.length) said.push(`signs ${slotsWord(signs)}`);
    if (revokedSigns.length) said.push(`${signs.length ? "and " : "signs "}${slotsWord(revokedSigns)} revoked (its revocation)`);
    if (said.length === 0) return `${label} is published ${revoked.length ? "revoked " : ""}only`;
    return `${label} ${said.join(" ")}`;
  });
  return `${parts.join("; ")}.`;
}
