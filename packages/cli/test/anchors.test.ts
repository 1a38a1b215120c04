/**
 * `ksk anchors build|sign|verify|ds` and `--anchor root-anchors.xml`, in-process with a frozen
 * clock: IANA's current file rebuilt from the real root KSKs, a lab CA and signer made with
 * `ksk ca`, the signature checked by openssl, DS output read by named-checkconf and
 * unbound-checkconf, and every bad input answered with one line, the right exit code and no file.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { base64ToBytes, bytesToHex } from "@ksk/core";
import { openKeystore } from "@ksk/keystore";
import { dnskeyPublicKey, issueSignerCertificate, parseRootAnchors, rawSignerFromPrivateKey, toPem } from "@ksk/trust-anchor";
import { createPrivateKey, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSoftHsmToken, type SoftHsmToken } from "../../../test/support/softhsm.js";
import { hasTool, opensslCmsVerify, runTool } from "../../../test/support/tools.js";
import { ROOT_APEX_FILE, ROOT_KSKS, dnskeyLine, tempDir } from "./fixtures.js";
import { DEFAULT_NOW, ksk } from "./harness.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const ksksFile = tmp.file("ksks.txt", ROOT_KSKS.map((k) => dnskeyLine(k)).join(""));
const IANA_ARGS = [
  "--id-for",
  "19036=Kjqmt7v",
  "--id-for",
  "20326=Klajeyz",
  "--id-for",
  "38696=Kmyv6jo",
  "--valid-from",
  "19036=2010-07-15T00:00:00+00:00",
  "--valid-until",
  "19036=2019-01-11T00:00:00+00:00",
  "--valid-from",
  "20326=2017-02-02T00:00:00+00:00",
  "--valid-from",
  "38696=2024-07-18T00:00:00+00:00",
];
const TA_ID = "0C05FDD6-422C-4910-8ED6-430ED15E11C2";

function expectOneLine(stderr: string): void {
  expect(stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(stderr).toMatch(/^ksk: /);
}

describe("ksk anchors build", () => {
  it("rebuilds IANA's current root-anchors.xml content from the three KSKs (--dnskey)", async () => {
    const out = tmp.file("iana.xml");
    const r = await ksk(["anchors", "build", "--dnskey", ksksFile, ...IANA_ARGS, "--trust-anchor-id", TA_ID, "--at", "2024-07-18T00:00:00Z", "-o", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("valid at 2024-07-18T00:00:00+00:00: Klajeyz (20326), Kmyv6jo (38696)");
    const doc = parseRootAnchors(readFileSync(out));
    expect(doc.id).toBe(TA_ID);
    // The facts of shared/data/PROVENANCE.md (IANA's published KeyDigests).
    expect(doc.keyDigests.map((kd) => [kd.id, kd.keyTag, bytesToHex(kd.digestBytes, true), kd.flags])).toEqual([
      ["Kjqmt7v", 19036, "49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5", undefined],
      ["Klajeyz", 20326, "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D", 257],
      ["Kmyv6jo", 38696, "683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16", 257],
    ]);
  });

  it("a fresh UUID when none is given; --rfc7958 writes digests only; --digest 2,4", async () => {
    const out = tmp.file("old.xml");
    const r = await ksk(["anchors", "build", "--dnskey", ksksFile, ...IANA_ARGS, "--rfc7958", "--digest", "2,4", "-o", out]);
    expect(r.code).toBe(0);
    const doc = parseRootAnchors(readFileSync(out));
    expect(doc.id).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
    expect(doc.keyDigests.every((kd) => kd.publicKeyBytes === undefined)).toBe(true);
    expect(doc.keyDigests.map((kd) => kd.id)).toEqual(["Kjqmt7v", "Kjqmt7v-4", "Klajeyz", "Klajeyz-4", "Kmyv6jo", "Kmyv6jo-4"]);
  });

  const refusals: [string, string[], number, RegExp][] = [
    [
      "no KeyDigest valid at publication",
      ["--id-for", "19036=Kjqmt7v", "--valid-from", "19036=2010-07-15", "--valid-until", "19036=2019-01-11"],
      1,
      /no KeyDigest is valid/,
    ],
    [
      "validUntil before validFrom",
      ["--id-for", "19036=K", "--valid-from", "19036=2019-07-15", "--valid-until", "19036=2019-01-11"],
      3,
      /validUntil .* is not after validFrom/,
    ],
    ["a key without an id", ["--valid-from", "19036=2010-07-15"], 2, /no --id-for 19036=ID/],
    [
      "an id for a key tag that is not there",
      ["--id-for", "19036=K", "--id-for", "12345=X", "--valid-from", "19036=2010-07-15"],
      2,
      /no key has key tag 12345/,
    ],
    ["a bad time", ["--id-for", "19036=K", "--valid-from", "19036=yesterday"], 2, /--valid-from/],
  ];
  it.each(refusals)("refuses %s, one line, nothing written", async (_what, args, code, message) => {
    const out = tmp.file(`refused-${code}-${args.length}.xml`);
    const r = await ksk(["anchors", "build", "--dnskey", tmp.file("one.txt", dnskeyLine(ROOT_KSKS[0] as (typeof ROOT_KSKS)[0])), ...args, "-o", out]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expectOneLine(r.stderr);
    expect(existsSync(out)).toBe(false);
  });

  const configYaml = (keystore: string, output: string, tag2024 = 38696) => `keystore: "${keystore}"
filenames:
  output_trustanchor: "${output}"
keys:
  ksk_2010:
    description: Root DNSSEC KSK 2010
    label: Kjqmt7v
    key_tag: 19036
    algorithm: RSASHA256
    valid_from: "2010-07-15T00:00:00+00:00"
    valid_until: "2019-01-11T00:00:00+00:00"
  ksk_2017:
    description: Root DNSSEC KSK 2017
    label: Klajeyz
    key_tag: 20326
    algorithm: RSASHA256
    valid_from: "2017-02-02T00:00:00+00:00"
    ds_sha256: E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D
  ksk_2024:
    description: Root DNSSEC KSK 2024
    label: Kmyv6jo
    key_tag: ${tag2024}
    algorithm: RSASHA256
    valid_from: "2024-07-18T00:00:00+00:00"
`;

  it("--config ksrsigner.yaml: labels become KeyDigest ids, valid_from/valid_until the windows (keys from --dnskey by key_tag)", async () => {
    const out = tmp.file("from-config.xml");
    const config = tmp.file("ksrsigner.yaml", configYaml("file:/nonexistent", out));
    const r = await ksk(["anchors", "build", "--config", config, "--dnskey", ksksFile, "--trust-anchor-id", TA_ID]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const doc = parseRootAnchors(readFileSync(out));
    expect(doc.keyDigests.map((kd) => [kd.id, kd.keyTag, kd.validUntilEpochSeconds !== undefined])).toEqual([
      ["Kjqmt7v", 19036, true],
      ["Klajeyz", 20326, false],
      ["Kmyv6jo", 38696, false],
    ]);
    // A config key_tag that no DNSKEY has is bad input; nothing is written.
    const wrong = tmp.file("wrong-config.xml");
    const bad = await ksk(["anchors", "build", "--config", tmp.file("bad.yaml", configYaml("file:/nonexistent", wrong, 38697)), "--dnskey", ksksFile]);
    expect([bad.code, bad.stderr]).toEqual([3, expect.stringMatching(/keys.ksk_2024: 0 DNSKEYs with key tag 38697/)]);
    expect(existsSync(wrong)).toBe(false);
  });

  it("refuses to overwrite without --force (exit 5)", async () => {
    const out = tmp.file("exists.xml", "x");
    const r = await ksk(["anchors", "build", "--dnskey", ksksFile, ...IANA_ARGS, "-o", out]);
    expect(r.code).toBe(5);
    expect(readFileSync(out, "utf8")).toBe("x");
  });
});

describe("ksk ca, anchors sign, anchors verify", () => {
  const xml = tmp.file("root-anchors.xml");
  const p7s = tmp.file("root-anchors.p7s");
  const ca = tmp.file("ca.pem");
  beforeAll(async () => {
    expect((await ksk(["ca", "init", "--dir", tmp.dir])).code).toBe(0);
    expect((await ksk(["ca", "issue-signer", "--dir", tmp.dir])).code).toBe(0);
    expect((await ksk(["anchors", "build", "--dnskey", ksksFile, ...IANA_ARGS, "-o", xml])).code).toBe(0);
    const r = await ksk(["anchors", "sign", xml, "--cert", tmp.file("signer.pem"), "--key", tmp.file("signer.key"), "-o", p7s]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("verifies the XML, the signature against the CA, and the DNSKEY RRset of the real root (2023)", async () => {
    const r = await ksk(["anchors", "verify", xml, "--p7s", p7s, "--ca", ca, "--dnskey", ROOT_APEX_FILE]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("signature ok");
    expect(r.stdout).toContain("present in");
    expect(r.stdout).toMatch(/absent .*Kmyv6jo \(38696\)/);
    const json = await ksk(["anchors", "verify", xml, "--p7s", p7s, "--ca", ca, "--json"]);
    expect(JSON.parse(json.stdout).verified).toBe(true);
  });

  it.runIf(hasTool("openssl"))("openssl cms -verify -binary accepts what ksk anchors sign wrote", () => {
    const r = opensslCmsVerify({ p7sFile: p7s, contentFile: xml, caFile: ca, atEpochSeconds: DEFAULT_NOW });
    expect(r.status, r.stderr).toBe(0);
  });

  it("one byte of the XML changed: verification fails (exit 1)", async () => {
    const bytes = readFileSync(xml);
    bytes[bytes.indexOf("Klajeyz")] = "L".charCodeAt(0);
    const r = await ksk(["anchors", "verify", tmp.file("tampered.xml", bytes), "--p7s", p7s, "--ca", ca]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/message digest does not match/);
    expectOneLine(r.stderr);
  });

  it("signer without the expected email, another CA, expired signer: exit 1", async () => {
    const email = await ksk(["anchors", "verify", xml, "--p7s", p7s, "--ca", ca, "--signer-email", "ops@lab.example"]);
    expect([email.code, email.stderr]).toEqual([1, expect.stringMatching(/expected emailAddress=ops@lab.example/)]);
    const other = tempDir();
    try {
      await ksk(["ca", "init", "--dir", other.dir]);
      const wrongCa = await ksk(["anchors", "verify", xml, "--p7s", p7s, "--ca", other.file("ca.pem")]);
      expect([wrongCa.code, wrongCa.stderr]).toEqual([1, expect.stringMatching(/does not chain/)]);
    } finally {
      other.cleanup();
    }
    const expired = await ksk(["anchors", "verify", xml, "--p7s", p7s, "--ca", ca], { now: DEFAULT_NOW + 400 * 86400 });
    expect([expired.code, expired.stderr]).toEqual([1, expect.stringMatching(/expired/)]);
  });

  it("sign refuses a signer certificate without the expected emailAddress (exit 1, nothing written)", async () => {
    const other = await ksk([
      "ca",
      "issue-signer",
      "--dir",
      tmp.dir,
      "--email",
      "ops@lab.example",
      "--out-key",
      tmp.file("ops.key"),
      "--out-cert",
      tmp.file("ops.pem"),
    ]);
    expect(other.code).toBe(0);
    const out = tmp.file("ops.p7s");
    const r = await ksk(["anchors", "sign", xml, "--cert", tmp.file("ops.pem"), "--key", tmp.file("ops.key"), "-o", out]);
    expect([r.code, r.stderr]).toEqual([1, expect.stringMatching(/emailAddress ops@lab.example; expected emailAddress=dnssec@iana.org/)]);
    expect(existsSync(out)).toBe(false);
    const ok = await ksk(["anchors", "sign", xml, "--cert", tmp.file("ops.pem"), "--key", tmp.file("ops.key"), "--signer-email", "ops@lab.example", "-o", out]);
    expect(ok.code).toBe(0);
  });

  it("a p7s that is not CMS is bad input (exit 3); --p7s without --ca is a usage error (exit 2)", async () => {
    const r = await ksk(["anchors", "verify", xml, "--p7s", xml, "--ca", ca]);
    expect(r.code).toBe(3);
    expectOneLine(r.stderr);
    expect((await ksk(["anchors", "verify", xml, "--p7s", p7s])).code).toBe(2);
  });

  const badXml: [string, (s: string) => string, RegExp][] = [
    ["malformed XML", (s) => s.replace("</Zone>", "</Zne>"), /not well-formed XML/],
    ["a DOCTYPE", (s) => s.replace("<TrustAnchor", "<!DOCTYPE TrustAnchor>\n<TrustAnchor"), /DOCTYPE/],
    ["an unknown digest type", (s) => s.replace("<DigestType>2</DigestType>", "<DigestType>9</DigestType>"), /unknown DS digest type 9/],
    [
      "a digest of the wrong length",
      (s) => s.replace(/<Digest>([0-9A-F]{64})<\/Digest>/, (_m, d: string) => `<Digest>${d.slice(2)}</Digest>`),
      /digest is 31 octets/,
    ],
    ["duplicate ids", (s) => s.replace('id="Kmyv6jo"', 'id="Klajeyz"'), /used twice/],
  ];
  it.each(badXml)("sign refuses %s (exit 3, nothing written)", async (_what, change, message) => {
    const bad = tmp.file("bad.xml", change(readFileSync(xml, "utf8")));
    const out = tmp.file("bad.p7s");
    const r = await ksk(["anchors", "sign", bad, "--cert", tmp.file("signer.pem"), "--key", tmp.file("signer.key"), "-o", out]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(message);
    expectOneLine(r.stderr);
    expect(existsSync(out)).toBe(false);
  });

  it("sign refuses an expired signer certificate (exit 1) and a Digest that does not match its PublicKey (exit 1)", async () => {
    const out = tmp.file("late.p7s");
    const late = await ksk(["anchors", "sign", xml, "--cert", tmp.file("signer.pem"), "--key", tmp.file("signer.key"), "-o", out, "--at", "2030-01-01"]);
    expect([late.code, late.stderr]).toEqual([1, expect.stringMatching(/expired/)]);
    expect(existsSync(out)).toBe(false);
    const mismatched = tmp.file("mismatch.xml", readFileSync(xml, "utf8").replace(/(<Digest>E06D44B8[0-9A-F]{55})D/, "$1E"));
    const m = await ksk(["anchors", "sign", mismatched, "--cert", tmp.file("signer.pem"), "--key", tmp.file("signer.key"), "-o", out]);
    expect([m.code, m.stderr]).toEqual([1, expect.stringMatching(/not the SHA-256 digest of its PublicKey/)]);
  });
});

describe("ksk anchors ds", () => {
  const xml = tmp.file("ds.xml");
  beforeAll(async () => {
    expect((await ksk(["anchors", "build", "--dnskey", ksksFile, ...IANA_ARGS, "-o", xml])).code).toBe(0);
  });

  it("zone lines for the KeyDigests valid now, or at a time, or all", async () => {
    const now = await ksk(["anchors", "ds", xml]);
    expect(now.stdout.trimEnd().split("\n")).toHaveLength(2);
    expect(now.stdout).toContain("20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D");
    const in2018 = await ksk(["anchors", "ds", xml, "--at", "2018-06-01"]);
    expect(in2018.stdout).toContain("19036 8 2 49AAC11D");
    expect(in2018.stdout).not.toContain("38696");
    // What the time left out is said, with why: never dropped without a word.
    expect(in2018.stderr).toMatch(
      /^ksk: NOTE: .*ds\.xml: KeyDigest \S+ \(key tag 38696\) is in the file but valid only from 2024-07-18T00:00:00Z: left out at 2018-06-01T00:00:00Z \(--at or --all to include it\)$/m,
    );
    expect(in2018.stderr).not.toMatch(/key tag (19036|20326)/);
    const all = await ksk(["anchors", "ds", xml, "--all", "--format", "json"]);
    expect(JSON.parse(all.stdout).map((d: { keyTag: number }) => d.keyTag)).toEqual([19036, 20326, 38696]);
    const none = await ksk(["anchors", "ds", xml, "--at", "2009-01-01"]);
    expect(none.code).toBe(1);
  });

  it.runIf(hasTool("named-checkconf"))("BIND reads the trust-anchors clause (initial-ds and static-ds)", async () => {
    for (const mode of ["initial-ds", "static-ds"]) {
      const r = await ksk(["anchors", "ds", xml, "--format", "bind", "--bind-mode", mode]);
      expect(r.stdout).toContain(`"." ${mode} 38696 8 2 "683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16";`);
      const conf = tmp.file(`named-${mode}.conf`, r.stdout);
      const check = runTool("named-checkconf", [conf]);
      expect(check.status, check.stdout + check.stderr).toBe(0);
    }
    const broken = tmp.file(
      "named-broken.conf",
      (await ksk(["anchors", "ds", xml, "--format", "bind"])).stdout.replace("initial-ds 38696 8 2", "initial-ds 38696 8"),
    );
    expect(runTool("named-checkconf", [broken]).status).not.toBe(0);
  });

  it.runIf(hasTool("named-checkconf"))("ksk ds and anchors ds agree: initial-ds by default; static-ds only on request, with BIND's own warning", async () => {
    const dnskeys = tmp.file("ksk2024.key", dnskeyLine(ROOT_KSKS[2]!));
    for (const argv of [
      ["anchors", "ds", xml, "--format", "bind"],
      ["ds", dnskeys, "--format", "bind"],
    ]) {
      const byDefault = await ksk(argv);
      expect(byDefault.stdout).toContain('"." initial-ds 38696 8 2 ');
      // anchors ds says only that KSK-2010 (expired in 2019) was left out.
      expect(byDefault.stderr).toEqual(
        argv[0] === "anchors"
          ? expect.stringMatching(/^ksk: NOTE: .*\(key tag 19036\) is in the file but valid until 2019-01-11T00:00:00Z: left out at [^\n]*\n$/)
          : "",
      );
      const check = runTool("named-checkconf", [tmp.file(`default-${argv[0]}.conf`, byDefault.stdout)]);
      expect(check.stdout + check.stderr).toBe("");
      const fixed = await ksk([...argv, "--bind-mode", "static-ds"]);
      expect(fixed.stdout).toContain('"." static-ds 38696 8 2 ');
      const bind = runTool("named-checkconf", [tmp.file(`static-${argv[0]}.conf`, fixed.stdout)]);
      const bindWarning = (bind.stdout + bind.stderr)
        .replace(/^.*?:\d+: /, "")
        .trim()
        .replace(/\.$/, "");
      expect(bindWarning).toMatch(/WILL FAIL after key rollover/);
      expect(
        fixed.stderr
          .split("\n")
          .filter((l) => !l.startsWith("ksk: NOTE:"))
          .join("\n"),
      ).toBe(`ksk: WARNING: ${bindWarning} (BIND's named-checkconf)\n`);
    }
  });

  it("anchors verify without --p7s says the signature was NOT checked", async () => {
    const r = await ksk(["anchors", "verify", xml]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/XML checks passed: .*; the signature was NOT checked/);
    expect(r.stdout).not.toMatch(/^verified:/m);
  });

  it.runIf(hasTool("unbound-checkconf"))("unbound loads the file as an auto-trust-anchor-file", async () => {
    const r = await ksk(["anchors", "ds", xml, "--format", "unbound"]);
    const anchor = tmp.file("root.key", r.stdout);
    const conf = tmp.file("unbound.conf", `server:\n\tchroot: ""\n\tusername: ""\n\tdirectory: "${tmp.dir}"\n\tauto-trust-anchor-file: "${anchor}"\n`);
    const check = runTool("unbound-checkconf", [conf]);
    expect(check.status, check.stderr).toBe(0);
    // unbound skips (with an error) a line it cannot read and fails only when no anchor is left:
    // with every digest made non-hex it must fail, which shows it really reads these lines.
    writeFileSync(anchor, r.stdout.replace(/ 2 [0-9A-F]{8}/g, " 2 ZZZZZZZZ"));
    expect(runTool("unbound-checkconf", [conf]).status).not.toBe(0);
  });
});

describe("--anchor root-anchors.xml", () => {
  it("ksk rrset verify chains the real 2023 root apex to the XML's KeyDigests valid then", async () => {
    const xml = tmp.file("anchor.xml");
    expect((await ksk(["anchors", "build", "--dnskey", ksksFile, ...IANA_ARGS, "-o", xml])).code).toBe(0);
    const r = await ksk(["rrset", "verify", ROOT_APEX_FILE, "--anchor", xml, "--at", "2023-11-10T00:00:00Z"]);
    expect(r.stdout).toMatch(/chains to the anchor .*20326/);
    expect(r.code).toBe(0);
    // In 2009 no KeyDigest of the file is valid: the anchor file itself is refused (exit 1).
    const early = await ksk(["rrset", "verify", ROOT_APEX_FILE, "--anchor", xml, "--at", "2009-01-01T00:00:00Z"]);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/no KeyDigest is valid/);
  });
});

describe.runIf(hasTool("softhsm2-util"))("keys in the HSM (SoftHSM)", () => {
  let token: SoftHsmToken;
  beforeAll(async () => {
    token = createSoftHsmToken({ label: "ksk-lab" });
    const keystore = await openKeystore(token.uri(), { env: token.env });
    try {
      await keystore.generate({ label: "ksk-a", algorithm: 8, rsaModulusBits: 2048, flags: 257 });
      await keystore.generate({ label: "ksk-b", algorithm: 8, rsaModulusBits: 2048, flags: 257 });
      await keystore.generate({ label: "anchors-signer", algorithm: 8, rsaModulusBits: 2048, flags: 256 });
    } finally {
      await keystore.close();
    }
  });
  afterAll(() => token?.cleanup());

  it("--keystore without --label: every KSK of the keystore, ids its labels, validFrom the publication time — each default said", async () => {
    const xml = tmp.file("every-ksk.xml");
    const at = "2026-12-01T00:00:00Z";
    const r = await ksk(["anchors", "build", "--keystore", token.uri(), "--at", at, "-o", xml], { env: token.env });
    expect(r.code, r.stderr).toBe(0);
    // The order follows the keys (their tags are random here), so compare as sets.
    expect(r.stderr).toMatch(/^ksk: no --label: every KSK in the keystore: (ksk-a, ksk-b|ksk-b, ksk-a)$/m);
    const doc = parseRootAnchors(readFileSync(xml));
    expect(doc.keyDigests.map((kd) => kd.id).sort()).toEqual(["ksk-a", "ksk-b"]);
    for (const kd of doc.keyDigests) {
      expect(kd.validFromEpochSeconds).toBe(Date.parse(at) / 1000);
      expect(r.stderr).toContain(`ksk: KeyDigest id for ${kd.keyTag}: ${kd.id} (its keystore label; --id-for ${kd.keyTag}=ID to change)\n`);
      expect(r.stderr).toContain(`ksk: validFrom for ${kd.keyTag}: 2026-12-01T00:00:00+00:00 (the publication time`);
    }
    // The ZSK-flagged signing key of the same token is not a KSK: it is left out.
    expect(doc.keyDigests).toHaveLength(2);
  });

  it("builds from --keystore --label, and signs with --key pkcs11:…;object=LABEL", async () => {
    const keystore = await openKeystore(token.uri(), { env: token.env });
    let tags: number[];
    let signerSpki: Uint8Array;
    try {
      const { keyTag } = await import("@ksk/core");
      const a = (await keystore.find("ksk-a")).dnskey;
      const b = (await keystore.find("ksk-b")).dnskey;
      const s = (await keystore.find("anchors-signer")).dnskey;
      if (!a || !b || !s) throw new Error("generated keys have no public half");
      tags = [keyTag(a), keyTag(b)];
      signerSpki = new Uint8Array(dnskeyPublicKey(s).export({ format: "der", type: "spki" }));
    } finally {
      await keystore.close();
    }
    const [ta, tb] = tags as [number, number];
    const xml = tmp.file("hsm.xml");
    const build = await ksk(
      [
        "anchors",
        "build",
        "--keystore",
        token.uri(),
        "--label",
        "ksk-a",
        "--label",
        "ksk-b",
        "--id-for",
        `${ta}=Kaaaaaa`,
        "--id-for",
        `${tb}=Kbbbbbb`,
        "--valid-from",
        `${ta}=2026-01-01`,
        "--valid-from",
        `${tb}=2027-01-01`,
        "-o",
        xml,
      ],
      { env: token.env },
    );
    expect(build.stderr).toBe("");
    expect(build.code).toBe(0);
    expect(parseRootAnchors(readFileSync(xml)).keyDigests.map((kd) => kd.id)).toEqual(["Kaaaaaa", "Kbbbbbb"]);

    // The same from a ksrsigner.yaml naming the keystore; a wrong key_tag there is caught.
    const yaml = (tagA: number) =>
      `keystore: "${token.uri()}"\nkeys:\n  a:\n    description: A\n    label: ksk-a\n    key_tag: ${tagA}\n    algorithm: RSASHA256\n    valid_from: "2026-01-01T00:00:00Z"\n  b:\n    description: B\n    label: ksk-b\n    algorithm: RSASHA256\n    valid_from: "2027-01-01T00:00:00Z"\n`;
    const fromConfig = tmp.file("hsm-config.xml");
    const viaConfig = await ksk(["anchors", "build", "--config", tmp.file("hsm.yaml", yaml(ta)), "-o", fromConfig], { env: token.env });
    expect(viaConfig.stderr).toBe("");
    expect(parseRootAnchors(readFileSync(fromConfig)).keyDigests.map((kd) => [kd.id, kd.keyTag])).toEqual([
      ["ksk-a", ta],
      ["ksk-b", tb],
    ]);
    const mismatch = await ksk(["anchors", "build", "--config", tmp.file("hsm-bad.yaml", yaml((ta + 1) % 65536)), "-o", tmp.file("hsm-bad.xml")], {
      env: token.env,
    });
    // KSK-CONFIG-MATCH, the check the signing ceremony runs: the wrong key is a keystore fault (exit 4).
    expect([mismatch.code, mismatch.stderr]).toEqual([4, expect.stringMatching(/the HSM key has key tag \d+, the config says \d+/)]);

    // IANA's form: an hsm section (module, PIN, environment) and labels, no token named.
    const hsmYaml = `hsm:\n  softhsm:\n    module: "${token.module}"\n    pin: "${token.pin}"\n    env:\n      SOFTHSM2_CONF: "${token.conf}"\nkeys:\n  a:\n    description: A\n    label: ksk-a\n    algorithm: RSASHA256\n    valid_from: "2026-01-01T00:00:00Z"\n`;
    const fromHsm = tmp.file("hsm-section.xml");
    const viaHsm = await ksk(["anchors", "build", "--config", tmp.file("hsm-section.yaml", hsmYaml), "-o", fromHsm]);
    expect(viaHsm.stderr).toBe("");
    expect(parseRootAnchors(readFileSync(fromHsm)).keyDigests.map((kd) => [kd.id, kd.keyTag])).toEqual([["ksk-a", ta]]);

    // The signer certificate for the HSM key, issued by a lab CA made with `ksk ca init`.
    const labCa = tempDir();
    try {
      expect((await ksk(["ca", "init", "--dir", labCa.dir])).code).toBe(0);
      const caDer = base64ToBytes(readFileSync(labCa.file("ca.pem"), "utf8").replace(/-----[A-Z ]+-----|\s/g, ""));
      const caSigner = rawSignerFromPrivateKey(createPrivateKey(readFileSync(labCa.file("ca.key"), "utf8")));
      const certDer = await issueSignerCertificate({
        caCertificateDer: caDer,
        caSigner,
        subjectPublicKeyInfoDer: signerSpki,
        serialNumberBytes: randomBytes(12),
        notBeforeEpochSeconds: DEFAULT_NOW - 3600,
        notAfterEpochSeconds: DEFAULT_NOW + 86400,
      });
      const cert = labCa.file("hsm-signer.pem", toPem(certDer, "CERTIFICATE"));
      const p7s = tmp.file("hsm.p7s");
      const sign = await ksk(["anchors", "sign", xml, "--cert", cert, "--key", token.uri("anchors-signer"), "-o", p7s], { env: token.env });
      expect(sign.stderr).toBe("");
      expect(sign.code).toBe(0);
      const verify = await ksk(["anchors", "verify", xml, "--p7s", p7s, "--ca", labCa.file("ca.pem")]);
      expect(verify.code).toBe(0);
      // The wrong key for the certificate is refused before anything is written.
      const wrong = await ksk(["anchors", "sign", xml, "--cert", cert, "--key", token.uri("ksk-a"), "-o", tmp.file("wrong.p7s")], { env: token.env });
      expect(wrong.code).toBe(3);
      expect(existsSync(tmp.file("wrong.p7s"))).toBe(false);
    } finally {
      labCa.cleanup();
    }
  });
});
