/**
 * `ksk transcript verify FILE [--dir D]` — check a ceremony transcript: the hash chain from the
 * first entry to the last, then every artefact it lists against the file in D (default: the
 * transcript's directory), and with `--head` the last entry's hash as written down at the ceremony.
 * Exit 0 when all hold, 1 naming the first entry or file that does not, 3 when the transcript
 * cannot be read.
 */
import path from "node:path";
import { artefactReader, headWitnessLine, verifyTranscript } from "@ksk/ceremony";
import { EXIT } from "../exit-codes.js";
import { printJson, readInput } from "../io.js";
import { type CommandFactory, command } from "./command.js";

export const transcriptCommand: CommandFactory = (ctx, setExitCode) => ({
  command: "transcript <action>",
  describe: "Verify a ceremony transcript's hash chain and artefacts",
  builder: (y) =>
    y
      .command(
        command({
          command: "verify <file>",
          describe: "Check the chain of entries and every artefact's SHA-256; name the first that does not match",
          builder: (b) =>
            b
              .positional("file", { type: "string", demandOption: true, describe: "transcript.jsonl" })
              .option("dir", { type: "string", describe: "Where the artefacts are (default: the transcript's directory)" })
              .option("head", {
                type: "string",
                describe: "The last entry's SHA-256 (hex) as written down at the ceremony: also catches a changed last entry or a cut-off end",
              })
              .option("json", { type: "boolean", default: false, describe: "Print JSON" }),
          handler: async (argv) => {
            const input = await readInput(ctx, argv.file);
            const dir = argv.dir ?? path.dirname(argv.file);
            // Artefacts are read as regular files inside DIR only: a FIFO or a path out of DIR is named, not opened.
            const report = verifyTranscript(input.bytes, artefactReader(dir), argv.head === undefined ? {} : { expectedHeadSha256Hex: argv.head });
            if (!report.ok) setExitCode(EXIT.checkFailed);
            if (argv.json) {
              printJson(ctx, { file: input.name, ...report });
              return;
            }
            for (const p of report.problems) ctx.out(`FAIL ${input.name}: ${p.subject}: ${p.detail}\n`);
            if (report.ok) {
              ctx.out(
                `Transcript verified: ${input.name}: ${report.entryCount} entries chained, ${report.artefactCount} artefacts match in ${dir}\n` +
                  `Last entry SHA-256 ${report.headSha256Hex}\n  ${headWitnessLine(report.headSha256Hex)}\n` +
                  (report.incomplete ? "Note: the last run did not complete (it stopped or is still running)\n" : ""),
              );
            }
          },
        }),
      )
      .demandCommand(1, "Give a transcript command: verify"),
  handler: () => {},
});
