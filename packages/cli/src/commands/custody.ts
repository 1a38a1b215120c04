/**
 * `ksk custody split` — a token PIN or software keystore passphrase split into crypto officers'
 * share files, any M of N recombining it (`--shares DIR` wherever a command takes `--pin-file`,
 * or `pin-source=shares:DIR` in a pkcs11: URI). The secret comes from a file, never argv; what is
 * printed is the set id and each share's fingerprint, never a share. The KSK backup under shares
 * is `ksk key backup` / `ksk key restore`. See docs/custody.md.
 */
import { formatSplitReport, splitSecretFile } from "@ksk/custody";
import { printJson } from "../io.js";
import { type CommandFactory, handle } from "./command.js";

interface SplitArgs {
  secretFile: string;
  threshold: number;
  shares: number;
  out: string;
  officer?: string[];
  json: boolean;
}

export const custodyCommand: CommandFactory = (ctx) => ({
  command: "custody <command>",
  builder: (y) =>
    y
      .command({
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
        handler: handle(async (argv: SplitArgs) => {
          const report = await splitSecretFile({
            secretFile: argv.secretFile,
            threshold: argv.threshold,
            count: argv.shares,
            outDirectory: argv.out,
            officers: argv.officer ?? [],
          });
          if (argv.json) printJson(ctx, report);
          else ctx.out(formatSplitReport(report));
        }),
      })
      .demandCommand(1, "Give a custody command: split"),
  handler: () => {},
});
