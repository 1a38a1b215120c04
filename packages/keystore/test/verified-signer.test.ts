/**
 * verifiedSigner: a signature is returned only when it verifies against the DNSKEY. Good case and
 * bad cases (a flipped bit, another key's signature, a short RSA signature, a closed keystore) for
 * each algorithm family, with the TEST ONLY in-memory signer as the "HSM".
 */
import { KskError, keyVerifier } from "@ksk/core";
import { describe, expect, it } from "vitest";
import { testSigner } from "../../../test/support/soft-signer.js";
import { verifiedSigner } from "../src/verified-signer.js";

const data = new TextEncoder().encode("the DNSKEY RRset of a slot");

describe("verifiedSigner", () => {
  for (const algorithm of [8, 10, 13, 14, 15, 16] as const) {
    it(`algorithm ${algorithm}: returns a good signature, refuses a bad one`, async () => {
      const hsm = testSigner({ algorithm, flags: 257 });
      const other = testSigner({ algorithm, flags: 257 });
      let open = true;
      const good = verifiedSigner(
        "Kgood",
        "test",
        hsm.dnskey,
        (d) => hsm.sign(d),
        () => open,
      );
      expect(good.keyTag).toBe(hsm.keyTag);
      const signature = await good.sign(data);
      expect(keyVerifier(hsm.dnskey, { independent: true })(data, signature)).toBe(true);

      const flipped = verifiedSigner(
        "Kflip",
        "test",
        hsm.dnskey,
        async (d) => {
          const s = await hsm.sign(d);
          s[s.length - 1] = (s[s.length - 1] as number) ^ 0x01;
          return s;
        },
        () => open,
      );
      await expect(flipped.sign(data)).rejects.toMatchObject({ kind: "keystore", code: "SIGNATURE-NOT-VERIFIED" });

      const wrongKey = verifiedSigner(
        "Kwrong",
        "test",
        hsm.dnskey,
        (d) => other.sign(d),
        () => open,
      );
      const e = await wrongKey.sign(data).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(KskError);
      expect((e as KskError).message).toMatch(/^test: key Kwrong \(\d+\): the \S+ signature it returned does not verify against its public key; not used$/);

      open = false;
      await expect(good.sign(data)).rejects.toMatchObject({ kind: "keystore", code: "KEYSTORE-CLOSED" });
    });
  }

  it("RSA: a signature one octet short of the modulus is refused (RFC 3110 §3), even if it were the same number", async () => {
    const hsm = testSigner({ algorithm: 8, flags: 257 });
    const short = verifiedSigner(
      "Kshort",
      "test",
      hsm.dnskey,
      async (d) => (await hsm.sign(d)).slice(1),
      () => true,
    );
    await expect(short.sign(data)).rejects.toMatchObject({ code: "SIGNATURE-NOT-VERIFIED" });
  });
});
