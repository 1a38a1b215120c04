/**
 * The exit codes of `ksk`: the one table from which everything that speaks of them is derived —
 * the command line's map from an error's kind to its exit code and its `--help` text, the ceremony
 * runner's reading of a step's exit code, and the tables in README.md and docs/architecture.md
 * (test/exit-codes.test.ts holds both documents to `exitCodesMarkdown()`). Only the command line
 * turns errors into exit codes; this says which codes there are and what each means.
 *
 * The numbers follow the toolkit's own convention (1 a check, 2 usage as with getopt tools, 70 is
 * sysexits.h's EX_SOFTWARE for an internal error).
 */
import type { ErrorKind } from "./errors.js";

export interface ExitCodeRow {
  readonly exit: number;
  /** The name the command line's code uses for it. */
  readonly name: string;
  /** The error kind it stands for; none for success and for an internal error (any other throw). */
  readonly kind?: ErrorKind;
  /** One line of `ksk --help`. */
  readonly summary: string;
  /** The meaning in the documents' tables. */
  readonly meaning: string;
}

export const EXIT_CODE_TABLE = [
  { exit: 0, name: "ok", summary: "success", meaning: "success" },
  {
    exit: 1,
    name: "checkFailed",
    kind: "check",
    summary: "a verification or policy check failed",
    meaning: "a verification or policy check failed (the report names the check codes)",
  },
  { exit: 2, name: "usage", kind: "usage", summary: "usage error (bad command line)", meaning: "the command line is wrong" },
  {
    exit: 3,
    name: "badInput",
    kind: "input",
    summary: "unreadable or malformed input",
    meaning: "unreadable or malformed input: one line, `ksk: file:line: what is wrong`; nothing is written",
  },
  {
    exit: 4,
    name: "keystore",
    kind: "keystore",
    summary: "keystore or HSM failure (module, token, PIN, key)",
    meaning: "the keystore or HSM failed: module, token, PIN, a key that is not the configured one, the PKCS#11 addon",
  },
  {
    exit: 5,
    name: "refused",
    kind: "refused",
    summary: "refused by policy or by the operator",
    meaning: 'refused by policy or by the operator: no "Yes", an output that exists or is not a regular file, a built KSR that fails its checks',
  },
  {
    exit: 70,
    name: "internal",
    summary: "internal error (a bug; rerun with --debug and report it)",
    meaning: "an internal error, a bug: one line, and the stack trace with `--debug`",
  },
] as const satisfies readonly ExitCodeRow[];

type Row = (typeof EXIT_CODE_TABLE)[number];

/** The exit codes by the command line's names: `EXIT.checkFailed` is 1. */
export const EXIT_CODES = Object.fromEntries(EXIT_CODE_TABLE.map((r) => [r.name, r.exit])) as { readonly [R in Row as R["name"]]: R["exit"] };

/** The exit code of an error of `kind`. */
export function exitCodeForKind(kind: ErrorKind): number {
  return (EXIT_CODE_TABLE as readonly ExitCodeRow[]).find((r) => r.kind === kind)?.exit as number;
}

/** The error kind a `ksk` exit code stands for; undefined for 0, 70 and codes not in the table. */
export function kindForExitCode(exit: number): ErrorKind | undefined {
  return (EXIT_CODE_TABLE as readonly ExitCodeRow[]).find((r) => r.exit === exit)?.kind;
}

/** The table as `ksk --help` prints it. */
export function exitCodesHelp(): string {
  return `Exit codes:\n${EXIT_CODE_TABLE.map((r) => `  ${String(r.exit).padEnd(4)}${r.summary}`).join("\n")}`;
}

/** The table as README.md and docs/architecture.md give it (Markdown, one row per code). */
export function exitCodesMarkdown(): string {
  const rows = (EXIT_CODE_TABLE as readonly ExitCodeRow[]).map((r) => `| ${r.exit} | ${r.kind === undefined ? "—" : `\`${r.kind}\``} | ${r.meaning} |`);
  return ["| exit | kind | meaning |", "|---|---|---|", ...rows].join("\n");
}
