/**
 * One exit-code table (@ksk/core's exit-codes.ts): the tables in README.md and docs/architecture.md
 * are that table as Markdown, the command line's help text and map from error kinds come from it,
 * and a `ksk` step's exit code reads back as the kind that produced it.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { EXIT_CODE_TABLE, type ErrorKind, exitCodeForKind, exitCodesHelp, exitCodesMarkdown, kindForExitCode } from "@ksk/core";
import { describe, expect, it } from "vitest";
import { EXIT, EXIT_CODES_HELP, EXIT_FOR_KIND } from "../packages/cli/src/exit-codes.js";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

/** The Markdown table that starts with `| exit | kind | meaning |` in a document. */
function tableIn(file: string): string {
  const lines = readFileSync(path.join(root, file), "utf8").split("\n");
  const start = lines.indexOf("| exit | kind | meaning |");
  expect(start, `${file} has the exit-code table`).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && !l.startsWith("|"));
  return lines.slice(start, end < 0 ? undefined : end).join("\n");
}

describe("the exit-code table", () => {
  it.each(["README.md", "docs/architecture.md"])("%s gives exactly the table of @ksk/core", (file) => {
    expect(tableIn(file)).toBe(exitCodesMarkdown());
  });

  it("gives every error kind one code of its own, and 0 and 70 none", () => {
    const kinds: ErrorKind[] = ["check", "usage", "input", "keystore", "refused"];
    const codes = kinds.map(exitCodeForKind);
    expect(new Set(codes).size).toBe(kinds.length);
    for (const [i, kind] of kinds.entries()) expect(kindForExitCode(codes[i] as number)).toBe(kind);
    expect(kindForExitCode(0)).toBeUndefined();
    expect(kindForExitCode(70)).toBeUndefined();
    expect(kindForExitCode(143)).toBeUndefined();
  });

  it("reads exit 2 as a usage error, not bad input", () => {
    expect(kindForExitCode(2)).toBe("usage");
    expect(kindForExitCode(3)).toBe("input");
  });

  it("is what the command line uses: its names, its map from kinds and its help text", () => {
    for (const row of EXIT_CODE_TABLE) expect(EXIT[row.name]).toBe(row.exit);
    for (const [kind, code] of Object.entries(EXIT_FOR_KIND)) expect(code).toBe(exitCodeForKind(kind as ErrorKind));
    expect(EXIT_CODES_HELP).toBe(exitCodesHelp());
    const helpLines = EXIT_CODES_HELP.split("\n").slice(1);
    expect(helpLines.map((l) => Number(l.trim().split(/\s+/)[0]))).toEqual(EXIT_CODE_TABLE.map((r) => r.exit));
  });
});
