/**
 * How a check result is printed, the same by every command: the status word, the code, where,
 * and what passed or failed.
 */
import type { CheckStatus } from "@ksk/ksr";

export const STATUS_WORD: Readonly<Record<CheckStatus, string>> = { pass: "PASS", fail: "FAIL", disabled: "OFF ", "not-run": "SKIP" };

export interface PrintableCheck {
  readonly code: string;
  readonly status: CheckStatus;
  readonly detail: string;
  readonly where?: string | undefined;
}

/** `PASS KSR-ID                      what passed`, codes padded to a column. */
export function checkLine(r: PrintableCheck): string {
  return `${STATUS_WORD[r.status]} ${r.code.padEnd(27)} ${r.where ? `${r.where}: ` : ""}${r.detail}`;
}
