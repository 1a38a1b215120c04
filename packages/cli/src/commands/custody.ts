/**
 * `ksk custody split | show | compare`. `split`: a token PIN or software keystore passphrase split into crypto officers'
 * share files, any M of N recombining it (`--shares DIR` wherever a command takes `--pin-file`,
 * or `pin-source=shares:DIR` in a pkcs11: URI). The secret comes from a file, never argv; what is
 * printed is the set id and each share's fingerprint, never a share. The KSK backup under shares
 * is `ksk key backup` / `ksk key restore`. `show` prints what a transcript keeps of the shares in a
 * directory (the officers present); `compare` checks that files are byte-identical (exit 1 if not).
 * See docs/custody.md.
 */
import { KskError } from "@ksk/core";
import { compareFiles, formatComparison, formatSharesPresent, formatSplitReport, sharesPresent, splitSecretFile } from "@ksk/custody";
import { EXIT } from "../exit-codes.js";
import { printJson, readInput } from "../io.js";
import { type CommandFactory, command } from "./command.js";

export const custodyCommand: CommandFactory = (ctx, setExitCode) => ({
  command: "custody <command>",
  builder: (y) =>
    y
      .command(
        command({
          command: "split",
          describe: "Split a PIN or passphrase file into N officers' share files, any M of which recombine it",
          builder: (b) =>
            b
              .option("secret-file", { type: "string", demandOption: true, describe: "File holding the PIN or passphrase (one trailing newline is dropped)" })
              .option("threshold", { type: "number", demandOption: true, describe: "M: how many shares recombine the secret (2 or more)" })
              .option("shares", { type: "number", demandOption: true, describe: "N: how many share files to write (M to 255)" })
              .option("out", {
                type: "string",
                demandOption: true,
                describe: "Directory for share-1 … share-N (0600; made 0700 if missing; must hold no share files)",
              })
              .option("officer", { type: "string", array: true, describe: "The officers' names, one per share in order (optional)" })
              .option("json", { type: "boolean", default: false, describe: "Print JSON" }),
          handler: async (argv) => {
            const report = await splitSecretFile({
              secretFile: argv.secretFile,
              threshold: argv.threshold,
              count: argv.shares,
              outDirectory: argv.out,
              officers: argv.officer ?? [],
            });
            if (argv.json) printJson(ctx, report);
            else ctx.out(formatSplitReport(report));
          },
        }),
      )
      .command(
        command({
          command: "show <dir>",
          describe: "The shares in a directory as a transcript keeps them (set, index, officer, fingerprint), checked to be M of one set",
          builder: (b) =>
            b
              .positional("dir", { type: "string", demandOption: true, describe: "Directory of share-* files" })
              .option("json", { type: "boolean", default: false, describe: "Print JSON" }),
          handler: async (argv) => {
            const present = await sharesPresent(argv.dir);
            if (argv.json) printJson(ctx, present);
            else ctx.out(formatSharesPresent(present));
          },
        }),
      )
      .command(
        command({
          command: "compare <files..>",
          describe: "Check that files are byte-identical (the same data signed at two facilities); exit 1 if not",
          builder: (b) => b.positional("files", { type: "string", array: true, demandOption: true, describe: "Two or more files" }),
          handler: async (argv) => {
            if (argv.files.length < 2) throw new KskError("usage", "USAGE-FILES", "give two or more files to compare");
            const files = [];
            for (const file of argv.files) files.push(await readInput(ctx, file));
            const result = compareFiles(files.map((f) => ({ name: f.name, bytes: f.bytes })));
            ctx.out(formatComparison(result));
            if (!result.identical) setExitCode(EXIT.checkFailed);
          },
        }),
      )
      .demandCommand(1, "Give a custody command: split, show or compare"),
  handler: () => {},
});
