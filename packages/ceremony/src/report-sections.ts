/**
 * Sections of the ceremony report read from the transcript and the text outputs it lists, kept
 * apart from report-html.ts's page layout: the toolkit's fingerprint each run recorded (act 00,
 * `ksk integrity`) for the reader to compare with the published value.
 *
 * Pure: entries and texts in, HTML out (every value escaped).
 */
import { groupedHex, hexToBytes, pgpWords } from "@ksk/core";
import type { TranscriptEntry } from "./transcript.js";

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Act 00's output: ksk-integrity-<quarter>.txt. */
export const INTEGRITY_OUTPUT = /^ksk-integrity-.*\.txt$/;

/** The fingerprint `ksk integrity` printed, read back from its text output. */
export function fingerprintOf(text: string): string | undefined {
  return /^SHA-256 ([0-9a-f]{64})$/m.exec(text)?.[1];
}

/** The toolkit each run recorded in act 00, or nothing when no run did. */
export function toolkitSection(entries: readonly TranscriptEntry[], texts: ReadonlyMap<string, string>): string {
  const rows: string[] = [];
  let started = "";
  for (const e of entries) {
    if (e.type === "start") started = e.timeUtc;
    if (e.type !== "step" || e.status !== "ok") continue;
    for (const o of e.outputs) {
      if (!INTEGRITY_OUTPUT.test(o.path)) continue;
      const hex = fingerprintOf(texts.get(o.path) ?? "");
      const shown = hex
        ? `<code class="fingerprint">${escapeHtml(groupedHex(hexToBytes(hex)))}</code><br><small>${escapeHtml(pgpWords(hexToBytes(hex)).join(" "))}</small>`
        : "<b>no fingerprint in the output</b>";
      rows.push(`<tr><td>${escapeHtml(started)}</td><td><code>${escapeHtml(o.path)}</code></td><td>${shown}</td></tr>`);
    }
  }
  if (!rows.length) return "";
  return `<h2>The toolkit that ran</h2><p>The SHA-256 of the code <code>ksk</code> ran (launcher, bundle, chunks, lockfile), as act 00 recorded it: compare it with the published value, or rebuild the same commit and run <code>ksk integrity</code>.</p><table><tr><th>run started (UTC)</th><th>recorded in</th><th>fingerprint</th></tr>${rows.join("")}</table>`;
}
