/**
 * The shape of a subcommand: a factory that gets the context and a way to set the exit code,
 * and returns a yargs command module. A command throws KskError for every failure; it sets a
 * non-zero exit code itself only when it has printed a report whose verdict is "failed".
 *
 * A command's handler takes the arguments its builder declares, as yargs infers them from the
 * builder's chained `.positional`/`.option` calls, never a shape written by hand and cast to: an
 * option renamed, removed or retyped in a builder is a type error wherever its handler reads it,
 * or hands it to a function whose parameter type names it. `command()` below types the pair.
 */
import type { ArgumentsCamelCase, CommandModule } from "yargs";
import type { CliContext } from "../context.js";

export type SetExitCode = (code: number) => void;

/**
 * What a command group's module is to the registry in ./index.ts and main.ts, which holds every
 * group in one list: a builder from `Argv<object>` and a handler that declares no options (a
 * group's own handler reads none; one read there is `unknown`). A group's subcommands, and a command
 * whose own handler takes options, are each written with `command()`. yargs' own
 * `y.command({ builder, handler })` infers the pair too, but its handler may also read names the
 * builder does not declare, as `unknown`: enough only for a handler that hands its arguments
 * whole to a function whose parameter type names each one (as zone.ts's do).
 */
export type CommandFactory = (ctx: CliContext, setExitCode: SetExitCode) => CommandModule<object, object>;

/**
 * The arguments a handler gets: yargs' `ArgumentsCamelCase<U>` (each option under its name and its
 * camel-cased name, `_` and `$0`) without its `[name: string]: unknown` index signature, which
 * would let a handler read an option its builder does not declare (`if (argv.json)` compiles
 * whether or not there is a --json). yargs passes `ArgumentsCamelCase<U>`, which is assignable to
 * this: a handler taking it is a handler yargs can call.
 */
export type DeclaredArguments<U> = { [K in keyof U as K | CamelCasedKey<K>]: U[K] } & Pick<ArgumentsCamelCase, "_" | "$0">;

/** `pin-file` also as `pinFile`, the second name yargs gives an option (its camel-case expansion). */
type CamelCasedKey<K> = K extends string ? CamelCased<K> : K;
type CamelCased<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCased<Tail>>}` : S;

/** A command module whose handler takes exactly what its builder declares. */
export interface TypedCommandModule<U> extends Omit<CommandModule<object, U>, "handler"> {
  handler: (argv: DeclaredArguments<U>) => void | Promise<void>;
}

/**
 * A command module whose handler's arguments are inferred from its builder: `U` is what the
 * builder's chained `.positional`/`.option` calls return, and the handler is checked against
 * `DeclaredArguments<U>` here, where the pair is written (`command({ command, builder, handler })`,
 * for a group's subcommands `y.command(command({ … }))`). The module is returned as it is, typed
 * as the registry and yargs' `.command()` hold modules of every shape. That widening is done by the
 * implementation signature, not a cast: TypeScript cannot relate `ArgumentsCamelCase<any>` to
 * `DeclaredArguments<U>` for a `U` still unknown, while for each concrete `U` what yargs passes is
 * assignable to it (packages/cli/test/command-types.test.ts checks that).
 */
export function command<U>(module: TypedCommandModule<U>): CommandModule<object, object>;
// biome-ignore lint/suspicious/noExplicitAny: the widened type the registry and yargs' .command() hold.
export function command(module: CommandModule<object, any>): CommandModule<object, object> {
  return module;
}
