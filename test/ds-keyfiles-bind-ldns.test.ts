/**
 * `ksk ds` and `ksk keytag` on the `.key` files operators already have, exactly as the tools wrote
 * them: BIND's dnssec-keygen (`;` comment header, no TTL) and ldns-keygen (no TTL, a trailing
 * `;{id = …}` comment), fresh keys of all six algorithms the toolkit signs with. The DS records must
 * equal what dnssec-dsfromkey and ldns-key2ds print for the same file (SHA-256 and SHA-384), the
 * key tag the one in the tool's file name; the root's TTL is used, and said once on stderr.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ksk } from "../packages/cli/test/harness.js";
import { hasTool, runTool } from "./support/tools.js";

const ALGORITHMS = [
  [8, "RSASHA256"],
  [10, "RSASHA512"],
  [13, "ECDSAP256SHA256"],
  [14, "ECDSAP384SHA384"],
  [15, "ED25519"],
  [16, "ED448"],
] as const;

const dir = mkdtempSync(path.join(tmpdir(), "ksk-keyfiles-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The DS RDATA fields of each DS line (owner, TTL and class aside), digest upper-case. */
function dsRdata(text: string): string[] {
  return text
    .split("\n")
    .filter((l) => /\sDS\s/.test(l))
    .map((l) => {
      const f = l.trim().split(/\s+/);
      const at = f.indexOf("DS");
      return `${f[at + 1]} ${f[at + 2]} ${f[at + 3]} ${f
        .slice(at + 4)
        .join("")
        .toUpperCase()}`;
    });
}

function newKeyFile(subdir: string, generate: (cwd: string) => string): string {
  const cwd = path.join(dir, subdir);
  runTool("mkdir", ["-p", cwd]);
  const base = generate(cwd).trim().split("\n").pop()!;
  const file = path.join(cwd, `${base}.key`);
  expect(readdirSync(cwd)).toContain(`${base}.key`);
  return file;
}

async function expectDsAndTag(file: string, expectedDs: string[]) {
  const tagInName = Number(/\+(\d{5})\.key$/.exec(file)![1]);
  const ds = await ksk(["ds", file, "--digest", "2,4"]);
  expect(ds.code, ds.stderr).toBe(0);
  expect(dsRdata(ds.stdout)).toEqual(expectedDs);
  expect(ds.stdout).toMatch(/^\S+\t172800\tIN\tDS\t/);
  expect(ds.stderr.trim().split("\n")).toEqual([
    expect.stringMatching(/^ksk: note: .*\.key:\d+: the record has no TTL and there is no \$TTL; using the root's 172800 seconds$/),
  ]);
  const tag = await ksk(["keytag", file]);
  expect(tag.code, tag.stderr).toBe(0);
  expect(tag.stdout).toMatch(new RegExp(`^\\S+ ${tagInName} \\(revoked tag \\d+\\) flags 257 `));
}

describe.runIf(hasTool("dnssec-keygen") && hasTool("dnssec-dsfromkey"))("BIND dnssec-keygen .key files", () => {
  for (const [number, name] of ALGORITHMS) {
    it(`algorithm ${number} ${name}: ksk ds equals dnssec-dsfromkey, ksk keytag the file name's tag`, async () => {
      const file = newKeyFile(`bind-${number}`, (cwd) => {
        const r = runTool("dnssec-keygen", ["-q", "-a", name, "-f", "KSK", "-K", cwd, "example"]);
        expect(r.status, r.stderr).toBe(0);
        return r.stdout;
      });
      expect(Number(/\+(\d{3})\+/.exec(file)![1])).toBe(number);
      const sha256 = runTool("dnssec-dsfromkey", ["-2", file]);
      const sha384 = runTool("dnssec-dsfromkey", ["-a", "SHA-384", file]);
      expect(sha256.status, sha256.stderr).toBe(0);
      expect(sha384.status, sha384.stderr).toBe(0);
      await expectDsAndTag(file, [...dsRdata(sha256.stdout), ...dsRdata(sha384.stdout)]);
    });
  }
});

describe.runIf(hasTool("ldns-keygen") && hasTool("ldns-key2ds"))("ldns-keygen .key files", () => {
  for (const [number, name] of ALGORITHMS) {
    it(`algorithm ${number} ${name}: ksk ds equals ldns-key2ds, ksk keytag the file name's tag`, async () => {
      const file = newKeyFile(`ldns-${number}`, (cwd) => {
        const bits = number === 8 || number === 10 ? ["-b", "2048"] : [];
        const r = runTool("ldns-keygen", ["-a", name, ...bits, "-k", "."], { cwd });
        expect(r.status, r.stderr).toBe(0);
        return r.stdout;
      });
      const sha256 = runTool("ldns-key2ds", ["-n", "-2", file]);
      const sha384 = runTool("ldns-key2ds", ["-n", "-4", file]);
      expect(sha256.status, sha256.stderr).toBe(0);
      expect(sha384.status, sha384.stderr).toBe(0);
      await expectDsAndTag(file, [...dsRdata(sha256.stdout), ...dsRdata(sha384.stdout)]);
    });
  }
});
