/**
 * `ksk key backup` and `ksk key restore` — the KSK wrapped under a KEK split among crypto officers,
 * and restored into another facility's HSM (@ksk/custody; docs/custody.md). Subcommands of
 * `ksk key`, kept in their own module. Neither prints a share, the KEK or a PIN: the backup's
 * SHA-256 and words, key tag, DS, set id and share fingerprints are what witnesses read.
 */
import { KskError } from "@ksk/core";
import { BACKUP_MAX_BYTES, backupKey, formatBackupReport, formatRestoreReport, restoreKey } from "@ksk/custody";
import { openKeystore, parseKeystoreUri } from "@ksk/keystore";
import type { CliContext } from "../context.js";
import { type KeystoreArgs, keystoreOpenOptions, withKeystoreArguments } from "../keystore-args.js";
import { printJson, readInput } from "../io.js";
import { command } from "./command.js";

/** The keystore arguments without `--shares`, which here names the KEK's shares. */
function keystoreArgsOf(argv: Omit<KeystoreArgs, "shares">): KeystoreArgs {
  return {
    ...(argv.module === undefined ? {} : { module: argv.module }),
    ...(argv.pinFile === undefined ? {} : { pinFile: argv.pinFile }),
    ...(argv.passphraseFile === undefined ? {} : { passphraseFile: argv.passphraseFile }),
  };
}

function labelOf(argv: { keystore: string; label: string | undefined }): string {
  if (argv.label !== undefined) return argv.label;
  const uri = parseKeystoreUri(argv.keystore);
  if (uri.scheme === "pkcs11" && uri.objectLabel !== undefined) return uri.objectLabel;
  throw new KskError("usage", "USAGE-LABEL", "give the key with --label L (or object=L in a pkcs11: URI)");
}

export function keyBackupCommand(ctx: CliContext) {
  return command({
    command: "backup",
    describe: "Wrap a KSK under a fresh KEK (CKM_AES_KEY_WRAP_PAD), split the KEK among officers, destroy it",
    builder: (b) =>
      withKeystoreArguments(
        b
          .option("keystore", { type: "string", demandOption: true, describe: "pkcs11:token=LABEL?module-path=… of the facility's HSM" })
          .option("label", { type: "string", describe: "Key label (default: the URI's object=)" })
          .option("shares-out", { type: "string", demandOption: true, describe: "Directory for the KEK's share files (must hold none)" })
          .option("threshold", { type: "number", demandOption: true, describe: "M: shares needed to restore" })
          .option("shares", { type: "number", demandOption: true, describe: "N: KEK shares to write (M to 255)" })
          .option("officer", { type: "string", array: true, describe: "The officers' names, one per share in order (optional)" })
          .option("output", { alias: "o", type: "string", demandOption: true, describe: "The backup file to write (never replaced)" })
          .option("json", { type: "boolean", default: false, describe: "Print JSON" }),
        { shares: false },
      ),
    handler: async (argv) => {
      const label = labelOf(argv);
      const keystore = await openKeystore(argv.keystore, keystoreOpenOptions(ctx, keystoreArgsOf(argv)));
      try {
        const report = await backupKey({
          keystore,
          label,
          outputFile: argv.output,
          sharesOutDirectory: argv.sharesOut,
          threshold: argv.threshold,
          count: argv.shares,
          officers: argv.officer ?? [],
        });
        if (argv.json) printJson(ctx, report);
        else ctx.out(formatBackupReport(report));
      } finally {
        await keystore.close();
      }
    },
  });
}

export function keyRestoreCommand(ctx: CliContext) {
  return command({
    command: "restore <backup>",
    describe: "Restore a KSK backup into this facility's HSM from M officers' KEK shares (--shares DIR)",
    builder: (b) =>
      withKeystoreArguments(
        b
          .positional("backup", { type: "string", demandOption: true, describe: "The backup file `ksk key backup` wrote" })
          .option("keystore", { type: "string", demandOption: true, describe: "pkcs11:token=LABEL?module-path=… of this facility's HSM" })
          .option("shares", { type: "string", demandOption: true, describe: "Directory of the KEK's officer shares (any M; typed at a terminal otherwise)" })
          .option("json", { type: "boolean", default: false, describe: "Print JSON" }),
        { shares: false },
      ),
    handler: async (argv) => {
      const input = await readInput(ctx, argv.backup, BACKUP_MAX_BYTES);
      const keystore = await openKeystore(argv.keystore, keystoreOpenOptions(ctx, keystoreArgsOf(argv)));
      try {
        const report = await restoreKey({
          keystore,
          backupBytes: input.bytes,
          backupName: input.name,
          sharesDirectory: argv.shares,
          ...(ctx.interactive ? { promptSecret: ctx.promptSecret } : {}),
        });
        if (argv.json) printJson(ctx, report);
        else ctx.out(formatRestoreReport(report));
      } finally {
        await keystore.close();
      }
    },
  });
}
