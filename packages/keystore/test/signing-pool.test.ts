/**
 * The software keystore's Signer on worker threads (`signer(label, { threads })`): the same
 * signatures as on one thread (RSA PKCS#1 v1.5 is deterministic), each verifying with the DNSKEY,
 * answers matched to their requests under concurrency, and refusal once the keystore is closed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { algorithmInfo } from "@ksk/core";
import { openSoftwareKeystore } from "@ksk/keystore";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(path.join(tmpdir(), "ksk-pool-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("signing on worker threads", () => {
  it("gives the single-thread signatures, in request order, for RSA and ECDSA keys", async () => {
    const keystore = await openSoftwareKeystore({
      uriText: `file:${dir}`,
      directory: dir,
      passphrase: async () => "pool test",
      scrypt: { log2N: 14, r: 8, p: 1 },
    });
    try {
      await keystore.generate({ label: "rsa", algorithm: 8, rsaModulusBits: 2048, flags: 256 });
      await keystore.generate({ label: "ec", algorithm: 13, flags: 256 });
      const messages = Array.from({ length: 40 }, (_, i) => new TextEncoder().encode(`RRset ${i}`));
      const rsaOne = await keystore.signer("rsa");
      const rsaTwo = await keystore.signer("rsa", { threads: 2 });
      const threaded = await Promise.all(messages.map((m) => rsaTwo.sign(m)));
      for (const [i, m] of messages.entries()) expect(Buffer.from(threaded[i] as Uint8Array).equals(Buffer.from(await rsaOne.sign(m)))).toBe(true);
      const ec = await keystore.signer("ec", { threads: 2 });
      const ecSignatures = await Promise.all(messages.map((m) => ec.sign(m)));
      for (const [i, m] of messages.entries()) expect(algorithmInfo(13).verify(ec.dnskey.publicKeyBytes, m, ecSignatures[i] as Uint8Array)).toBe(true);
      await keystore.close();
      await expect(rsaTwo.sign(messages[0] as Uint8Array)).rejects.toMatchObject({ kind: "keystore", code: "KEYSTORE-CLOSED" });
    } finally {
      await keystore.close();
    }
  });
});
