/**
 * Recombining a secret from crypto officers' shares, in memory only: the share files found in a
 * directory (`share-*`, each a regular file of at most SHARE_FILE_MAX_BYTES, readable by its owner
 * only), and, at a terminal, shares typed by the officers as PGP words until M are in hand. The
 * secret is returned to the caller and never written; what may be recorded about the shares (set
 * id, index, fingerprint, officer) is returned beside it.
 *
 * Left out: shares on smart cards (a production HSM's own m-of-n does that, see docs/custody.md).
 */
import { constants, promises as fs } from "node:fs";
import path from "node:path";
import { KskError } from "@ksk/core";
import { type OfferedShare, SHARE_FILE_MAX_BYTES, type SecretKind, type ShareUse, combineShares, parseShareFile, parseTypedShare } from "@ksk/shares";

export interface ShareSources {
  /** The directory holding share files (may hold fewer than M when officers type the rest). */
  readonly directory: string;
  readonly kind: SecretKind;
  /** Ask at the terminal without echo; absent when there is none. */
  readonly promptSecret?: (question: string) => Promise<string>;
}

export interface Recombined {
  readonly secretBytes: Uint8Array;
  readonly used: readonly ShareUse[];
}

async function readShareFile(file: string): Promise<string> {
  const handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new KskError("input", "SHARE-FILE", "not a regular file", { where: file });
    // A share readable by others is a share others may have copied: refuse it, as ssh refuses
    // a private key file with loose permissions.
    if ((stat.mode & 0o077) !== 0) {
      throw new KskError("input", "SHARE-PERMISSIONS", `readable or writable by others (mode ${(stat.mode & 0o777).toString(8)}); chmod 600 it`, {
        where: file,
      });
    }
    if (stat.size > SHARE_FILE_MAX_BYTES) throw new KskError("input", "SHARE-FILE", `${stat.size} bytes is not a share file`, { where: file });
    const buffer = Buffer.alloc(SHARE_FILE_MAX_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString("utf8");
  } finally {
    await handle.close();
  }
}

/** The share files of a directory, sorted by name; a missing directory is bad input. */
export async function readShareDirectory(directory: string): Promise<OfferedShare[]> {
  let names: string[];
  try {
    names = (await fs.readdir(directory)).filter((n) => n.startsWith("share-")).sort();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code;
    throw new KskError("input", "SHARES-DIRECTORY", code === "ENOENT" ? "no such directory" : `cannot read the directory (${code})`, { where: directory });
  }
  const out: OfferedShare[] = [];
  for (const name of names) {
    const file = path.join(directory, name);
    let text: string;
    try {
      text = await readShareFile(file);
    } catch (e) {
      if (e instanceof KskError) throw e;
      throw new KskError("input", "SHARE-FILE", `cannot read it (${(e as NodeJS.ErrnoException)?.code ?? String(e)})`, { where: file });
    }
    const { record, officer } = parseShareFile(text, file);
    out.push({ record, where: file, ...(officer === undefined ? {} : { officer }) });
  }
  return out;
}

/**
 * Recombine a secret: the directory's shares, then typed ones while fewer than M are in hand and
 * a terminal is there. An empty answer stops asking (and the recombination then says how many more
 * are needed).
 */
export async function recombineFromShares(sources: ShareSources): Promise<Recombined> {
  const offered = await readShareDirectory(sources.directory);
  const prompt = sources.promptSecret;
  if (prompt) {
    for (let typed = 1; ; typed++) {
      const first = offered[0]?.record;
      if (first && offered.length >= first.threshold) break;
      const question = first
        ? `Officer share ${offered.length + 1} of ${first.threshold} for set ${first.setIdHex} (PGP words; empty to stop): `
        : "Officer share (PGP words; empty to stop): ";
      const answer = await prompt(question);
      if (answer.trim() === "") break;
      offered.push({ record: parseTypedShare(answer, `typed share ${typed}`), where: `typed share ${typed}` });
    }
  }
  return combineShares(offered, sources.kind, `shares ${sources.directory}`);
}
