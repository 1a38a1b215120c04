/**
 * `ksk ca init|issue-signer` (lab only): the files it writes, the certificates as openssl reads
 * them (S/MIME signing purpose, emailAddress in the subject), and its refusals.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { hasTool, runTool } from "../../../test/support/tools.js";
import { tempDir } from "./fixtures.js";
import { DEFAULT_NOW, ksk } from "./harness.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("ksk ca", () => {
  it("init writes ca.key (0600) and ca.pem; a second init is refused (exit 5) and changes nothing", async () => {
    const r = await ksk(["ca", "init", "--dir", tmp.dir, "--days", "30"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(statSync(tmp.file("ca.key")).mode & 0o777).toBe(0o600);
    const before = readFileSync(tmp.file("ca.pem"), "utf8");
    const again = await ksk(["ca", "init", "--dir", tmp.dir]);
    expect(again.code).toBe(5);
    expect(readFileSync(tmp.file("ca.pem"), "utf8")).toBe(before);
  });

  it("init writes the key and its certificate together or not at all: no orphan key when ca.pem exists", async () => {
    const dir = tmp.file("half");
    mkdirSync(dir);
    writeFileSync(`${dir}/ca.pem`, "old certificate\n");
    const r = await ksk(["ca", "init", "--dir", dir]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/ca\.pem: exists/);
    expect(readdirSync(dir)).toEqual(["ca.pem"]);
    expect(readFileSync(`${dir}/ca.pem`, "utf8")).toBe("old certificate\n");
  });

  it("issue-signer writes a signer certificate with the requested emailAddress", async () => {
    const r = await ksk([
      "ca",
      "issue-signer",
      "--dir",
      tmp.dir,
      "--email",
      "dnssec@lab.example",
      "--key-type",
      "ec",
      "--out-key",
      tmp.file("s.key"),
      "--out-cert",
      tmp.file("s.pem"),
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(statSync(tmp.file("s.key")).mode & 0o777).toBe(0o600);
    if (hasTool("openssl")) {
      const subject = runTool("openssl", ["x509", "-in", tmp.file("s.pem"), "-noout", "-subject", "-nameopt", "RFC2253"]);
      expect(subject.stdout).toMatch(/^subject=emailAddress=dnssec@lab.example,CN=[^,]+,O=/);
      const verify = runTool("openssl", ["verify", "-attime", String(DEFAULT_NOW), "-purpose", "smimesign", "-CAfile", tmp.file("ca.pem"), tmp.file("s.pem")]);
      expect(verify.status, verify.stderr).toBe(0);
    }
  });

  it.runIf(hasTool("openssl"))("the default signer carries emailAddress=dnssec@iana.org and expires after --days", async () => {
    expect((await ksk(["ca", "issue-signer", "--dir", tmp.dir, "--days", "2"])).code).toBe(0);
    const subject = runTool("openssl", ["x509", "-in", tmp.file("signer.pem"), "-noout", "-subject", "-enddate"]);
    expect(subject.stdout).toContain("emailAddress = dnssec@iana.org");
    const late = runTool("openssl", ["verify", "-attime", String(DEFAULT_NOW + 3 * 86400), "-CAfile", tmp.file("ca.pem"), tmp.file("signer.pem")]);
    expect(late.status).not.toBe(0);
  });

  it("refusals: no CA in the directory (exit 3), a bad email or --days (exit 2); nothing written", async () => {
    const empty = tempDir();
    try {
      const r = await ksk(["ca", "issue-signer", "--dir", empty.dir]);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/ca\.pem: no such file/);
      expect(existsSync(empty.file("signer.pem"))).toBe(false);
    } finally {
      empty.cleanup();
    }
    const email = await ksk([
      "ca",
      "issue-signer",
      "--dir",
      tmp.dir,
      "--email",
      "not an email",
      "--out-cert",
      tmp.file("x.pem"),
      "--out-key",
      tmp.file("x.key"),
    ]);
    expect(email.code).toBe(2);
    expect(existsSync(tmp.file("x.pem"))).toBe(false);
    expect((await ksk(["ca", "init", "--dir", tmp.dir, "--days", "0", "--force"])).code).toBe(2);
  });
});
