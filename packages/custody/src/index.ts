/**
 * @ksk/custody — key custody as ceremonies practise it: officers' share files of a PIN or
 * passphrase (`ksk custody split`), the KSK backup wrapped under a KEK split among officers
 * (`ksk key backup`) and its restore into another facility's HSM (`ksk key restore`). The share
 * arithmetic and formats are @ksk/shares'; wrapping and unwrapping are @ksk/keystore's. See
 * docs/custody.md for the custody model.
 */
export { BACKUP_FORMAT, BACKUP_MAX_BYTES, type KeyBackup, RESTORE_ATTRIBUTES, formatBackup, parseBackup } from "./backup-file.js";
export { type BackupReport, type BackupRequest, backupKey } from "./backup.js";
export { type ComparedFile, type SharesPresent, compareFiles, formatComparison, formatSharesPresent, sharesPresent } from "./inspect.js";
export { formatActivation, formatBackupReport, formatRestoreReport, formatSplitReport } from "./report.js";
export { type RestoreReport, type RestoreRequest, restoreKey } from "./restore.js";
export { type SplitReport, type SplitRequest, splitSecretFile } from "./split.js";
