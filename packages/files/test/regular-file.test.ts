/**
 * The capped regular-file reader: a regular file (through a symlink too) read whole, and a FIFO,
 * a directory, a device, a file over the cap or a missing file refused with one input error naming
 * it — the FIFO without blocking. `fileKind` names what is at a path without opening it.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { KskError } from "@ksk/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkOutputDirectory, fileKind, readRegularFile } from "../src/index.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "ksk read "));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(KskError);
    return `${(e as KskError).kind}/${(e as KskError).code}: ${(e as KskError).message}`;
  }
  return "no error";
}

describe("readRegularFile", () => {
  it("reads a regular file whole, also through a symbolic link, and one of exactly the cap", async () => {
    const file = path.join(dir, "a.txt");
    writeFileSync(file, "0123456789");
    symlinkSync(file, path.join(dir, "link"));
    expect(new TextDecoder().decode(await readRegularFile(file))).toBe("0123456789");
    expect(new TextDecoder().decode(await readRegularFile(path.join(dir, "link")))).toBe("0123456789");
    expect((await readRegularFile(file, 10)).length).toBe(10);
    writeFileSync(path.join(dir, "empty"), "");
    expect((await readRegularFile(path.join(dir, "empty"))).length).toBe(0);
  });

  it("refuses a file over the cap, naming its size", async () => {
    const file = path.join(dir, "big");
    writeFileSync(file, "x".repeat(11));
    expect(await refusal(readRegularFile(file, 10))).toMatch(/^input\/INPUT-TOO-LARGE: .*big: is 11 bytes; at most 10 accepted/);
  });

  it("refuses a FIFO without blocking, a directory and a device; a missing file is unreadable", async () => {
    const fifo = path.join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    expect(await refusal(readRegularFile(fifo))).toMatch(/^input\/INPUT-NOT-FILE: .*fifo: not a regular file/);
    mkdirSync(path.join(dir, "d"));
    expect(await refusal(readRegularFile(path.join(dir, "d")))).toMatch(/^input\/INPUT-NOT-FILE/);
    expect(await refusal(readRegularFile("/dev/zero"))).toMatch(/^input\/INPUT-NOT-FILE/);
    expect(await refusal(readRegularFile(path.join(dir, "none")))).toMatch(/^input\/INPUT-UNREADABLE: .*none: no such file or directory/);
  });
});

describe("fileKind", () => {
  it("names what is at a path without opening it", async () => {
    writeFileSync(path.join(dir, "f"), "x");
    execFileSync("mkfifo", [path.join(dir, "p")]);
    symlinkSync(path.join(dir, "gone"), path.join(dir, "dangling"));
    expect(await fileKind(path.join(dir, "f"))).toBe("file");
    expect(await fileKind(path.join(dir, "p"))).toBe("FIFO");
    expect(await fileKind(path.join(dir, "dangling"))).toBe("symbolic link");
    expect(await fileKind(dir)).toBe("directory");
    expect(await fileKind("/dev/null")).toBe("device");
    expect(await fileKind(path.join(dir, "missing"))).toBe("missing");
  });
});

describe("checkOutputDirectory", () => {
  it("passes a directory, a link to one and a missing path; refuses a file, a dangling link or a link to a file (usage)", () => {
    writeFileSync(path.join(dir, "f"), "x");
    symlinkSync(dir, path.join(dir, "to-dir"));
    symlinkSync(path.join(dir, "gone"), path.join(dir, "dangling"));
    symlinkSync(path.join(dir, "f"), path.join(dir, "to-file"));
    for (const ok of [dir, path.join(dir, "to-dir"), path.join(dir, "new")]) expect(() => checkOutputDirectory(ok)).not.toThrow();
    const refusal = (p: string) => {
      try {
        checkOutputDirectory(p);
      } catch (e) {
        return `${(e as KskError).kind}/${(e as KskError).code}: ${(e as KskError).detail}`;
      }
      return "no error";
    };
    expect(refusal(path.join(dir, "f"))).toBe("usage/OUTPUT-NOT-DIRECTORY: is a file, not a directory: give a directory for the outputs");
    expect(refusal(path.join(dir, "dangling"))).toMatch(/^usage\/OUTPUT-NOT-DIRECTORY: is a dangling symbolic link/);
    expect(refusal(path.join(dir, "to-file"))).toMatch(/^usage\/OUTPUT-NOT-DIRECTORY: is a symbolic link to something that is not a directory/);
  });
});
