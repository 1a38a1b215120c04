/**
 * The real-sized lab root signed by the `ksk` process, judged by independent validators — and
 * zones signed by ldns-signzone and BIND's dnssec-signzone judged by `ksk zone verify`:
 *   - `ldns-verify-zone -t` (with -Z: a matching ZONEMD is required) and `kzonecheck -t` accept
 *     the signed root at the signing time; BIND's `dnssec-verify`, which takes no time, accepts a
 *     zone signed for the quarter of the real clock;
 *   - ldns and BIND zones (their own NSEC chains, signature orders and ZONEMD) pass `ksk zone
 *     verify` from their KSK, and fail from another key;
 *   - a changed RRSIG is caught by ldns and by `ksk zone verify` alike.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { formatRrsigTime } from "@ksk/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SMALL_ROOT, SOA_TEXT } from "../packages/zone/test/lab-root.js";
import { hasTool, runTool } from "./support/tools.js";
import { type ZoneLab, makeZoneLab, unsignedRootText, zoneSignArgs } from "./support/zone-lab.js";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const bin = path.join(root, "packages/cli/bin/ksk");
const dir = mkdtempSync(path.join(tmpdir(), "ksk zone #oracles-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ksk(args: string[]) {
  const r = spawnSync(bin, args, { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let lab: ZoneLab;
const signed = path.join(dir, "root.signed.zone");
beforeAll(async () => {
  lab = await makeZoneLab(dir);
  const unsigned = path.join(dir, "root.zone");
  writeFileSync(unsigned, unsignedRootText());
  const r = ksk(zoneSignArgs(lab, unsigned, signed, { extra: ["--sentinels"] }));
  if (r.code !== 0) throw new Error(`ksk zone sign failed (${r.code}): ${r.stderr}`);
}, 300_000);

describe("the real-sized lab root signed by ksk", () => {
  it("is accepted by ksk zone verify from the lab KSK", () => {
    const r = ksk(["zone", "verify", signed, "--anchor", lab.anchorFile, "--at", lab.at]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^valid: zone \. at 2027-02-03T00:00:00Z, 28\d\d signed RRsets, .* 15\d\d NSEC, ZONEMD 2020091300 1 1: digest matches the zone; .*; 0 problems\n$/,
    );
  });

  it.runIf(hasTool("ldns-verify-zone"))("is accepted by ldns-verify-zone -t at the signing time, ZONEMD required", () => {
    const r = runTool("ldns-verify-zone", ["-Z", "-t", formatRrsigTime(lab.atEpochSeconds), signed]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("Zone is verified and complete");
    expect(r.status).toBe(0);
  });

  it.runIf(hasTool("kzonecheck"))("is accepted by kzonecheck -t at the signing time (Knot's semantic checks, missing glue included)", () => {
    const r = runTool("kzonecheck", ["-o", ".", "-d", "on", "-t", String(lab.atEpochSeconds), signed]);
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it.runIf(hasTool("ldns-verify-zone"))("with one RRSIG changed, is refused by ldns-verify-zone and ksk zone verify alike", () => {
    const text = readFileSync(signed, "utf8").replace(/(\ncom\.\t\d+\tIN\tRRSIG\tDS [^\n]*?)[A-Za-z0-9+/]{4}(=*\n)/, "$1AAAA$2");
    const damaged = path.join(dir, "root.damaged.zone");
    writeFileSync(damaged, text);
    expect(runTool("ldns-verify-zone", ["-t", formatRrsigTime(lab.atEpochSeconds), damaged]).status).not.toBe(0);
    const r = ksk(["zone", "verify", damaged, "--anchor", lab.anchorFile, "--at", lab.at]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL RRSIG-VALID +com\. DS: /m);
  });
});

describe.runIf(hasTool("dnssec-verify"))("BIND's dnssec-verify (it validates at the real clock, so this lab is for the current quarter)", () => {
  it("accepts a lab root signed now", async () => {
    // dnssec-verify has no time option: the one place a zone test reads the real clock.
    const now = Math.floor(Date.now() / 1000);
    const month = new Date(now * 1000).getUTCMonth();
    const quarter = `${new Date(now * 1000).getUTCFullYear()}Q${Math.floor(month / 3) + 1}`;
    const current = await makeZoneLab(mkdtempSync(path.join(dir, "now-")), { algorithm: 13, quarter, atEpochSeconds: now });
    const input = path.join(current.dir, "lab.zone");
    writeFileSync(input, SMALL_ROOT);
    const output = path.join(current.dir, "lab.signed.zone");
    const at = `@${now}`;
    const r = ksk([
      "zone",
      "sign",
      input,
      "--keystore",
      current.keystoreUri,
      "--passphrase-file",
      current.passphraseFile,
      "--skr",
      current.skrFile,
      "--at",
      at,
      "--soa",
      SOA_TEXT,
      "-o",
      output,
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const v = runTool("dnssec-verify", ["-o", ".", output]);
    expect(v.stdout + v.stderr).toContain("Zone fully signed");
    expect(v.status).toBe(0);
  });
});

/** An unsigned small lab root with a SOA, for the other signers. */
function unsignedSmall(where: string): string {
  const file = path.join(where, "small.zone");
  writeFileSync(file, `. 86400 IN SOA ${SOA_TEXT}\n${SMALL_ROOT}`);
  return file;
}

