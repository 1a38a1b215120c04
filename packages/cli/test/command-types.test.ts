/**
 * A command's handler takes the arguments its builder declares, as yargs infers them from the
 * chained `.positional`/`.option` calls — the way every module in src/commands is written, with
 * `command()` (src/commands/command.ts). Nothing is cast to a shape written by hand, so an option
 * renamed, removed or retyped in a builder is a type error wherever a handler reads it.
 *
 * Most of what this file proves is proved by `pnpm typecheck`, which compiles it: each
 * `expectTypeOf(…).toEqualTypeOf<T>()` fails to compile when the type is not exactly T (`any`
 * included), and each `@ts-expect-error` fails to compile when the error it marks is gone — as it
 * would be if handler arguments were `any` again. The tests run the same modules through yargs,
 * so the handlers whose types are checked are the ones that receive the parsed arguments.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import yargs from "yargs";
import type { ArgumentsCamelCase, CommandModule } from "yargs";
import { type CommandFactory, type DeclaredArguments, command } from "../src/commands/command.js";
import { type KeystoreArgs, withKeystoreArguments } from "../src/keystore-args.js";

/** Run one command module as `ksk` would (strict: an undeclared option is a usage error). */
async function run(module: CommandModule<object, object>, args: string[]): Promise<void> {
  await yargs(args).command(module).strict().exitProcess(false).fail(false).parseAsync();
}

/** What a handler takes from a module written with `command()` (and, later, from `zone verify`). */
interface VerifyArgs {
  zone: string;
  at: string | undefined;
  json: boolean;
}

function verifyArgs(argv: VerifyArgs): VerifyArgs {
  return { zone: argv.zone, at: argv.at, json: argv.json };
}

