/**
 * What a command that runs ceremony acts (`ksk ceremony run`, `ksk lab`) hands @ksk/ceremony from
 * its command line and its process: the people (operator and witnesses, when given), resume and
 * scripted-Yes switches, the toolkit's version, the host, how to run `ksk` again for each step,
 * the environment, the terminal and the clock. One place, so the two commands cannot drift.
 */
import { hostname } from "node:os";
import type { RunCeremonyOptions } from "@ksk/ceremony";
import type { CliContext } from "./context.js";
import { VERSION } from "./version.js";

/** The options both commands take for a ceremony run. */
export interface CeremonyRunArgs {
  operator: string | undefined;
  witness: string[] | undefined;
  resume: boolean;
  yes: boolean;
  verbose: boolean;
}

export type CeremonyRunSettings = Omit<RunCeremonyOptions, "outDir" | "actFiles" | "ceremonyFile">;

export function ceremonyRunSettings(ctx: CliContext, argv: CeremonyRunArgs): CeremonyRunSettings {
  // Each step runs this same program again: node, its loader flags (tsx from a checkout), the entry script.
  const entry = process.argv[1];
  return {
    ...(argv.operator === undefined ? {} : { operator: argv.operator }),
    ...(argv.witness === undefined ? {} : { witnesses: argv.witness }),
    resume: argv.resume,
    assumeYes: argv.yes,
    verbose: argv.verbose,
    toolkitVersion: VERSION,
    host: hostname(),
    kskCommand: [process.execPath, ...process.execArgv, ...(entry ? [entry] : [])],
    env: ctx.env,
    // `control`: a step's prompt relayed with its cursor moves (filtered by @ksk/ceremony), not escaped again.
    terminal: {
      out: ctx.out,
      err: ctx.err,
      prompt: ctx.prompt,
      interactive: ctx.interactive,
      ...(ctx.progress ? { control: ctx.progress } : {}),
      ...(ctx.terminalColumns === undefined ? {} : { columns: ctx.terminalColumns }),
    },
    clock: () => new Date(ctx.now() * 1000),
  };
}
