/**
 * The check results a ceremony's commands printed, read back from their text outputs: every line in
 * the one result shape of @ksk/core (`PASS|FAIL|OFF |SKIP CODE  where: detail`, `checkLine`). The
 * verdict names the checks that did not run — SKIP (their input was not given) and OFF (switched
 * off by a policy field) — so a PASS never hides them. Left out: parsing the detail.
 *
 * Pure: transcript entries and texts in, results out.
 */
import type { TranscriptEntry } from "./transcript.js";

/** A result line as `checkLine` prints it (leading spaces allowed: some reports indent them). */
export const CHECK_LINE = /^\s*(PASS|FAIL|OFF|SKIP)\b/;

export interface CheckNotRun {
  readonly code: string;
  readonly status: "SKIP" | "OFF";
  /** The output file that reported it. */
  readonly path: string;
}

/** The text outputs of the steps that completed, each path once, in transcript order. */
export function completedTextOutputs(entries: readonly TranscriptEntry[], texts: ReadonlyMap<string, string>): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const seen = new Set<string>();
  for (const e of entries) {
    if (e.type !== "step" || e.status !== "ok") continue;
    for (const o of e.outputs) {
      const text = texts.get(o.path);
      if (text === undefined || seen.has(o.path)) continue;
      seen.add(o.path);
      out.push({ path: o.path, text });
    }
  }
  return out;
}

/** Every SKIP and OFF result in the text outputs of the steps that completed, each output once. */
export function checksNotRun(entries: readonly TranscriptEntry[], texts: ReadonlyMap<string, string>): CheckNotRun[] {
  const out: CheckNotRun[] = [];
  for (const { path, text } of completedTextOutputs(entries, texts)) {
    for (const line of text.split("\n")) {
      const m = /^\s*(SKIP|OFF)\s+(\S+)/.exec(line);
      if (m?.[1] && m[2]) out.push({ code: m[2], status: m[1] as "SKIP" | "OFF", path });
    }
  }
  return out;
}

/** `PASS`, or `PASS with 2 checks skipped (SKIP KSR-CHAIN-KEYS in ksr-2026Q3.check.txt, …)`. */
export function passWord(notRun: readonly CheckNotRun[]): string {
  if (!notRun.length) return "PASS";
  const named = notRun.map((c) => `${c.status} ${c.code} in ${c.path}`).join(", ");
  return `PASS with ${notRun.length} check${notRun.length === 1 ? "" : "s"} skipped (${named})`;
}
