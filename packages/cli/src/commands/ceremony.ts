/**
 * `ksk ceremony run ACT-FILE… --ceremony FILE [--out DIR]` — run numbered ceremony acts (see
 * @ksk/ceremony): each step a `ksk` command, witnessed, recorded in DIR/transcript.jsonl.
 */
import { hostname } from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { runCeremony } from "@ksk/ceremony";
import { type CommandFactory, handle } from "./command.js";

/** The toolkit's version, from the cli package's manifest (as `ksk --version` prints it). */
const VERSION = (createRequire(import.meta.url)("../../package.json") as { version: string }).version;

interface RunArgs {
  acts: string[];
  ceremony: string;
  out: string;
  operator?: string;
  witness?: string[];
  resume: boolean;
  yes: boolean;
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
            .option("yes", { type: "boolean", default: false, describe: "Scripted lab runs: take every witness's Yes as given (recorded as scripted)" }),
        handler: handle(async (argv: RunArgs) => {
          // Each step runs this same program again: node, its loader flags (tsx from a checkout), the entry script.
          const entry = process.argv[1];
          const outcome = await runCeremony({
            outDir: path.resolve(argv.out),
            actFiles: argv.acts,
            ceremonyFile: argv.ceremony,
            ...(argv.operator === undefined ? {} : { operator: argv.operator }),
            ...(argv.witness === undefined ? {} : { witnesses: argv.witness }),
            resume: argv.resume,
            assumeYes: argv.yes,
            toolkitVersion: VERSION,
            host: hostname(),
            kskCommand: [process.execPath, ...process.execArgv, ...(entry ? [entry] : [])],
            env: ctx.env,
            terminal: { out: ctx.out, err: ctx.err, prompt: ctx.prompt, interactive: ctx.interactive },
            clock: () => new Date(ctx.now() * 1000),
          });
          ctx.out(`\nCeremony complete: acts ${outcome.actsRun.join(", ") || "none (all done earlier)"}; transcript ${outcome.transcriptFile}\n`);
        }),
      })
      .demandCommand(1, "Give a ceremony command: run"),
  handler: () => {},
});
