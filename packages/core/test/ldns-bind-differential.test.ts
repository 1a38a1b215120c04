/**
 * Differential tests against ldns and BIND on keys made by `ldns-keygen` for every supported
 * algorithm (8, 10, 13, 14, 15, 16) plus algorithm 1 (for the Appendix B.1 key tag rule):
 * our key tag against the tag in the file name (K<owner>+<alg>+<tag>), our DS digests 1, 2, 4
 * against `ldns-key2ds -n -1/-2/-4` and `dnssec-dsfromkey -1/-2/-a SHA-384`. And a signing
 * differential: a zone signed by `ldns-signzone` must verify with our verifier, and fail with a
 * byte changed. Gated on the tools (with CI=true a missing tool fails instead of skipping).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type DnskeyRdata, type DsRdata, type RR, type RrsigRdata, bytesToHex, keyTag, makeDs, parseZone, verifyRecords } from "../src/index.js";
import { hasTool, runTool } from "../../../test/support/tools.js";
import { epoch, flipByte } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "ksk-core-diff-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ALGORITHMS: [string, number, string[]][] = [
  ["RSASHA256", 8, ["-b", "1024"]],
  ["RSASHA512", 10, ["-b", "1024"]],
  ["ECDSAP256SHA256", 13, []],
  ["ECDSAP384SHA384", 14, []],
  ["ED25519", 15, []],
  ["ED448", 16, []],
];

/** Make a key with ldns-keygen in its own directory; return the base name and the parsed DNSKEY. */
function ldnsKey(name: string, args: string[], owner: string, ksk: boolean): { keyDir: string; base: string; key: RR<DnskeyRdata> } {
  const keyDir = mkdtempSync(join(dir, `${name}-`));
  const made = runTool("ldns-keygen", ["-a", name, ...args, ...(ksk ? ["-k"] : []), owner], { cwd: keyDir });
  expect(made.status, made.stderr).toBe(0);
  const base = made.stdout.trim();
  // ldns writes the .key without a TTL: give the reader a default.
  const [key] = parseZone(readFileSync(join(keyDir, `${base}.key`), "utf8"), { fileName: `${base}.key`, defaultTtlSeconds: 3600 });
  expect(key?.rdata.kind).toBe("DNSKEY");
  return { keyDir, base, key: key as RR<DnskeyRdata> };
}

function dsFromOutput(stdout: string, tool: string): DsRdata {
  const rrs = parseZone(stdout, { fileName: tool, defaultTtlSeconds: 0 }).filter((rr) => rr.rdata.kind === "DS");
  expect(rrs, `${tool} printed: ${stdout}`).toHaveLength(1);
  return rrs[0]?.rdata as DsRdata;
}

const haveLdns = hasTool("ldns-keygen") && hasTool("ldns-key2ds");
const haveBind = hasTool("dnssec-dsfromkey");

