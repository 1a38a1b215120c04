/**
 * `ksk ceremony run ACT-FILE… --ceremony FILE [--out DIR]` — run numbered ceremony acts (see
 * @ksk/ceremony): each step a `ksk` command, witnessed, recorded in DIR/transcript.jsonl.
 */
import path from "node:path";
import { runCeremony } from "@ksk/ceremony";
import { type CeremonyRunArgs, ceremonyRunSettings } from "../ceremony-run.js";
import { type CommandFactory, handle } from "./command.js";

interface RunArgs extends CeremonyRunArgs {
  acts: string[];
  ceremony: string;
  out: string;
}

export const ceremonyCommand: CommandFactory = (ctx) => ({
  command: "ceremony <action>",
  describe: "Run numbered ceremony acts with a witness display, typed Yes and a hash-chained transcript",
  builder: (y) =>
    y
      .command({
        command: "run <acts..>",
        describe: "Run act files in order into an output directory, recording every step in transcript.jsonl",
        builder: (b) =>
          b
            .positional("acts", { type: "string", array: true, describe: "Act files (YAML), run in act-number order" })
            .option("ceremony", { type: "string", demandOption: true, describe: "The ceremony file: operator, witnesses, HSM, variables, quarters" })
            .option("out", { type: "string", default: "lab-out", describe: "Output directory: every artefact and the transcript" })
            .option("operator", { type: "string", describe: "The ceremony operator's name (default: the ceremony file's)" })
            .option("witness", { type: "string", array: true, describe: "A witness's name (repeat for each; default: the ceremony file's)" })
            .option("resume", { type: "boolean", default: false, describe: "Continue a run that stopped, at the act and step the transcript names" })
            .option("yes", { type: "boolean", default: false, describe: "Scripted lab runs: take every witness's Yes as given (recorded as scripted)" })
            .option("verbose", {
              type: "boolean",
              default: false,
              describe: "Show every command line, output and SHA-256 (default: what the room compares, one line per step)",
            }),
        handler: handle(async (argv: RunArgs) => {
          const outcome = await runCeremony({
            outDir: path.resolve(argv.out),
            actFiles: argv.acts,
            ceremonyFile: argv.ceremony,
            ...ceremonyRunSettings(ctx, argv),
          });
          ctx.out(`\nCeremony complete: acts ${outcome.actsRun.join(", ") || "none (all done earlier)"}; transcript ${outcome.transcriptFile}\n`);
        }),
      })
      .demandCommand(1, "Give a ceremony command: run"),
  handler: () => {},
});
