/**
 * The documented exit codes of `ksk`. Only the CLI maps errors to them (docs/architecture.md).
 */
import type { ErrorKind } from "@ksk/core";

export const EXIT = {
  ok: 0,
  /** A verification or policy check failed. */
  checkFailed: 1,
  /** The command line is wrong. */
  usage: 2,
  /** Input is unreadable or malformed. */
  badInput: 3,
  /** Keystore or HSM failure: module, token, PIN, key. */
  keystore: 4,
  /** Refused by policy or by the operator (no "Yes", output exists without --force). */
  refused: 5,
  /** A bug in the toolkit: an error it did not expect. */
  internal: 70,
} as const;

export const EXIT_FOR_KIND: Readonly<Record<ErrorKind, number>> = {
  check: EXIT.checkFailed,
  usage: EXIT.usage,
  input: EXIT.badInput,
  keystore: EXIT.keystore,
  refused: EXIT.refused,
};

export const EXIT_CODES_HELP = `Exit codes:
  0   success
  1   a verification or policy check failed
  2   usage error (bad command line)
  3   unreadable or malformed input
  4   keystore or HSM failure (module, token, PIN, key)
  5   refused by policy or by the operator
  70  internal error (a bug; rerun with --debug and report it)`;
