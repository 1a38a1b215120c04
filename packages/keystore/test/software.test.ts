/**
 * The encrypted software keystore in a temporary directory: every algorithm signs what node:crypto
 * and the core verify; files are 0600; a wrong passphrase, an edited or renamed file, a missing
 * passphrase and an existing label are refused; leftovers are listed. The .dnskey file is checked
 * with ldns-key2ds.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type DnskeyRdata, KskError, ROOT, algorithmInfo, bytesToHex, dsDigest, keyTag } from "@ksk/core";
import { afterAll, describe, expect, it } from "vitest";
import { hasTool, runTool } from "../../../test/support/tools.js";
import { DEFAULT_SCRYPT, exportSoftwarePrivateKey, openKeystore, openSoftwareKeystore } from "../src/index.js";
import { opensslVerify, sampleData } from "./helpers.js";

const dir = mkdtempSync(path.join(tmpdir(), "ksk-softkeys-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const passphraseFile = path.join(dir, "passphrase.txt");
writeFileSync(passphraseFile, "correct horse battery staple\n", { mode: 0o600 });
const storeDir = path.join(dir, "keys");
const uri = `file:${storeDir}`;
/**
 * New private key files at the cheapest scrypt cost a file may carry (KSK_SCRYPT_LOG2N, 2^14): the
 * tests below derive keys dozens of times. One test ("…writes the default scrypt cost…") keeps
 * the default.
 */
const cheap = { KSK_SCRYPT_LOG2N: "14" };
const open = () => openKeystore(uri, { env: { KSK_PASSPHRASE_FILE: passphraseFile, ...cheap } });

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
        expect(stored).toMatchObject({ format: "ksk-software-key/1", kdf: { name: "scrypt", log2N: 14, r: 8, p: 1 }, cipher: { name: "aes-256-gcm" } });
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

  it("exports a private key as PKCS#8 DER that openssl reads back to the recorded public key; refuses a wrong passphrase", async () => {
    const parameters = (passphrase: string) => ({ uriText: uri, directory: storeDir, passphrase: async () => passphrase });
    const der = await exportSoftwarePrivateKey(parameters("correct horse battery staple"), "Kp256");
    // openssl derives the public key from the exported private key: it is the DNSKEY's (RFC 6605 §4: X | Y).
    const r = runTool("openssl", ["pkey", "-inform", "DER", "-pubout"], { input: der });
    expect(r.status, r.stderr).toBe(0);
    const spki = Buffer.from(r.stdout.replace(/-----[^-]+-----/g, "").replace(/\s/g, ""), "base64");
    const keystore = await open();
    const dnskey = (await keystore.find("Kp256")).dnskey as DnskeyRdata;
    await keystore.close();
    expect(bytesToHex(new Uint8Array(spki.subarray(spki.length - 64)))).toBe(bytesToHex(dnskey.publicKeyBytes));
    await expect(exportSoftwarePrivateKey(parameters("wrong"), "Kp256")).rejects.toMatchObject({ kind: "keystore", code: "PASSPHRASE-WRONG" });
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

  it("writes the default scrypt cost (2^17, r 8, p 1) when KSK_SCRYPT_LOG2N is not set, and signs with a key under it", async () => {
    const defaultDir = path.join(dir, "default-cost");
    const keystore = await openKeystore(`file:${defaultDir}`, { passphraseFile, createDirectory: true, env: {} });
    try {
      const dnskey = (await keystore.generate({ label: "Kdefault", algorithm: 13, flags: 257 })).dnskey as DnskeyRdata;
      expect(DEFAULT_SCRYPT).toEqual({ log2N: 17, r: 8, p: 1 });
      expect(JSON.parse(readFileSync(path.join(defaultDir, "Kdefault.private"), "utf8")).kdf).toMatchObject({ name: "scrypt", ...DEFAULT_SCRYPT });
      const data = sampleData("default cost");
      expect(opensslVerify(dnskey, data, await (await keystore.signer("Kdefault")).sign(data))).toBe(true);
    } finally {
      await keystore.close();
    }
  });

  for (const value of ["13", "21", "fourteen", "14.5", "014x", "-14"]) {
    it(`refuses KSK_SCRYPT_LOG2N=${value} as a usage error naming the variable`, async () => {
      await expect(openKeystore(uri, { env: { KSK_SCRYPT_LOG2N: value } })).rejects.toMatchObject({
        kind: "usage",
        code: "SCRYPT-COST",
        message: `KSK_SCRYPT_LOG2N must be a whole number from 14 to 20, not ${JSON.stringify(value)}`,
      });
    });
  }

  it("names the directory when it does not exist", async () => {
    const keystore = await openKeystore(`file:${path.join(dir, "nowhere")}`, {});
    await expect(keystore.list()).rejects.toThrow(/nowhere: cannot read the keystore directory: no such file or directory/);
  });
});

