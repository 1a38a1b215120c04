/**
 * The encrypted software keystore in a temporary directory: every algorithm signs what node:crypto
 * and the core verify; files are 0600; a wrong passphrase, an edited or renamed file, a missing
 * passphrase and an existing label are refused; leftovers are listed. The .dnskey file is checked
 * with ldns-key2ds.
 */
import { chmodSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type DnskeyRdata, KskError, ROOT, algorithmInfo, bytesToHex, dsDigest, keyTag } from "@ksk/core";
import { afterAll, describe, expect, it } from "vitest";
import { hasTool, runTool } from "../../../test/support/tools.js";
import { openKeystore } from "../src/index.js";
import { opensslVerify, sampleData } from "./helpers.js";

const dir = mkdtempSync(path.join(tmpdir(), "ksk-softkeys-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const passphraseFile = path.join(dir, "passphrase.txt");
writeFileSync(passphraseFile, "correct horse battery staple\n", { mode: 0o600 });
const storeDir = path.join(dir, "keys");
const uri = `file:${storeDir}`;
const open = () => openKeystore(uri, { env: { KSK_PASSPHRASE_FILE: passphraseFile } });

describe("software keystore", () => {
  const cases = [
    { algorithm: 8, label: "Krsa256", flags: 257, bits: 2048 },
    { algorithm: 10, label: "Zrsa512", flags: 256, bits: 3072 },
    { algorithm: 13, label: "Kp256", flags: 257 },
    { algorithm: 14, label: "Zp384", flags: 256 },
    { algorithm: 15, label: "Ked25519", flags: 257 },
    { algorithm: 16, label: "Zed448", flags: 256 },
  ];
  for (const c of cases) {
    it(`generates ${algorithmInfo(c.algorithm).mnemonic} encrypted at rest, and signs what node:crypto and the core verify`, async () => {
      const keystore = await open();
      try {
        const info = await keystore.generate({ label: c.label, algorithm: c.algorithm, flags: c.flags, ...(c.bits ? { rsaModulusBits: c.bits } : {}) });
        const dnskey = info.dnskey as DnskeyRdata;
        expect(dnskey).toMatchObject({ flags: c.flags, protocol: 3, algorithm: c.algorithm });
        for (const suffix of [".dnskey", ".private"]) expect(statSync(path.join(storeDir, c.label + suffix)).mode & 0o777).toBe(0o600);
        expect(statSync(storeDir).mode & 0o777).toBe(0o700);
        const stored = JSON.parse(readFileSync(path.join(storeDir, `${c.label}.private`), "utf8"));
        expect(stored).toMatchObject({ format: "ksk-software-key/1", kdf: { name: "scrypt", log2N: 17, r: 8, p: 1 }, cipher: { name: "aes-256-gcm" } });
        expect(readFileSync(path.join(storeDir, `${c.label}.private`), "utf8")).not.toContain("PRIVATE KEY");
        const signer = await keystore.signer(c.label);
        expect(signer.keyTag).toBe(keyTag(dnskey));
        const data = sampleData(c.label);
        const signature = await signer.sign(data);
        expect(opensslVerify(dnskey, data, signature)).toBe(true);
        expect(algorithmInfo(c.algorithm).verify(dnskey.publicKeyBytes, data, signature)).toBe(true);
        expect(opensslVerify(dnskey, sampleData("other"), signature)).toBe(false);
      } finally {
        await keystore.close();
      }
    });
  }

  it.runIf(hasTool("ldns-key2ds"))("writes a .dnskey file that ldns-key2ds reads, with the same DS", async () => {
    const keystore = await open();
    const dnskey = (await keystore.find("Krsa256")).dnskey as DnskeyRdata;
    const r = runTool("ldns-key2ds", ["-n", "-2", path.join(storeDir, "Krsa256.dnskey")]);
    expect(r.status).toBe(0);
    const fields = r.stdout.trim().split(/\s+/);
    expect(fields.slice(3, 7)).toEqual(["DS", String(keyTag(dnskey)), "8", "2"]);
    expect(fields[7]?.toLowerCase()).toBe(bytesToHex(dsDigest(ROOT, dnskey, 2)));
  });

  it("refuses a wrong passphrase with one keystore error", async () => {
    const keystore = await openKeystore(uri, { passphrase: "wrong" });
    await expect(keystore.signer("Kp256")).rejects.toMatchObject({ kind: "keystore", code: "PASSPHRASE-WRONG" });
  });

  it("refuses a private key file edited or put under another label", async () => {
    const file = path.join(storeDir, "Kp256.private");
    const original = readFileSync(file, "utf8");
    try {
      const edited = JSON.parse(original);
      edited.publicKeyBase64 = JSON.parse(readFileSync(path.join(storeDir, "Zp384.private"), "utf8")).publicKeyBase64;
      chmodSync(file, 0o600);
      writeFileSync(file, JSON.stringify(edited));
      await expect((await open()).signer("Kp256")).rejects.toMatchObject({ kind: "keystore", code: "KEYSTORE-MISMATCH" });
    } finally {
      writeFileSync(file, original);
    }
    // The same file under another label: the label is in the file and in the GCM additional data.
    const copy = path.join(storeDir, "Kcopy.private");
    writeFileSync(copy, original.replace('"label": "Kp256"', '"label": "Kcopy"'), { mode: 0o600 });
    try {
      await expect((await open()).signer("Kcopy")).rejects.toMatchObject({ kind: "keystore" });
    } finally {
      rmSync(copy);
    }
    expect((await (await open()).signer("Kp256")).label).toBe("Kp256");
  });

  it("asks for the passphrase only when a private key is needed, and refuses when there is no way to get it", async () => {
    const keystore = await openKeystore(uri, { env: {} });
    expect((await keystore.list()).length).toBeGreaterThanOrEqual(cases.length);
    await expect(keystore.signer("Kp256")).rejects.toMatchObject({ kind: "keystore", code: "SECRET-MISSING" });
    const prompted: string[] = [];
    const viaPrompt = await openKeystore(uri, {
      promptSecret: async (q) => {
        prompted.push(q);
        return "correct horse battery staple";
      },
    });
    await viaPrompt.signer("Kp256");
    await viaPrompt.signer("Ked25519");
    expect(prompted).toEqual([`Passphrase for keystore ${storeDir}: `]);
  });

  it("refuses a label that exists and a label that is not a safe file name", async () => {
    const keystore = await open();
    await expect(keystore.generate({ label: "Kp256", algorithm: 13, flags: 257 })).rejects.toMatchObject({ kind: "refused", code: "KEY-LABEL-EXISTS" });
    await expect(keystore.generate({ label: "../evil", algorithm: 13, flags: 257 })).rejects.toMatchObject({ kind: "usage", code: "KEY-LABEL" });
  });

  it("lists leftovers (public without private and the reverse) and deletes a pair", async () => {
    const keystore = await open();
    await keystore.generate({ label: "Kpub", algorithm: 15, flags: 257 });
    await keystore.generate({ label: "Kpriv", algorithm: 15, flags: 257 });
    rmSync(path.join(storeDir, "Kpub.private"));
    renameSync(path.join(storeDir, "Kpriv.dnskey"), path.join(dir, "Kpriv.dnskey"));
    const list = await keystore.list();
    expect(list.find((k) => k.label === "Kpub")).toMatchObject({ hasPublicKey: true, hasPrivateKey: false });
    expect(list.find((k) => k.label === "Kpriv")).toMatchObject({ hasPublicKey: false, hasPrivateKey: true, dnskey: undefined });
    await expect(keystore.signer("Kpriv")).rejects.toMatchObject({ kind: "keystore", code: "KEY-NO-PUBLIC" });
    await keystore.delete("Kpub");
    await keystore.delete("Kpriv");
    await expect(keystore.find("Kpub")).rejects.toBeInstanceOf(KskError);
    await expect(keystore.delete("Kpub")).rejects.toMatchObject({ kind: "keystore", code: "KEY-NOT-FOUND" });
  });

  it("names the directory when it does not exist", async () => {
    const keystore = await openKeystore(`file:${path.join(dir, "nowhere")}`, {});
    await expect(keystore.list()).rejects.toThrow(/nowhere: cannot read the keystore directory: no such file or directory/);
  });
});
