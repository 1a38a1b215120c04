/**
 * `ksk --help`, as a new operator reads it: every command group and subcommand, found by walking
 * the "Commands:" sections of the help output itself (so a new command is covered without editing
 * this test), lists every positional and option WITH a description. An entry yargs prints with
 * nothing but its type annotation (`[string]`) is a finding.
 *
 * The walk runs the command in-process (packages/cli/test/harness.ts: some fifty help texts would
 * otherwise be fifty Node start-ups); one run of the built `ksk` as a process shows that the bundle
 * prints the same top-level help, so the walk reads what an operator reads.
 */
import { describe, expect, it } from "vitest";
import { ksk } from "../packages/cli/test/harness.js";
import { startKsk } from "./support/cli-process.js";

/** The help text's sections ("Commands:", "Positionals:", "Options:") as their entry lines. */
function sections(help: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of help.split("\n")) {
    const heading = /^(\S[^:]*):$/.exec(line);
    if (heading?.[1] !== undefined) {
      current = [];
      out.set(heading[1], current);
    } else if (line.trim() === "") {
      current = undefined;
    } else {
      current?.push(line);
    }
  }
  return out;
}

/** The command paths one level below `path` listed under "Commands:" (`ksk ksr validate <ksr>  Run…` → ["ksr", "validate"]). */
function subcommands(help: string, path: readonly string[]): string[][] {
  const found: string[][] = [];
  for (const line of sections(help).get("Commands") ?? []) {
    const m = /^ {2}ksk((?: [a-z][a-z0-9-]*)+)/.exec(line);
    if (m?.[1] === undefined) continue;
    const words = m[1].trim().split(" ");
    if (words.length === path.length + 1 && path.every((w, i) => words[i] === w)) found.push(words);
  }
  return found;
}

/** Positionals and options listed with no description: their names. */
function undescribed(help: string): string[] {
  const names: string[] = [];
  const all = sections(help);
  for (const title of ["Positionals", "Options"]) {
    for (const line of all.get(title) ?? []) {
      // An entry starts two spaces in (six for a long option when others have a short alias);
      // a wrapped description or annotation is indented further, to the description column.
      const m = /^ {2}(?: {4})?(\S+(?:, \S+)*)(?: {2,}(.*))?$/.exec(line);
      if (m?.[1] === undefined) continue;
      const rest = (m[2] ?? "").replace(/\[[^\]]*\]/g, "").trim();
      if (rest === "") names.push(m[1]);
    }
  }
  return names;
}

async function help(path: readonly string[]): Promise<string> {
  const r = await ksk([...path, "--help"]);
  expect(r.stderr, `ksk ${path.join(" ")} --help`).toBe("");
  expect(r.code, `ksk ${path.join(" ")} --help`).toBe(0);
  return r.stdout;
}

describe("ksk --help", () => {
  it("the parsers find entries without descriptions and the subcommands of a group", () => {
    const sample = [
      "ksk ksr <action>",
      "",
      "Commands:",
      "  ksk ksr validate <ksr>  Run every KSR check",
      "  ksk ksr show <file>     Show a KSR",
      "",
      "Positionals:",
      "  ksr  The KSR file                                      [string] [required]",
      "  out                                                    [string] [required]",
      "",
      "Options:",
      "      --json                                                      [boolean]",
      "      --help        Show help                                       [boolean]",
      "  -o, --output      Where to write; a long description that wraps onto",
      "                    the next line                                  [string]",
      "  -f, --force                                                     [boolean]",
      "      --bare",
      "",
    ].join("\n");
    expect(subcommands(sample, ["ksr"])).toEqual([
      ["ksr", "validate"],
      ["ksr", "show"],
    ]);
    expect(subcommands(sample, [])).toEqual([]);
    expect(undescribed(sample)).toEqual(["out", "--json", "-f, --force", "--bare"]);
  });

  it("the built ksk prints the help the in-process walk reads", async () => {
    const spawned = await startKsk(["--help"]).done;
    expect(spawned.stderr).toBe("");
    expect(spawned.code).toBe(0);
    expect(spawned.stdout).toBe(await help([]));
  });

  it("describes every positional and option of every command group and subcommand", async () => {
    const missing: string[] = [];
    const visited: string[] = [];
    const queue: string[][] = [[]];
    for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
      const text = await help(path);
      visited.push(path.join(" "));
      for (const name of undescribed(text)) missing.push(`ksk ${path.join(" ")}: ${name}`);
      queue.push(...subcommands(text, path));
    }
    // The walk reached the groups and their subcommands, not only the top level.
    expect(visited).toContain("ksr validate");
    expect(visited).toContain("skr sign");
    expect(visited.length).toBeGreaterThan(30);
    expect(missing).toEqual([]);
  });
});
