/**
 * `ksk ds`, `ksk keytag` and `ksk words` on the real root KSKs (KSK-2010 19036, KSK-2017 20326,
 * KSK-2024 38696; facts in packages/core/test/vectors/root-ksks.json, from IANA's root-anchors.xml).
 */
import { afterAll, describe, expect, it } from "vitest";
import { hasTool, runTool } from "../../../test/support/tools.js";
import { ROOT_APEX_FILE, ROOT_KSKS, dnskeyLine, dsDigest, tempDir } from "./fixtures.js";
import { ksk } from "./harness.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const allKeys = tmp.file("root-ksks.zone", ROOT_KSKS.map((k) => dnskeyLine(k)).join(""));

describe("ksk ds --check DS_FILE KEY_FILE (IANA's DS of the real root KSKs)", () => {
  const dsLine = (k: (typeof ROOT_KSKS)[number], digest = dsDigest(k, 2)) => `.\t172800\tIN\tDS\t${k.keyTag} 8 2 ${digest}\n`;

  it("says which key each DS designates, exit 0", async () => {
    const dsFile = tmp.file("iana.ds", ROOT_KSKS.map((k) => dsLine(k)).join(""));
    const r = await ksk(["ds", "--check", dsFile, allKeys]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(ROOT_KSKS.length);
    for (const [i, k] of ROOT_KSKS.entries()) expect(lines[i]).toBe(`MATCH    DS . ${k.keyTag} 8 2: designates key ${k.keyTag} (flags 257) in ${allKeys}`);
  });

  it("says NO MATCH with the reason, exit 1: a changed digest, a key not in the file, a revoked key", async () => {
    const k = ROOT_KSKS[1]!;
    const digest = dsDigest(k, 2);
    const changed = `${digest.slice(0, -1)}${digest.endsWith("0") ? "1" : "0"}`;
    const oneKey = tmp.file("ksk-2017.zone", dnskeyLine(k));
    const revoked = tmp.file("ksk-2017-revoked.zone", dnskeyLine(k, 385));
    const dsFile = tmp.file("mixed.ds", dsLine(k, changed) + dsLine(ROOT_KSKS[2]!));
    const r = await ksk(["ds", "--check", dsFile, oneKey]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`NO MATCH DS . ${k.keyTag} 8 2: key ${k.keyTag}'s SHA-256 digest is not the DS's`);
    expect(r.stdout).toContain(`NO MATCH DS . ${ROOT_KSKS[2]!.keyTag} 8 2: no DNSKEY with key tag ${ROOT_KSKS[2]!.keyTag} (the keys here: ${k.keyTag})`);
    const r2 = await ksk(["ds", "--check", tmp.file("k2017.ds", dsLine(k)), revoked]);
    expect(r2.code).toBe(1);
    expect(r2.stdout).toMatch(new RegExp(`^NO MATCH DS \\. ${k.keyTag} 8 2: no DNSKEY with key tag ${k.keyTag}`));
  });

  it("refuses a DS file without DS records (exit 3)", async () => {
    const r = await ksk(["ds", "--check", allKeys, allKeys]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/holds no DS record/);
  });
});

describe("ksk ds: usage errors", () => {
  it("prints yargs' multi-line message as one line, without an escaped newline (exit 2)", async () => {
    const r = await ksk(["ds", allKeys, "--format", "bnd"]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain("\\x0a");
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^ksk: Invalid values: Argument: format, Given: "bnd", Choices: /);
  });
});

describe("ksk ds (real root KSKs)", () => {
  it("prints SHA-256 DS zone lines equal to IANA's published digests", async () => {
    const r = await ksk(["ds", allKeys]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(3);
    for (const [i, k] of ROOT_KSKS.entries()) {
      expect(lines[i]).toBe(`.\t172800\tIN\tDS\t${k.keyTag} 8 2 ${dsDigest(k, 2)}`);
    }
  });

  it("prints digest types 1, 2 and 4 on request", async () => {
    const r = await ksk(["ds", allKeys, "--digest", "1,2,4", "--format", "json"]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { keyTag: number; digestType: number; digestHex: string }[];
    expect(rows).toHaveLength(9);
    for (const k of ROOT_KSKS) {
      for (const type of [1, 2, 4]) {
        expect(rows.find((x) => x.keyTag === k.keyTag && x.digestType === type)?.digestHex).toBe(dsDigest(k, type));
      }
    }
  });

  it("reads stdin with -", async () => {
    const r = await ksk(["ds", "-"], { stdin: dnskeyLine(ROOT_KSKS[1]!) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`20326 8 2 ${dsDigest(ROOT_KSKS[1]!, 2)}`);
  });

  it("writes a BIND trust-anchors clause that named-checkconf accepts", async () => {
    const r = await ksk(["ds", allKeys, "--format", "bind", "--bind-mode", "initial-ds"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`"." initial-ds 20326 8 2 "${dsDigest(ROOT_KSKS[1]!, 2)}";`);
    if (hasTool("named-checkconf")) {
      const conf = tmp.file("named.conf", `options { directory "${tmp.dir}"; };\n${r.stdout}`);
      const check = runTool("named-checkconf", [conf]);
      expect(check.stderr + check.stdout).toBe("");
      expect(check.status).toBe(0);
    }
  });

  it("writes an unbound anchor file that unbound-checkconf accepts", async () => {
    const r = await ksk(["ds", allKeys, "--format", "unbound"]);
    expect(r.code).toBe(0);
    if (hasTool("unbound-checkconf")) {
      const anchor = tmp.file("root.ds", r.stdout);
      const conf = tmp.file("unbound.conf", `server:\n  chroot: ""\n  username: ""\n  directory: "${tmp.dir}"\n  trust-anchor-file: "${anchor}"\n`);
      const check = runTool("unbound-checkconf", [conf]);
      expect(check.status, check.stderr + check.stdout).toBe(0);
    }
  });

  it("refuses an unknown or GOST digest type with a usage error (no SHA-1 fallback)", async () => {
    for (const digest of ["3", "5", "sha256"]) {
      const r = await ksk(["ds", allKeys, "--digest", digest]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/^ksk: --digest: /);
    }
  });

  it("reports malformed input as exit 3 with file:line", async () => {
    const bad = tmp.file("bad.zone", `${dnskeyLine(ROOT_KSKS[0]!)}.\t172800\tIN\tDNSKEY\t257 3 8 AwEAA!!notbase64\n`);
    const r = await ksk(["ds", bad]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(new RegExp(`^ksk: ${bad}:2: .*base64`));
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("refuses XML given as a key file (root-anchors.xml for ds/keytag) as exit 3, and a file with no DNSKEY", async () => {
    const xml = tmp.file("root-anchors.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<TrustAnchor id="x" source="y">\n');
    for (const command of ["ds", "keytag"]) {
      const r = await ksk([command, xml]);
      expect(r.code, command).toBe(3);
      expect(r.stderr).toBe(`ksk: ${xml}: is XML, not zone-format records (for root-anchors.xml use ksk anchors ds)\n`);
      const none = await ksk([command, "-"], { stdin: ". 60 IN A 192.0.2.1\n" });
      expect(none.code, command).toBe(3);
      expect(none.stderr).toBe("ksk: stdin: holds no DNSKEY record\n");
    }
  });

  it("refuses a malformed key of a supported algorithm (an RSA key with an 8-bit modulus) as exit 3", async () => {
    for (const command of ["ds", "keytag"]) {
      const r = await ksk([command, "-"], { stdin: ".\t172800\tIN\tDNSKEY\t257 3 8 AwEAAag=\n" });
      expect(r.code, command).toBe(3);
      expect(r.stderr).toMatch(/^ksk: stdin:1: RSASHA256 modulus of 8 bits is outside 512\.\.4096 \(RFC 5702\)\n$/);
    }
  });

  it("refuses RSA keys no signature can be trusted under: exponent 1, an even modulus, under 1024 bits (exit 3)", async () => {
    const rsaKey = (exponent: number[], modulusBits: number, lastOctet: number) => {
      const n = new Uint8Array(modulusBits / 8).fill(0xc5);
      n[n.length - 1] = lastOctet;
      return Buffer.from([exponent.length, ...exponent, ...n]).toString("base64");
    };
    for (const [what, key, message] of [
      ["exponent 1", rsaKey([1], 2048, 0xc5), /exponent 1 is under 3/],
      ["an even modulus", rsaKey([1, 0, 1], 2048, 0xc4), /modulus is even/],
      ["a 768-bit modulus", rsaKey([1, 0, 1], 768, 0xc5), /modulus of 768 bits is under 1024/],
    ] as const) {
      const zone = `.\t172800\tIN\tDNSKEY\t257 3 8 ${key}\n`;
      const ds = await ksk(["ds", "-"], { stdin: zone });
      expect(ds.code, what).toBe(3);
      expect(ds.stderr, what).toMatch(message);
      const anchor = await ksk(["rrset", "verify", ROOT_APEX_FILE, "--anchor", tmp.file("weak.key", zone), "--at", "2023-11-10T00:00:00Z"]);
      expect(anchor.code, what).toBe(3);
      expect(anchor.stderr, what).toMatch(message);
      const build = await ksk(["anchors", "build", "--dnskey", tmp.file("weak-dnskey.zone", zone), "-o", tmp.file("weak-anchors.xml")]);
      expect(build.code, `${what}: ${build.stderr}`).toBe(3);
      expect(build.stderr, what).toMatch(message);
    }
    // The good form of the same key is accepted.
    expect((await ksk(["ds", "-"], { stdin: `.\t172800\tIN\tDNSKEY\t257 3 8 ${rsaKey([1, 0, 1], 2048, 0xc5)}\n` })).code).toBe(0);
  });

  it("an option that would carry a PIN or passphrase is refused (exit 2) saying where secrets come from, without the value", async () => {
    for (const args of [
      ["keytag", "--pin", "4711-secret", "x.zone"],
      ["keytag", "--passphrase=4711-secret", "x.zone"],
      ["keytag", "--so-pin", "4711-secret", "x.zone"],
    ]) {
      const r = await ksk(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^ksk: --(pin|passphrase|so-pin): secrets are never taken on the command line .*--pin-file .*pin-source=file:/);
      expect(r.stderr).not.toContain("4711-secret");
    }
  });

  it("a misspelled option is a usage error (exit 2) with a 'did you mean'; a word far from any option gets none", async () => {
    const r = await ksk(["ds", allKeys, "--digets", "2"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("ksk: Unknown argument: digets (digets: did you mean --digest?)\n");
    const far = await ksk(["ds", allKeys, "--zzzzzz", "2"]);
    expect(far.code).toBe(2);
    expect(far.stderr).toBe("ksk: Unknown argument: zzzzzz\n");
  });

  it("reports a missing file as exit 3 naming it", async () => {
    const r = await ksk(["ds", tmp.file("nope.zone")]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/nope\.zone: no such file or directory/);
  });

  it("refuses a file without DNSKEYs", async () => {
    const r = await ksk(["ds", tmp.file("empty.zone", "; nothing here\n")]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/holds no DNSKEY record/);
  });
});

describe("ksk keytag (real root KSKs)", () => {
  it("prints each key tag and its revoked tag", async () => {
    const r = await ksk(["keytag", allKeys, "--json"]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { keyTag: number; revokedKeyTag: number; revoked: boolean }[];
    expect(rows.map((x) => [x.keyTag, x.revokedKeyTag, x.revoked])).toEqual(ROOT_KSKS.map((k) => [k.keyTag, k.revokedKeyTag, false]));
  });

  it("recognises a key that is already revoked (flags 385) and gives its tag before revocation", async () => {
    const k = ROOT_KSKS[1]!;
    const r = await ksk(["keytag", "-"], { stdin: dnskeyLine(k, 385) });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`. ${k.revokedKeyTag} (revoked; ${k.keyTag} before revocation) flags 385 algorithm 8 RSASHA256\n`);
  });
});

describe("ksk words", () => {
  it("prints SHA-256 hex and 32 PGP words per file, even bytes two-syllable and odd bytes three-syllable", async () => {
    const file = tmp.file("abc.txt", "abc");
    const r = await ksk(["words", file, "--json"]);
    expect(r.code).toBe(0);
    const [row] = JSON.parse(r.stdout) as { sha256Hex: string; pgpWords: string[] }[];
    // FIPS 180-2 appendix B.1: SHA-256("abc").
    expect(row?.sha256Hex).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(row?.pgpWords).toHaveLength(32);
    // 0xba at position 0 (even list), 0x78 at position 1 (odd list).
    const text = await ksk(["words", file]);
    expect(text.stdout.split("\n")[2]?.split(" ").slice(2, 4)).toEqual(row?.pgpWords.slice(0, 2));
  });

  it("fails with exit 3 on an unreadable file and prints nothing on stdout", async () => {
    const r = await ksk(["words", tmp.file("missing")]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
  });
});

describe("usage", () => {
  it("exits 2 with one line for an unknown command", async () => {
    const r = await ksk(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ksk: /);
  });

  it("documents the exit codes in --help", async () => {
    const r = await ksk(["--help"]);
    expect(r.code).toBe(0);
    for (const code of ["0 ", "1 ", "2 ", "3 ", "4 ", "5 "]) expect(r.stdout).toContain(`\n  ${code}`);
  });
});
