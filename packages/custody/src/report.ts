/**
 * The text `ksk custody split`, `ksk key backup` and `ksk key restore` print: what witnesses read
 * out and the transcript keeps — set ids, share indexes and fingerprints, officers, key tags, DS,
 * the backup's SHA-256 as hex and PGP words. Never a share, a KEK or a PIN. Pure.
 */
import type { ShareUse } from "@ksk/shares";
import type { BackupReport } from "./backup.js";
import type { RestoreReport } from "./restore.js";
import type { SplitReport } from "./split.js";

function shareLines(shares: readonly ShareUse[], verb: string): string[] {
  return shares.map((s) => `  ${verb} share ${s.index}${s.officer === undefined ? "" : ` (${s.officer})`}  fingerprint ${s.fingerprint}`);
}

export function formatSplitReport(report: SplitReport): string {
  return [
    `split into ${report.count} shares, any ${report.threshold} recombine it: set ${report.setIdHex} in ${report.directory}`,
    ...shareLines(report.shares, "wrote"),
    "",
  ].join("\n");
}

export function formatBackupReport(report: BackupReport): string {
  return [
    `backed up ${report.label} (key tag ${report.keyTag}) from ${report.source}`,
    `  ${report.dsSha256Record}`,
    `  wrapped with CKM_AES_KEY_WRAP_PAD (RFC 5649): ${report.wrappedKeyOctets} octets in ${report.backupFile}`,
    `  backup SHA-256 ${report.backupSha256Hex}`,
    `  backup words   ${report.backupSha256Words.join(" ")}`,
    `  KEK (AES-256) destroyed in the HSM, split ${report.threshold} of ${report.count}: set ${report.kekSetIdHex}`,
    ...shareLines(report.shares, "wrote"),
    "",
  ].join("\n");
}

export function formatRestoreReport(report: RestoreReport): string {
  return [
    `restored ${report.label} (key tag ${report.keyTag}) into ${report.location}, sensitive and not extractable`,
    `  from ${report.source}`,
    `  ${report.dsSha256Record}`,
    `  backup SHA-256 ${report.backupSha256Hex}`,
    `  backup words   ${report.backupSha256Words.join(" ")}`,
    "  DNSKEY, key tag and DS equal the backup's; a test signature verified against it",
    `  KEK recombined from set ${report.shares[0]?.setIdHex ?? "?"}:`,
    ...shareLines(report.shares, "used"),
    "",
  ].join("\n");
}

/** The activation line a command prints when officers' shares gave the PIN or passphrase. */
export function formatActivation(used: readonly ShareUse[]): string {
  return [`activated by ${used.length} officers' shares of set ${used[0]?.setIdHex ?? "?"}:`, ...shareLines(used, "used"), ""].join("\n");
}
