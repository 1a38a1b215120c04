/**
 * The PKCS#11 keystore's Signer on worker threads (`signer(label, { threads: 2 })`) against a real
 * SoftHSM2 token: each thread on a session of its own, under the keystore's one login; the same
 * RSA signatures as on the keystore's session (PKCS#1 v1.5 is deterministic), ECDSA signatures
 * (given to the token as a host digest) and Ed448 ones (a mechanism parameter) that verify over
 * the data; each thread verifies what it
 * signed with the DNSKEY's public key and a signature by another key is refused
 * (SIGNATURE-NOT-VERIFIED); a thread that cannot open its session, a key handle the token refuses;
 * the threads' calls in the HSM activity log; refusal once closed.
 */
import { type DnskeyRdata, verifierKey } from "@ksk/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SoftHsmToken, createSoftHsmToken } from "../../../test/support/softhsm.js";
import { hasTool } from "../../../test/support/tools.js";
import { type HsmLogEntry, type Keystore, openKeystore, recordHsmActivity } from "../src/index.js";
import { familyOfDnskey, signingMethod } from "../src/pkcs11-mechanism.js";
import { pkcs11SigningPool } from "../src/pkcs11-signing-pool.js";
import { acquireModule, pkcs11js, releaseModule } from "../src/pkcs11-module.js";
import { listTokens } from "../src/pkcs11-token.js";
import { findObjects } from "../src/pkcs11-attributes.js";
import { verifiedSigner } from "../src/verified-signer.js";
import { opensslVerify } from "./helpers.js";

const softhsm = hasTool("softhsm2-util");
const messages = Array.from({ length: 48 }, (_, i) => new TextEncoder().encode(`RRSIG fields and RRset ${i}`));

