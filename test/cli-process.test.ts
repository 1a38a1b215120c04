/**
 * The real `ksk` process, as operators and scripts run it: exit codes, one-line errors on stderr
 * with no stack trace (unless --debug), `-` reading standard input through a pipe, and a
 * checkout whose path has characters that mean something in a URL (`#`, `?`, a space).
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const bin = path.join(root, "packages/cli/bin/ksk");
const dir = mkdtempSync(path.join(tmpdir(), "ksk-process-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], input?: string) {
  const r = spawnSync(bin, args, { input, cwd: root, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the ksk process", () => {
  it("reads - from a pipe and exits 0", () => {
    const r = run(["keytag", "-"], ".\t172800\tIN\tDNSKEY\t257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=\n");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\. \d+ \(revoked tag \d+\) flags 257 algorithm 15 ED25519\n$/);
  });

  it("prints one line and exit 3 for malformed input, with no stack trace", () => {
    const file = path.join(dir, "bad.zone");
    writeFileSync(file, ".\t172800\tIN\tDNSKEY\t257 3 8 not*base64\n");
    const r = run(["ds", file]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toEqual([`ksk: ${file}:1: DNSKEY public key: not valid base64: character 4 ("*") is not base64: not*base64`]);
  });

  it("prints the stack trace only with --debug", () => {
    const file = path.join(dir, "bad.zone");
    const r = run(["ds", file, "--debug"]);
    expect(r.code).toBe(3);
    expect(r.stderr.split("\n").length).toBeGreaterThan(3);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it("refuses standard input over the size cap of the file it stands for (exit 3), without buffering it whole", () => {
    const r = spawnSync(bin, ["ds", "-"], { input: Buffer.alloc(64 * 1024 * 1024 + 1, 0x20), cwd: root, encoding: "utf8", maxBuffer: 1024 * 1024 });
    expect(r.stderr).toBe(`ksk: stdin: is over ${64 * 1024 * 1024} bytes; at most ${64 * 1024 * 1024} accepted\n`);
    expect(r.status).toBe(3);
  });

  it("exits 2 on a usage error", () => {
    const r = run(["ds"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ksk: Not enough non-option arguments/);
  });

  it("runs the built ksk from a checkout whose path contains '#', '?' and a space", () => {
    // A copy of the packages (with the bundle in packages/cli/dist; their node_modules links are
    // relative) beside the real node_modules. Each of these characters ends or splits a file URL
    // built by string concatenation; ksk's entry-point check compares real paths instead.
    const checkout = path.join(dir, "ceremony #3 lab copy?final");
    mkdirSync(checkout);
    cpSync(path.join(root, "packages"), path.join(checkout, "packages"), { recursive: true, verbatimSymlinks: true });
    for (const f of ["tsconfig.json", "tsconfig.base.json", "package.json"]) cpSync(path.join(root, f), path.join(checkout, f));
    symlinkSync(path.join(root, "node_modules"), path.join(checkout, "node_modules"));
    const r = spawnSync(path.join(checkout, "packages/cli/bin/ksk"), ["keytag", "-"], {
      input: ".\t172800\tIN\tDNSKEY\t257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=\n",
      cwd: checkout,
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^\. \d+ \(revoked tag \d+\) flags 257 algorithm 15 ED25519\n$/);
    expect(r.status).toBe(0);
  });
});
