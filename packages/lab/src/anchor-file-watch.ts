/**
 * Watching the compressed rehearsal's RFC 5011 resolver through its anchor file (unbound's
 * `auto-trust-anchor-file`, rewritten by unbound on every state change): polling for a state with
 * a limit, and the new KSK's pending state with the add hold-down it still has to wait
 * (RFC 5011 §2.4.1). LAB ONLY. Left out: judging what was seen (the rehearsal's verdict does).
 */
import { readFileSync } from "node:fs";
import { COMPRESSED_HOLD_DOWN_SECONDS, type PhaseRecord, autotrustEntries, autotrustStates } from "./rollover-record.js";

export const sleep = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));

/** Poll `probe` every 250 ms until it holds or `limitSeconds` pass; whether it held. */
export async function until(probe: () => boolean, limitSeconds: number): Promise<boolean> {
  const end = Date.now() + limitSeconds * 1000;
  for (;;) {
    if (probe()) return true;
    if (Date.now() > end) return false;
    await sleep(0.25);
  }
}

/** Each KSK's RFC 5011 state in the resolver's anchor file now. */
export function anchorFileStates(anchorFile: string): Map<number, string> {
  return autotrustStates(readFileSync(anchorFile, "utf8"));
}

/**
 * The new KSK pending in the anchor file (ADDPEND), read as soon as it appears: how much of the
 * add hold-down it still has to wait. Undefined when the file showed the key VALID first (the
 * pending state was never seen) or showed neither within the limit.
 */
export async function watchAddPending(anchorFile: string, keyTag: number, now: () => number, limitSeconds: number): Promise<PhaseRecord["addPending"]> {
  let seen: PhaseRecord["addPending"];
  await until(() => {
    const entry = autotrustEntries(readFileSync(anchorFile, "utf8")).get(keyTag);
    if (entry?.state === "ADDPEND" && entry.lastChangeEpochSeconds !== undefined) {
      const at = now();
      const left = Math.max(0, COMPRESSED_HOLD_DOWN_SECONDS - (at - entry.lastChangeEpochSeconds));
      seen = { keyTag, observedUtc: new Date(at * 1000).toISOString(), holdDownLeftSeconds: left, holdDownSeconds: COMPRESSED_HOLD_DOWN_SECONDS };
    }
    return seen !== undefined || entry?.state === "VALID";
  }, limitSeconds);
  return seen;
}
