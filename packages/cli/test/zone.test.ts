/**
 * `ksk zone sign | verify | digest` in-process with a frozen clock: a lab root signed from a lab
 * SKR and a software keystore, read back and validated; every kind of bad input the zone file can
 * carry refused with exit 3 and `file:line`, an SKR that does not fit refused with exit 1 or 4 —
 * and in every refusal nothing is written.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SMALL_ROOT, SOA_TEXT } from "../../zone/test/lab-root.js";
import { type ZoneLab, makeZoneLab, zoneSignArgs } from "../../../test/support/zone-lab.js";
import { ksk } from "./harness.js";

const dir = mkdtempSync(path.join(tmpdir(), "ksk-zone-"));
let lab: ZoneLab;
beforeAll(async () => {
  lab = await makeZoneLab(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function zoneFile(text: string, name = `zone-${++counter}.zone`): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

function signArgs(zone: string, output: string, extra: string[] = []): string[] {
  return zoneSignArgs(lab, zone, output, { soa: SOA_TEXT, extra });
}

describe("ksk zone sign", () => {
  it("signs the lab root with the ZSK of the bundle in use; zone verify and digest accept it", async () => {
    const output = path.join(dir, "signed.zone");
    const r = await ksk(signArgs(zoneFile(SMALL_ROOT), output, ["--sentinels"]));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^wrote .*signed\.zone: zone \. serial 2027020300, SKR \S+ bundle 4 \(.*\), ZSK zsk-current \(\d+\), \d+ signatures at 2027-02-03T00:00:00Z\n$/,
    );
    const v = await ksk(["zone", "verify", output, "--anchor", lab.anchorFile, "--at", lab.at]);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(
      /^valid: zone \. at 2027-02-03T00:00:00Z, \d+ signed RRsets, .* ZONEMD 2027020300 1 1: digest matches the zone; DNSKEY signed by anchored \d+; 0 problems\n$/,
    );
    const d = await ksk(["zone", "digest", output]);
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(/^\. ZONEMD SHA-384 \(simple\): [0-9A-F]{96}\nOK {3}ZONEMD 2027020300 1 1: digest matches the zone\n$/);
    const digest = /: ([0-9A-F]{96})\n/.exec(d.stdout)?.[1];
    expect(readFileSync(output, "utf8")).toContain(`\tZONEMD\t2027020300 1 1 ${digest}\n`);
  });

  it("follows $INCLUDE below the zone file's directory, with the including file's origin and $TTL", async () => {
    mkdirSync(path.join(dir, "inc"), { recursive: true });
    writeFileSync(path.join(dir, "inc", "aaa.zone"), "aaa NS ns1.dns.nic.aaa.\nns1.dns.nic.aaa. A 156.154.144.2\n");
    const without = SMALL_ROOT.replace(/^aaa\..*\n/m, "").replace(/^ns1\.dns\.nic\.aaa\..*\n/m, "");
    const top = zoneFile(`${without}$INCLUDE inc/aaa.zone\n`);
    const output = path.join(dir, "signed-include.zone");
    const r = await ksk(signArgs(top, output));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readFileSync(output, "utf8")).toContain("aaa.\t172800\tIN\tNS\tns1.dns.nic.aaa.\n");
  });

  it("writes JSON problems with owner, type and code from zone verify (exit 1)", async () => {
    const output = path.join(dir, "signed.zone");
    const damaged = zoneFile(readFileSync(output, "utf8").replace(/(\nexample\.\t\d+\tIN\tNSEC\t)(\S+)/, "$1zzz."));
    const v = await ksk(["zone", "verify", damaged, "--anchor", lab.anchorFile, "--at", lab.at, "--json"]);
    expect(v.code).toBe(1);
    const report = JSON.parse(v.stdout);
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual(expect.objectContaining({ code: "ZONE-NSEC-CHAIN", owner: "example.", type: "NSEC" }));
    expect(report.problems).toContainEqual(expect.objectContaining({ code: "ZONE-ZONEMD", owner: ".", type: "ZONEMD" }));
  });
});

describe("bad zone files: exit 3 with file:line, nothing written", () => {
  const longLabel = "a".repeat(64);
  const longName = `${Array.from({ length: 5 }, () => "b".repeat(60)).join(".")}.`;
  const cases: [string, string, RegExp][] = [
    ["bad syntax", `${SMALL_ROOT}com. 172800 IN NS\n`, /:17: NS target: missing/],
    ["unbalanced parentheses", `${SMALL_ROOT}com. 172800 IN NS ( a.gtld-servers.net.\n`, /:17: unclosed parenthesis/],
    ["a label over 63 octets", `${SMALL_ROOT}${longLabel}. 172800 IN NS a.gtld-servers.net.\n`, /:17: owner: label 1 is 64 octets/],
    ["a name over 255 octets", `${SMALL_ROOT}${longName} 172800 IN A 192.0.2.1\n`, /:17: owner: name is 306 octets/],
    [
      "a TTL over 2^31-1",
      `${SMALL_ROOT}org. 2147483648 IN NS a.gtld-servers.net.\n`,
      /:17: TTL: 2147483648 is over 2147483647, the largest TTL \(RFC 2181 §8\)/,
    ],
    ["CNAME beside other data", `${SMALL_ROOT}www. 3600 IN CNAME aaa.\nwww. 3600 IN TXT "x"\n`, /:17: www\. has a CNAME beside TXT data/],
    ["missing glue", `${SMALL_ROOT}org. 172800 IN NS ns.org.\n`, /:17: org\. NS ns\.org\.: the name server is below a zone cut here but has no A or AAAA glue/],
    [
      "two SOAs",
      `. 86400 IN SOA ${SOA_TEXT}\n${SMALL_ROOT}. 86400 IN SOA ${SOA_TEXT.replace("2027020300", "2027020301")}\n`,
      /:18: a second SOA record \(the first is at .*:1\)/,
    ],
    [
      "$INCLUDE outside the zone's directory",
      `${SMALL_ROOT}$INCLUDE ../outside.zone\n`,
      /:17: \$INCLUDE \.\.\/outside\.zone: only files below the zone file's directory/,
    ],
    [
      "bad DS hex",
      `${SMALL_ROOT}org. 86400 IN NS a.gtld-servers.net.\norg. 86400 IN DS 26974 8 2 4FEDE294C53F438A158C41D39489CD78A86BEB0D8A0AEAFF14745C0D16E1DEZZ\n`,
      /:18: DS digest/,
    ],
  ];
  for (const [what, text, message] of cases) {
    it(what, async () => {
      const input = zoneFile(text, `bad-${what.replace(/\W+/g, "-")}.zone`);
      const output = path.join(dir, `out-${what.replace(/\W+/g, "-")}.zone`);
      // Two SOAs: the zone has its own, so no --soa.
      const args = signArgs(input, output).filter((a, i, all) => !(what === "two SOAs" && (a === "--soa" || all[i - 1] === "--soa")));
      const r = await ksk(args);
      expect(r.stdout).toBe("");
      expect(r.stderr.split("\n").filter(Boolean)).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^ksk: ${input.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}${message.source}`));
      expect(r.code).toBe(3);
      expect(existsSync(output)).toBe(false);
    });
  }

  it("a symlink below the directory that leads outside it", async () => {
    const outside = mkdtempSync(path.join(tmpdir(), "ksk-outside-"));
    try {
      writeFileSync(path.join(outside, "evil.zone"), "evil. 3600 IN A 192.0.2.1\n");
      symlinkSync(path.join(outside, "evil.zone"), path.join(dir, "link.zone"));
      const input = zoneFile(`${SMALL_ROOT}$INCLUDE link.zone\n`);
      const output = path.join(dir, "out-symlink.zone");
      const r = await ksk(signArgs(input, output));
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/:17: \$INCLUDE .*link\.zone leads to .*evil\.zone, outside the zone file's directory/);
      expect(existsSync(output)).toBe(false);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe("an SKR that does not fit: exit 1 or 4, nothing written", () => {
  it("no bundle for --at (exit 1, ZONE-SKR-BUNDLE)", async () => {
    const output = path.join(dir, "out-early.zone");
    const r = await ksk(signArgs(zoneFile(SMALL_ROOT), output).map((a) => (a === lab.at ? "2026-12-01T00:00:00Z" : a)));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ksk: no bundle of SKR \S+ is valid at 2026-12-01T00:00:00Z: its bundles run 2027-01-01T00:00:00Z to /);
    expect(existsSync(output)).toBe(false);
  });

  it("the bundle's ZSK is not in the keystore (exit 4)", async () => {
    const other = await makeZoneLab(mkdtempSync(path.join(dir, "other-")));
    const output = path.join(dir, "out-nozsk.zone");
    const r = await ksk(signArgs(zoneFile(SMALL_ROOT), output).map((a) => (a === lab.keystoreUri ? other.keystoreUri : a)));
    expect(r.stderr).toMatch(/^ksk: file:.*: the ZSK \d+ that the SKR's bundle 4 signs with is not in the keystore\n$/);
    expect(r.code).toBe(4);
    expect(existsSync(output)).toBe(false);
  });

  it("apex DNSKEYs other than the bundle's (exit 1, ZONE-APEX-DNSKEY)", async () => {
    const output = path.join(dir, "out-dnskey.zone");
    const input = zoneFile(
      `${SMALL_ROOT}. 172800 IN DNSKEY 256 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==\n`,
    );
    const r = await ksk(signArgs(input, output));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/:17: the zone carries apex DNSKEY \d+, which is not in bundle 4/);
    expect(existsSync(output)).toBe(false);
  });

  it("an existing output is refused before any key is used (exit 5)", async () => {
    const output = zoneFile("keep me\n");
    const r = await ksk(signArgs(zoneFile(SMALL_ROOT), output));
    expect(r.code).toBe(5);
    expect(readFileSync(output, "utf8")).toBe("keep me\n");
  });
});
