/**
 * The PKCS#11 keystore against a real SoftHSM2 token (Debian softhsm2 2.6.1), one throwaway token
 * per file in a temporary SOFTHSM2_CONF directory. Signatures are checked with node:crypto and the
 * core verifier, key attributes with pkcs11-tool (OpenSC), DS digests with ldns-key2ds.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type DnskeyRdata, KskError, ROOT, algorithmInfo, bytesToHex, dsDigest, keyTag, makeRR, rrToString } from "@ksk/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SoftHsmToken, createSoftHsmToken } from "../../../test/support/softhsm.js";
import { hasTool, runTool } from "../../../test/support/tools.js";
import { type Keystore, moduleEnvironment, openKeystore, openTokenHoldingKey } from "../src/index.js";
import { userPinState } from "../src/pkcs11-token.js";
import { acquireModule, releaseModule } from "../src/pkcs11-module.js";
import { opensslVerify, sampleData } from "./helpers.js";

const softhsm = hasTool("softhsm2-util");
/** OpenSC's PKCS#11 spy: a module that logs every call and passes it on to $PKCS11SPY. */
const SPY = "/usr/lib/x86_64-linux-gnu/pkcs11/pkcs11-spy.so";

async function keystoreError(promise: Promise<unknown>): Promise<KskError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(KskError);
    expect((e as KskError).kind).toBe("keystore");
    expect((e as KskError).message).not.toContain("\n");
    return e as KskError;
  }
  throw new Error("no error");
}

