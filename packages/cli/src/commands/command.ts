/**
 * The shape of a subcommand: a factory that gets the context and a way to set the exit code,
 * and returns a yargs command module. A command throws KskError for every failure; it sets a
 * non-zero exit code itself only when it has printed a report whose verdict is "failed".
 */
import type { CommandModule } from "yargs";
import type { CliContext } from "../context.js";

export type SetExitCode = (code: number) => void;

// biome-ignore lint/suspicious/noExplicitAny: yargs command modules are typed per command.
export type CommandFactory = (ctx: CliContext, setExitCode: SetExitCode) => CommandModule<any, any>;

/**
 * yargs types handler arguments only loosely; each command declares the shape its builder
 * produces and wraps its handler with this.
 */
export function handle<A>(fn: (argv: A) => Promise<void> | void): (argv: unknown) => Promise<void> {
  return async (argv) => fn(argv as A);
}
