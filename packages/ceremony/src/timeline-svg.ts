/**
 * The report's key timeline: one SVG block per calendar year (UTC) of slot inceptions, so a
 * 2024-2027 roll reads on a 1,000 px screen and prints without a cut — one row per key (by its
 * unrevoked tag), one column per slot headed by its inception date (`MM-DD`), each cell the key's
 * state: published / signing / revoked / revoked and signing, read off @ksk/signer's
 * `rolloverTimeline` (the states `ksk rollover check` judges). Under the rows, each slot's DNSKEY
 * answer size; one legend under the last year.
 *
 * ZSKs: an SKR carries no zone signatures, so which ZSK signs the zone in a slot is read off the
 * pre-publish ZSK roll the root uses (RFC 6781 section 4.1.1.1): with two ZSKs in a slot, the one
 * new since the slot before is pre-published (P), the one gone in the slot after is post-published
 * (P), the other signs (S); a lone ZSK signs. Left out: the zone itself (no RRSIG over it is read).
 *
 * Pure: SKRs in, SVG text out (every value escaped).
 */
import { formatIsoZ, keyTag, revokedKeyTag } from "@ksk/core";
import { DNSKEY_RESPONSE_WARN_BYTES, STATE_MARK, type SlotKey, type SlotKeyState, rolloverTimeline } from "@ksk/signer";
import type { KsrResponseDocument } from "@ksk/ksr";
import { escapeHtml as esc } from "./report-sections.js";

const STATE_COLOUR: Readonly<Record<SlotKeyState, string>> = {
  published: "#9ecae1",
  signing: "#08519c",
  revoked: "#fcae91",
  "revoked-signing": "#cb181d",
};

export interface TimelineSlot {
  readonly quarter: string;
  readonly index: number;
  /** The column name the input gave the SKR (the compressed rehearsal's phases), else the slot number. */
  readonly column: string;
  readonly inceptionEpochSeconds: number;
  readonly keys: readonly SlotKey[];
  readonly responseSizeBytes: number;
}

/** The SKRs as the report names them; `column` names the SKR's columns instead of slot numbers. */
export type TimelineSkrs = readonly { readonly path: string; readonly document: KsrResponseDocument; readonly column?: string }[];

/**
 * Which ZSK signs each slot, by the pre-publish roll: of a slot's ZSKs, those also in the slot
 * before (when any is), then of those the ones also in the slot after (when any is).
 */
export function zskSigners(zsksPerSlot: readonly (readonly number[])[]): Set<number>[] {
  return zsksPerSlot.map((zsks, s) => {
    let candidates = [...zsks];
    for (const neighbour of [zsksPerSlot[s - 1], zsksPerSlot[s + 1]]) {
      if (candidates.length < 2 || neighbour === undefined) continue;
      const kept = candidates.filter((t) => neighbour.includes(t));
      if (kept.length) candidates = kept;
    }
    return new Set(candidates);
  });
}

/** Every slot of every SKR in time order, with its keys' states and DNSKEY answer size. */
export function timelineSlots(skrs: TimelineSkrs): TimelineSlot[] {
  const timeline = rolloverTimeline(skrs.map(({ path, document }) => ({ name: path, skr: document })));
  const columns = new Map(skrs.map((s) => [s.path, s.column]));
  const signers = zskSigners(timeline.slots.map((slot) => slot.zsks.map((dnskey) => keyTag(dnskey))));
  return timeline.slots.map((slot, s) => {
    const ksks = timeline.keys.flatMap((key, k): SlotKey[] => {
      const state = timeline.states[k]?.[s];
      if (!state || state.presence === "absent") return [];
      const revoked = state.presence === "revoked";
      const tag = keyTag(key.dnskey);
      return [
        {
          role: "KSK",
          keyTag: revoked ? revokedKeyTag(key.dnskey) : tag,
          unrevokedKeyTag: tag,
          ...(key.label === undefined ? {} : { keyIdentifier: key.label }),
          state: revoked ? (state.signs ? "revoked-signing" : "revoked") : state.signs ? "signing" : "published",
        },
      ];
    });
    const zsks = slot.zsks.map((dnskey): SlotKey => {
      const tag = keyTag(dnskey);
      return { role: "ZSK", keyTag: tag, unrevokedKeyTag: tag, state: signers[s]?.has(tag) ? "signing" : "published" };
    });
    return {
      quarter: slot.quarter,
      index: slot.bundleIndex + 1,
      column: columns.get(slot.source) ?? String(slot.bundleIndex + 1),
      inceptionEpochSeconds: slot.inceptionEpochSeconds,
      keys: [...ksks, ...zsks],
      responseSizeBytes: slot.dnskeyResponseSizeBytes,
    };
  });
}

const LEFT = 120;
const CELL = 20;
const ROW = 20;

interface KeyRow {
  readonly id: string;
  readonly role: "KSK" | "ZSK";
  readonly tag: number;
  readonly label: string;
}

function keyRows(slots: readonly TimelineSlot[]): KeyRow[] {
  const rows = new Map<string, KeyRow>();
  for (const s of slots) {
    for (const k of s.keys) {
      const id = `${k.role}-${k.unrevokedKeyTag}`;
      const name = k.keyIdentifier && k.keyIdentifier.length <= 16 ? ` ${k.keyIdentifier}` : "";
      if (!rows.has(id)) rows.set(id, { id, role: k.role, tag: k.unrevokedKeyTag, label: `${k.role} ${k.unrevokedKeyTag}${name}` });
    }
  }
  return [...rows.values()].sort((a, b) => (a.role === b.role ? 0 : a.role === "KSK" ? -1 : 1));
}

