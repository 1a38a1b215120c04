/**
 * Wrapping and unwrapping against real SoftHSM2 2.6.1 tokens in two token directories (two
 * SOFTHSM2_CONF files, two facilities): a key wrapped with CKM_AES_KEY_WRAP_PAD at one, unwrapped
 * into the other sensitive and not extractable, and both sign the same data identically. And what
 * SoftHSM enforces of CKA_EXTRACTABLE, CKA_WRAP_WITH_TRUSTED and CKA_TRUSTED, measured through
 * pkcs11js directly (the figures docs/custody.md states), and that one process cannot hold two
 * configurations of one module at once. In test/ (its own process), since SoftHSM reads
 * SOFTHSM2_CONF from the process environment, which a worker thread cannot set.
 */
import { KskError, bytesEqual } from "@ksk/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SoftHsmToken, createSoftHsmToken } from "./support/softhsm.js";
import { hasTool } from "./support/tools.js";
import { type WrappingKeystore, isWrappingKeystore, openKeystore } from "../packages/keystore/src/index.js";
import { acquireModule, pkcs11js, releaseModule } from "../packages/keystore/src/pkcs11-module.js";
import { opensslVerify, sampleData } from "../packages/keystore/test/helpers.js";

const softhsm = hasTool("softhsm2-util");
let one: SoftHsmToken;
let two: SoftHsmToken;

async function open(token: SoftHsmToken): Promise<WrappingKeystore> {
  const keystore = await openKeystore(token.uri(), { env: token.env });
  if (!isWrappingKeystore(keystore)) throw new Error("a PKCS#11 keystore wraps");
  return keystore;
}

beforeAll(() => {
  if (!softhsm) return;
  one = createSoftHsmToken({ label: "facility-1" });
  two = createSoftHsmToken({ label: "facility-2" });
});
afterAll(() => {
  one?.cleanup();
  two?.cleanup();
});

