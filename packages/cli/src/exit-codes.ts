/**
 * The exit codes of `ksk`, as the command line uses them: all derived from @ksk/core's one table
 * (exit-codes.ts there). Only the CLI maps errors to them (docs/architecture.md).
 */
import { EXIT_CODES, type ErrorKind, exitCodeForKind, exitCodesHelp } from "@ksk/core";

export const EXIT = EXIT_CODES;

export const EXIT_FOR_KIND: Readonly<Record<ErrorKind, number>> = {
  check: exitCodeForKind("check"),
  usage: exitCodeForKind("usage"),
  input: exitCodeForKind("input"),
  keystore: exitCodeForKind("keystore"),
  refused: exitCodeForKind("refused"),
};

export const EXIT_CODES_HELP = exitCodesHelp();