describe("key tags and DS digests against ldns-key2ds and dnssec-dsfromkey", () => {
  it.runIf(haveLdns)("ldns-keygen supports every algorithm we test", () => {
    const list = runTool("ldns-keygen", ["-a", "list"]).stdout + runTool("ldns-keygen", ["-a", "list"]).stderr;
    for (const [name] of ALGORITHMS) expect(list).toContain(name);
  });

  for (const [name, number, args] of ALGORITHMS) {
    it.runIf(haveLdns && haveBind)(`${name} (${number})`, () => {
      const { keyDir, base, key } = ldnsKey(name, args, ".", true);
      const [, alg, tag] = /^K\.\+(\d{3})\+(\d{5})$/.exec(base) ?? [];
      expect(Number(alg)).toBe(number);
      expect(keyTag(key.rdata)).toBe(Number(tag));
      const file = join(keyDir, `${base}.key`);
      for (const [digestType, ldnsFlag, bindArgs] of [
        [1, "-1", ["-1"]],
        [2, "-2", ["-2"]],
        [4, "-4", ["-a", "SHA-384"]],
      ] as const) {
        const ours = makeDs(key.owner, key.rdata, digestType);
        const ldns = runTool("ldns-key2ds", ["-n", ldnsFlag, file], { cwd: keyDir });
        expect(ldns.status, ldns.stderr).toBe(0);
        expect(dsFromOutput(ldns.stdout, "ldns-key2ds")).toEqual(ours);
        const bind = runTool("dnssec-dsfromkey", [...bindArgs, file], { cwd: keyDir });
        expect(bind.status, bind.stderr).toBe(0);
        expect(dsFromOutput(bind.stdout, "dnssec-dsfromkey")).toEqual(ours);
      }
    });
  }

  it.runIf(haveLdns)("RSAMD5 (1): the Appendix B.1 key tag equals ldns's", () => {
    const { base, key } = ldnsKey("RSAMD5", ["-b", "1024"], "example.", false);
    const [, alg, tag] = /^Kexample\.\+(\d{3})\+(\d{5})$/.exec(base) ?? [];
    expect(Number(alg)).toBe(1);
    expect(keyTag(key.rdata)).toBe(Number(tag));
  });

  it.runIf(haveLdns)("a key changed by one octet no longer gives ldns's DS", () => {
    const { keyDir, base, key } = ldnsKey("ECDSAP256SHA256", [], ".", true);
    const ldns = dsFromOutput(runTool("ldns-key2ds", ["-n", "-2", join(keyDir, `${base}.key`)]).stdout, "ldns-key2ds");
    const changed = { ...key.rdata, publicKeyBytes: flipByte(key.rdata.publicKeyBytes, 3) };
    expect(bytesToHex(makeDs(key.owner, changed, 2).digestBytes)).not.toBe(bytesToHex(ldns.digestBytes));
  });
});

describe("signing differential: ldns-signzone signs, we verify", () => {
  it.runIf(hasTool("ldns-keygen") && hasTool("ldns-signzone"))("every RRset of an ldns-signed zone verifies, and a changed byte is rejected", () => {
    const { keyDir, base } = ldnsKey("RSASHA256", ["-b", "1024"], "example.", false);
    const zoneFile = join(keyDir, "example.zone");
    writeFileSync(
      zoneFile,
      [
        "$ORIGIN example.",
        "$TTL 3600",
        "@ IN SOA ns hostmaster 1 7200 900 604800 300",
        "@ IN NS ns",
        "ns IN A 192.0.2.1",
        "ns IN AAAA 2001:db8::1",
        "www IN A 192.0.2.80",
        'www IN TXT "hello" "world"',
        "",
      ].join("\n"),
    );
    const signed = runTool("ldns-signzone", ["-e", "20300101000000", "-i", "20240101000000", "-f", `${zoneFile}.signed`, zoneFile, base], { cwd: keyDir });
    expect(signed.status, signed.stderr).toBe(0);
    expect(readdirSync(keyDir)).toContain("example.zone.signed");
    const rrs = parseZone(readFileSync(`${zoneFile}.signed`, "utf8"), { fileName: "example.zone.signed" });
    const now = epoch("2026-01-01T00:00:00Z");
    const verdicts = verifyRecords(rrs, now);
    // SOA, NS, DNSKEY and NSEC at the apex; A, AAAA, NSEC at ns; A, TXT, NSEC at www.
    expect(verdicts.length).toBeGreaterThanOrEqual(10);
    for (const v of verdicts) expect(v.signed, `${v.rrset.type}: ${v.verdicts.map((x) => x.reason).join("; ")}`).toBe(true);

    const rrsigs = rrs.filter((rr): rr is RR<RrsigRdata> => rr.rdata.kind === "RRSIG");
    const victim = rrsigs[2] as RR<RrsigRdata>;
    const tampered = rrs.map((rr) =>
      rr === victim ? { ...victim, rdata: { ...victim.rdata, signatureBytes: flipByte(victim.rdata.signatureBytes, 17) } } : rr,
    );
    const after = verifyRecords(tampered, now);
    expect(after.filter((v) => !v.signed)).toHaveLength(1);
    expect(after.find((v) => !v.signed)?.verdicts[0]?.status).toBe("bad-signature");
    // Outside the window ldns gave, nothing verifies.
    expect(verifyRecords(rrs, epoch("2031-01-01T00:00:00Z")).every((v) => !v.signed)).toBe(true);
  });
});
