/**
 * `ksk key generate|list|export-public|delete` against a fresh SoftHSM2 token (and a software
 * keystore): a KSK made by `ksk key generate` signs data that `openssl dgst -verify` and the core
 * verifier accept; `ksk key list` shows it with the DS ldns-key2ds computes; bad PIN, token,
 * module and label fail with exit 4, one line, and nothing changed.
 */
import { createPublicKey } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type DnskeyRdata, algorithmInfo, isKind, keyTag, parseZone } from "@ksk/core";
import { openKeystore } from "@ksk/keystore";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SoftHsmToken, createSoftHsmToken } from "../../../test/support/softhsm.js";
import { hasTool, runTool } from "../../../test/support/tools.js";
import { DEFAULT_NOW, ksk } from "./harness.js";

interface Report {
  label: string;
  keyTag: number;
  revokedKeyTag: number;
  flags: number;
  dnskeyRecord: string;
  ds: { digestType: number; digestHex: string; record: string }[];
  dsSha256PgpWords: string[];
}

function dnskeyOf(line: string): DnskeyRdata {
  const [rr] = parseZone(`${line}\n`);
  if (!rr || !isKind(rr, "DNSKEY")) throw new Error(`not a DNSKEY line: ${line}`);
  return rr.rdata;
}

describe.runIf(hasTool("softhsm2-util"))("ksk key (SoftHSM2)", () => {
  let hsm: SoftHsmToken;
  let uri: string;
  let env: Record<string, string>;
  let ksk1: Report;
  beforeAll(() => {
    hsm = createSoftHsmToken({ label: "ksk-lab" });
    uri = hsm.uri();
    env = hsm.env;
  });
  afterAll(() => hsm?.cleanup());

  /** The token's objects as pkcs11-tool lists them, to show that failures change nothing. */
  const objects = () =>
    runTool("pkcs11-tool", ["--module", hsm.module, "--token-label", hsm.label, "--login", "--pin", hsm.pin, "--list-objects"], { env: hsm.processEnv }).stdout;

  it("generates a KSK and prints label, tags, DNSKEY, DS and PGP words", async () => {
    const r = await ksk(["key", "generate", "--keystore", uri, "--role", "ksk", "--algorithm", "RSASHA256", "--bits", "2048", "--json"], { env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    ksk1 = JSON.parse(r.stdout) as Report;
    expect(ksk1.label).toMatch(/^K[a-z2-7]{6}$/);
    expect(ksk1.flags).toBe(257);
    expect(ksk1.dnskeyRecord).toMatch(/^\. 172800 IN DNSKEY 257 3 8 AwEAA/);
    expect(ksk1.ds.map((d) => d.digestType)).toEqual([2, 4]);
    expect(ksk1.dsSha256PgpWords).toHaveLength(32);
    const text = await ksk(["key", "generate", "--keystore", uri, "--role", "zsk", "--algorithm", "13", "--label", "Zlab1"], { env });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^label +Zlab1\n/);
    for (const field of ["algorithm", "flags", "key tag", "revoked key tag", "DNSKEY", "DS SHA-256", "DS SHA-384", "DS SHA-256 words"]) {
      expect(text.stdout).toMatch(new RegExp(`\\n${field} +\\S`));
    }
    expect(text.stdout).toContain("13 (ECDSAP256SHA256, 256 bits)");
  });

  it.runIf(hasTool("openssl"))("the generated KSK signs data that openssl dgst -verify and the core verifier accept", async () => {
    const dnskey = dnskeyOf(ksk1.dnskeyRecord);
    const keystore = await openKeystore(uri, { env });
    let signature: Uint8Array;
    const data = new TextEncoder().encode("DNSKEY RRset of slot 1, signed in the HSM\n");
    try {
      const signer = await keystore.signer(ksk1.label);
      expect(signer.keyTag).toBe(ksk1.keyTag);
      signature = await signer.sign(data);
    } finally {
      await keystore.close();
    }
    expect(algorithmInfo(8).verify(dnskey.publicKeyBytes, data, signature)).toBe(true);
    // openssl gets the public key as the DNSKEY says it (RFC 3110: e length, e, n), not from the token.
    const k = dnskey.publicKeyBytes;
    const eLength = k[0] as number;
    const pem = createPublicKey({
      format: "jwk",
      key: { kty: "RSA", e: Buffer.from(k.slice(1, 1 + eLength)).toString("base64url"), n: Buffer.from(k.slice(1 + eLength)).toString("base64url") },
    }).export({ format: "pem", type: "spki" }) as string;
    const files = { pub: path.join(hsm.dir, "ksk.pem"), data: path.join(hsm.dir, "data.bin"), sig: path.join(hsm.dir, "data.sig") };
    writeFileSync(files.pub, pem);
    writeFileSync(files.data, data);
    writeFileSync(files.sig, signature);
    const ok = runTool("openssl", ["dgst", "-sha256", "-verify", files.pub, "-signature", files.sig, files.data]);
    expect(ok.stdout.trim()).toBe("Verified OK");
    writeFileSync(files.data, new TextEncoder().encode("DNSKEY RRset of slot 2\n"));
    const bad = runTool("openssl", ["dgst", "-sha256", "-verify", files.pub, "-signature", files.sig, files.data]);
    expect(bad.status).not.toBe(0);
  });

  it.runIf(hasTool("ldns-key2ds"))("export-public prints one DNSKEY line; list shows the key with the DS ldns-key2ds computes", async () => {
    const exported = await ksk(["key", "export-public", "--keystore", uri, "--label", ksk1.label], { env });
    expect(exported.code).toBe(0);
    expect(exported.stdout).toBe(`${ksk1.dnskeyRecord}\n`);
    const file = path.join(hsm.dir, `${ksk1.label}.key`);
    const written = await ksk(["key", "export-public", "--keystore", hsm.uri(ksk1.label), "--output", file], { env });
    expect(written.code).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(exported.stdout);
    const ldns = runTool("ldns-key2ds", ["-n", "-2", file]);
    expect(ldns.status).toBe(0);
    const [, , , , tag, alg, type, digest] = ldns.stdout.trim().split(/\s+/);
    expect(`${tag} ${alg} ${type}`).toBe(`${ksk1.keyTag} 8 2`);

    const list = await ksk(["key", "list", "--keystore", uri], { env });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`Keystore ${uri}: 2 key pairs\n`);
    expect(list.stdout).toContain(
      `  ${ksk1.label}  pkcs11:token=ksk-lab  alg 8 RSASHA256 2048 bits  flags 257  tag ${ksk1.keyTag} (revoked ${ksk1.revokedKeyTag}) sensitive, non-extractable\n`,
    );
    expect(list.stdout).toContain(`    . 172800 IN DS ${ksk1.keyTag} 8 2 ${digest?.toUpperCase()}\n`);

    const dns = await ksk(["key", "list", "--keystore", uri, "--dns"], { env });
    expect(dns.stdout).toContain(`; ${ksk1.label}\n${ksk1.dnskeyRecord}\n. 172800 IN DS ${ksk1.keyTag} 8 2 ${digest?.toUpperCase()}\n`);
    // The --dns output is a zone file other tools read.
    expect(parseZone(dns.stdout).filter((rr) => isKind(rr, "DS"))).toHaveLength(2);

    const json = JSON.parse((await ksk(["key", "list", "--keystore", uri, "--json"], { env })).stdout);
    expect(json.keys.map((k: { label: string }) => k.label).sort()).toEqual([ksk1.label, "Zlab1"].sort());
    expect(json.leftovers).toEqual([]);
  });

  it("refuses a label that exists (exit 5) and a PIN in the URI (exit 2)", async () => {
    const again = await ksk(["key", "generate", "--keystore", uri, "--role", "zsk", "--algorithm", "ECDSAP256SHA256", "--label", "Zlab1"], { env });
    expect(again.code).toBe(5);
    expect(again.stderr).toMatch(/^ksk: [^\n]*a key labelled "Zlab1" exists; not replaced\n$/);
    const pinValue = await ksk(["key", "list", "--keystore", `pkcs11:token=ksk-lab?module-path=${hsm.module}&pin-value=${hsm.pin}`], { env });
    expect(pinValue.code).toBe(2);
    expect(pinValue.stderr).toContain("use pin-source=file:PATH");
    const badBits = await ksk(["key", "generate", "--keystore", uri, "--role", "ksk", "--algorithm", "RSASHA256", "--bits", "1024"], { env });
    expect(badBits.code).toBe(2);
    const badAlg = await ksk(["key", "generate", "--keystore", uri, "--role", "ksk", "--algorithm", "RSASHA1"], { env });
    expect(badAlg.code).toBe(2);
    expect(badAlg.stderr).toContain("deprecated");
  });

  describe("failures: exit 4, one line, nothing changed", () => {
    const oneLine = (stderr: string) => {
      expect(stderr.split("\n")).toHaveLength(2);
      expect(stderr.startsWith("ksk: ")).toBe(true);
    };

    it("wrong PIN", async () => {
      const wrongPin = path.join(hsm.dir, "wrong.pin");
      writeFileSync(wrongPin, "000000\n");
      const before = objects();
      const r = await ksk(
        ["key", "generate", "--keystore", hsm.uri(undefined, { pinSource: false }), "--pin-file", wrongPin, "--role", "ksk", "--algorithm", "RSASHA256"],
        { env },
      );
      expect(r.code).toBe(4);
      oneLine(r.stderr);
      expect(r.stderr).toBe("ksk: pkcs11:token=ksk-lab: wrong PIN (CKR_PIN_INCORRECT)\n");
      expect(r.stdout).toBe("");
      expect(objects()).toBe(before);
    });

    it("missing token", async () => {
      const r = await ksk(["key", "list", "--keystore", `pkcs11:token=no-such-token?module-path=${hsm.module}&pin-source=file:${hsm.pinFile}`], { env });
      expect(r.code).toBe(4);
      oneLine(r.stderr);
      expect(r.stderr).toMatch(
        /^ksk: pkcs11:token=no-such-token: no such token in module \/usr\/lib\/softhsm\/libsofthsm2\.so \(initialised tokens: ksk-lab \(serial [0-9a-f]+\)\)\n$/,
      );
    });

    it("missing module", async () => {
      const before = objects();
      const r = await ksk(
        [
          "key",
          "generate",
          "--keystore",
          `pkcs11:token=ksk-lab?module-path=/nonexistent/libpkcs11.so&pin-source=file:${hsm.pinFile}`,
          "--role",
          "ksk",
          "--algorithm",
          "8",
        ],
        { env },
      );
      expect(r.code).toBe(4);
      oneLine(r.stderr);
      expect(r.stderr).toMatch(/^ksk: module \/nonexistent\/libpkcs11\.so: cannot load the PKCS#11 module: /);
      expect(objects()).toBe(before);
    });

    it("unknown label", async () => {
      for (const command of ["export-public", "delete"]) {
        const r = await ksk(
          ["key", command, "--keystore", uri, "--label", "Knothere", "--yes"].filter((a) => command === "delete" || a !== "--yes"),
          { env },
        );
        expect(r.code).toBe(4);
        expect(r.stderr).toBe('ksk: pkcs11:token=ksk-lab: no key labelled "Knothere"\n');
      }
    });

    it("the module from KSK_PKCS11_MODULE and the PIN from KSK_PIN_FILE", async () => {
      const r = await ksk(["key", "list", "--keystore", "pkcs11:token=ksk-lab", "--json"], {
        env: { ...env, KSK_PKCS11_MODULE: hsm.module, KSK_PIN_FILE: hsm.pinFile },
      });
      expect(r.code).toBe(0);
      const none = await ksk(["key", "list", "--keystore", "pkcs11:token=ksk-lab"], { env: { ...env, KSK_PIN_FILE: hsm.pinFile } });
      expect(none.code).toBe(4);
      expect(none.stderr).toBe("ksk: pkcs11:token=ksk-lab: no PKCS#11 module: add module-path=PATH to the URI or set KSK_PKCS11_MODULE\n");
      const noPin = await ksk(["key", "list", "--keystore", hsm.uri(undefined, { pinSource: false })], { env });
      expect(noPin.code).toBe(4);
      expect(noPin.stderr).toContain("no PIN");
    });

    it("asks for the PIN on a terminal when no file gives it", async () => {
      const r = await ksk(["key", "list", "--keystore", hsm.uri(undefined, { pinSource: false })], { env, answers: [hsm.pin] });
      expect(r.code).toBe(0);
      expect(r.stderr).toBe("User PIN for pkcs11:token=ksk-lab: ");
    });
  });

  it('deletes only after an exact "Yes" (or --yes, or its hidden old name --force)', async () => {
    const refused = await ksk(["key", "delete", "--keystore", uri, "--label", "Zlab1"], { env, answers: ["yes"] });
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/Type Yes to delete: ksk: [^\n]*not deleted: the answer was not exactly "Yes"\n$/);
    const noTerminal = await ksk(["key", "delete", "--keystore", uri, "--label", "Zlab1"], { env });
    expect(noTerminal.code).toBe(5);
    const deleted = await ksk(["key", "delete", "--keystore", uri, "--label", "Zlab1"], { env, answers: ["Yes"] });
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toMatch(/^deleted Zlab1 \(key tag \d+\)\n$/);
    expect(objects()).not.toContain("Zlab1");
    const made = await ksk(["key", "generate", "--keystore", uri, "--role", "zsk", "--algorithm", "ED25519", "--label", "Zlab2"], { env });
    expect(made.code).toBe(0);
    const yes = await ksk(["key", "delete", "--keystore", hsm.uri("Zlab2"), "--yes"], { env });
    expect(yes.code).toBe(0);
    expect(objects()).not.toContain("Zlab2");
    expect((await ksk(["key", "generate", "--keystore", uri, "--role", "zsk", "--algorithm", "ED25519", "--label", "Zlab3"], { env })).code).toBe(0);
    const forced = await ksk(["key", "delete", "--keystore", hsm.uri("Zlab3"), "--force"], { env });
    expect(forced.code).toBe(0);
    expect(objects()).not.toContain("Zlab3");
    const help = await ksk(["key", "delete", "--help"], { env });
    expect(help.stdout).toMatch(/--yes\b.*Do not ask/);
    expect(help.stdout).not.toContain("--force");
  });

  it("refuses (exit 5) when every candidate collides, after three, each one deleted from the token", async () => {
    // Known keys with every one of the 65,536 tags: no new key can avoid them. An Ed25519 key of
    // zeros but for its last two 16-bit words, chosen so the RFC 4034 checksum (header words
    // 0x0100 + 0x030F, then the key's, end-around carry) lands on each tag in turn.
    const header = 0x0100 + 0x030f;
    const lines: string[] = [];
    const tags = new Set<number>();
    for (let tag = 0; tag < 0x10000; tag++) {
      // The sum of the two words: the tag itself, or past 0xFFFF so the carry folds back onto it.
      const sum = (tag === 0 ? 0x1ffff : tag >= header ? tag : 0xffff + tag) - header;
      const [high, low] = sum > 0xffff ? [sum - 0xffff, 0xffff] : [0, sum];
      const key = new Uint8Array(32);
      key.set([high >> 8, high & 0xff, low >> 8, low & 0xff], 28);
      tags.add(keyTag({ kind: "DNSKEY", flags: 256, protocol: 3, algorithm: 15, publicKeyBytes: key }));
      lines.push(`. 172800 IN DNSKEY 256 3 15 ${Buffer.from(key).toString("base64")}`);
    }
    expect(tags.size).toBe(0x10000);
    const file = path.join(hsm.dir, "every-tag.zone");
    writeFileSync(file, `${lines.join("\n")}\n`);
    const before = objects();
    const r = await ksk(["key", "generate", "--keystore", uri, "--role", "zsk", "--algorithm", "ED25519", "--label", "Zclash", "--known-keys", file], { env });
    expect(r.code).toBe(5);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^ksk: Zclash: new key: 3 candidates collided, each deleted: candidate 1: .*; candidate 2: .*; candidate 3: .*\n$/);
    expect(r.stderr.split("\n")).toHaveLength(2);
    expect(objects()).toBe(before);
  });

  it("refuses --known-keys files without DNSKEYs as bad input (exit 3) before touching the token", async () => {
    const file = path.join(hsm.dir, "empty.zone");
    writeFileSync(file, "; nothing\n");
    const before = objects();
    const r = await ksk(["key", "generate", "--keystore", uri, "--role", "ksk", "--algorithm", "8", "--known-keys", file], { env });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`ksk: ${file}: holds no DNSKEY record\n`);
    expect(objects()).toBe(before);
  });
});

