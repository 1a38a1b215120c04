/**
 * `ksk ceremony run ACT-FILE… --ceremony FILE [--out DIR]` — run numbered ceremony acts (see
 * @ksk/ceremony): each step a `ksk` command, witnessed, recorded in DIR/transcript.jsonl.
 * `ksk ceremony script ACT-FILE… --ceremony FILE -o script.html` — the printed script of the acts.
 */
import path from "node:path";
import { ceremonyScriptHtml, runCeremony } from "@ksk/ceremony";
import { ceremonyRunSettings } from "../ceremony-run.js";
import { writeOutput } from "../io.js";
import { type CommandFactory, command } from "./command.js";

export const ceremonyCommand: CommandFactory = (ctx) => ({
  command: "ceremony <action>",
  describe: "Run numbered ceremony acts with a witness display, typed Yes and a hash-chained transcript",
  builder: (y) =>
    y
      .command(
        command({
          command: "run <acts..>",
          describe: "Run act files in order into an output directory, recording every step in transcript.jsonl",
          builder: (b) =>
            b
              .positional("acts", { type: "string", array: true, demandOption: true, describe: "Act files (YAML), run in act-number order" })
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
          handler: async (argv) => {
            const outcome = await runCeremony({
              outDir: path.resolve(argv.out),
              actFiles: argv.acts,
              ceremonyFile: argv.ceremony,
              ...ceremonyRunSettings(ctx, argv),
            });
            ctx.out(`\nCeremony complete: acts ${outcome.actsRun.join(", ") || "none (all done earlier)"}; transcript ${outcome.transcriptFile}\n`);
          },
        }),
      )
      .command(
        command({
          command: "script <acts..>",
          describe: "Write the printed script of the acts: numbered steps, roles, commands, blanks for hashes and words, sign-off",
          builder: (b) =>
            b
              .positional("acts", { type: "string", array: true, demandOption: true, describe: "Act files (YAML), in act-number order" })
              .option("ceremony", { type: "string", demandOption: true, describe: "The ceremony file: operator, witnesses, HSM, variables, quarters" })
              .option("output", { alias: "o", type: "string", demandOption: true, describe: "The HTML script to write (print it from a browser)" })
              .option("force", { type: "boolean", default: false, describe: "Replace an existing output file" }),
          handler: async (argv) => {
            const html = await ceremonyScriptHtml({ actFiles: argv.acts, ceremonyFile: argv.ceremony, nowEpochSeconds: ctx.now() });
            await writeOutput(argv.output, html, { force: argv.force });
            ctx.out(`Ceremony script written: ${argv.output}\n`);
          },
        }),
      )
      .demandCommand(1, "Give a ceremony command: run or script"),
  handler: () => {},
});
