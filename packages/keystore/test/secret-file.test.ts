/**
 * Secret files (PIN, SO PIN, passphrase) are small regular files: a FIFO (which would block the
 * read forever), a device such as /dev/zero (which never ends) and an oversized file are refused
 * at once, naming the file; a PIN file is read as written.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SECRET_FILE_MAX_BYTES, loadSecretFile, readSecretFileText } from "../src/index.js";

const dir = mkdtempSync(path.join(tmpdir(), "ksk-secret-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content?: string) => {
  const p = path.join(dir, name);
  if (content !== undefined) writeFileSync(p, content, { mode: 0o600 });
  return p;
};

describe("secret files", () => {
  it("reads a PIN file, through a symbolic link too; one line ending stripped", async () => {
    const pin = file("user.pin", "0123456\n");
    symlinkSync(pin, file("link.pin"));
    expect(await readSecretFileText(pin)).toBe("0123456\n");
    expect(await loadSecretFile(file("link.pin"), "PIN", "test")).toBe("0123456");
  });

  it("refuses a FIFO without blocking", async () => {
    const fifo = file("pin.fifo");
    execFileSync("mkfifo", [fifo]);
    await expect(loadSecretFile(fifo, "PIN", "test")).rejects.toMatchObject({
      kind: "keystore",
      code: "SECRET-FILE",
      message: expect.stringMatching(/not a regular file/),
    });
  });

  it("refuses /dev/zero", async () => {
    await expect(loadSecretFile("/dev/zero", "passphrase", "test")).rejects.toMatchObject({
      code: "SECRET-FILE",
      message: expect.stringMatching(/not a regular file/),
    });
  });

  it(`refuses a file over ${SECRET_FILE_MAX_BYTES} bytes, accepts one of exactly that size`, async () => {
    await expect(loadSecretFile(file("big.pin", "1".repeat(SECRET_FILE_MAX_BYTES + 1)), "PIN", "test")).rejects.toMatchObject({
      code: "SECRET-FILE",
      message: expect.stringMatching(/holds at most 4096/),
    });
    expect(await loadSecretFile(file("max.pin", "1".repeat(SECRET_FILE_MAX_BYTES)), "PIN", "test")).toHaveLength(SECRET_FILE_MAX_BYTES);
  });
});