describe.runIf(softhsm)("CKM_AES_KEY_WRAP_PAD between two SoftHSM token directories", () => {
  for (const c of [
    { algorithm: 8, rsaModulusBits: 2048, label: "Kwrap08" },
    { algorithm: 13, label: "Kwrap13" },
  ]) {
    it(`algorithm ${c.algorithm}: wraps at facility 1, unwraps at facility 2, both sign what node:crypto verifies`, async () => {
      const a = await open(one);
      let wrapped: Awaited<ReturnType<WrappingKeystore["wrapKey"]>>;
      let signatureA: Uint8Array;
      const data = sampleData(c.label);
      try {
        await a.generate({ ...c, flags: 257, extractable: true });
        wrapped = await a.wrapKey(c.label);
        signatureA = await (await a.signer(c.label)).sign(data);
      } finally {
        // One configuration of the module at a time in one process (see the last test).
        await a.close();
      }
      expect(wrapped.kekBytes.length).toBe(32);
      expect(wrapped.protection).toEqual({ sensitive: true, extractable: true, wrapWithTrusted: false });
      const b = await open(two);
      try {
        const info = await b.unwrapKey({
          label: c.label,
          wrappedKeyBytes: wrapped.wrappedKeyBytes,
          kekBytes: wrapped.kekBytes,
          publicKey: wrapped.publicKey,
          dnskey: wrapped.dnskey,
        });
        expect(info.protection).toEqual({ sensitive: true, extractable: false });
        expect(info.location).toBe("pkcs11:token=facility-2");
        const signatureB = await (await b.signer(c.label)).sign(data);
        expect(opensslVerify(wrapped.dnskey, data, signatureB)).toBe(true);
        // RSA PKCS#1 v1.5 and EdDSA are deterministic: the same key signs the same octets. ECDSA is not.
        if (c.algorithm !== 13) expect(bytesEqual(signatureA, signatureB)).toBe(true);
        // Restored keys are not extractable: a second backup from facility 2 is refused.
        await expect(b.wrapKey(c.label)).rejects.toMatchObject({ code: "PKCS11-KEY-UNEXTRACTABLE" });
      } finally {
        await b.close();
      }
    }, 60_000);
  }

  it("SoftHSM 2.6.1 does not wrap EdDSA private keys (CKR_KEY_NOT_WRAPPABLE): the backup is refused, nothing made", async () => {
    const a = await open(one);
    try {
      await a.generate({ label: "Kwrap15", algorithm: 15, flags: 257, extractable: true });
      await expect(a.wrapKey("Kwrap15")).rejects.toMatchObject({ kind: "keystore", code: "PKCS11-KEY_NOT_WRAPPABLE" });
    } finally {
      await a.close();
    }
  }, 60_000);

  it("a wrong KEK fails the unwrap as RFC 5649's integrity check and leaves the token as it was", async () => {
    const a = await open(one);
    let wrapped: Awaited<ReturnType<WrappingKeystore["wrapKey"]>>;
    try {
      await a.generate({ label: "Kwrongk", algorithm: 8, rsaModulusBits: 2048, flags: 257, extractable: true });
      wrapped = await a.wrapKey("Kwrongk");
    } finally {
      await a.close();
    }
    const b = await open(two);
    try {
      const before = (await b.list()).map((k) => k.label);
      const kek = new Uint8Array(wrapped.kekBytes);
      kek[0] = (kek[0] as number) ^ 1;
      const e = await b
        .unwrapKey({ label: "Kwrongk", wrappedKeyBytes: wrapped.wrappedKeyBytes, kekBytes: kek, publicKey: wrapped.publicKey, dnskey: wrapped.dnskey })
        .catch((x: unknown) => x);
      expect(e).toBeInstanceOf(KskError);
      expect((e as KskError).code).toBe("BACKUP-INTEGRITY");
      expect((await b.list()).map((k) => k.label)).toEqual(before);
    } finally {
      await b.close();
    }
  }, 60_000);

  it("SoftHSM 2.6.1 honours CKA_EXTRACTABLE, CKA_WRAP_WITH_TRUSTED and CKA_TRUSTED (security officer only)", () => {
    const module = acquireModule(one.module, one.env);
    const p11 = module.p11;
    const slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).label.trim() === "facility-1") as Buffer;
    const session = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    const fails = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return /CKR_[A-Z_]+/.exec((e as Error).message)?.[0];
      }
      return "no error";
    };
    const aes = (extra: { type: number; value: boolean }[]) =>
      p11.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
        { type: pkcs11js.CKA_TOKEN, value: false },
        { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
        { type: pkcs11js.CKA_WRAP, value: true },
        ...extra.map((a) => ({ type: a.type, value: a.value })),
      ]);
    const rsa = (extractable: boolean, wrapWithTrusted: boolean) =>
      p11.C_GenerateKeyPair(
        session,
        { mechanism: pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN },
        [
          { type: pkcs11js.CKA_TOKEN, value: false },
          { type: pkcs11js.CKA_MODULUS_BITS, value: 2048 },
          { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
        ],
        [
          { type: pkcs11js.CKA_TOKEN, value: false },
          { type: pkcs11js.CKA_SENSITIVE, value: true },
          { type: pkcs11js.CKA_SIGN, value: true },
          { type: pkcs11js.CKA_EXTRACTABLE, value: extractable },
          { type: pkcs11js.CKA_WRAP_WITH_TRUSTED, value: wrapWithTrusted },
        ],
      ).privateKey;
    const wrap = (kek: Buffer, key: Buffer) => () => p11.C_WrapKey(session, { mechanism: pkcs11js.CKM_AES_KEY_WRAP_PAD }, kek, key, Buffer.alloc(4096));
    try {
      p11.C_Login(session, pkcs11js.CKU_USER, one.pin);
      const kek = aes([]);
      expect(fails(wrap(kek, rsa(false, false)))).toBe("CKR_KEY_UNEXTRACTABLE");
      expect(fails(wrap(kek, rsa(true, false)))).toBe("no error");
      const trustedOnly = rsa(true, true);
      expect(fails(wrap(kek, trustedOnly))).toBe("CKR_KEY_NOT_WRAPPABLE");
      expect(fails(() => p11.C_SetAttributeValue(session, trustedOnly, [{ type: pkcs11js.CKA_WRAP_WITH_TRUSTED, value: false }]))).toBe(
        "CKR_ATTRIBUTE_READ_ONLY",
      );
      // A user cannot make a trusted KEK; only the security officer can (PKCS#11 v2.40 §4.10).
      expect(fails(() => aes([{ type: pkcs11js.CKA_TRUSTED, value: true }]))).toBe("CKR_ATTRIBUTE_READ_ONLY");
      // Once extractable false or sensitive true, a key stays so (PKCS#11 v2.40 §4.9).
      const fixed = rsa(false, false);
      expect(fails(() => p11.C_SetAttributeValue(session, fixed, [{ type: pkcs11js.CKA_EXTRACTABLE, value: true }]))).toBe("CKR_ATTRIBUTE_READ_ONLY");
      expect(fails(() => p11.C_SetAttributeValue(session, fixed, [{ type: pkcs11js.CKA_SENSITIVE, value: false }]))).toBe("CKR_ATTRIBUTE_READ_ONLY");
    } finally {
      p11.C_CloseSession(session);
      releaseModule(module);
    }
  });

  it("one process holds one configuration of a module at a time: the second facility is another process or comes after", () => {
    const first = acquireModule(one.module, one.env);
    try {
      expect(() => acquireModule(two.module, two.env)).toThrow(/PKCS11-MODULE-BUSY|already initialised in this process with another environment/);
    } finally {
      releaseModule(first);
    }
    const second = acquireModule(two.module, two.env);
    try {
      expect(second.p11.C_GetSlotList(true).map((s) => second.p11.C_GetTokenInfo(s).label.trim())).toContain("facility-2");
    } finally {
      releaseModule(second);
    }
  });
});
