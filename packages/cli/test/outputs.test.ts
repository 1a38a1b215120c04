/**
 * Every command that writes a file refuses, before any key is used, an output it could not keep:
 * an existing file without --force, anything but a regular file even with --force (a symlink,
 * dangling or not, a FIFO, /dev/null), and `-o -`. "Before any key is used" is shown by giving a
 * keystore or key that does not exist: the refusal (exit 5, or 2 for `-o -`) comes instead of the
 * keystore failure (exit 4) or the missing-key error that using it would give.
 */
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "./fixtures.js";
import { ksk } from "./harness.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const NO_KEYSTORE = `file:${path.join(tmp.dir, "no-such-keystore")}`;
const xml = tmp.file("root-anchors.xml", "<TrustAnchor/>\n");

/** Each writing command, with keys that would fail if they were used, writing to `out`. */
const WRITERS: { name: string; args: (out: string) => string[] }[] = [
  { name: "ksr build", args: (out) => ["ksr", "build", "--keystore", NO_KEYSTORE, "--quarter", "2027Q1", "--zsk", "a", "-o", out] },
  { name: "csr create", args: (out) => ["csr", "create", "--keystore", NO_KEYSTORE, "--label", "Knope", "-o", out] },
  { name: "anchors sign", args: (out) => ["anchors", "sign", xml, "--cert", tmp.file("no.pem"), "--key", tmp.file("no.key"), "-o", out] },
  { name: "key export-public", args: (out) => ["key", "export-public", "--keystore", NO_KEYSTORE, "--label", "Knope", "--output", out] },
];

describe("outputs are checked before any key is used", () => {
  for (const w of WRITERS) {
    it(`${w.name}: an existing output is refused (exit 5) and left as it was`, async () => {
      const out = tmp.file(`${w.name.replace(/\W/g, "-")}.existing`, "old\n");
      const r = await ksk(w.args(out));
      expect([r.code, r.stderr]).toEqual([5, `ksk: ${out}: exists; not overwritten (use --force to replace it)\n`]);
      expect(readFileSync(out, "utf8")).toBe("old\n");
    });

    it(`${w.name}: -o - is a usage error (exit 2), one line`, async () => {
      const r = await ksk(w.args("-"));
      expect([r.code, r.stderr]).toEqual([2, "ksk: -o -: outputs are written to files, not standard output; give a file name\n"]);
    });

    it(`${w.name}: a dangling symlink is refused without --force, and its target not created`, async () => {
      const target = path.join(tmp.dir, `${w.name.replace(/\W/g, "-")}.target`);
      const link = path.join(tmp.dir, `${w.name.replace(/\W/g, "-")}.link`);
      symlinkSync(target, link);
      const r = await ksk(w.args(link));
      expect(r.code).toBe(5);
      expect(r.stderr).toBe(`ksk: ${link}: exists as a symbolic link; not overwritten (--force replaces only a regular file)\n`);
      expect(existsSync(target)).toBe(false);
      const forced = await ksk([...w.args(link), "--force"]);
      expect(forced.code).toBe(5);
      expect(forced.stderr).toMatch(/is a symbolic link, not a regular file; not replaced, even with --force/);
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
    });
  }

  it("--force never replaces a device or a FIFO", async () => {
    const fifo = path.join(tmp.dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    for (const out of ["/dev/null", fifo]) {
      const r = await ksk(["csr", "create", "--keystore", NO_KEYSTORE, "--label", "Knope", "--force", "-o", out]);
      expect(r.code, out).toBe(5);
      expect(r.stderr).toMatch(new RegExp(`^ksk: ${out}: is a (device|FIFO), not a regular file; not replaced, even with --force\\n$`));
    }
    expect(statSync("/dev/null").isCharacterDevice()).toBe(true);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it("ca init writes its key 0600 and its certificate 0644, and leaves no temporary file", async () => {
    const dir = tmp.file("ca");
    execFileSync("mkdir", [dir]);
    const r = await ksk(["ca", "init", "--dir", dir]);
    expect(r.code).toBe(0);
    expect(statSync(path.join(dir, "ca.key")).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, "ca.pem")).mode & 0o777).toBe(0o644);
    expect(readdirSync(dir).sort()).toEqual(["ca.key", "ca.pem"]);
    writeFileSync(path.join(dir, "ca.pem"), "replaced\n");
    expect((await ksk(["ca", "init", "--dir", dir])).code).toBe(5);
    expect(readFileSync(path.join(dir, "ca.pem"), "utf8")).toBe("replaced\n");
  });
});
