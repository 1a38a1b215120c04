/**
 * `ksk skr sign`, `ksk skr import --format knot` and `ksk ksr export --format knot` with Knot DNS's
 * offline-KSK files (keymgr 3.2.6's own, ../../ksr/test/fixtures): a malformed Knot KSR is one line
 * naming file:line, exit 3, and nothing is written; Knot's SKR imports as an SKR that verifies
 * against Knot's KSK; a KSR exports as Knot's periods.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "./fixtures.js";
import { ksk } from "./harness.js";

const fixtures = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../ksr/test/fixtures");
const KNOT_KSR = readFileSync(path.join(fixtures, "knot-3.2.6-ksr.txt"), "utf8");
const KNOT_SKR = path.join(fixtures, "knot-3.2.6-skr.txt");
const tmp = tempDir();
afterAll(() => tmp.cleanup());

// The KSK is never reached: a bad KSR is refused before any keystore is opened.
const config = tmp.file(
  "ksrsigner.yaml",
  `keystore: file:${tmp.dir}/no-such-keystore
keys:
  ksk_current:
    description: lab
    label: lab-ksk
    algorithm: ECDSAP256SHA256
    valid_from: 2026-01-01T00:00:00+00:00
ksk_policy:
  max_signature_validity: P14D
  min_signature_validity: P14D
  max_validity_overlap: P14D
  min_validity_overlap: P7D
  ttl: 3600
  signers_name: example.
`,
);

function withLine(line: number, replacement: string): string {
  const lines = KNOT_KSR.split("\n");
  lines[line - 1] = replacement;
  return lines.join("\n");
}

describe("ksk skr sign with a malformed Knot KSR: one line, file:line, exit 3, nothing written", () => {
  const lines = KNOT_KSR.split("\n");
  it.each([
    ["overlapping periods", withLine(7, ";; KeySigningRequest 1.0 1796545210 (2026-12-06T08:20:10Z) ========="), 7, /overlap/],
    [
      "a gap (a period without keys)",
      [...lines.slice(0, 6), ";; KeySigningRequest 1.0 1797000000 (2026-12-11T14:40:00Z) =========", ...lines.slice(6)].join("\n"),
      7,
      /gap/,
    ],
    ["a DNSKEY that is not a ZSK", withLine(2, "example.            \t3600 DNSKEY 257 3 13 ("), 2, /not a ZSK/],
    ["a mixed-zone file", withLine(8, "example.org.            \t3600 DNSKEY 256 3 13 ("), 8, /one file, one zone/],
    ["a truncated header", withLine(7, ";; KeySigningRequest 1.0 17991"), 7, /cut short/],
  ])("%s", async (name, text, line, message) => {
    const ksr = tmp.file(`bad-${name.replace(/\W+/g, "-")}.txt`, text);
    const out = tmp.file(`out-${line}-${name.length}.txt`);
    const r = await ksk(["skr", "sign", ksr, "--config", config, "--yes", "-o", `${out}.skr`]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(`${ksr}:${line}: `);
    expect(r.stderr).toMatch(message);
    expect(existsSync(`${out}.skr`)).toBe(false);
  });

  it("a Knot KSR with --previous-skr is a usage error (exit 2): Knot's file chains to no SKR", async () => {
    const ksr = tmp.file("knot-ksr-prev.txt", KNOT_KSR);
    const r = await ksk(["skr", "sign", ksr, "--config", config, "--previous-skr", ksr, "--yes", "-o", tmp.file("prev.skr")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--previous-skr is for IANA's XML KSRs/);
    expect(existsSync(tmp.file("prev.skr"))).toBe(false);
  });

  it("--ksr-format iana reads the same file as XML, and refuses it as such", async () => {
    const ksr = tmp.file("good-knot-ksr.txt", KNOT_KSR);
    const r = await ksk(["skr", "sign", ksr, "--config", config, "--ksr-format", "iana", "--no-previous-skr", "--yes", "-o", tmp.file("x.skr")]);
    expect(r.code).toBe(3);
    expect(existsSync(tmp.file("x.skr"))).toBe(false);
  });
});

describe("ksk skr import --format knot and ksk ksr export --format knot", () => {
  it("refuses keymgr's SKR whose first period has no RRSIG (exit 3, nothing written); without it, imports an SKR that verifies against Knot's KSK", async () => {
    const out = path.join(tmp.dir, "knot-skr.xml");
    const refused = await ksk(["skr", "import", "--format", "knot", KNOT_SKR, "-o", out]);
    expect([refused.code, refused.stderr]).toEqual([3, `ksk: ${KNOT_SKR}:1: period 2026-12-06T08:20:10Z has no RRSIG over its DNSKEY RRset\n`]);
    expect(existsSync(out)).toBe(false);

    const signedOnly = tmp.file("signed-periods.txt", readFileSync(KNOT_SKR, "utf8").split("\n").slice(6).join("\n"));
    const r = await ksk(["skr", "import", "--format", "knot", signedOnly, "-o", out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/20 periods written by Knot DNS 3\.2\.6/);
    expect(r.stdout).toMatch(/^ {2}6 {4}86 {2}2027-01-05T08:20:06Z {2}52513 59286 48700K {5}48700$/m);
    expect(readFileSync(out, "utf8")).not.toContain("timestamp");
    const kskRecord = readFileSync(KNOT_SKR, "utf8").split("\n").slice(12, 17).join("\n");
    const anchor = tmp.file("knot-ksk.dnskey", `${kskRecord}\n`);
    const v = await ksk(["skr", "verify", out, "--anchor", anchor]);
    expect(v.stdout.match(/^OK {3}bundle \d+ .* signed by 48700$/gm)).toHaveLength(20);
    expect(v.code).toBe(0);
  });

  it("a KSR (IANA's 2017 Q2) exports as Knot's KSR: one period per bundle, read back by the Knot reader", async () => {
    const out = path.join(tmp.dir, "export.txt");
    const r = await ksk(["ksr", "export", "--format", "knot", path.join(fixtures, "ksr-root-2017-q2-0.xml"), "-o", out]);
    expect(r.code).toBe(0);
    const text = readFileSync(out, "utf8");
    expect(text.match(/^;; KeySigningRequest 1\.0 \d+ /gm)).toHaveLength(9);
    expect(text).toMatch(/^;; KeySigningRequest 1\.0 1491004800 \(2017-04-01T00:00:00Z\) =+$/m);
    expect(text).toMatch(/^;; KeySigningRequest 1\.0 generated at .* by ksk/m);
    const again = await ksk(["ksr", "export", "--format", "knot", path.join(fixtures, "ksr-root-2017-q2-0.xml"), "-o", out]);
    expect(again.code).toBe(5);
  });
});
