/**
 * Prompts at a real terminal: the real `ksk` process on a pseudo-terminal (util-linux `script`),
 * answered by typing, for the software keystore's passphrase (never echoed, never printed) and the
 * exact "Yes" of `key delete`. A wrong answer, Ctrl-D and Ctrl-C are refusals (exit 5) that change
 * nothing. The witness "Yes" and the HSM PIN of `skr sign` are in skr-sign-softhsm.test.ts.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runOnTerminal } from "./support/pty.js";
import { hasTool } from "./support/tools.js";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const bin = path.join(root, "packages/cli/bin/ksk");
const haveScript = hasTool("script");
const PASSPHRASE = "correct horse battery staple";
let dir: string;
let keystore: string;

const labels = () => {
  const r = spawnSync(bin, ["key", "list", "--keystore", keystore], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`key list failed: ${r.stderr}`);
  return r.stdout;
};

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "ksk-pty-"));
  keystore = `file:${path.join(dir, "keys")}`;
  writeFileSync(path.join(dir, "passphrase"), `${PASSPHRASE}\n`, { mode: 0o600 });
  const made = spawnSync(
    bin,
    ["key", "generate", "--keystore", keystore, "--passphrase-file", path.join(dir, "passphrase"), "--role", "ksk", "--algorithm", "13", "--label", "Kfirst"],
    {
      encoding: "utf8",
    },
  );
  if (made.status !== 0) throw new Error(`key generate failed: ${made.stderr}`);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.runIf(haveScript)("prompts at a terminal", { timeout: 120_000 }, () => {
  it("takes a typed passphrase (asked twice for a new keystore) without echoing or printing it", async () => {
    const fresh = `file:${path.join(dir, "fresh")}`;
    const r = await runOnTerminal(
      [bin, "key", "generate", "--keystore", fresh, "--role", "ksk", "--algorithm", "13", "--label", "Kfresh"],
      [
        { after: "Passphrase for keystore", type: `${PASSPHRASE}\r` },
        { after: "Repeat the passphrase", type: `${PASSPHRASE}\r` },
      ],
      { cwd: dir },
    );
    expect(r.code, r.screen).toBe(0);
    expect(r.screen).toContain("Kfresh");
    expect(r.screen).not.toContain("horse");
    // The second key uses the typed passphrase on a keystore that has one: a single prompt.
    const second = await runOnTerminal(
      [bin, "key", "generate", "--keystore", keystore, "--role", "ksk", "--algorithm", "13", "--label", "Ksecond"],
      [{ after: "Passphrase for keystore", type: `${PASSPHRASE}\r` }],
      { cwd: dir },
    );
    expect(second.code, second.screen).toBe(0);
    expect(second.screen).not.toContain("horse");
    expect(labels()).toContain("Ksecond");
  });

  it("refuses a wrong typed passphrase with exit 4, without showing it", async () => {
    const r = await runOnTerminal(
      [bin, "key", "generate", "--keystore", keystore, "--role", "ksk", "--algorithm", "13", "--label", "Kwrong"],
      [{ after: "Passphrase for keystore", type: "not the passphrase\r" }],
      { cwd: dir },
    );
    expect(r.code, r.screen).toBe(4);
    expect(r.screen).not.toContain("not the passphrase");
    expect(labels()).not.toContain("Kwrong");
  });

  for (const [name, typed] of [
    ["yes", "yes\r"],
    ["no", "no\r"],
    ["an empty line", "\r"],
    ["Ctrl-D (end of input)", "\u0004"],
    ["Ctrl-C", "\u0003"],
  ] as const) {
    it(`key delete: ${name} instead of Yes is a refusal (exit 5) that deletes nothing`, async () => {
      const r = await runOnTerminal([bin, "key", "delete", "--keystore", keystore, "--label", "Kfirst"], [{ after: "Type Yes to delete: ", type: typed }], {
        cwd: dir,
      });
      expect(r.code, r.screen).toBe(5);
      expect(r.screen).not.toContain("internal error");
      expect(labels()).toContain("Kfirst");
    });
  }

  it("key delete: a typed Yes deletes the key", async () => {
    const r = await runOnTerminal([bin, "key", "delete", "--keystore", keystore, "--label", "Kfirst"], [{ after: "Type Yes to delete: ", type: "Yes\r" }], {
      cwd: dir,
    });
    expect(r.code, r.screen).toBe(0);
    expect(r.screen).toContain("deleted Kfirst");
    expect(labels()).not.toContain("Kfirst");
    expect(labels()).toContain("Ksecond");
  });

  it("a secret prompt ended by Ctrl-D is a refusal (exit 5), not an internal error", async () => {
    const r = await runOnTerminal(
      [bin, "key", "generate", "--keystore", keystore, "--role", "ksk", "--algorithm", "13", "--label", "Knone"],
      [{ after: "Passphrase for keystore", type: "\u0004" }],
      { cwd: dir },
    );
    expect(r.code, r.screen).toBe(5);
    expect(r.screen).toMatch(/standard input closed before an answer was given/);
    expect(labels()).not.toContain("Knone");
  });
});