describe("ksk key with a software keystore (file:)", () => {
  it("generates, lists and exports with the passphrase from --passphrase-file; a wrong one is exit 4", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(path.join(tmpdir(), "ksk-cli-soft-"));
    try {
      const pass = path.join(dir, "pass.txt");
      writeFileSync(pass, "rehearsal passphrase\n", { mode: 0o600 });
      const uri = `file:${path.join(dir, "keys")}`;
      const gen = await ksk(["key", "generate", "--keystore", uri, "--passphrase-file", pass, "--role", "ksk", "--algorithm", "ECDSAP256SHA256", "--json"]);
      expect(gen.stderr).toBe("");
      expect(gen.code).toBe(0);
      const report = JSON.parse(gen.stdout) as Report;
      expect(report.label).toBe(
        // IANA-style label of the harness's frozen clock.
        (await import("@ksk/keygen")).ianaLabel("ksk", DEFAULT_NOW),
      );
      const list = await ksk(["key", "list", "--keystore", uri, "--dns"]);
      expect(list.code).toBe(0);
      expect(list.stdout).toContain(report.dnskeyRecord);
      const exported = await ksk(["key", "export-public", "--keystore", uri, "--label", report.label]);
      expect(exported.stdout).toBe(`${report.dnskeyRecord}\n`);
      const wrong = path.join(dir, "wrong.txt");
      writeFileSync(wrong, "not it\n");
      const keystore = await openKeystore(uri, { passphraseFile: wrong });
      await expect(keystore.signer(report.label)).rejects.toMatchObject({ kind: "keystore" });
      const wrongCli = await ksk([
        "key",
        "generate",
        "--keystore",
        uri,
        "--passphrase-file",
        path.join(dir, "missing.txt"),
        "--role",
        "zsk",
        "--algorithm",
        "13",
      ]);
      expect(wrongCli.code).toBe(4);
      expect(wrongCli.stderr).toContain("cannot read the passphrase file");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
