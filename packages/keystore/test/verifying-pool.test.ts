/**
 * Verifying signatures on worker threads (`verifyingPool`, what `zone verify` uses): a good
 * signature verifies and a bad one (a flipped bit, another key's, the wrong length) does not, for
 * RSA, ECDSA and EdDSA keys, with the outcomes core's verifier gives in this thread, in job order
 * across many batches; a malformed key is judged in the main thread with core's reason.
 */
import { type DnskeyRdata, type SignatureJob, type SignatureOutcome, keyVerifier, signatureOutcome } from "@ksk/core";
import { verifyingPool } from "@ksk/keystore";
import { afterAll, describe, expect, it } from "vitest";
import { testSigner } from "../../../test/support/soft-signer.js";

const pool = verifyingPool({ threads: 2 });
afterAll(() => pool.close());

/** What core's verifier says of each job, in this thread. */
function coreOutcomes(jobs: readonly SignatureJob[]): SignatureOutcome[] {
  return jobs.map((j) => signatureOutcome((key, data, signature) => keyVerifier(key)(data, signature), j.dnskey, j.data, j.signature));
}

function flipped(signature: Uint8Array): Uint8Array {
  const bad = signature.slice();
  bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 0x01;
  return bad;
}

describe("signature verification on worker threads", () => {
  for (const algorithm of [8, 13, 15] as const) {
    it(`algorithm ${algorithm}: a good signature verifies; a damaged one, another key's or one of the wrong length does not`, async () => {
      const mine = testSigner({ algorithm });
      const other = testSigner({ algorithm });
      const jobs: SignatureJob[] = [];
      for (let i = 0; i < 100; i++) {
        const data = new TextEncoder().encode(`the signed data of RRset ${i}`);
        const signature = await mine.sign(data);
        const kind = i % 4;
        if (kind === 0) jobs.push({ dnskey: mine.dnskey, data, signature });
        if (kind === 1) jobs.push({ dnskey: mine.dnskey, data, signature: flipped(signature) });
        if (kind === 2) jobs.push({ dnskey: other.dnskey, data, signature });
        if (kind === 3) jobs.push({ dnskey: mine.dnskey, data, signature: signature.subarray(1) });
      }
      const outcomes = await pool.verify(jobs);
      expect(outcomes.map((o, i) => [i % 4, o])).toEqual(jobs.map((_, i) => [i % 4, i % 4 === 0]));
      expect(outcomes).toEqual(coreOutcomes(jobs));
    });
  }

  it("judges a key OpenSSL will not load in the main thread, with core's reason, beside good keys", async () => {
    const good = testSigner({ algorithm: 8 });
    const data = new TextEncoder().encode("data");
    const signature = await good.sign(data);
    const malformed: DnskeyRdata = { ...good.dnskey, publicKeyBytes: new Uint8Array([3, 1, 0]) };
    const jobs: SignatureJob[] = [
      { dnskey: good.dnskey, data, signature },
      { dnskey: malformed, data, signature },
    ];
    const outcomes = await pool.verify(jobs);
    expect(outcomes[0]).toBe(true);
    expect(outcomes[1]).toEqual(expect.objectContaining({ malformed: expect.any(String) }));
    expect(outcomes).toEqual(coreOutcomes(jobs));
  });

  it("refuses work once closed", async () => {
    const closing = verifyingPool({ threads: 1 });
    await closing.close();
    await expect(closing.verify([])).rejects.toMatchObject({ kind: "keystore", code: "KEYSTORE-CLOSED" });
  });
});
