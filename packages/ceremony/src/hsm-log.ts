/**
 * The HSM activity log of a ceremony step: the runtime names a file for each step and gives it to
 * the step's `ksk` as $KSK_HSM_LOG; the command records there every PKCS#11 call it makes
 * (@ksk/keystore pkcs11-log.ts: time, call, arguments, return value; never a PIN). After the step
 * the file, when the command touched an HSM, is one of the step's artefacts in the transcript: its
 * SHA-256 is in the hash-chained entry, so `ksk transcript verify` catches any changed byte, and
 * the report shows it as the HSM log.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { type ArtefactRecord, artefactRecord } from "./transcript.js";

/** Where the steps' HSM logs go, inside the output directory. */
export const HSM_LOG_DIR = "hsm-log";
/** The environment variable `ksk` records its PKCS#11 calls under. */
export const HSM_LOG_ENV = "KSK_HSM_LOG";

/** The log file of one step started at `started`, relative to the output directory: a rerun gets a new one. */
export function hsmLogPath(act: number, step: number, started: Date): string {
  const stamp = started.toISOString().replace(/[-:]/g, "");
  return `${HSM_LOG_DIR}/act${String(act).padStart(2, "0")}-step${String(step).padStart(2, "0")}-${stamp}.jsonl`;
}

/** The step's HSM log as an artefact, or none when the command made no PKCS#11 call. */
export async function hsmLogArtefacts(outDir: string, relative: string): Promise<ArtefactRecord[]> {
  try {
    return [artefactRecord(relative, new Uint8Array(await fs.readFile(path.join(outDir, relative))))];
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
}
