/**
 * `keyVerifier` (a key built once, through OpenSSL) gives the same verdicts as each algorithm's
 * core verifiers (`verify`, and `verifyIndependently`: noble for ECDSA and EdDSA), on good
 * signatures and on damaged ones.
 */
import { algorithmInfo, keyVerifier, keyVerifierCache } from "@ksk/core";
import { describe, expect, it } from "vitest";
import { testSigner } from "../../../test/support/soft-signer.js";

describe("keyVerifier agrees with the core verifier", () => {
  for (const algorithm of [8, 10, 13, 14, 15, 16] as const) {
    it(`algorithm ${algorithm}`, async () => {
      const signer = testSigner({ algorithm });
      const verify = keyVerifier(signer.dnskey);
      const core = algorithmInfo(algorithm);
      for (let i = 0; i < 8; i++) {
        const data = new TextEncoder().encode(`signed data ${i}`);
        const signature = await signer.sign(data);
        expect(verify(data, signature)).toBe(true);
        expect(core.verify(signer.dnskey.publicKeyBytes, data, signature)).toBe(true);
        expect(core.verifyIndependently(signer.dnskey.publicKeyBytes, data, signature)).toBe(true);
        const damaged = signature.slice();
        damaged[i] = (damaged[i] as number) ^ 0x40;
        expect(verify(data, damaged)).toBe(false);
        expect(core.verify(signer.dnskey.publicKeyBytes, data, damaged)).toBe(false);
        expect(core.verifyIndependently(signer.dnskey.publicKeyBytes, data, damaged)).toBe(false);
        expect(verify(data, signature.slice(1))).toBe(false);
      }
    });
  }

  it("caches one verifier per key object", () => {
    const cache = keyVerifierCache();
    const signer = testSigner({ algorithm: 13 });
    expect(cache(signer.dnskey)).toBe(cache(signer.dnskey));
  });
});
