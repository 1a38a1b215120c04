/**
 * `keyVerifier` (a key built once, through OpenSSL; with `independent`, noble for ECDSA and EdDSA)
 * gives the same verdicts as each algorithm's core verifiers (`verify`, and `verifyIndependently`),
 * on good signatures and on damaged ones; `AlgorithmInfo.hash` is the hash each signs with.
 */
import { sign as nodeSign } from "node:crypto";
import { algorithmInfo, keyVerifier, keyVerifierCache } from "@ksk/core";
import { describe, expect, it } from "vitest";
import { testSigner } from "../../../test/support/soft-signer.js";

describe("keyVerifier agrees with the core verifier", () => {
  for (const algorithm of [8, 10, 13, 14, 15, 16] as const) {
    it(`algorithm ${algorithm}`, async () => {
      const signer = testSigner({ algorithm });
      const verify = keyVerifier(signer.dnskey);
      const independent = keyVerifier(signer.dnskey, { independent: true });
      const core = algorithmInfo(algorithm);
      for (let i = 0; i < 8; i++) {
        const data = new TextEncoder().encode(`signed data ${i}`);
        const signature = await signer.sign(data);
        expect(verify(data, signature)).toBe(true);
        expect(independent(data, signature)).toBe(true);
        expect(core.verify(signer.dnskey.publicKeyBytes, data, signature)).toBe(true);
        expect(core.verifyIndependently(signer.dnskey.publicKeyBytes, data, signature)).toBe(true);
        const damaged = signature.slice();
        damaged[i] = (damaged[i] as number) ^ 0x40;
        expect(verify(data, damaged)).toBe(false);
        expect(independent(data, damaged)).toBe(false);
        expect(core.verify(signer.dnskey.publicKeyBytes, data, damaged)).toBe(false);
        expect(core.verifyIndependently(signer.dnskey.publicKeyBytes, data, damaged)).toBe(false);
        expect(verify(data, signature.slice(1))).toBe(false);
        expect(independent(data, signature.slice(1))).toBe(false);
      }
    });
  }

  it("AlgorithmInfo.hash names the hash each algorithm signs with (RFC 5702, RFC 6605, RFC 8080)", () => {
    expect([8, 10, 13, 14, 15, 16].map((n) => algorithmInfo(n).hash)).toEqual(["sha256", "sha512", "sha256", "sha384", null, null]);
    // The hash is the one the verifier uses: a signature over the data with another hash fails.
    for (const algorithm of [8, 10, 13, 14] as const) {
      const signer = testSigner({ algorithm });
      const data = new TextEncoder().encode("hashed");
      const other = algorithmInfo(algorithm).hash === "sha256" ? "sha512" : "sha256";
      const key = algorithm >= 13 ? { key: signer.privateKey, dsaEncoding: "ieee-p1363" as const } : signer.privateKey;
      const right = nodeSign(algorithmInfo(algorithm).hash, data, key);
      const wrong = nodeSign(other, data, key);
      expect(keyVerifier(signer.dnskey)(data, right)).toBe(true);
      expect(keyVerifier(signer.dnskey)(data, wrong)).toBe(false);
    }
  });

  it("caches one verifier per key object", () => {
    const cache = keyVerifierCache();
    const signer = testSigner({ algorithm: 13 });
    expect(cache(signer.dnskey)).toBe(cache(signer.dnskey));
  });
});