describe.runIf(softhsm)("PKCS#11 keystore in SoftHSM2", () => {
  let token: SoftHsmToken;
  let keystore: Keystore;
  beforeAll(async () => {
    // Token labels that are not prefixes of each other: pkcs11-tool --token-label matches prefixes.
    token = createSoftHsmToken({ label: "ksk-lab", extraLabels: ["second-lab"] });
    keystore = await openKeystore(token.uri(), { env: token.env });
  });
  afterAll(async () => {
    await keystore?.close();
    token?.cleanup();
  });

  const cases: { algorithm: number; bits?: number; label: string; flags: number }[] = [
    { algorithm: 8, bits: 2048, label: "Krsa256", flags: 257 },
    { algorithm: 10, bits: 2048, label: "Zrsa512", flags: 256 },
    { algorithm: 13, label: "Kp256", flags: 257 },
    { algorithm: 14, label: "Zp384", flags: 256 },
    { algorithm: 15, label: "Ked25519", flags: 257 },
    { algorithm: 16, label: "Zed448", flags: 256 },
  ];

  for (const c of cases) {
    it(`generates ${algorithmInfo(c.algorithm).mnemonic} in the token and signs what node:crypto and the core verify`, async () => {
      const info = await keystore.generate({ label: c.label, algorithm: c.algorithm, flags: c.flags, ...(c.bits ? { rsaModulusBits: c.bits } : {}) });
      expect(info).toMatchObject({ label: c.label, hasPublicKey: true, hasPrivateKey: true, protection: { sensitive: true, extractable: false } });
      const dnskey = info.dnskey as DnskeyRdata;
      expect(dnskey).toMatchObject({ flags: c.flags, protocol: 3, algorithm: c.algorithm });
      expect(algorithmInfo(c.algorithm).describeKey(dnskey.publicKeyBytes).sizeBits).toBe(
        { 8: 2048, 10: 2048, 13: 256, 14: 384, 15: 256, 16: 456 }[c.algorithm],
      );
      const signer = await keystore.signer(c.label);
      expect(signer.keyTag).toBe(keyTag(dnskey));
      const data = sampleData(c.label);
      const signature = await signer.sign(data);
      expect(opensslVerify(dnskey, data, signature)).toBe(true);
      expect(algorithmInfo(c.algorithm).verify(dnskey.publicKeyBytes, data, signature)).toBe(true);
      // A changed message does not verify: the checks above can fail.
      const other = sampleData(`${c.label}!`);
      expect(opensslVerify(dnskey, other, signature)).toBe(false);
      expect(algorithmInfo(c.algorithm).verify(dnskey.publicKeyBytes, other, signature)).toBe(false);
    });
  }

  it.runIf(hasTool("pkcs11-tool"))("pkcs11-tool sees the private key sensitive and never extractable", () => {
    const r = runTool(
      "pkcs11-tool",
      ["--module", token.module, "--token-label", token.label, "--login", "--pin", token.pin, "--list-objects", "--type", "privkey"],
      {
        env: token.processEnv,
      },
    );
    expect(r.status).toBe(0);
    const block = r.stdout.split(/\n(?=Private Key Object)/).find((b) => b.includes("label:      Krsa256"));
    expect(block).toBeDefined();
    expect(block).toMatch(/Access:\s+sensitive, always sensitive, never extractable, local/);
    expect(block).toMatch(/Usage:\s+sign\n/);
  });

  it.runIf(hasTool("ldns-key2ds"))("reads back a public key whose DS equals ldns-key2ds's", async () => {
    const info = await keystore.find("Krsa256");
    const dnskey = info.dnskey as DnskeyRdata;
    const file = path.join(token.dir, "Krsa256.key");
    writeFileSync(file, `${rrToString(makeRR(ROOT, 172800, dnskey))}\n`);
    const r = runTool("ldns-key2ds", ["-n", "-2", file]);
    expect(r.status).toBe(0);
    const fields = r.stdout.trim().split(/\s+/);
    expect(fields.slice(3, 7)).toEqual(["DS", String(keyTag(dnskey)), "8", "2"]);
    expect(fields[7]?.toLowerCase()).toBe(bytesToHex(dsDigest(ROOT, dnskey, 2)));
  });

  it("lists the key pairs with their DNSKEYs, and finds them again in a new session", async () => {
    const labels = (await keystore.list()).map((k) => k.label);
    expect(labels).toEqual(expect.arrayContaining(cases.map((c) => c.label)));
    const again = await openKeystore(token.uri(), { env: token.env });
    try {
      for (const c of cases) {
        expect((await again.find(c.label)).dnskey).toEqual((await keystore.find(c.label)).dnskey);
      }
    } finally {
      await again.close();
    }
  });

  it("refuses a label that exists, and an RSA size or curve size that does not apply", async () => {
    await expect(keystore.generate({ label: "Krsa256", algorithm: 8, flags: 257 })).rejects.toMatchObject({ kind: "refused", code: "KEY-LABEL-EXISTS" });
    await expect(keystore.generate({ label: "Kbits", algorithm: 8, flags: 257, rsaModulusBits: 1024 })).rejects.toMatchObject({ kind: "usage" });
    await expect(keystore.generate({ label: "Kbits", algorithm: 13, flags: 257, rsaModulusBits: 2048 })).rejects.toMatchObject({ kind: "usage" });
    expect((await keystore.list()).map((k) => k.label)).not.toContain("Kbits");
  });

  it("creates a private key extractable only when a backup asks for it", async () => {
    const info = await keystore.generate({ label: "Kbackup", algorithm: 13, flags: 257, extractable: true });
    expect(info.protection).toEqual({ sensitive: true, extractable: true });
    await keystore.delete("Kbackup");
  });

  it("reports leftovers: a public key whose private half is gone (deleted with pkcs11-tool)", async () => {
    await keystore.generate({ label: "Kleft", algorithm: 13, flags: 257 });
    const r = runTool(
      "pkcs11-tool",
      ["--module", token.module, "--token-label", token.label, "--login", "--pin", token.pin, "--delete-object", "--type", "privkey", "--label", "Kleft"],
      {
        env: token.processEnv,
      },
    );
    expect(r.status).toBe(0);
    const left = (await keystore.list()).find((k) => k.label === "Kleft");
    expect(left).toMatchObject({ hasPublicKey: true, hasPrivateKey: false });
    await expect(keystore.signer("Kleft")).rejects.toMatchObject({ kind: "keystore", code: "KEY-NO-PRIVATE" });
    await keystore.delete("Kleft");
    expect((await keystore.list()).map((k) => k.label)).not.toContain("Kleft");
  });

  it("IANA's hsm layout: finds the token holding a label before any login, and logs in to that token only", async () => {
    const second = await openKeystore(`pkcs11:token=second-lab?module-path=${token.module}&pin-source=file:${token.pinFile}`, { env: token.env });
    try {
      await second.generate({ label: "Kother", algorithm: 15, flags: 257 });
    } finally {
      await second.close();
    }
    // A third token with another PIN: logging in to it would cost a wrong-PIN attempt.
    runTool("softhsm2-util", ["--init-token", "--free", "--label", "unrelated", "--pin", "999999", "--so-pin", token.soPin], { env: token.processEnv });
    let pinAsked = 0;
    const countedPin = async () => {
      pinAsked++;
      return token.pin;
    };
    const lookup = { modulePath: token.module, moduleEnvironment: token.env, label: "Kother" };
    const any = await openTokenHoldingKey({ ...lookup, pin: countedPin });
    try {
      const signer = await any.signer("Kother");
      const data = sampleData("any token");
      expect(opensslVerify(signer.dnskey, data, await signer.sign(data))).toBe(true);
      expect((await any.find("Kother")).location).toBe("pkcs11:token=second-lab");
      expect(pinAsked).toBe(1);
    } finally {
      await any.close();
    }
    // Named by token label: the same key; a key in no token costs no PIN; a wrong PIN is a wrong PIN.
    const named = await openTokenHoldingKey({ ...lookup, tokenLabel: "second-lab", pin: async () => token.pin });
    await named.close();
    const missing = await keystoreError(openTokenHoldingKey({ ...lookup, label: "Knowhere", pin: countedPin }));
    expect(missing.code).toBe("KEY-NOT-FOUND");
    expect(pinAsked).toBe(1);
    const wrong = await keystoreError(openTokenHoldingKey({ ...lookup, pin: async () => "000000" }));
    expect(wrong.code).toBe("PKCS11-PIN_INCORRECT");
    expect(wrong.message).toContain("wrong PIN");
  });

  it("reads the user-PIN flags before a login: locked refuses, final try and count low warn", () => {
    expect(userPinState(0)).toEqual({ locked: false });
    expect(userPinState(0x00040000)).toEqual({ locked: true });
    expect(userPinState(0x00020000).warning).toMatch(/next wrong user PIN locks the token/);
    expect(userPinState(0x00010000).warning).toMatch(/COUNT_LOW/);
  });

  it("deletes a key pair and its DNSKEY record", async () => {
    await keystore.generate({ label: "Kgone", algorithm: 15, flags: 257 });
    await keystore.delete("Kgone");
    await expect(keystore.find("Kgone")).rejects.toMatchObject({ kind: "keystore", code: "KEY-NOT-FOUND" });
    const r = runTool("pkcs11-tool", ["--module", token.module, "--token-label", token.label, "--login", "--pin", token.pin, "--list-objects"], {
      env: token.processEnv,
    });
    expect(r.stdout).not.toContain("Kgone");
  });

  /** Act on a label's DNSKEY record from another process with pkcs11js (see tamper-record.cjs). */
  function tamper(label: string, action: "count" | "set-flags" | "replace", options: { login: boolean; flags?: number }): { result?: unknown; error?: string } {
    const r = spawnSync(
      process.execPath,
      [
        path.join(import.meta.dirname, "tamper-record.cjs"),
        JSON.stringify({ module: token.module, tokenLabel: token.label, pin: options.login ? token.pin : null, label, action, flags: options.flags ?? 0 }),
      ],
      { env: token.processEnv, encoding: "utf8" },
    );
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  }

  it("keeps the DNSKEY record private and read-only: no session can rewrite its flags", async () => {
    await keystore.generate({ label: "record-ro", algorithm: 13, flags: 257 });
    // Logged in, the record is there; without the PIN, a session does not even see it.
    expect(tamper("record-ro", "count", { login: true })).toEqual({ result: 1 });
    expect(tamper("record-ro", "count", { login: false })).toEqual({ result: 0 });
    // Even with the PIN the token refuses to change it (CKA_MODIFIABLE false).
    expect(tamper("record-ro", "set-flags", { login: true, flags: 385 }).error).toMatch(/^CKR_(ACTION_PROHIBITED|ATTRIBUTE_READ_ONLY)$/);
    expect((await keystore.find("record-ro")).dnskey?.flags).toBe(257);
    await keystore.delete("record-ro");
    expect(tamper("record-ro", "count", { login: true })).toEqual({ result: 0 });
  });

  it("refuses a DNSKEY record with flags other than 256 or 257, naming token and label", async () => {
    await keystore.generate({ label: "record-385", algorithm: 15, flags: 257 });
    expect((await keystore.find("record-385")).dnskey?.flags).toBe(257);
    expect(tamper("record-385", "replace", { login: true, flags: 385 })).toEqual({ result: "replaced" });
    const e = await keystoreError(keystore.find("record-385"));
    expect(e.code).toBe("PKCS11-RECORD-FLAGS");
    expect(e.message).toBe("pkcs11:token=ksk-lab;object=record-385: the stored DNSKEY record has flags 385, not 256 (ZSK) or 257 (KSK)");
    await expect(keystore.signer("record-385")).rejects.toMatchObject({ kind: "keystore", code: "PKCS11-RECORD-FLAGS" });
    // A non-IANA label may hold either role.
    expect(tamper("record-385", "replace", { login: true, flags: 256 })).toEqual({ result: "replaced" });
    expect((await keystore.find("record-385")).dnskey?.flags).toBe(256);
    await keystore.delete("record-385");
  });

  it("refuses a DNSKEY record whose flags contradict an IANA-style label (K… 257, Z… 256)", async () => {
    await keystore.generate({ label: "Kaaaaaa", algorithm: 15, flags: 257 });
    await keystore.generate({ label: "Zaaaaaa", algorithm: 15, flags: 256 });
    expect((await keystore.find("Kaaaaaa")).dnskey?.flags).toBe(257);
    expect((await keystore.find("Zaaaaaa")).dnskey?.flags).toBe(256);
    expect(tamper("Kaaaaaa", "replace", { login: true, flags: 256 })).toEqual({ result: "replaced" });
    expect(tamper("Zaaaaaa", "replace", { login: true, flags: 257 })).toEqual({ result: "replaced" });
    expect((await keystoreError(keystore.find("Kaaaaaa"))).message).toBe(
      "pkcs11:token=ksk-lab;object=Kaaaaaa: the stored DNSKEY record has flags 256 but the label names a KSK (257)",
    );
    expect((await keystoreError(keystore.find("Zaaaaaa"))).message).toBe(
      "pkcs11:token=ksk-lab;object=Zaaaaaa: the stored DNSKEY record has flags 257 but the label names a ZSK (256)",
    );
    await keystore.delete("Kaaaaaa");
    await keystore.delete("Zaaaaaa");
    // Generation itself cannot store a contradicting record: it is refused and nothing is left.
    await expect(keystore.generate({ label: "Kaaaaab", algorithm: 15, flags: 256 })).rejects.toMatchObject({ kind: "keystore", code: "PKCS11-RECORD-FLAGS" });
    expect((await keystore.list()).map((k) => k.label)).not.toContain("Kaaaaab");
  });

  it.runIf(hasTool("pkcs11-tool"))("signs with one session, one login and one key lookup, whatever the number of signatures (pkcs11-spy)", async () => {
    expect(existsSync(SPY)).toBe(true); // shipped with opensc, like pkcs11-tool
    // The spy loads SoftHSM itself: close the shared keystore so SoftHSM is initialised once.
    await keystore.close();
    const log = path.join(token.dir, "spy.log");
    process.env.PKCS11SPY = token.module;
    process.env.PKCS11SPY_OUTPUT = log;
    const signatures = 25;
    try {
      const spied = await openKeystore(`pkcs11:token=ksk-lab?module-path=${SPY}&pin-source=file:${token.pinFile}`, { env: token.env });
      try {
        const signer = await spied.signer("Krsa256");
        for (let i = 0; i < signatures; i++) await signer.sign(sampleData(String(i)));
      } finally {
        await spied.close();
      }
    } finally {
      delete process.env.PKCS11SPY;
      delete process.env.PKCS11SPY_OUTPUT;
      keystore = await openKeystore(token.uri(), { env: token.env });
    }
    const calls = new Map<string, number>();
    for (const line of readFileSync(log, "utf8").split("\n")) {
      const name = /^\d+: (C_\w+)/.exec(line)?.[1];
      if (name) calls.set(name, (calls.get(name) ?? 0) + 1);
    }
    expect(calls.get("C_Initialize")).toBe(1);
    expect(calls.get("C_OpenSession")).toBe(1);
    expect(calls.get("C_Login")).toBe(1);
    // Private key, public key and DNSKEY record looked up once, when the Signer is made.
    expect(calls.get("C_FindObjectsInit")).toBe(3);
    expect(calls.get("C_SignInit")).toBe(signatures);
    expect(calls.get("C_Sign")).toBe(signatures);
    expect(calls.get("C_CloseSession")).toBe(1);
    expect(calls.get("C_Finalize")).toBe(1);
  });

  it("selects a token by serial (RFC 7512 serial=)", async () => {
    const r = runTool("pkcs11-tool", ["--module", token.module, "-L"], { env: token.processEnv });
    const serial = /token label\s*:\s*ksk-lab\s*\n(?:.*\n)*?\s*serial num\s*:\s*([0-9a-f]+)/.exec(r.stdout)?.[1];
    expect(serial).toMatch(/^[0-9a-f]{16}$/);
    const bySerial = await openKeystore(`pkcs11:serial=${serial}?module-path=${token.module}&pin-source=file:${token.pinFile}`, { env: token.env });
    try {
      expect((await bySerial.find("Krsa256")).location).toBe("pkcs11:token=ksk-lab");
    } finally {
      await bySerial.close();
    }
  });

  it("generates an RSA-4096 key (the one 4096-bit key the suite makes in a token)", async () => {
    const info = await keystore.generate({ label: "Krsa4096", algorithm: 10, flags: 257, rsaModulusBits: 4096 });
    expect(algorithmInfo(10).describeKey(info.dnskey!.publicKeyBytes).sizeBits).toBe(4096);
    const signer = await keystore.signer("Krsa4096");
    const data = sampleData("4096");
    const signature = await signer.sign(data);
    expect(signature.length).toBe(512);
    expect(opensslVerify(info.dnskey!, data, signature)).toBe(true);
    await keystore.delete("Krsa4096");
  });

  describe("failures are one clear keystore error", () => {
    it("wrong PIN", async () => {
      // Close the shared keystore first: while one is logged in, the token does not check PINs.
      await keystore.close();
      try {
        const e = await keystoreError(openKeystore(token.uri(undefined, { pinSource: false }), { env: token.env, pin: "000000" }));
        expect(e.message).toBe("pkcs11:token=ksk-lab: wrong PIN (CKR_PIN_INCORRECT)");
      } finally {
        keystore = await openKeystore(token.uri(), { env: token.env });
      }
    });

    it("wrong PIN while another keystore of the process is logged in to the token", async () => {
      const e = await keystoreError(openKeystore(token.uri(undefined, { pinSource: false }), { env: token.env, pin: "000000" }));
      expect(e.message).toMatch(/^pkcs11:token=ksk-lab: wrong PIN/);
    });

    it("missing token", async () => {
      const e = await keystoreError(openKeystore(`pkcs11:token=no-such-token?module-path=${token.module}`, { env: token.env, pin: token.pin }));
      expect(e.message).toMatch(/^pkcs11:token=no-such-token: no such token in module .*libsofthsm2\.so \(initialised tokens: .*\)$/);
      expect(e.message).toMatch(/ksk-lab \(serial [0-9a-f]+\)/);
    });

    it("missing module", async () => {
      const e = await keystoreError(openKeystore("pkcs11:token=ksk-lab?module-path=/nonexistent/libpkcs11.so", { env: token.env, pin: token.pin }));
      expect(e.message).toMatch(/^module \/nonexistent\/libpkcs11\.so: cannot load the PKCS#11 module: .*No such file or directory/);
    });

    it("no module at all", async () => {
      const e = await keystoreError(openKeystore("pkcs11:token=ksk-lab", { env: {}, pin: token.pin }));
      expect(e.message).toContain("add module-path=PATH to the URI or set KSK_PKCS11_MODULE");
    });

    it("C_GetMechanismList failing (a module made to fail), and then not", async () => {
      const module = acquireModule(token.module, moduleEnvironment({ env: token.env }));
      const p11 = module.p11 as unknown as Record<string, unknown>;
      p11.C_GetMechanismList = () => {
        throw new Error("CKR_FUNCTION_FAILED:6");
      };
      try {
        const e = await keystoreError(openKeystore(token.uri(), { env: token.env }));
        expect(e.code).toBe("PKCS11-FUNCTION_FAILED");
        expect(e.message).toBe("pkcs11:token=ksk-lab: listing mechanisms failed (CKR_FUNCTION_FAILED)");
      } finally {
        delete p11.C_GetMechanismList;
        releaseModule(module);
      }
      const ks = await openKeystore(token.uri(), { env: token.env });
      expect((await ks.find("Kp256")).hasPrivateKey).toBe(true);
      await ks.close();
    });

    it("unknown label", async () => {
      const e = await keystoreError(keystore.signer("Knothere"));
      expect(e.message).toBe('pkcs11:token=ksk-lab: no key labelled "Knothere"');
    });

    it("missing PIN file", async () => {
      const e = await keystoreError(openKeystore(token.uri(undefined, { pinSource: false }), { env: { ...token.env, KSK_PIN_FILE: "/nonexistent/pin" } }));
      expect(e.message).toContain("cannot read the PIN file /nonexistent/pin: no such file");
    });

    it("the module environment comes from the caller: KSK_PKCS11_MODULE", async () => {
      const ks = await openKeystore(token.uri(undefined, { module: false }), { env: { ...token.env, KSK_PKCS11_MODULE: token.module } });
      expect((await ks.find("Kp256")).hasPrivateKey).toBe(true);
      await ks.close();
    });
  });
});
