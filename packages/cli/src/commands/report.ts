/**
 * `ksk report DIR [-o FILE] [--force]` — the ceremony's HTML report (one self-contained page, DIR/report.html
 * by default) and its one-line verdict. Exit 0 when the verdict is PASS, 1 when it is not; an
 * existing report is replaced only with --force (and only a regular file), as every output.
 */
import { writeCeremonyReport } from "@ksk/lab";
import { EXIT } from "../exit-codes.js";
import { type CommandFactory, command } from "./command.js";

export const reportCommand: CommandFactory = (ctx, setExitCode) =>
  command({
    command: "report <dir>",
    describe: "Write a ceremony's HTML report: acts, hashes, checks, bundle tables, the key timeline",
    builder: (y) =>
      y
        .positional("dir", { type: "string", demandOption: true, describe: "The ceremony's output directory (with transcript.jsonl)" })
        .option("output", { alias: "o", type: "string", describe: "Where to write the page (default DIR/report.html)" })
        .option("force", { type: "boolean", default: false, describe: "Replace an existing report (a regular file only)" }),
    handler: async (argv) => {
      const { file, verdict } = await writeCeremonyReport(argv.dir, {
        ...(argv.output === undefined ? {} : { output: argv.output }),
        nowEpochSeconds: ctx.now(),
        force: argv.force,
      });
      if (!verdict.ok) setExitCode(EXIT.checkFailed);
      ctx.out(`Report: ${file}\n${verdict.line}\n`);
    },
  });
