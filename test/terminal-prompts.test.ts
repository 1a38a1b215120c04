/**
 * Prompts at a real terminal: the real `ksk` process on a pseudo-terminal (util-linux `script`),
 * answered by typing, for the software keystore's passphrase (never echoed, never printed) and the
 * exact "Yes" of `key delete`. A wrong answer, Ctrl-D and Ctrl-C are refusals (exit 5) that change
 * nothing. The witness "Yes" and the HSM PIN of `skr sign` are in skr-sign-softhsm.test.ts.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

describe.runIf(haveScript)("officers type their shares at a terminal", { timeout: 120_000 }, () => {
  // The keystore's passphrase split 2 of 3; one officer's share file is in the directory, the
  // second officer types theirs as PGP words.
  const shareWords = (file: string) => /^words: (.+)$/m.exec(readFileSync(file, "utf8"))?.[1] as string;
  let split: string;
  let present: string;
  beforeAll(() => {
    split = path.join(dir, "passphrase-shares");
    const r = spawnSync(bin, ["custody", "split", "--secret-file", path.join(dir, "passphrase"), "--threshold", "2", "--shares", "3", "--out", split], {
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`custody split failed: ${r.stderr}`);
    present = path.join(dir, "one-share");
    mkdirSync(present, { mode: 0o700 });
    copyFileSync(path.join(split, "share-1"), path.join(present, "share-1"));
  });

  it("a share typed as words, with one from the directory, opens the keystore; the words are not echoed", async () => {
    const words = shareWords(path.join(split, "share-3"));
    const r = await runOnTerminal(
      [bin, "key", "generate", "--keystore", keystore, "--shares", present, "--role", "ksk", "--algorithm", "13", "--label", "Kshared"],
      [{ after: "Officer share 2 of 2 for set ", type: `${words}\r` }],
      { cwd: dir },
    );
    expect(r.code, r.screen).toBe(0);
    expect(r.screen).toMatch(/activated by 2 officers' shares:\n.*share 1 fingerprint [0-9a-f]{16}\n.*share 3 fingerprint [0-9a-f]{16}/);
    expect(r.screen).not.toContain(words.split(" ").slice(0, 4).join(" "));
    expect(labels()).toContain("Kshared");
  });

  it("a mistyped share (two words swapped) is refused with exit 3, nothing made, nothing shown", async () => {
    const words = shareWords(path.join(split, "share-2")).split(" ");
    [words[6], words[8]] = [words[8] as string, words[6] as string];
    const r = await runOnTerminal(
      [bin, "key", "generate", "--keystore", keystore, "--shares", present, "--role", "ksk", "--algorithm", "13", "--label", "Kmistyped"],
      [{ after: "Officer share 2 of 2 for set ", type: `${words.join(" ")}\r` }],
      { cwd: dir },
    );
    expect(r.code, r.screen).toBe(3);
    expect(r.screen).toContain("typed share 1: the share's checksum does not match: the share is damaged or mistyped");
    expect(r.screen).not.toContain(words.slice(0, 4).join(" "));
    expect(labels()).not.toContain("Kmistyped");
  });
});
