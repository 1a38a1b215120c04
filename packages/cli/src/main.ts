#!/usr/bin/env node
/**
 * `ksk` — the root zone KSK ceremony toolkit's command line. Every capability is a command group
 * (see ./commands/index.ts); only the group being run is loaded, the others appear in `--help`
 * from the registry's names and descriptions. This is the only place errors become exit codes;
 * `run()` itself is free of process globals so tests can call it in-process, and
 * `runAsProcess()` is what the installed command (./bin.ts) and `tsx src/main.ts` run.
 */
import { createInterface } from "node:readline";
import { isKskError } from "@ksk/core";
import yargs from "yargs";
import { COMMANDS, commandNamed } from "./commands/index.js";
import type { CliContext } from "./context.js";
import { EXIT, EXIT_CODES_HELP, EXIT_FOR_KIND } from "./exit-codes.js";
import { STDIN_ARGUMENT } from "./io.js";
import { VERSION } from "./version.js";

class UsageError extends Error {}

export async function run(argv: readonly string[], ctx: CliContext): Promise<number> {
  const debug = argv.includes("--debug");
  let exitCode: number = EXIT.ok;
  const args = argv.map((a) => (a === "-" ? STDIN_ARGUMENT : a));
  const parser = yargs(args)
    .scriptName("ksk")
    .usage("$0 <command> [options]\n\nThe root zone KSK ceremony toolkit.")
    .version(VERSION)
    .option("debug", { type: "boolean", describe: "Print stack traces for errors", global: true })
    .strict()
    .demandCommand(1, "Give a command; see ksk --help")
    .recommendCommands()
    .epilogue(EXIT_CODES_HELP)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((message, error) => {
      if (error) throw error;
      throw new UsageError(message);
    });
  try {
    // The named group is loaded and registered in full; every other group is a stub with its
    // name and description, enough for `ksk --help` and for "Did you mean" suggestions.
    const named = commandNamed(args);
    for (const entry of COMMANDS) {
      if (entry === named) {
        const factory = await entry.load();
        parser.command({ ...factory(ctx, (code) => (exitCode = code)), describe: entry.describe });
      } else {
        parser.command({ command: entry.name, describe: entry.describe, handler: () => {} });
      }
    }
    let helpText: string | undefined;
    await parser.parseAsync(args, {}, (err, _argv, output) => {
      if (!err && output) helpText = output;
    });
    if (helpText) ctx.out(`${helpText}\n`);
    return exitCode;
  } catch (e) {
    if (e instanceof UsageError) {
      ctx.err(`ksk: ${e.message}\n`);
      return EXIT.usage;
    }
    if (isKskError(e)) {
      ctx.err(`ksk: ${e.message}\n`);
      if (debug && e.stack) ctx.err(`${e.stack}\n`);
      return EXIT_FOR_KIND[e.kind];
    }
    const error = e as Error;
    ctx.err(`ksk: internal error: ${error?.message ?? String(e)}${debug ? "" : " (rerun with --debug for details)"}\n`);
    if (debug && error?.stack) ctx.err(`${error.stack}\n`);
    return EXIT.internal;
  }
}

/** The real context: process streams, environment, clock and terminal. */
export function processContext(): CliContext {
  const ask = (question: string, secret: boolean) =>
    new Promise<string>((resolve, reject) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY === true });
      if (secret) {
        // Echo nothing typed after the question.
        const output = rl as unknown as { _writeToOutput: (s: string) => void };
        let asked = false;
        output._writeToOutput = (s: string) => {
          if (!asked) {
            process.stderr.write(s);
            asked = true;
          }
        };
      }
      rl.question(question, (answer) => {
        rl.close();
        if (secret) process.stderr.write("\n");
        resolve(answer);
      });
      rl.on("close", () => reject(new Error("standard input closed")));
    });
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return new Uint8Array(Buffer.concat(chunks));
    },
    env: process.env,
    now: () => Math.floor(Date.now() / 1000),
    prompt: (q) => ask(q, false),
    promptSecret: (q) => ask(q, true),
    interactive: process.stdin.isTTY === true,
    stderrIsTerminal: process.stderr.isTTY === true,
  };
}

/** Run `ksk` as this process: its arguments, streams and exit code. */
export function runAsProcess(): void {
  // `ksk … | head` closes the pipe early: that is the reader's choice, not an error of ours.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
  run(process.argv.slice(2), processContext()).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`ksk: internal error: ${(e as Error).message}\n`);
      process.exitCode = EXIT.internal;
    },
  );
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly) runAsProcess();
