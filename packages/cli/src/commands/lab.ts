/**
 * `ksk lab [--out DIR] [--resume] [--operator NAME] [--witness NAME…] [--yes]` — the lab ceremony
 * (acts 01-06 for the next quarter, the report, README.txt), and `ksk lab --rollover [--calendar
 * 2024-2027|compressed]` — the KSK rollover rehearsal on the real calendar or, live through real
 * resolvers, on a compressed clock, and `ksk lab --lost-hsm` — the rehearsal of losing facility 1's
 * HSM (docs/custody.md). LAB ONLY. The orchestration is @ksk/lab's (lab.ts, rollover-live.ts,
 * lab-lost-hsm.ts); this parses, calls one of its functions and prints what it returns.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { KskError } from "@ksk/core";
import { type LabRunOutcome, labKindOf, parseRolloverCalendar, runLab, runLostHsmRehearsal, runRolloverCalendar, runRolloverCompressed } from "@ksk/lab";
import { ceremonyRunSettings } from "../ceremony-run.js";
import { EXIT } from "../exit-codes.js";
import { VERSION } from "../version.js";
import { type CommandFactory, command } from "./command.js";

/** The checkout `ksk` runs from: the nearest directory above this module holding ceremony-scripts/acts. */
function toolkitRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, "ceremony-scripts", "acts"))) return dir;
    const up = path.dirname(dir);
    if (up === dir)
      throw new KskError("input", "LAB-ACTS-MISSING", "ceremony-scripts/acts is not found above the ksk program: run ksk lab from the toolkit's checkout");
    dir = up;
  }
}

export const labCommand: CommandFactory = (ctx, setExitCode) =>
  command({
    command: "lab",
    builder: (y) =>
      y
        .usage(
          "ksk lab [--out DIR] [--resume] [--operator NAME] [--witness NAME…] [--yes] [--verbose]\nksk lab --rollover [--calendar 2024-2027|compressed] [--out DIR]\nksk lab --lost-hsm [--out DIR] [--yes] [--verbose]\n\nLAB ONLY: the lab ceremony, the KSK rollover rehearsal, or the lost-HSM rehearsal",
        )
        .option("out", {
          type: "string",
          describe: "Output directory (default lab-out; lab-rollover-out with --rollover; lab-rollover-compressed-out with --calendar compressed)",
        })
        .option("rollover", { type: "boolean", default: false, describe: "The KSK rollover rehearsal instead of the lab ceremony" })
        .option("lost-hsm", {
          type: "boolean",
          default: false,
          describe:
            "The lost-HSM rehearsal (default --out lab-lost-hsm-out): KSKs backed up to facility 2, facility 1's token destroyed, the next quarter signed at facility 2",
        })
        .option("calendar", {
          type: "string",
          describe:
            "With --rollover: 2024-2027 (default; the real dates, keys-example/lab-rollover.yaml) or compressed (live through knotd and unbound on loopback)",
        })
        .option("resume", { type: "boolean", default: false, describe: "Continue a run that stopped, at the act and step the transcript names" })
        .option("operator", { type: "string", describe: "The ceremony operator's name (default: the ceremony file's)" })
        .option("witness", { type: "string", array: true, describe: "A witness's name (repeat for each; default: the ceremony file's)" })
        .option("yes", { type: "boolean", default: false, describe: "Scripted lab runs: take every witness's Yes as given (recorded as scripted)" })
        .option("verbose", {
          type: "boolean",
          default: false,
          describe: "Show every command line, output and SHA-256 (default: what the room compares, one line per step)",
        })
        .option("ceremony", {
          type: "string",
          describe: "Another ceremony file (default keys-example/lab-ceremony.yaml, or lab-rollover.yaml with --rollover)",
        }),
    handler: async (argv) => {
      if (argv.lostHsm && (argv.rollover || argv.calendar !== undefined || argv.ceremony !== undefined)) {
        throw new KskError("usage", "LAB-LOST-HSM", "--lost-hsm runs its own ceremony files: no --rollover, --calendar or --ceremony");
      }
      const kind = argv.lostHsm ? "lost-hsm" : labKindOf(argv.rollover, parseRolloverCalendar(argv.calendar));
      const out =
        argv.out ??
        (kind === "lab"
          ? "lab-out"
          : kind === "rollover-2024-2027"
            ? "lab-rollover-out"
            : kind === "lost-hsm"
              ? "lab-lost-hsm-out"
              : "lab-rollover-compressed-out");
      const root = toolkitRoot();
      if (kind === "rollover-compressed") {
        if (argv.resume || argv.ceremony !== undefined) {
          throw new KskError("usage", "LAB-CALENDAR", "--calendar compressed runs in one go from its own settings: no --resume or --ceremony");
        }
        const outcome = await runRolloverCompressed({
          outDir: out,
          examplesDir: path.join(root, "keys-example"),
          toolkitVersion: VERSION,
          env: ctx.env,
          log: ctx.out,
          now: ctx.now,
        });
        ctx.out(`\n${outcome.summary.join("\n")}\nReport: ${outcome.reportFile}\n${outcome.verdict.line}\n`);
        if (!outcome.verdict.ok) setExitCode(EXIT.checkFailed);
        return;
      }
      const options = {
        ...ceremonyRunSettings(ctx, argv),
        outDir: out,
        actsDir: path.join(root, "ceremony-scripts", "acts"),
        examplesDir: path.join(root, "keys-example"),
        ...(argv.ceremony === undefined ? {} : { ceremonyFile: argv.ceremony }),
        nowEpochSeconds: ctx.now,
      };
      const outcome: LabRunOutcome =
        kind === "lab" ? await runLab(options) : kind === "lost-hsm" ? await runLostHsmRehearsal(options) : await runRolloverCalendar(options);
      if (outcome.report) {
        ctx.out(`Report: ${outcome.report.file}\n${outcome.report.verdict.line}\n`);
        if (!outcome.report.verdict.ok) setExitCode(EXIT.checkFailed);
      }
      if (outcome.readme) ctx.out(`Outputs in ${out}/ (README.txt lists them; console.log keeps what was printed)\n`);
      if (outcome.failure !== undefined) throw outcome.failure;
    },
  });
