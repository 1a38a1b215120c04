/**
 * A ceremony step that asks at the terminal itself (`asks_yes`), run by `ksk ceremony run` on a real
 * pseudo-terminal (test/support/type-at-prompt.py, an 80-column xterm): the bytes the terminal
 * receives are checked. The step's readline prompt arrives with its cursor moves as control bytes,
 * drawn for the terminal's width exactly as the same command draws it when run alone — never as
 * literal `\x1b[1G` or `Yes\x0d` text — and is shown once; the answer typed is taken.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hasTool } from "./support/tools.js";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const bin = path.join(root, "packages/cli/bin/ksk");
const dir = mkdtempSync(path.join(tmpdir(), "ksk-ceremony-terminal-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PROMPT_END = "Type Yes to delete: ";
// biome-ignore lint/suspicious/noControlCharactersInRegex: the sequences readline draws a prompt with
const PROMPT_SEQUENCE = /\u001b\[[0-9]*[A-DGK]|\u001b\[0?J/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the cursor move to the column the answer is typed at
const ANSWER_COLUMN = /\u001b\[(\d+)G(?=Yes)/;

function generate(label: string): void {
  const r = spawnSync(
    bin,
    ["key", "generate", "--keystore", "file:keys", "--passphrase-file", "pass", "--role", "ksk", "--algorithm", "13", "--label", label],
    {
      cwd: dir,
      encoding: "utf8",
    },
  );
  if (r.status !== 0) throw new Error(`key generate failed: ${r.stderr}`);
}

/** Run `argv` on an 80-column pseudo-terminal, typing Yes at the delete prompt: the exit code and the exact bytes shown. */
function atTerminal(argv: readonly string[]): { code: number | null; screen: string } {
  const r = spawnSync(
    "python3",
    [path.join(root, "test/support/type-at-prompt.py"), PROMPT_END, "Yes", "--", "sh", "-c", 'stty cols 80 rows 24; exec "$@"', "sh", ...argv],
    { cwd: dir, encoding: "utf8", timeout: 120_000, env: { ...process.env, TERM: "xterm-256color" } },
  );
  return { code: r.status, screen: r.stdout };
}

/** The prompt as drawn: from the line start to the end of the typed answer's line. */
function promptBytes(screen: string): string {
  const start = screen.lastIndexOf("\n", screen.indexOf(PROMPT_END)) + 1;
  return screen.slice(start, screen.indexOf("\n", screen.indexOf(PROMPT_END)));
}

describe.runIf(hasTool("python3") && hasTool("stty"))("a step's own prompt at a real terminal", { timeout: 180_000 }, () => {
  it("reaches the terminal as control bytes, drawn as the command alone draws it, shown once", () => {
    writeFileSync(path.join(dir, "pass"), "a lab passphrase\n", { mode: 0o600 });
    writeFileSync(
      path.join(dir, "ceremony.yaml"),
      "operator: Test Operator\nwitnesses: [Witness One]\nhsm: { module: /usr/lib/softhsm/libsofthsm2.so, token: none }\n",
    );
    writeFileSync(
      path.join(dir, "01-delete.yaml"),
      `act: 1
name: delete
title: Delete a key (the command shows what it deletes and asks)
steps:
  - does: Delete Kfirst
    run: [key, delete, --keystore, "file:../keys", --label, Kfirst]
    private_key: true
    asks_yes: true
`,
    );
    generate("Kfirst");
    const run = atTerminal([bin, "ceremony", "run", "01-delete.yaml", "--ceremony", "ceremony.yaml", "--out", "out"]);
    expect(run.code, run.screen).toBe(0);
    // No escape written out as text, anywhere on the screen.
    expect(run.screen).not.toMatch(/\\x1b|\\x0d|\\x07|\\u\{/);
    expect(run.screen.split(PROMPT_END)).toHaveLength(2);
    expect(run.screen).toContain("deleted Kfirst");
    expect(run.screen).toMatch(/act 01 step 1: Delete Kfirst — ok/);
    // Every ESC on the screen starts one of readline's prompt sequences, and they are there.
    const drawn = promptBytes(run.screen);
    expect(drawn.match(PROMPT_SEQUENCE)?.length ?? 0).toBeGreaterThanOrEqual(2);
    expect(run.screen.replace(PROMPT_SEQUENCE, "")).not.toContain("\u001b");

    // The same command alone at the same terminal draws the same prompt (its keystore path aside).
    generate("Kfirst");
    const alone = atTerminal([bin, "key", "delete", "--keystore", "file:keys", "--label", "Kfirst"]);
    expect(alone.code, alone.screen).toBe(0);
    const column = (s: string) => Number(ANSWER_COLUMN.exec(s)?.[1]);
    const aloneDrawn = promptBytes(alone.screen);
    expect(
      drawn
        .replace(ANSWER_COLUMN, "")
        .replace(/key tag \d+/, "")
        .replace("../keys", "keys"),
    ).toBe(aloneDrawn.replace(ANSWER_COLUMN, "").replace(/key tag \d+/, ""));
    // The answer's column follows the prompt's length on an 80-column screen (wrapped, not past the edge).
    const promptLength = (s: string) => s.slice(s.indexOf("\u001b[0J") + 4, s.indexOf(PROMPT_END) + PROMPT_END.length).length;
    expect(column(drawn)).toBe((promptLength(drawn) % 80) + 1);
    expect(column(aloneDrawn)).toBe((promptLength(aloneDrawn) % 80) + 1);
  });
});
