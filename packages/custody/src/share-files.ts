/**
 * Writing officers' share files: DIR/share-1 … DIR/share-N, each 0600, all written and read back
 * before any is in place, and never over an existing file (link(2), see @ksk/files'
 * atomic-file.ts). The directory is made 0700 if missing; a directory already holding share files
 * is refused, so two splits never mix in one place.
 *
 * Left out: printing shares for paper (the file's `words:` line is what an officer copies).
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { KskError } from "@ksk/core";
import { type AtomicOutput, describeFsError, writeFilesAtomically } from "@ksk/files";
import { OFFICER_PATTERN, type ShareRecord, type ShareUse, formatShareFile, parseShareFile, shareFingerprint } from "@ksk/shares";

/** Check officer names before anything is made: as many as shares, or none. */
export function checkOfficers(officers: readonly string[], count: number): void {
  if (officers.length !== 0 && officers.length !== count) {
    throw new KskError("usage", "USAGE-OFFICERS", `${officers.length} --officer names for ${count} shares: give one per share, or none`);
  }
  for (const name of officers) {
    if (!OFFICER_PATTERN.test(name))
      throw new KskError("usage", "USAGE-OFFICERS", `--officer ${JSON.stringify(name)}: letters, digits, space, . _ ' - (at most 64)`);
  }
}

/** Refuse a share directory that holds share files already; make it 0700 if it is missing. */
export async function prepareShareDirectory(directory: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(directory);
  } catch (e) {
    if ((e as NodeJS.ErrnoException)?.code !== "ENOENT") throw new KskError("input", "SHARES-DIRECTORY", describeFsError(e), { where: directory });
    return;
  }
  const existing = names.filter((n) => n.startsWith("share-"));
  if (existing.length > 0)
    throw new KskError("refused", "SHARES-EXIST", `holds share files already (${existing.join(", ")}); use an empty directory`, { where: directory });
}

export async function makeShareDirectory(directory: string): Promise<void> {
  try {
    await fs.mkdir(directory, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new KskError("input", "SHARES-DIRECTORY", describeFsError(e), { where: directory });
  }
}

/** The share files' outputs (0600, each read back and parsed before it is put in place). */
export function shareOutputs(directory: string, records: readonly ShareRecord[], officers: readonly string[]): { outputs: AtomicOutput[]; uses: ShareUse[] } {
  const outputs: AtomicOutput[] = [];
  const uses: ShareUse[] = [];
  records.forEach((record, i) => {
    const officer = officers[i];
    const file = path.join(directory, `share-${record.index}`);
    outputs.push({
      file,
      bytes: formatShareFile({ record, ...(officer === undefined ? {} : { officer }) }),
      mode: 0o600,
      verify: (written) => void parseShareFile(Buffer.from(written).toString("utf8"), file),
    });
    uses.push({ setIdHex: record.setIdHex, index: record.index, fingerprint: shareFingerprint(record), ...(officer === undefined ? {} : { officer }) });
  });
  return { outputs, uses };
}

export { writeFilesAtomically };
