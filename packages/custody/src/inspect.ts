/**
 * `ksk custody show` and `ksk custody compare`: what a ceremony act records about custody.
 * - show: the shares in a directory as a transcript may keep them (set id, index, officer,
 *   fingerprint), checked to be at least M of one set — the officers present for an activation or
 *   a restore — without recombining anything;
 * - compare: files that must be byte-identical (the same data signed at two facilities), each with
 *   its SHA-256 as hex and PGP words; a difference is a failed check (exit 1).
 */
import { KskError, bytesEqual, pgpWords, sha256 } from "@ksk/core";
import { readShareDirectory } from "@ksk/keystore";
import { type ShareUse, checkShareSet, describeShareUse } from "@ksk/shares";

export interface SharesPresent {
  readonly directory: string;
  readonly kind: string;
  readonly threshold: number;
  readonly count: number;
  readonly shares: readonly ShareUse[];
}

export async function sharesPresent(directory: string): Promise<SharesPresent> {
  const offered = await readShareDirectory(directory);
  const first = offered[0]?.record;
  if (!first) throw new KskError("input", "SHARES-TOO-FEW", "no share files (share-*) in the directory", { where: directory });
  const shares = checkShareSet(offered, first.kind, directory);
  return { directory, kind: first.kind, threshold: first.threshold, count: first.count, shares };
}

export function formatSharesPresent(present: SharesPresent): string {
  const what = present.kind === "kek" ? "a backup's KEK" : "a PIN or passphrase";
  return `${present.shares.length} of ${present.count} shares of ${what} (any ${present.threshold} recombine it) in ${present.directory}:\n${describeShareUse(present.shares).replace(/^/gm, "  ")}\n`;
}

export interface ComparedFile {
  readonly name: string;
  readonly sha256Hex: string;
  readonly sha256Words: readonly string[];
}

/** Each file's digest, and whether all are byte-identical. */
export function compareFiles(files: readonly { readonly name: string; readonly bytes: Uint8Array }[]): { files: ComparedFile[]; identical: boolean } {
  const first = files[0];
  return {
    files: files.map((f) => {
      const digest = sha256(f.bytes);
      return { name: f.name, sha256Hex: Buffer.from(digest).toString("hex"), sha256Words: pgpWords(digest) };
    }),
    identical: first !== undefined && files.every((f) => bytesEqual(f.bytes, first.bytes)),
  };
}

export function formatComparison(result: { files: readonly ComparedFile[]; identical: boolean }): string {
  const lines = result.files.flatMap((f) => [`${f.name}`, `  SHA-256 ${f.sha256Hex}`, `  words   ${f.sha256Words.join(" ")}`]);
  lines.push(
    result.identical ? `IDENTICAL: the ${result.files.length} files are byte for byte the same` : "DIFFERENT: the files are not byte for byte the same",
  );
  return `${lines.join("\n")}\n`;
}