describe.runIf(softhsm)("PKCS#11 signing on worker threads (SoftHSM2)", () => {
  let token: SoftHsmToken;
  let keystore: Keystore;
  const dnskeys = new Map<string, DnskeyRdata>();
  beforeAll(async () => {
    token = createSoftHsmToken({ label: "pool-lab" });
    keystore = await openKeystore(token.uri(), { env: token.env });
    for (const [label, algorithm] of [
      ["zsk-rsa", 8],
      ["zsk-other", 8],
      ["zsk-p256", 13],
      ["zsk-ed448", 16],
    ] as const) {
      const info = await keystore.generate({ label, algorithm, flags: 256, ...(algorithm === 8 ? { rsaModulusBits: 2048 } : {}) });
      dnskeys.set(label, info.dnskey as DnskeyRdata);
    }
  });
  afterAll(async () => {
    recordHsmActivity(undefined);
    await keystore?.close();
    token?.cleanup();
  });

  it("RSA: the signatures of the keystore's own session, each verifying with the DNSKEY", async () => {
    const one = await keystore.signer("zsk-rsa");
    const two = await keystore.signer("zsk-rsa", { threads: 2 });
    const threaded = await Promise.all(messages.map((m) => two.sign(m)));
    for (const [i, m] of messages.entries()) {
      const signature = threaded[i] as Uint8Array;
      expect(opensslVerify(dnskeys.get("zsk-rsa") as DnskeyRdata, m, signature)).toBe(true);
      expect(Buffer.from(signature).equals(Buffer.from(await one.sign(m)))).toBe(true);
    }
  });

  for (const [label, what] of [
    ["zsk-p256", "ECDSA P-256 (a host digest given to the token)"],
    ["zsk-ed448", "Ed448 (a CK_EDDSA_PARAMS given to the token)"],
  ] as const) {
    it(`${what}: every signature verifies over the data`, async () => {
      const signer = await keystore.signer(label, { threads: 3 });
      const signatures = await Promise.all(messages.map((m) => signer.sign(m)));
      for (const [i, m] of messages.entries()) expect(opensslVerify(dnskeys.get(label) as DnskeyRdata, m, signatures[i] as Uint8Array)).toBe(true);
    });
  }

  it("each thread checks its signature against the DNSKEY it is given: the key's passes, another key's is refused", async () => {
    // The keystore's own module handle (shared with the open keystore): the key handles to sign with.
    const module = acquireModule(token.module, token.env);
    try {
      const slot = listTokens(module.p11, module.path).find((t) => t.label === token.label)?.slot as Buffer;
      const session = module.p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
      const [privateKey] = findObjects(module.p11, session, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
        { type: pkcs11js.CKA_LABEL, value: Buffer.from("zsk-rsa") },
      ]);
      module.p11.C_CloseSession(session);
      const dnskey = dnskeys.get("zsk-rsa") as DnskeyRdata;
      const method = signingMethod(familyOfDnskey(dnskey), dnskey, new Set(module.p11.C_GetMechanismList(slot)), "pool-lab");
      const pool = (against: DnskeyRdata) =>
        pkcs11SigningPool({
          modulePath: token.module,
          slot,
          privateKey: privateKey as Buffer,
          keyLabel: "zsk-rsa",
          method,
          verification: verifierKey(against),
          threads: 2,
          where: "pkcs11:token=pool-lab;object=zsk-rsa",
        });
      const good = pool(dnskey);
      // The private key of zsk-rsa, the DNSKEY of zsk-other: every signature fails the check.
      const wrong = pool(dnskeys.get("zsk-other") as DnskeyRdata);
      try {
        await Promise.all([good.ready, wrong.ready]);
        const data = messages[0] as Uint8Array;
        expect(await wrong.sign(data)).toEqual({ verified: false });
        const passed = await good.sign(data);
        expect(passed.verified).toBe(true);
        const signer = (p: typeof good, key: DnskeyRdata) =>
          verifiedSigner("zsk-rsa", "pkcs11:token=pool-lab", key, { signChecked: (d) => p.sign(d) }, () => true);
        expect(opensslVerify(dnskey, data, await signer(good, dnskey).sign(data))).toBe(true);
        await expect(signer(wrong, dnskeys.get("zsk-other") as DnskeyRdata).sign(data)).rejects.toMatchObject({
          kind: "keystore",
          code: "SIGNATURE-NOT-VERIFIED",
        });
      } finally {
        await good.close();
        await wrong.close();
      }
    } finally {
      releaseModule(module);
    }
  });

  it("a thread that cannot open its session fails the pool before any signature; a key handle the token refuses fails each request", async () => {
    const module = acquireModule(token.module, token.env);
    try {
      const slot = listTokens(module.p11, module.path).find((t) => t.label === token.label)?.slot as Buffer;
      const dnskey = dnskeys.get("zsk-rsa") as DnskeyRdata;
      const method = signingMethod(familyOfDnskey(dnskey), dnskey, new Set(module.p11.C_GetMechanismList(slot)), "pool-lab");
      const where = "pkcs11:token=pool-lab;object=zsk-rsa";
      const options = { modulePath: token.module, keyLabel: "zsk-rsa", method, verification: verifierKey(dnskey), threads: 2, where };
      // No slot of the module has this number.
      const noSlot = pkcs11SigningPool({ ...options, slot: Buffer.from("ffffff7f00000000", "hex"), privateKey: Buffer.alloc(8) });
      await expect(noSlot.ready).rejects.toMatchObject({ kind: "keystore", code: "PKCS11-SLOT_ID_INVALID" });
      await noSlot.close();
      // No object has this handle (SoftHSM 2.6.1 answers CKR_OBJECT_HANDLE_INVALID, not CKR_KEY_HANDLE_INVALID).
      const noKey = pkcs11SigningPool({ ...options, slot, privateKey: Buffer.from("ffffff7f00000000", "hex") });
      try {
        await noKey.ready;
        await expect(noKey.sign(messages[0] as Uint8Array)).rejects.toMatchObject({ kind: "keystore", code: "PKCS11-OBJECT_HANDLE_INVALID" });
      } finally {
        await noKey.close();
      }
    } finally {
      releaseModule(module);
    }
  });

  it("records each thread's calls in the HSM activity log: its own session, no login, one C_Sign per signature", async () => {
    const entries: HsmLogEntry[] = [];
    recordHsmActivity({ sink: (e) => entries.push(e), clock: () => new Date() });
    try {
      const signer = await keystore.signer("zsk-rsa", { threads: 2 });
      await Promise.all(messages.map((m) => signer.sign(m)));
    } finally {
      recordHsmActivity(undefined);
    }
    const calls = (name: string) => entries.filter((e) => e.call === name);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    // The threads find the module initialised by the keystore and their sessions logged in.
    expect(calls("C_Initialize").map((e) => e.rv)).toEqual(["CKR_CRYPTOKI_ALREADY_INITIALIZED", "CKR_CRYPTOKI_ALREADY_INITIALIZED"]);
    expect(calls("C_Login")).toHaveLength(0);
    expect(calls("C_GetSessionInfo").map((e) => e.rv)).toEqual(["CKR_OK", "CKR_OK"]);
    const threadSessions = new Set(calls("C_OpenSession").map((e) => e.session));
    expect(threadSessions.size).toBe(2);
    const signs = calls("C_Sign");
    expect(signs).toHaveLength(messages.length);
    for (const e of signs) expect(threadSessions.has(e.session)).toBe(true);
    expect(calls("C_SignInit").every((e) => (e.key as { label?: string }).label === "zsk-rsa" && e.mechanism === "CKM_SHA256_RSA_PKCS")).toBe(true);
    expect(new Set(signs.map((e) => e.dataSha256Hex)).size).toBe(messages.length);
  });

  it("closes its threads' sessions with the keystore, and refuses to sign after", async () => {
    const second = await openKeystore(token.uri(), { env: token.env });
    const signer = await second.signer("zsk-rsa", { threads: 2 });
    await signer.sign(messages[0] as Uint8Array);
    const entries: HsmLogEntry[] = [];
    recordHsmActivity({ sink: (e) => entries.push(e), clock: () => new Date() });
    try {
      await second.close();
    } finally {
      recordHsmActivity(undefined);
    }
    // The two threads' sessions, then the keystore's own.
    expect(entries.filter((e) => e.call === "C_CloseSession")).toHaveLength(3);
    await expect(signer.sign(messages[0] as Uint8Array)).rejects.toMatchObject({ kind: "keystore", code: "KEYSTORE-CLOSED" });
  });
});
