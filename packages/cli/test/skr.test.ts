/**
 * `ksk skr verify` and `ksk skr show` on IANA's real SKRs of 2017 (signed by KSK-2010, tag 19036):
 * both verify from a KSK-2010 DS anchor, each bundle judged in its own window, though they expired
 * years ago; the Q2 SKR answers the Q2 KSR; a wrong anchor, the wrong KSR or a later --now fails;
 * hostile input is exit 3.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { groupedHex, hexToBytes, pgpWords } from "@ksk/core";
import { afterAll, describe, expect, it } from "vitest";
import { runTool } from "../../../test/support/tools.js";
import { ROOT_KSKS, dsDigest, tempDir } from "./fixtures.js";
import { ksk } from "./harness.js";

const ceremony = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../ksr/test/fixtures");
const SKR_Q1 = path.join(ceremony, "skr-root-2017-q1-0.xml");
const SKR_Q2 = path.join(ceremony, "skr-root-2017-q2-0.xml");
const KSR_Q2 = path.join(ceremony, "ksr-root-2017-q2-0.xml");
const tmp = tempDir();
afterAll(() => tmp.cleanup());
const ds = (k: (typeof ROOT_KSKS)[number]) => `.\t172800\tIN\tDS\t${k.keyTag} 8 2 ${dsDigest(k, 2)}\n`;
const ksk2010 = tmp.file("ksk2010.ds", ds(ROOT_KSKS[0]!));

describe("ksk skr verify on IANA's 2017 SKRs", () => {
  for (const skr of [SKR_Q1, SKR_Q2]) {
    it(`${path.basename(skr)} verifies from a KSK-2010 anchor, every bundle signed by 19036`, async () => {
      const r = await ksk(["skr", "verify", skr, "--anchor", ksk2010]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout.match(/^OK {3}bundle \d .* signed by 19036$/gm)).toHaveLength(9);
      expect(r.stdout).toMatch(/^PASS SKR-ANCHOR +every bundle is signed by an anchored key$/m);
    });
  }

  it("the Q2 SKR answers the Q2 KSR; the Q1 SKR does not", async () => {
    expect((await ksk(["skr", "verify", SKR_Q2, "--ksr", KSR_Q2])).code).toBe(0);
    const wrong = await ksk(["skr", "verify", SKR_Q1, "--ksr", KSR_Q2]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/FAIL SKR-MATCHES-KSR +SKR id 122992ea-297d-4f12-845b-0fb448c33ccb is not the KSR id 23e34059-7725-46a8-a7d2-662d657aab2b/);
  });

  it("fails from a KSK-2017 anchor: no bundle is signed by it", async () => {
    const r = await ksk(["skr", "verify", SKR_Q1, "--anchor", tmp.file("ksk2017.ds", ds(ROOT_KSKS[1]!))]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/SKR-ANCHOR: no key of the bundle is designated by the anchor/);
  });

  it("from IANA's root-anchors.xml at today's date: KSK-2010 is left out and the note says why and what to give", async () => {
    const xml = path.resolve(ceremony, "../../../trust-anchor/test/fixtures/root-anchors-rfc9718-2024.xml");
    const r = await ksk(["skr", "verify", SKR_Q2, "--anchor", xml]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^ksk: NOTE: .*root-anchors-rfc9718-2024\.xml: KeyDigest Kjqmt7v \(key tag 19036\) is in the file but valid until 2019-01-11T00:00:00Z, so it is not an anchor at 2026-11-28T00:00:00Z; give --now to select at another time$/m,
    );
    const then = await ksk(["skr", "verify", SKR_Q2, "--anchor", xml, "--now", "2017-05-01T00:00:00Z"]);
    expect(then.code).toBe(0);
    expect(then.stderr).toMatch(/KeyDigest Kmyv6jo \(key tag 38696\) is in the file but valid only from 2024-07-18T00:00:00Z/);
  });

  it("with --now, requires a bundle valid then or later", async () => {
    expect((await ksk(["skr", "verify", SKR_Q2, "--now", "2017-07-11T00:00:00Z"])).code).toBe(0);
    const late = await ksk(["skr", "verify", SKR_Q2, "--now", "2017-07-11T00:00:01Z", "--json"]);
    expect(late.code).toBe(1);
    const report = JSON.parse(late.stdout) as { ok: boolean; checks: { code: string; status: string }[] };
    expect(report.checks.find((c) => c.code === "SKR-COVERS-NOW")?.status).toBe("fail");
  });

  it("fails with one changed byte in a signature", async () => {
    const text = readFileSync(SKR_Q1, "utf8");
    const at = text.indexOf("<SignatureData>") + "<SignatureData>".length + 10;
    const file = tmp.file("q1-tampered.xml", text.slice(0, at) + (text[at] === "A" ? "B" : "A") + text.slice(at + 1));
    const r = await ksk(["skr", "verify", file, "--anchor", ksk2010]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL bundle 1 .* signed by 19036\(bad\)/);
  });

  it("refuses a KSR given as the SKR, and hostile XML, with exit 3 and one line", async () => {
    const kind = await ksk(["skr", "verify", KSR_Q2]);
    expect(kind.code).toBe(3);
    expect(kind.stderr).toMatch(/is a KSR \(<Request>\), not an SKR/);
    const hostile = await ksk([
      "skr",
      "verify",
      tmp.file("xxe.xml", '<?xml version="1.0"?><!DOCTYPE KSR [<!ENTITY x SYSTEM "file:///etc/passwd">]><KSR>&x;</KSR>'),
    ]);
    expect(hostile.code).toBe(3);
    expect(hostile.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("ksk skr show", () => {
  it("prints the file's SHA-256 and PGP words (as sha256sum computes it), the bundle table and both policies", async () => {
    const r = await ksk(["skr", "show", SKR_Q2]);
    expect(r.code).toBe(0);
    const hex = runTool("sha256sum", [SKR_Q2]).stdout.split(" ")[0] as string;
    expect(r.stdout).toContain(`SKR SHA-256: ${groupedHex(hexToBytes(hex))}\n`);
    expect(r.stdout).toContain(`SKR PGP words: ${pgpWords(hexToBytes(hex)).join(" ")}\n`);
    const json = JSON.parse((await ksk(["skr", "show", SKR_Q2, "--format", "json"])).stdout) as { sha256Hex: string; pgpWords: string[] };
    expect(json.sha256Hex).toBe(hex);
    expect(json.pgpWords).toEqual(pgpWords(hexToBytes(hex)));
    expect(r.stdout).toMatch(/^SKR \S+ id 23e34059-7725-46a8-a7d2-662d657aab2b serial \d+ domain \., 9 bundles/);
    expect(r.stdout).toMatch(/KSK policy:[\s\S]*RetireSafety P28D[\s\S]*ZSK policy:/);
  });

  it("prints each bundle as the DNSKEY RRset and RRSIGs an RZM publishes, which verify at the slot's time", async () => {
    const r = await ksk(["skr", "show", SKR_Q2, "--format", "zone"]);
    expect(r.code).toBe(0);
    const first = r.stdout.split("; bundle 2")[0] as string;
    expect(first.match(/\tDNSKEY\t/g)).toHaveLength(3);
    expect(first.match(/\tRRSIG\tDNSKEY 8 0 172800 20170422000000 20170401000000 19036 \./g)).toHaveLength(1);
    const zone = tmp.file("bundle1.zone", first);
    expect((await ksk(["rrset", "verify", zone, "--anchor", ksk2010, "--at", "2017-04-10T00:00:00Z"])).code).toBe(0);
  });

  it("--bundle N prints that bundle alone, which pipes into rrset verify - at the slot's time; a bundle out of range is exit 2", async () => {
    const r = await ksk(["skr", "show", SKR_Q2, "--format", "zone", "--bundle", "5"]);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^; bundle \d+/gm)).toEqual(["; bundle 5"]);
    const inception = /RRSIG\tDNSKEY 8 0 172800 \d{14} (\d{14}) 19036/.exec(r.stdout)![1]!;
    const at = `${inception.slice(0, 4)}-${inception.slice(4, 6)}-${inception.slice(6, 8)}T12:00:00Z`;
    const verified = await ksk(["rrset", "verify", "-", "--anchor", ksk2010, "--at", at], { stdin: r.stdout });
    expect(verified.stdout).toContain("OK   . DNSKEY: chains to the anchor");
    expect(verified.code).toBe(0);
    expect((await ksk(["skr", "show", SKR_Q2, "--format", "zone", "--bundle", "10"])).code).toBe(2);
  });

  it("is the same presentation as ksr show of the same file", async () => {
    for (const format of ["table", "zone", "json"]) {
      const skr = await ksk(["skr", "show", SKR_Q2, "--format", format]);
      expect(skr.code).toBe(0);
      expect((await ksk(["ksr", "show", SKR_Q2, "--format", format])).stdout).toBe(skr.stdout);
    }
  });

  it("prints JSON with each bundle's ZSK tags and KSKs", async () => {
    const r = await ksk(["skr", "show", SKR_Q2, "--format", "json"]);
    const doc = JSON.parse(r.stdout) as { bundles: { zskTags: number[]; ksks: string[] }[] };
    expect(doc.bundles[0]?.zskTags.sort()).toEqual([14796, 61045]);
    expect(doc.bundles[0]?.ksks[0]).toMatch(/^19036.* S$/);
  });
});