describe("a command's handler takes the types its builder declares", () => {
  it("what yargs passes a handler is what command() lets it read", () => {
    // For each concrete set of options the widening in command() is sound: yargs' argument type
    // is assignable to the narrower DeclaredArguments (the same names, without the index signature).
    type Options = { file: string } & { "pin-file": string | undefined } & { zsk: string[] | undefined };
    expectTypeOf<ArgumentsCamelCase<Options>>().toExtend<DeclaredArguments<Options>>();
    // Each declared name, the camel-cased one too, `_` and `$0`, and nothing else.
    expectTypeOf<keyof DeclaredArguments<Options>>().toEqualTypeOf<"file" | "pin-file" | "pinFile" | "zsk" | "_" | "$0">();
    expectTypeOf<DeclaredArguments<Options>["pinFile"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<DeclaredArguments<Options>["file"]>().toEqualTypeOf<string>();
    // An undeclared name is not there at all (yargs' own type has it as `unknown`).
    expectTypeOf<DeclaredArguments<Options>>().not.toHaveProperty("json");
    expectTypeOf<ArgumentsCamelCase<Options>>().toHaveProperty("json");
    expect(Object.keys(command({ command: "x", handler: () => undefined }))).toEqual(["command", "handler"]);
  });

  it("positionals, options with and without defaults, choices, camel-cased names", async () => {
    const seen: unknown[] = [];
    const module = command({
      command: "keytag <file>",
      builder: (y) =>
        y
          .positional("file", { type: "string", demandOption: true })
          .option("json", { type: "boolean", default: false })
          .option("at", { type: "string" })
          .option("format", { choices: ["zone", "json"] as const, default: "zone" as const })
          .option("pin-file", { type: "string" })
          .option("zsk", { type: "string", array: true }),
      handler: (argv) => {
        expectTypeOf(argv.file).toEqualTypeOf<string>();
        expectTypeOf(argv.json).toEqualTypeOf<boolean>();
        expectTypeOf(argv.at).toEqualTypeOf<string | undefined>();
        expectTypeOf(argv.format).toEqualTypeOf<"zone" | "json">();
        expectTypeOf(argv.pinFile).toEqualTypeOf<string | undefined>();
        expectTypeOf(argv.zsk).toEqualTypeOf<string[] | undefined>();
        // @ts-expect-error -- the builder declares no --output.
        const output: string = argv.output;
        // @ts-expect-error -- nor --force: not even a truthiness test of it compiles.
        const force = argv.force ? "forced" : "not forced";
        seen.push(argv.file, argv.json, argv.at, argv.format, argv.pinFile, argv.zsk, output, force);
      },
    });
    await run(module, ["keytag", "k.zone", "--format", "json", "--pin-file", "/pin", "--zsk", "a", "b"]);
    expect(seen).toEqual(["k.zone", false, undefined, "json", "/pin", ["a", "b"], undefined, "not forced"]);
  });

  it("a handler passing its arguments to a function typed by hand is checked against that type", async () => {
    let got: VerifyArgs | undefined;
    const module = command({
      command: "verify <zone>",
      builder: (y) =>
        y.positional("zone", { type: "string", demandOption: true }).option("at", { type: "string" }).option("json", { type: "boolean", default: false }),
      handler: (argv) => {
        got = verifyArgs(argv);
      },
    });
    await run(module, ["verify", "root.zone", "--at", "@0"]);
    expect(got).toEqual({ zone: "root.zone", at: "@0", json: false });

    // The same handler under a builder that lost --at: VerifyArgs requires the key, so it is refused.
    const lostAt = command({
      command: "verify <zone>",
      builder: (y) => y.positional("zone", { type: "string", demandOption: true }).option("json", { type: "boolean", default: false }),
      handler: (argv) => {
        // @ts-expect-error -- the builder no longer declares --at.
        got = verifyArgs(argv);
      },
    });
    await run(lostAt, ["verify", "other.zone"]);
    // It ran with no --at at all: the key is missing, which is what the type error said.
    expect(got).toEqual({ zone: "other.zone", at: undefined, json: false });

    // And one whose option changed type: --at as a number is not the string VerifyArgs takes.
    command({
      command: "verify <zone>",
      builder: (y) =>
        y.positional("zone", { type: "string", demandOption: true }).option("at", { type: "number" }).option("json", { type: "boolean", default: false }),
      // @ts-expect-error -- --at is a number here.
      handler: (argv) => void verifyArgs(argv),
    });
  });

  it("a group's subcommands are typed from their own builders; the group's handler declares nothing", async () => {
    const seen: unknown[] = [];
    // What a CommandFactory returns, as zone.ts, key.ts and the other groups write it.
    const group: ReturnType<CommandFactory> = {
      command: "zone <action>",
      builder: (y) =>
        y
          .command(
            command({
              command: "digest <zone>",
              builder: (v) => v.positional("zone", { type: "string", demandOption: true }).option("json", { type: "boolean", default: false }),
              handler: (argv) => {
                expectTypeOf(argv.zone).toEqualTypeOf<string>();
                expectTypeOf(argv.json).toEqualTypeOf<boolean>();
                // @ts-expect-error -- digest declares no --anchor.
                const anchor: string = argv.anchor;
                seen.push(argv.zone, argv.json, anchor);
              },
            }),
          )
          .demandCommand(1),
      handler: (argv) => {
        // @ts-expect-error -- the group's own handler declares no options: a command that takes some uses command().
        const zone: string = argv.zone;
        seen.push(zone);
      },
    };
    await run(group, ["zone", "digest", "root.zone", "--json"]);
    expect(seen).toEqual(["root.zone", true, undefined]);
  });

  it("the keystore arguments are typed as added: --shares only when it is", async () => {
    const seen: unknown[] = [];
    const withShares = command({
      command: "list",
      builder: (y) => withKeystoreArguments(y.option("keystore", { type: "string", demandOption: true })),
      handler: (argv) => {
        expectTypeOf(argv.shares).toEqualTypeOf<string | undefined>();
        expectTypeOf(argv.passphraseFile).toEqualTypeOf<string | undefined>();
        expectTypeOf(argv).toExtend<KeystoreArgs & { keystore: string }>();
        seen.push(argv.keystore, argv.shares);
      },
    });
    await run(withShares, ["list", "--keystore", "file:/k", "--shares", "/s"]);
    // `key backup`: --shares is its own (the KEK's share count), not the keystore's.
    const backup = command({
      command: "backup",
      builder: (y) => withKeystoreArguments(y.option("shares", { type: "number", demandOption: true }), { shares: false }),
      handler: (argv) => {
        expectTypeOf(argv.shares).toEqualTypeOf<number>();
        expectTypeOf(argv.module).toEqualTypeOf<string | undefined>();
        seen.push(argv.shares);
      },
    });
    await run(backup, ["backup", "--shares", "5"]);
    expect(seen).toEqual(["file:/k", "/s", 5]);
  });
});
