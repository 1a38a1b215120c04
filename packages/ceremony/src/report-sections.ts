/**
 * Sections of the ceremony report read from the transcript and the text outputs it lists, kept
 * apart from report-html.ts's page layout: the toolkit's fingerprint each run recorded (act 00,
 * `ksk integrity`) for the reader to compare with the published value, and the HSM log — every
 * PKCS#11 call a step's command made (./hsm-log.ts), one row a call.
 *
 * Pure: entries and texts in, HTML out (every value escaped).
 */
import { groupedHex, hexToBytes, pgpWords } from "@ksk/core";
import { HSM_LOG_DIR } from "./hsm-log.js";
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

/** One call's arguments and results as `name=value`, long values as they were recorded. */
function callDetails(entry: Readonly<Record<string, unknown>>): string {
  return Object.entries(entry)
    .filter(([k]) => !["seq", "timeUtc", "call", "rv", "session"].includes(k))
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
}

function logRows(text: string): string {
  const rows: string[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      rows.push(`<tr class="bad"><td colspan="5">not a log line: <code>${escapeHtml(line.slice(0, 200))}</code></td></tr>`);
      continue;
    }
    const rv = String(entry.rv ?? "");
    rows.push(
      `<tr><td>${escapeHtml(String(entry.seq ?? ""))}</td><td>${escapeHtml(String(entry.timeUtc ?? ""))}</td><td><code>${escapeHtml(String(entry.call ?? ""))}</code></td><td class="${rv === "CKR_OK" ? "ok" : "bad"}">${escapeHtml(rv)}</td><td><small>${escapeHtml(callDetails(entry))}</small></td></tr>`,
    );
  }
  return rows.join("");
}

/** The HSM log: for each step whose command used an HSM, every PKCS#11 call it made. */
export function hsmLogSection(entries: readonly TranscriptEntry[], texts: ReadonlyMap<string, string>): string {
  const out: string[] = [];
  for (const e of entries) {
    if (e.type !== "step") continue;
    for (const o of e.outputs) {
      if (!o.path.startsWith(`${HSM_LOG_DIR}/`)) continue;
      const text = texts.get(o.path);
      out.push(
        `<h4 class="hsm-log">Act ${String(e.act).padStart(2, "0")} step ${e.step}: ${escapeHtml(e.does)} <small>(${escapeHtml(e.status)}; <code>${escapeHtml(o.path)}</code>)</small></h4>`,
      );
      out.push(
        text === undefined
          ? "<p>The log file is not there to show (its SHA-256 is in the transcript).</p>"
          : `<table class="hsm-log"><tr><th>#</th><th>time (UTC)</th><th>call</th><th>return</th><th>arguments and results</th></tr>${logRows(text)}</table>`,
      );
    }
  }
  if (!out.length) return "";
  return `<h2>HSM log</h2><p>Every PKCS#11 call each step's command made to the HSM, with its time and return value, as recorded by the command (never a PIN); each log's SHA-256 is in the hash-chained transcript.</p>${out.join("\n")}`;
}
