/**
 * `ksk ksr validate | show | build`, run in-process on the real ceremony files (copies in
 * packages/ksr/test/fixtures, see PROVENANCE.md there), on hostile input, and — for build — on
 * ZSKs generated in a throwaway SoftHSM2 token.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pgpWords } from "@ksk/core";
import { ianaLabel } from "@ksk/keygen";
import { type Keystore, openKeystore } from "@ksk/keystore";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SoftHsmToken, createSoftHsmToken } from "../../../test/support/softhsm.js";
import { hasTool } from "../../../test/support/tools.js";
import { ksk } from "./harness.js";

const here = path.dirname(new URL(import.meta.url).pathname);
const FIXTURES = path.join(here, "../../ksr/test/fixtures");
const KSR_Q2 = path.join(FIXTURES, "ksr-root-2017-q2-0.xml");
const SKR_Q1 = path.join(FIXTURES, "skr-root-2017-q1-0.xml");
const NOW_Q2 = Date.UTC(2017, 2, 1) / 1000;

const dir = mkdtempSync(path.join(tmpdir(), "ksk-ksr-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function variant(name: string, content: string | Uint8Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

describe("ksk ksr validate", () => {
  it("with --anchor, SKR(n-1) must be signed by an anchored KSK: KSK-2010 passes, KSK-2017 fails SKR-VERIFY", async () => {
    const ds = (tag: number) => path.join(dir, `${tag}.ds`);
    writeFileSync(ds(19036), ".\t172800\tIN\tDS\t19036 8 2 49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5\n");
    writeFileSync(ds(20326), ".\t172800\tIN\tDS\t20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n");
    const trusted = await ksk(["ksr", "validate", KSR_Q2, "--previous-skr", SKR_Q1, "--anchor", ds(19036)], { now: NOW_Q2 });
    expect(trusted.code).toBe(0);
    expect(trusted.stdout).toMatch(/PASS SKR-VERIFY .*each bundle signed by a trusted KSK/);
    const wrong = await ksk(["ksr", "validate", KSR_Q2, "--previous-skr", SKR_Q1, "--anchor", ds(20326)], { now: NOW_Q2 });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/FAIL SKR-VERIFY .*no signature by a trusted KSK/);
    const alone = await ksk(["ksr", "validate", KSR_Q2, "--anchor", ds(19036)], { now: NOW_Q2 });
    expect(alone.code).toBe(2);
  });

  it("reports, not aborts: a keyTag attribute that is not the key's, and malformed key material, fail KSR-BUNDLE-KEYS only (exit 1)", async () => {
    const text = readFileSync(KSR_Q2, "utf8");
    const wrongTag = await ksk(["ksr", "validate", variant("wrong-tag.xml", text.replace('keyTag="61045"', 'keyTag="61046"')), "--previous-skr", SKR_Q1], {
      now: NOW_Q2,
    });
    expect(wrongTag.code).toBe(1);
    expect(wrongTag.stdout).toMatch(/FAIL KSR-BUNDLE-KEYS .*keyTag attribute says 61046 but the key's tag is 61045/);
    expect(wrongTag.stdout).toMatch(/PASS KSR-BUNDLE-POP /);
    expect(wrongTag.stdout.match(/^FAIL /gm)).toHaveLength(1);
    // Well-formed XML and base64, but an RSA key whose exponent leaves no modulus.
    const at = text.indexOf('keyTag="15768"');
    const start = text.indexOf("<PublicKey>", at) + "<PublicKey>".length;
    const malformed = `${text.slice(0, start)}AwEAAQ==${text.slice(text.indexOf("</PublicKey>", start))}`;
    const bad = await ksk(["ksr", "validate", variant("malformed-key.xml", malformed)], { now: NOW_Q2 });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/FAIL KSR-BUNDLE-KEYS .*malformed key: RSA public key: exponent length 3 leaves no modulus/);
    expect(bad.stdout).toMatch(/PASS KSR-BUNDLE-POP .*1 bundle\(s\) with malformed keys not judged/);
    expect(bad.stdout.match(/^FAIL /gm)).toHaveLength(1);
  });

  it("KSR-BUNDLE-POP judges possession only: a key's TTL differing from the signatures' Original TTL is KSR-BUNDLE-KEYS's finding", async () => {
    const text = readFileSync(KSR_Q2, "utf8");
    const r = await ksk(["ksr", "validate", variant("ttl.xml", text.replace("<TTL>172800</TTL>", "<TTL>86400</TTL>")), "--previous-skr", SKR_Q1], {
      now: NOW_Q2,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL KSR-BUNDLE-KEYS .*TTL 86400 is not the policy TTL 172800/);
    expect(r.stdout).toMatch(/PASS KSR-BUNDLE-POP /);
  });

  it("passes the real 2017 Q2 KSR chained to the 2017 Q1 SKR: every check, the table, SHA-256 and PGP words", async () => {
    const r = await ksk(["ksr", "validate", KSR_Q2, "--previous-skr", SKR_Q1], { now: NOW_Q2 });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    for (const code of [
      "KSR-DOMAIN",
      "KSR-ID",
      "KSR-BUNDLE-POP",
      "KSR-POLICY-SIG-VALIDITY",
      "KSR-KEYTAG-CLASH",
      "SKR-VERIFY",
      "KSR-CHAIN-KEYS",
      "KSR-CHAIN-OVERLAP",
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^PASS ${code} `, "m"));
    }
    expect(r.stdout).not.toMatch(/^(FAIL|SKIP|OFF)/m);
    expect(r.stdout).toMatch(/^ {2}9 {2}2017-06-20T00:00:00Z {2}2017-07-11T00:00:00Z {2}14796 15768 +\d+ B$/m);
    const digest = createHash("sha256").update(readFileSync(KSR_Q2)).digest();
    expect(r.stdout).toContain(`KSR SHA-256: ${digest.toString("hex").match(/.{8}/g)!.join(" ")}`);
    expect(r.stdout).toContain(`KSR PGP words: ${pgpWords(new Uint8Array(digest)).join(" ")}`);
    expect(r.stdout).toContain("KSR is acceptable: every check passed\n");
  });

  it("without --previous-skr: never a bare 'acceptable', but the checks skipped, counted and named", async () => {
    const r = await ksk(["ksr", "validate", KSR_Q2], { now: NOW_Q2 });
    expect(r.code).toBe(0);
    const skipped = [...r.stdout.matchAll(/^SKIP (\S+)/gm)].map((m) => m[1]);
    expect(skipped.length).toBeGreaterThan(0);
    expect(r.stdout).toContain(`KSR is acceptable for the checks run; ${skipped.length} skipped: ${skipped.join(", ")}\n`);
  });

  it("ksk ds / keytag given root-anchors.xml point to ksk anchors ds", async () => {
    const xml = variant("root-anchors.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<TrustAnchor id="x" source="y"><Zone>.</Zone></TrustAnchor>\n');
    for (const command of ["ds", "keytag"]) {
      const r = await ksk([command, xml]);
      expect(r.code).toBe(3);
      expect(r.stderr).toBe(`ksk: ${xml}: is XML, not zone-format records (for root-anchors.xml use ksk anchors ds)\n`);
    }
  });

  it("fails the 2016 Q3 KSR under today's policy with exit 1 and names the codes", async () => {
    const r = await ksk(["ksr", "validate", path.join(FIXTURES, "ksr-root-2016-q3-0.xml")], { now: Date.UTC(2016, 5, 1) / 1000 });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL KSR-POLICY-SIG-VALIDITY +bundle 1 \(df64b6da-c1c7-49df-9958-bef478c095d4\): validity P14DT23H59M59S/m);
    expect(r.stdout).toMatch(/^SKIP KSR-CHAIN-KEYS +no previous SKR given/m);
    expect(r.stdout).toContain("KSR is NOT acceptable: KSR-POLICY-ALG, KSR-POLICY-SIG-VALIDITY, KSR-POLICY-SIG-OVERLAP failed");
  });

  it("fails the chain against the wrong SKR, and the horizon at the wrong time", async () => {
    const r = await ksk(["ksr", "validate", KSR_Q2, "--previous-skr", path.join(FIXTURES, "skr-root-2017-q2-0.xml"), "--json"], {
      now: Date.UTC(2016, 11, 1) / 1000,
    });
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as { ok: boolean; checks: { code: string; status: string; detail?: string }[] };
    expect(json.ok).toBe(false);
    // skr-root-2017-q2-0.xml answers this very KSR: same id (a replay) and the wrong last bundle.
    expect(json.checks.filter((c) => c.status === "fail").map((c) => c.code)).toEqual([
      "KSR-ID",
      "KSR-BUNDLE-UNIQUE",
      "KSR-POLICY-SIG-HORIZON",
      "KSR-CHAIN-KEYS",
      "KSR-CHAIN-OVERLAP",
    ]);
    // The chain fails because the KSR is not for the quarter after the SKR's, and says so.
    for (const code of ["KSR-CHAIN-KEYS", "KSR-CHAIN-OVERLAP"]) {
      expect(json.checks.find((c) => c.code === code)?.detail).toMatch(
        /^a KSR from the wrong quarter: it covers 2017Q2; the previous SKR covers 2017Q2, so the next KSR is for 2017Q3; hence /,
      );
    }
  });

  it("warns loudly, naming the policy field, when a policy switches a check off", async () => {
    const policy = variant("off.yaml", "request_policy:\n  validate_signatures: false\n");
    const r = await ksk(["ksr", "validate", KSR_Q2, "--policy", policy], { now: NOW_Q2 });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("WARNING: KSR-BUNDLE-POP DISABLED by policy (validate_signatures: false): this check was NOT run\n");
    expect(r.stdout).toMatch(/^OFF {2}KSR-BUNDLE-POP/m);
  });

  it("refuses a policy with an unknown key (exit 3)", async () => {
    const r = await ksk(["ksr", "validate", KSR_Q2, "--policy", variant("typo.yaml", "request_policy:\n  validate_signature: false\n")], { now: NOW_Q2 });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/typo\.yaml: request_policy: Unrecognized key.*validate_signature/);
  });
});

describe("bad input: exit 3, one line naming what and where", () => {
  const base = readFileSync(KSR_Q2, "utf8");
  const laughs = `<!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? "" : i};`.repeat(10)}">`).join("")}]><KSR>&lol9;</KSR>`;
  const cases: [string, string | Uint8Array, RegExp][] = [
    ["doctype.xml", `<!DOCTYPE KSR [<!ENTITY x "y">]>\n${base}`, /doctype\.xml:1: .*DOCTYPE/],
    ["laughs.xml", laughs, /laughs\.xml:1: .*DOCTYPE/],
    ["huge.xml", new Uint8Array(50 * 1024 * 1024).fill(0x20), /huge\.xml: is 52428800 bytes; at most 1048576 accepted/],
    ["root.xml", "<Trust id='1'/>", /root\.xml:1: Trust: root element is <Trust>/],
    [
      "missing.xml",
      base.replace("<SignersName>.</SignersName>", ""),
      /missing\.xml:\d+: KSR\/Request\/RequestBundle\/Signature\/SignatureData: expected <SignersName>/,
    ],
    ["number.xml", base.replace("<Flags>256</Flags>", "<Flags>two-five-six</Flags>"), /number\.xml:\d+: .*Flags "two-five-six" is not a non-negative integer/],
    ["tag.xml", base.replace('keyTag="14796"', 'keyTag="70000"'), /tag\.xml:19: KSR\/Request\/RequestBundle\/Key: keyTag 70000 is outside 0\.\.65535/],
    ["base64.xml", base.replace("<SignatureData>kRfwt566", "<SignatureData>kRfw!566"), /base64\.xml:\d+: .*SignatureData: not valid base64/],
    [
      "offset.xml",
      base.replace("<Expiration>2017-04-22T00:00:00</Expiration>", "<Expiration>2017-04-22T00:00:00-05:00</Expiration>"),
      /offset\.xml:18: .*Expiration.*offset -05:00/,
    ],
  ];
  it.each(cases)("%s", async (name, content, message) => {
    const r = await ksk(["ksr", "validate", variant(name, content)], { now: NOW_Q2 });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it("an SKR where a KSR belongs, and a KSR where the previous SKR belongs", async () => {
    expect((await ksk(["ksr", "validate", SKR_Q1])).stderr).toMatch(/is an SKR \(<Response>\), not a KSR/);
    const r = await ksk(["ksr", "validate", KSR_Q2, "--previous-skr", KSR_Q2]);
    expect([r.code, r.stderr]).toEqual([3, `ksk: ${KSR_Q2}: is a KSR (<Request>), not an SKR (<Response>)\n`]);
  });
});

describe("ksk ksr show", () => {
  it("prints the policy and bundle table of an SKR", async () => {
    const r = await ksk(["ksr", "show", SKR_Q1]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("KSK policy:\n  PublishSafety PT0S, RetireSafety P28D");
    expect(r.stdout).toMatch(/^ {2}1 {2}2017-01-01T00:00:00Z {2}2017-01-22T00:00:00Z {2}39291 61045 {2}19036\/Kjqmt7v S +1139 B$/m);
  });
  it("prints every bundle as DNSKEY and RRSIG records", async () => {
    const r = await ksk(["ksr", "show", "--format", "zone", KSR_Q2]);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/\tIN\tDNSKEY\t256 3 8 /g)).toHaveLength(11);
    expect(r.stdout).toMatch(/^\.\t172800\tIN\tRRSIG\tDNSKEY 8 0 172800 20170131001504 20170101001504 14796 \. kRfwt566/m);
    expect((await ksk(["ksr", "show", "--format", "zone", "--bundle", "10", KSR_Q2])).code).toBe(2);
  });
});

describe.runIf(hasTool("softhsm2-util"))("ksk ksr build (SoftHSM2)", () => {
  let token: SoftHsmToken;
  let keystore: Keystore;
  beforeAll(async () => {
    token = createSoftHsmToken({ label: "zsk-lab" });
    keystore = await openKeystore(token.uri(), { env: token.env });
    for (const label of ["zsk-a", "zsk-b", "zsk-c"]) await keystore.generate({ label, algorithm: 8, rsaModulusBits: 2048, flags: 256 });
    await keystore.close();
  });
  afterAll(() => token?.cleanup());
  const now = Date.UTC(2026, 10, 28) / 1000;

  it("builds a 2027Q1 KSR from the token's ZSKs that validates and shows", async () => {
    const out = path.join(dir, "ksr-2027q1.xml");
    const zsks = ["--zsk", "zsk-a", "zsk-b", "zsk-c"];
    const r = await ksk(["ksr", "build", "--keystore", token.uri(), "--quarter", "2027Q1", ...zsks, "-o", out], { now, env: token.env });
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toMatch(/ZSKs zsk-a \(\d+\), zsk-b \(\d+\), zsk-c \(\d+\)/);
    const v = await ksk(["ksr", "validate", out], { now });
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^ {2}9 {2}2027-03-21T00:00:00Z {2}2027-04-11T00:00:00Z/m);
    const again = await ksk(["ksr", "build", "--keystore", token.uri(), "--quarter", "2027Q1", ...zsks, "-o", out], { now, env: token.env });
    expect(again.code).toBe(5);
  });

  it("without --zsk refuses labels that do not carry a creation time (exit 2): their order cannot be known", async () => {
    const out = path.join(dir, "unordered.xml");
    const r = await ksk(["ksr", "build", "--keystore", token.uri(), "--quarter", "2027Q1", "-o", out], { now, env: token.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the creation order of zsk-a, zsk-b, zsk-c is unknown \(not IANA-style labels\): give the ZSKs in role order with --zsk/);
    expect(existsSync(out)).toBe(false);
  });

  it("without --zsk takes IANA-style labels in creation order, not alphabetical order", async () => {
    // Creation times 4 s apart whose last label character runs z, 2, 3 in base32: alphabetically
    // "…2" < "…3" < "…z", the reverse of the order the keys were made in.
    let t = Date.UTC(2026, 5, 1) / 1000;
    while (((t >>> 2) & 31) !== 25) t += 4;
    const labels = [t, t + 4, t + 8].map((s) => ianaLabel("zsk", s));
    expect([...labels].sort()).not.toEqual(labels);
    const second = createSoftHsmToken({ label: "zsk-iana" });
    try {
      const store = await openKeystore(second.uri(), { env: second.env });
      for (const label of labels) await store.generate({ label, algorithm: 8, rsaModulusBits: 2048, flags: 256 });
      await store.close();
      const out = path.join(dir, "iana-order.xml");
      const r = await ksk(["ksr", "build", "--keystore", second.uri(), "--quarter", "2027Q1", "-o", out], { now, env: second.env });
      expect([r.code, r.stderr]).toEqual([0, ""]);
      expect(r.stdout).toContain(`ZSKs ${labels[0]} (`);
      expect(r.stdout.indexOf(labels[0] as string)).toBeLessThan(r.stdout.indexOf(labels[1] as string));
      expect(r.stdout.indexOf(labels[1] as string)).toBeLessThan(r.stdout.indexOf(labels[2] as string));
    } finally {
      second.cleanup();
    }
  });

  it("refuses two ZSKs for a three-key policy, saying how many it needs, and writes nothing", async () => {
    const out = path.join(dir, "two.xml");
    const r = await ksk(["ksr", "build", "--keystore", token.uri(), "--quarter", "2027Q1", "--zsk", "zsk-a", "zsk-b", "-o", out], { now, env: token.env });
    expect(r.code).toBe(5);
    expect(r.stderr).toBe("ksk: the policy's key counts [2,1,1,1,1,1,1,1,2] need 3 ZSKs (the retiring, the current and the next ZSK), in that order; got 2\n");
    expect(existsSync(out)).toBe(false);
  });

  it("refuses a quarter that breaks the signature horizon, writing nothing", async () => {
    const out = path.join(dir, "far.xml");
    const r = await ksk(["ksr", "build", "--keystore", token.uri(), "--quarter", "2028Q1", "--zsk", "zsk-a", "zsk-b", "zsk-c", "-o", out], {
      now,
      env: token.env,
    });
    expect(r.code).toBe(5);
    expect(r.stdout).toMatch(/^FAIL KSR-POLICY-SIG-HORIZON/m);
    expect(existsSync(out)).toBe(false);
  });
});
