/**
 * The keystore arguments every command that opens a keystore takes, built once: `--module` (the
 * PKCS#11 module when neither the URI's module-path nor $KSK_PKCS11_MODULE names one),
 * `--pin-file` (the user PIN, when the URI has no pin-source) and `--passphrase-file` (a software
 * keystore's passphrase), and the `OpenOptions` they make with the CLI's environment and terminal.
 * Secrets never come from argv itself: only the files that hold them.
 */
import { type Keystore, type OpenOptions, openKeystore } from "@ksk/keystore";
import type { Argv } from "yargs";
import type { CliContext } from "./context.js";

export interface KeystoreArgs {
  module?: string;
  pinFile?: string;
  passphraseFile?: string;
}

/** Add --module, --pin-file and --passphrase-file to a command's options. */
export function withKeystoreArguments<T>(b: Argv<T>) {
  return b
    .option("module", { type: "string", describe: "PKCS#11 module path (default: the URI's module-path, $KSK_PKCS11_MODULE)" })
    .option("pin-file", { type: "string", describe: "PKCS#11: file holding the user PIN (default: the URI's pin-source, $KSK_PIN_FILE, a prompt)" })
    .option("passphrase-file", { type: "string", describe: "Software keystore: file holding the passphrase (default: $KSK_PASSPHRASE_FILE, a prompt)" });
}

/** The options to open a keystore with: the CLI's environment, its prompt on a terminal, and the arguments given. */
export function keystoreOpenOptions(ctx: Pick<CliContext, "env" | "interactive" | "promptSecret">, argv: KeystoreArgs = {}): OpenOptions {
  return {
    env: ctx.env,
    ...(ctx.interactive ? { promptSecret: ctx.promptSecret } : {}),
    ...(argv.module === undefined ? {} : { modulePath: argv.module }),
    ...(argv.pinFile === undefined ? {} : { pinFile: argv.pinFile }),
    ...(argv.passphraseFile === undefined ? {} : { passphraseFile: argv.passphraseFile }),
  };
}

/** Open a keystore URI with the CLI's environment, terminal and keystore arguments. */
export function openCliKeystore(ctx: CliContext, uri: string, argv: KeystoreArgs = {}): Promise<Keystore> {
  return openKeystore(uri, keystoreOpenOptions(ctx, argv));
}