/** `01-11`, or `A 01-11` when the input named the column. */
function columnLabel(s: TimelineSlot): string {
  const date = formatIsoZ(s.inceptionEpochSeconds).slice(5, 10);
  return s.column === String(s.index) ? date : `${s.column} ${date}`;
}

function cellSvg(row: KeyRow, s: TimelineSlot, key: SlotKey, x: number, y: number): string {
  const slotId = `${s.quarter}/${s.index}`;
  const slotName = `${s.column === String(s.index) ? `slot ${slotId}` : `${s.column} (slot ${slotId})`} from ${formatIsoZ(s.inceptionEpochSeconds)}`;
  const what = row.role === "ZSK" ? (key.state === "signing" ? "signs the zone" : "published only") : key.state;
  const revoked = key.keyTag !== key.unrevokedKeyTag ? ` (tag ${key.keyTag} with REVOKE)` : "";
  return `<rect x="${x + 1}" y="${y + 1}" width="${CELL - 2}" height="${ROW - 2}" fill="${STATE_COLOUR[key.state]}" data-slot="${slotId}" data-state="${key.state}" data-key-tag="${key.keyTag}"><title>${esc(`${row.label}, ${slotName}: ${what}${revoked}`)}</title></rect><text x="${x + CELL / 2}" y="${y + 14}" text-anchor="middle" font-size="10" fill="${key.state === "published" || key.state === "revoked" ? "#000" : "#fff"}">${STATE_MARK[key.state]}</text>`;
}

/** One year's block: its quarters, slot dates, one row per key present that year, the answer sizes. */
function yearSvg(year: string, slots: readonly TimelineSlot[]): string {
  const rows = keyRows(slots);
  const longest = Math.max(5, ...slots.map((s) => columnLabel(s).length));
  const top = 24 + Math.ceil(longest * 6.2);
  const sizeTop = top + rows.length * ROW + 4;
  const height = sizeTop + 30;
  const width = LEFT + slots.length * CELL + 8;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="timeline-year" data-year="${esc(year)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<title>Key states per slot, ${esc(year)}</title>`,
    `<text x="4" y="16" font-size="15" font-weight="bold">${esc(year)}</text>`,
  ];
  let previousQuarter = "";
  for (const [c, s] of slots.entries()) {
    const x = LEFT + c * CELL;
    if (s.quarter !== previousQuarter) {
      out.push(`<text x="${x + 2}" y="14" font-weight="bold">${esc(s.quarter.slice(4))}</text>`);
      out.push(`<line x1="${x}" y1="3" x2="${x}" y2="${sizeTop + 26}" stroke="#444"/>`);
      previousQuarter = s.quarter;
    }
    // Dates run upwards, one a column: ten slots a quarter fit 1,000 px.
    out.push(
      `<text class="slot-date" x="${x + CELL / 2 + 4}" y="${top - 4}" transform="rotate(-90 ${x + CELL / 2 + 4} ${top - 4})">${esc(columnLabel(s))}</text>`,
    );
  }
  for (const [r, row] of rows.entries()) {
    const y = top + r * ROW;
    out.push(`<g class="key-row" data-key="${row.id}" data-role="${row.role}" data-key-tag="${row.tag}">`);
    out.push(`<text x="4" y="${y + 14}">${esc(row.label)}</text>`);
    for (const [c, s] of slots.entries()) {
      const key = s.keys.find((k) => `${k.role}-${k.unrevokedKeyTag}` === row.id);
      if (key) out.push(cellSvg(row, s, key, LEFT + c * CELL, y));
    }
    out.push("</g>");
  }
  out.push(`<text x="4" y="${sizeTop + 16}">DNSKEY answer (B)</text>`);
  for (const [c, s] of slots.entries()) {
    const x = LEFT + c * CELL + CELL / 2 + 3;
    const over = s.responseSizeBytes > DNSKEY_RESPONSE_WARN_BYTES;
    out.push(
      `<text class="response-size" x="${x}" y="${sizeTop + 26}" transform="rotate(-90 ${x} ${sizeTop + 26})" font-size="9" data-slot="${s.quarter}/${s.index}" data-bytes="${s.responseSizeBytes}" fill="${over ? "#cb181d" : "#000"}"${over ? ' font-weight="bold"' : ""}>${s.responseSizeBytes}</text>`,
    );
  }
  out.push("</svg>");
  return out.join("\n");
}

function legendSvg(): string {
  const out = [
    '<svg xmlns="http://www.w3.org/2000/svg" class="timeline-legend" width="640" height="62" viewBox="0 0 640 62" font-family="sans-serif" font-size="11">',
  ];
  for (const [i, state] of (["published", "signing", "revoked", "revoked-signing"] as const).entries()) {
    const x = 4 + i * 130;
    out.push(`<rect x="${x}" y="3" width="14" height="14" fill="${STATE_COLOUR[state]}"/><text x="${x + 18}" y="14">${STATE_MARK[state]} ${state}</text>`);
  }
  out.push('<text x="4" y="34">KSK S: its RRSIG over the DNSKEY RRset verifies. ZSK S: signs the zone; P: pre- or post-published.</text>');
  out.push(`<text x="4" y="54">Red answer size: over ${DNSKEY_RESPONSE_WARN_BYTES} bytes, may be truncated over UDP.</text>`);
  out.push("</svg>");
  return out.join("");
}

/** The timeline: one block per year of slot inceptions, then the legend. */
export function timelineSvg(slots: readonly TimelineSlot[]): string {
  const years = new Map<string, TimelineSlot[]>();
  for (const s of slots) {
    const year = formatIsoZ(s.inceptionEpochSeconds).slice(0, 4);
    years.set(year, [...(years.get(year) ?? []), s]);
  }
  return `<div id="timeline">\n${[...years].map(([year, inYear]) => yearSvg(year, inYear)).join("\n")}\n${legendSvg()}\n</div>`;
}
