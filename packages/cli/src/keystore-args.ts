/**
 * The keystore arguments every command that opens a keystore takes, built once: `--module` (the
 * PKCS#11 module when neither the URI's module-path nor $KSK_PKCS11_MODULE names one),
 * `--pin-file` (the user PIN, when the URI has no pin-source) and `--passphrase-file` (a software
 * keystore's passphrase), `--shares DIR` (crypto officers' shares of the PIN or passphrase,
 * recombined in memory; at a terminal the officers may type the missing ones), and the
 * `OpenOptions` they make with the CLI's environment and terminal. Secrets never come from argv
 * itself: only the files that hold them. Which officers' shares activated the keystore (set id,
 * index, fingerprint, never a share) is printed on standard error, where a transcript keeps it.
 */
import { KskError } from "@ksk/core";
import { type Keystore, type OpenOptions, openKeystore } from "@ksk/keystore";
import { type ShareUse, describeShareUse } from "@ksk/shares";
import type { Argv } from "yargs";
import type { CliContext } from "./context.js";

export interface KeystoreArgs {
  module?: string | undefined;
  pinFile?: string | undefined;
  passphraseFile?: string | undefined;
  shares?: string | undefined;
}

/** --module, --pin-file and --passphrase-file. */
function keystoreFileOptions<T>(b: Argv<T>) {
  return b
    .option("module", { type: "string", describe: "PKCS#11 module path (default: the URI's module-path, $KSK_PKCS11_MODULE)" })
    .option("pin-file", { type: "string", describe: "PKCS#11: file holding the user PIN (default: the URI's pin-source, $KSK_PIN_FILE, a prompt)" })
    .option("passphrase-file", { type: "string", describe: "Software keystore: file holding the passphrase (default: $KSK_PASSPHRASE_FILE, a prompt)" });
}

/** The file options and --shares. */
function keystoreSecretOptions<T>(b: Argv<T>) {
  return keystoreFileOptions(b).option("shares", {
    type: "string",
    describe: "Directory of officers' shares of the PIN or passphrase (any M of them; typed at a terminal otherwise)",
  });
}

/**
 * Add --module, --pin-file, --passphrase-file and --shares to a command's options. `key backup` and
 * `key restore` use `--shares` for the KEK's shares (as their documentation spells it) and leave
 * it out here (`shares: false`): their token's PIN shares go in the URI, `pin-source=shares:DIR`.
 * The overloads keep the options' types, so a handler sees `shares` exactly when it was added.
 */
export function withKeystoreArguments<T>(b: Argv<T>, options: { readonly shares: false }): ReturnType<typeof keystoreFileOptions<T>>;
export function withKeystoreArguments<T>(b: Argv<T>, options?: { readonly shares?: true }): ReturnType<typeof keystoreSecretOptions<T>>;
export function withKeystoreArguments<T>(b: Argv<T>, options: { readonly shares?: boolean } = {}) {
  return options.shares === false ? keystoreFileOptions(b) : keystoreSecretOptions(b);
}

/** What a command prints when officers' shares activated a keystore. */
export function activationReporter(ctx: Pick<CliContext, "err">): (used: readonly ShareUse[]) => void {
  return (used) => ctx.err(`activated by ${used.length} officers' shares:\n${describeShareUse(used).replace(/^/gm, "  ")}\n`);
}

/** The options to open a keystore with: the CLI's environment, its prompt on a terminal, and the arguments given. */
export function keystoreOpenOptions(
  ctx: Pick<CliContext, "env" | "interactive" | "promptSecret"> & Partial<Pick<CliContext, "err">>,
  argv: KeystoreArgs = {},
): OpenOptions {
  if (argv.shares !== undefined && (argv.pinFile !== undefined || argv.passphraseFile !== undefined)) {
    throw new KskError("usage", "USAGE-SECRET-SOURCE", "give --shares or --pin-file/--passphrase-file, not both");
  }
  return {
    env: ctx.env,
    ...(ctx.interactive ? { promptSecret: ctx.promptSecret } : {}),
    ...(argv.module === undefined ? {} : { modulePath: argv.module }),
    ...(argv.pinFile === undefined ? {} : { pinFile: argv.pinFile }),
    ...(argv.passphraseFile === undefined ? {} : { passphraseFile: argv.passphraseFile }),
    ...(argv.shares === undefined ? {} : { sharesDir: argv.shares }),
    ...(ctx.err === undefined ? {} : { onSharesUsed: activationReporter({ err: ctx.err }) }),
  };
}

/** Open a keystore URI with the CLI's environment, terminal and keystore arguments. */
export function openCliKeystore(ctx: CliContext, uri: string, argv: KeystoreArgs = {}): Promise<Keystore> {
  return openKeystore(uri, keystoreOpenOptions(ctx, argv));
}