describe("software keystore: scrypt and cipher fields of a .private file", () => {
  const cryptDir = path.join(dir, "crafted");
  const label = "Kcrafted";
  const file = path.join(cryptDir, `${label}.private`);
  let original: string;
  const withFile = async (edit: (value: Record<string, Record<string, unknown>>) => void) => {
    const value = JSON.parse(original);
    edit(value);
    rmSync(file, { force: true });
    writeFileSync(file, JSON.stringify(value), { mode: 0o600 });
    const keystore = await openKeystore(`file:${cryptDir}`, { passphrase: "crafted passphrase" });
    try {
      return await keystore.signer(label);
    } finally {
      await keystore.close();
    }
  };
  const refusedAsFile = async (edit: (value: Record<string, Record<string, unknown>>) => void, message: RegExp) => {
    const e = await withFile(edit).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(e).toBeInstanceOf(KskError);
    expect(e).toMatchObject({ kind: "keystore", code: "KEYSTORE-FILE" });
    expect((e as KskError).message).toContain(file);
    expect((e as KskError).message).not.toContain("\n");
    expect((e as KskError).message).toMatch(message);
  };

  it("accepts the parameters it writes (default, and the smallest allowed)", async () => {
    const keystore = await openSoftwareKeystore({
      uriText: `file:${cryptDir}`,
      directory: cryptDir,
      createDirectory: true,
      passphrase: async () => "crafted passphrase",
      scrypt: { log2N: 14, r: 1, p: 1 },
    });
    await keystore.generate({ label, algorithm: 15, flags: 257 });
    original = readFileSync(file, "utf8");
    expect((await withFile(() => {})).label).toBe(label);
    expect(DEFAULT_SCRYPT).toEqual({ log2N: 17, r: 8, p: 1 });
    // In range but not what the key was encrypted with: it gets as far as decryption.
    await expect(
      withFile((v) => {
        v.kdf = { ...v.kdf, log2N: 15, r: 16, p: 2 };
      }),
    ).rejects.toMatchObject({ kind: "keystore", code: "PASSPHRASE-WRONG" });
  });

  for (const [what, kdf] of [
    ["r 0", { r: 0 }],
    ["p 1e9", { p: 1e9 }],
    ["r 33", { r: 33 }],
    ["p 17", { p: 17 }],
    ["log2N 13", { log2N: 13 }],
    ["log2N 21", { log2N: 21 }],
    ["log2N 20 with r 32 (4 GiB)", { log2N: 20, r: 32 }],
    ["r 1.5", { r: 1.5 }],
    ["r as a string", { r: "8" }],
  ] as const) {
    it(`refuses scrypt ${what} as a file error naming the file`, async () => {
      await refusedAsFile((v) => {
        v.kdf = { ...v.kdf, ...kdf };
      }, /scrypt parameters .* are outside log2N 14-20, r 1-32, p 1-16/);
    });
  }

  it("refuses a short GCM tag, a wrong IV size and a short salt as file errors", async () => {
    await refusedAsFile((v) => {
      v.cipher = { ...v.cipher, tagBase64: Buffer.alloc(4).toString("base64") };
    }, /tag of 4 octets/);
    await refusedAsFile((v) => {
      v.cipher = { ...v.cipher, ivBase64: "" };
    }, /IV of 0/);
    await refusedAsFile((v) => {
      v.kdf = { ...v.kdf, saltBase64: "AAAA" };
    }, /salt of 3/);
  });
});

