/**
 * `ksk rrset verify` on the real root apex of 2023-11-04 (serial 2023110401): the SOA signed by ZSK
 * 46780 (valid 2023-11-04T16:00Z..2023-11-17T17:00Z) and the DNSKEY RRset signed by KSK-2017 20326
 * (valid 2023-10-31..2023-11-21). It must validate inside the windows from a KSK-2017 DS anchor, and
 * fail outside them, with any byte changed, or from a wrong anchor.
 */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT_APEX_FILE, ROOT_KSKS, dnskeyLine, dsDigest, tempDir } from "./fixtures.js";
import { ksk } from "./harness.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const [ksk2010, ksk2017, ksk2024] = ROOT_KSKS as [(typeof ROOT_KSKS)[0], (typeof ROOT_KSKS)[0], (typeof ROOT_KSKS)[0]];
const apexText = readFileSync(ROOT_APEX_FILE, "utf8");
const dsAnchor = (k: typeof ksk2017) => `.\t172800\tIN\tDS\t${k.keyTag} 8 2 ${dsDigest(k, 2)}\n`;
const anchor2017 = tmp.file("ksk2017.ds", dsAnchor(ksk2017));
const INSIDE = "2023-11-10T00:00:00Z";

describe("ksk rrset verify — the real root apex (2023-11-04)", () => {
  it("validates SOA and DNSKEY inside their windows from a KSK-2017 DS anchor", async () => {
    const r = await ksk(["rrset", "verify", ROOT_APEX_FILE, "--anchor", anchor2017, "--at", INSIDE]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("OK   . SOA: RRSIG SOA by 46780 is valid until 2023-11-17T17:00:00Z");
    expect(r.stdout).toContain("OK   . DNSKEY: RRSIG DNSKEY by 20326 is valid until 2023-11-21T00:00:00Z");
    expect(r.stdout).toContain("OK   . DNSKEY: chains to the anchor");
    expect(r.stdout).not.toContain("FAIL");
  });

  it("takes IANA's published DS line for KSK-2017 as it is: no TTL (RFC 1035 §5.1), so the root's", async () => {
    // The line IANA publishes for KSK-2017 (https://data.iana.org/root-anchors/), character for character.
    const ianaLine = ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n";
    expect(ianaLine).toContain(dsDigest(ksk2017, 2));
    const r = await ksk(["rrset", "verify", ROOT_APEX_FILE, "--anchor", tmp.file("iana-root.ds", ianaLine), "--at", INSIDE]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("OK   . DNSKEY: chains to the anchor");
    expect(r.code).toBe(0);
    const withoutTtlOrClass = tmp.file("bare.ds", ". DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n");
    expect((await ksk(["rrset", "verify", ROOT_APEX_FILE, "--anchor", withoutTtlOrClass, "--at", INSIDE])).code).toBe(0);
  });

  it("validates from a DNSKEY anchor and from a set where only one record matches", async () => {
    const dnskeyAnchor = tmp.file("ksk2017.key", dnskeyLine(ksk2017));
    expect((await ksk(["rrset", "verify", ROOT_APEX_FILE, "--anchor", dnskeyAnchor, "--at", INSIDE])).code).toBe(0);
    const mixed = tmp.file("mixed.ds", dsAnchor(ksk2010) + dsAnchor(ksk2017) + dsAnchor(ksk2024));
    expect((await ksk(["rrset", "verify", ROOT_APEX_FILE, "--anchor", mixed, "--at", INSIDE])).code).toBe(0);
  });

  it.each([
    ["before the SOA's inception", "2023-11-04T15:59:59Z", /FAIL \. SOA: RRSIG SOA by 46780 is not valid until 2023-11-04T16:00:00Z/],
    ["after the SOA's expiration", "2023-11-17T17:00:01Z", /FAIL \. SOA: RRSIG SOA by 46780 expired at 2023-11-17T17:00:00Z/],
    ["before the DNSKEY RRSIG's inception", "2023-10-30T23:59:59Z", /FAIL \. DNSKEY: RRSIG DNSKEY by 20326 is not valid until 2023-10-31T00:00:00Z/],
    ["after the DNSKEY RRSIG's expiration", "2023-11-21T00:00:01Z", /FAIL \. DNSKEY: RRSIG DNSKEY by 20326 expired at 2023-11-21T00:00:00Z/],
  ])("fails %s", async (_why, at, message) => {
    const r = await ksk(["rrset", "verify", ROOT_APEX_FILE, "--anchor", anchor2017, "--at", at]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(message);
    expect(r.stdout).toMatch(/NOT valid at/);
  });

  it("accepts the exact window edges (RFC 4034 §3.1.5: inception and expiration are inclusive)", async () => {
    for (const at of ["2023-11-04T16:00:00Z", "2023-11-17T17:00:00Z"]) {
      expect((await ksk(["rrset", "verify", ROOT_APEX_FILE, "--anchor", anchor2017, "--at", at])).code).toBe(0);
    }
  });

  it("fails from a wrong anchor (KSK-2010, KSK-2024, a revoked KSK-2017, a one-digit-off digest)", async () => {
    const wrong = [dsAnchor(ksk2010), dsAnchor(ksk2024), dnskeyLine(ksk2017, 385), dsAnchor(ksk2017).replace(/E06D/, "E06E")];
    for (const text of wrong) {
      const r = await ksk(["rrset", "verify", ROOT_APEX_FILE, "--anchor", tmp.file("wrong.anchor", text), "--at", INSIDE]);
      expect(r.code, text).toBe(1);
      expect(r.stdout).toMatch(/FAIL \. DNSKEY: no key in the RRset matches the anchor/);
    }
  });

  it("fails with any byte changed in a signature, a key or the signed data", async () => {
    const lines = apexText.split("\n");
    const mutations: [string, (s: string) => string][] = [
      ["KSK signature", (s) => mutateField(s, "RRSIG\tDNSKEY", "fdwy6D1E", "fdwy6D1F")],
      ["ZSK signature", (s) => mutateField(s, "RRSIG\tSOA", "IM1rFyd2", "IM1rFyd3")],
      ["KSK public key", (s) => mutateField(s, "257 3 8", "AwEAAaz/", "AwEAAaz+")],
      ["ZSK public key", (s) => mutateField(s, "256 3 8", "AwEAAddS", "AwEAAddT")],
      ["SOA serial", (s) => s.replace("2023110401", "2023110402")],
      ["RRSIG original TTL", (s) => mutateField(s, "RRSIG\tDNSKEY", "DNSKEY 8 0 172800", "DNSKEY 8 0 172801")],
      ["KSK flags", (s) => mutateField(s, "257 3 8", "257 3 8", "385 3 8")],
    ];
    for (const [what, mutate] of mutations) {
      const mutated = mutate(lines.join("\n"));
      expect(mutated, what).not.toBe(apexText);
      const file = tmp.file("mutated.txt", mutated);
      const r = await ksk(["rrset", "verify", file, "--anchor", anchor2017, "--at", INSIDE]);
      expect(r.code, `${what}: ${r.stdout}${r.stderr}`).toBe(1);
      expect(r.stdout).toMatch(/FAIL/);
    }
  });

  it("still validates when only a record's TTL changes: the signed data carries the Original TTL (RFC 4034 §3.1.8.1)", async () => {
    const file = tmp.file("ttl.txt", mutateField(apexText, "257 3 8", "172800 IN\tDNSKEY", "86400 IN\tDNSKEY"));
    expect((await ksk(["rrset", "verify", file, "--anchor", anchor2017, "--at", INSIDE])).code).toBe(0);
  });

  it("without an anchor checks signatures only, with the keys in the file", async () => {
    const r = await ksk(["rrset", "verify", ROOT_APEX_FILE, "--at", INSIDE, "--json"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { ok: boolean; results: { ok: boolean }[] };
    expect(report.ok).toBe(true);
    expect(report.results).toHaveLength(2);
  });

  it("fails an RRset that carries no RRSIG", async () => {
    const file = tmp.file("unsigned.txt", `${apexText}.\t518400\tIN\tNS\ta.root-servers.net.\n`);
    const r = await ksk(["rrset", "verify", file, "--at", INSIDE]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("FAIL . NS: no RRSIG covers this RRset");
  });

  it("rejects a bad --at as a usage error and a malformed file as exit 3", async () => {
    const bad = await ksk(["rrset", "verify", ROOT_APEX_FILE, "--at", "2023-11-10T00:00:00+01:00"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^ksk: --at: .*offset \+01:00/);
    const broken = tmp.file("broken.txt", apexText.replace("RRSIG\tSOA 8 0", "RRSIG\tSOA 8 x"));
    const r = await ksk(["rrset", "verify", broken, "--at", INSIDE]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`^ksk: ${broken}:2: RRSIG labels: "x" is not a non-negative integer`));
  });

  it("names the anchor file and line of a DS with an unsupported digest type (GOST, 3) or a short digest", async () => {
    const gost = tmp.file("gost.ds", `; anchors\n${dsAnchor(ksk2017)}.\t172800\tIN\tDS\t${ksk2017.keyTag} 8 3 ${dsDigest(ksk2017, 2)}\n`);
    const r = await ksk(["rrset", "verify", ROOT_APEX_FILE, "--anchor", gost, "--at", INSIDE]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`ksk: ${gost}:3: GOST R 34.11-94 (type 3) is not supported; supported: 1 (SHA-1), 2 (SHA-256), 4 (SHA-384)\n`);
    const short = tmp.file("short.ds", `.\t172800\tIN\tDS\t${ksk2017.keyTag} 8 2 ${dsDigest(ksk2017, 2).slice(2)}\n`);
    const s = await ksk(["rrset", "verify", ROOT_APEX_FILE, "--anchor", short, "--at", INSIDE]);
    expect(s.code).toBe(3);
    expect(s.stderr).toMatch(new RegExp(`^ksk: ${short}:1: DS ${ksk2017.keyTag}: SHA-256 digest is 31 octets; must be 32\n$`));
  });
});

/** Replace `from` by `to` on the one line that contains `marker`. */
function mutateField(text: string, marker: string, from: string, to: string): string {
  return text
    .split("\n")
    .map((line) => (line.includes(marker) ? line.replace(from, to) : line))
    .join("\n");
}