describe("zones signed by other signers pass ksk zone verify", () => {
  const inception = Date.UTC(2027, 1, 1) / 1000;
  const at = "2027-02-03T00:00:00Z";

  it.runIf(hasTool("ldns-signzone") && hasTool("ldns-keygen"))("ldns-signzone (RSASHA256, with ZONEMD SHA-384)", () => {
    const work = mkdtempSync(path.join(dir, "ldns-"));
    const keygen = (extra: string[]) => runTool("ldns-keygen", ["-a", "RSASHA256", "-b", "2048", ...extra, "."], { cwd: work }).stdout.trim();
    const zsk = keygen([]);
    const kskBase = keygen(["-k"]);
    const input = unsignedSmall(work);
    const output = path.join(work, "small.signed");
    const s = runTool(
      "ldns-signzone",
      ["-z", "1:1", "-i", formatRrsigTime(inception), "-e", formatRrsigTime(inception + 20 * 86400), "-o", ".", "-f", output, input, zsk, kskBase],
      { cwd: work },
    );
    expect(s.stderr).toBe("");
    expect(s.status).toBe(0);
    const good = ksk(["zone", "verify", output, "--anchor", path.join(work, `${kskBase}.key`), "--at", at]);
    expect(good.stdout).toMatch(/^valid: .*ZONEMD \d+ 1 1: digest matches the zone; .* 0 problems\n$/);
    expect(good.code).toBe(0);
    const wrongAnchor = ksk(["zone", "verify", output, "--anchor", path.join(work, `${zsk}.key`), "--at", at]);
    expect(wrongAnchor.code).toBe(1);
    expect(wrongAnchor.stdout).toMatch(/^FAIL DNSKEY-ANCHORED +\. DNSKEY: /m);
  });

  it.runIf(hasTool("dnssec-signzone") && hasTool("dnssec-keygen"))("BIND's dnssec-signzone (RSASHA256)", () => {
    const work = mkdtempSync(path.join(dir, "bind-"));
    const keygen = (extra: string[]) =>
      runTool("dnssec-keygen", ["-q", "-K", work, "-a", "RSASHA256", "-b", "2048", "-n", "ZONE", ...extra, "."]).stdout.trim();
    const zsk = keygen([]);
    const kskBase = keygen(["-f", "KSK"]);
    const input = unsignedSmall(work);
    const output = path.join(work, "small.signed");
    // -S (smart signing): the keys are found in -K and their DNSKEYs added at the apex.
    const s = runTool(
      "dnssec-signzone",
      ["-S", "-P", "-o", ".", "-s", formatRrsigTime(inception), "-e", formatRrsigTime(inception + 20 * 86400), "-f", output, "-K", work, input],
      { cwd: work },
    );
    expect(s.status).toBe(0);
    expect(zsk).toMatch(/^K\.\+008\+\d{5}$/);
    expect(readdirSync(work)).toContain("small.signed");
    const good = ksk(["zone", "verify", output, "--anchor", path.join(work, `${kskBase}.key`), "--at", at]);
    expect(good.stdout).toMatch(/^valid: .*no ZONEMD; .* 0 problems\n$/);
    expect(good.code).toBe(0);
  });
});
