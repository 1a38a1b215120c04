#!/usr/bin/env node
/**
 * `ksk` — the root zone KSK ceremony toolkit's command line. Every capability is a command group
 * (see ./commands/index.ts); only the group being run is loaded, the others appear in `--help`
 * from the registry's names and descriptions. This is the only place errors become exit codes;
 * `run()` itself is free of process globals so tests can call it in-process, and
 * `runAsProcess()` is what the installed command (./bin.ts) and `tsx src/main.ts` run.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { KskError, escapeForTerminal, escapeLinesForTerminal, isKskError } from "@ksk/core";
import { hsmLogFileSink, recordHsmActivity } from "@ksk/keystore";
import yargs from "yargs";
import { COMMANDS, commandNamed } from "./commands/index.js";
import type { CliContext } from "./context.js";
import { EXIT, EXIT_CODES_HELP, EXIT_FOR_KIND } from "./exit-codes.js";
import { STDIN_ARGUMENT } from "./io.js";
import { installStopHandlers } from "./signals.js";
import { withOptionSuggestions } from "./suggest.js";
import { askLine, askSecret, promptOutput } from "./terminal.js";
import { VERSION } from "./version.js";

class UsageError extends Error {}

export async function run(argv: readonly string[], given: CliContext): Promise<number> {
  // Whatever a command prints may quote input: no control character reaches the terminal raw.
  const ctx: CliContext = {
    ...given,
    out: (t) => given.out(escapeLinesForTerminal(t)),
    err: (t) => given.err(escapeLinesForTerminal(t)),
    prompt: (q) => given.prompt(escapeLinesForTerminal(q)),
    promptSecret: (q) => given.promptSecret(escapeLinesForTerminal(q)),
  };
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
      // The options of the command being parsed (yargs has the method, its typings do not).
      const options = (parser as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions();
      const known = Object.keys(options.key).filter((k) => !/[A-Z]/.test(k));
      throw new UsageError(withOptionSuggestions(message, known));
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
      // yargs lays some messages out on several lines ("Invalid values:\n  Argument: …"): one line here.
      const oneLine = e.message
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "")
        .join(" ");
      ctx.err(`ksk: ${escapeForTerminal(oneLine)}\n`);
      return EXIT.usage;
    }
    if (isKskError(e)) {
      // Messages quote input (names, values, file names): escape it for the terminal, one line.
      ctx.err(`ksk: ${escapeForTerminal(e.message)}\n`);
      if (debug && e.stack) ctx.err(`${e.stack}\n`);
      return EXIT_FOR_KIND[e.kind];
    }
    const error = e as Error;
    ctx.err(`ksk: internal error: ${escapeForTerminal(error?.message ?? String(e))}${debug ? "" : " (rerun with --debug for details)"}\n`);
    if (debug && error?.stack) ctx.err(`${error.stack}\n`);
    return EXIT.internal;
  }
}

/** The real context: process streams, environment, clock and terminal. */
export function processContext(): CliContext {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    readStdin: async (maxBytes) => {
      const chunks: Buffer[] = [];
      let total = 0;
      for await (const chunk of process.stdin) {
        total += (chunk as Buffer).length;
        // Stop at the cap, as for a file: never buffer an endless stream whole.
        if (total > maxBytes) throw new KskError("input", "INPUT-TOO-LARGE", `is over ${maxBytes} bytes; at most ${maxBytes} accepted`, { where: "stdin" });
        chunks.push(chunk as Buffer);
      }
      return new Uint8Array(Buffer.concat(chunks));
    },
    env: process.env,
    now: () => Math.floor(Date.now() / 1000),
    newId: () => globalThis.crypto.randomUUID(),
    prompt: (q) => askLine(process.stdin, promptOutput(process.stderr, process.env), q),
    promptSecret: (q) => askSecret(process.stdin, process.stderr, q),
    interactive: process.stdin.isTTY === true,
    stderrIsTerminal: process.stderr.isTTY === true,
    ...(process.stderr.isTTY && process.stderr.columns > 0 ? { terminalColumns: process.stderr.columns } : {}),
    progress: (text) => process.stderr.write(text),
  };
}

/** Run `ksk` as this process: its arguments, streams and exit code. */
export function runAsProcess(): void {
  // `ksk … | head` closes the pipe early: that is the reader's choice, not an error of ours.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
  // SIGINT/SIGTERM: temporary outputs removed, exit 130/143 (./signals.ts).
  installStopHandlers();
  // $KSK_HSM_LOG (set by the ceremony runtime for each step): record every PKCS#11 call there.
  if (process.env.KSK_HSM_LOG) recordHsmActivity({ sink: hsmLogFileSink(process.env.KSK_HSM_LOG), clock: () => new Date() });
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

/** Run as the program (`tsx src/main.ts`, not imported by a test)? Paths compared after resolving links, so `#`, `?` or a space in them is harmless. */
function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) runAsProcess();