describe("software keystore: the passphrase is confirmed before a key is generated", () => {
  const prompter = (answers: string[]) => {
    const asked: string[] = [];
    return {
      asked,
      promptSecret: async (question: string) => {
        asked.push(question);
        const next = answers.shift();
        if (next === undefined) throw new Error(`no answer for ${question}`);
        return next;
      },
    };
  };

  it("refuses a passphrase that does not decrypt the keystore's existing keys, and generates with the right one", async () => {
    const wrong = await openKeystore(uri, { passphrase: "correct horse battery stapel" });
    const e = await wrong.generate({ label: "Ktypo", algorithm: 15, flags: 257 }).then(
      () => undefined,
      (e: unknown) => e as KskError,
    );
    expect(e).toMatchObject({ kind: "keystore", code: "PASSPHRASE-WRONG" });
    expect(e?.message).toMatch(new RegExp(`wrong passphrase for keystore ${storeDir} \\(it does not decrypt \\w+\\.private\\); nothing generated$`));
    expect(existsSync(path.join(storeDir, "Ktypo.private"))).toBe(false);
    expect(existsSync(path.join(storeDir, "Ktypo.dnskey"))).toBe(false);
    // The same passphrase typed at the prompt: asked once, checked against the existing keys.
    const typed = prompter(["correct horse battery staple"]);
    const right = await openKeystore(uri, { promptSecret: typed.promptSecret, env: cheap });
    expect((await right.generate({ label: "Kconfirmed", algorithm: 15, flags: 257 })).hasPrivateKey).toBe(true);
    expect(typed.asked).toEqual([`Passphrase for keystore ${storeDir}: `]);
    await right.delete("Kconfirmed");
  });

  it("in an empty keystore, asks for a typed passphrase twice and refuses a mismatch", async () => {
    const emptyDir = path.join(dir, "empty-typed");
    const typo = prompter(["first passphrase", "first passphrasr"]);
    const keystore = await openKeystore(`file:${emptyDir}`, { promptSecret: typo.promptSecret, createDirectory: true, env: cheap });
    await expect(keystore.generate({ label: "Kfirst", algorithm: 15, flags: 257 })).rejects.toMatchObject({
      kind: "keystore",
      code: "PASSPHRASE-MISMATCH",
      message: `file:${emptyDir}: the passphrases for keystore ${emptyDir} differ; nothing generated`,
    });
    expect(typo.asked).toEqual([`Passphrase for keystore ${emptyDir}: `, `Repeat the passphrase for keystore ${emptyDir}: `]);
    expect(await keystore.list()).toEqual([]);
    const same = prompter(["first passphrase", "first passphrase"]);
    const again = await openKeystore(`file:${emptyDir}`, { promptSecret: same.promptSecret, env: cheap });
    expect((await again.generate({ label: "Kfirst", algorithm: 15, flags: 257 })).hasPrivateKey).toBe(true);
    expect(same.asked).toHaveLength(2);
    // The second key is checked against the first, without a second question.
    const next = prompter(["first passphrase"]);
    const third = await openKeystore(`file:${emptyDir}`, { promptSecret: next.promptSecret, env: cheap });
    await third.generate({ label: "Ksecond", algorithm: 15, flags: 257 });
    expect(next.asked).toHaveLength(1);
  });

  it("in an empty keystore, takes a passphrase from a file without asking again", async () => {
    const emptyDir = path.join(dir, "empty-file");
    const never = prompter([]);
    const keystore = await openKeystore(`file:${emptyDir}`, { passphraseFile, promptSecret: never.promptSecret, createDirectory: true, env: cheap });
    expect((await keystore.generate({ label: "Kfromfile", algorithm: 15, flags: 257 })).hasPrivateKey).toBe(true);
    expect(never.asked).toEqual([]);
  });
});
