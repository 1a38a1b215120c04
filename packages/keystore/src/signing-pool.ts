/**
 * Signing on several worker threads with a software key, so that a zone's thousands of RSA
 * signatures use every core (RSA-2048 signing is about 0.7 ms of CPU each; the root needs about
 * 2,900). The private key is handed to each worker once, as a node:crypto KeyObject (cloned by
 * postMessage; never sent as bytes). Each thread makes its own OpenSSL key from the KeyObject it
 * is handed (exported to PKCS#8 DER inside the thread, imported, the DER zeroed at once; the bytes
 * never leave the thread): threads sharing one RSA key go through OpenSSL's shared blinding,
 * measured 20-30% slower per signature than a key of their own.
 *
 * Each worker verifies every signature it makes before answering (./thread-pool.ts: node:crypto
 * against the public key of the DNSKEY record), which keeps the verification off the main thread,
 * which parses, plans and prints meanwhile; `verifiedSigner` (./verified-signer.ts) returns the
 * pool's answers as verified. The check is OpenSSL verifying OpenSSL: it catches a wrong key or a
 * damaged signature, not a bug common to OpenSSL's signing and verifying (the independent noble
 * check stays on the KSK path).
 *
 * Left out: the batching and the threads themselves (./thread-pool.ts); PKCS#11 keys
 * (./pkcs11-signing-pool.ts).
 */
import type { KeyObject } from "node:crypto";
import { KskError, type VerifierKey } from "@ksk/core";
import { type SigningPool, threadPool } from "./thread-pool.js";

export type { SigningPool } from "./thread-pool.js";

const WORKER_SOURCE = `
const { createPrivateKey, sign } = require("node:crypto");
// The thread's own OpenSSL key, made from the KeyObject it was handed (see the header comment).
const der = workerData.key.export({ format: "der", type: "pkcs8" });
const own = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
der.fill(0);
const key = workerData.verify.dsaEncoding ? { key: own, dsaEncoding: workerData.verify.dsaEncoding } : own;
parentPort.postMessage({ ready: true });
parentPort.on("message", (message) => {
  if (message.close) return parentPort.close();
  const results = [];
  for (const job of message.jobs) {
    try {
      const signature = sign(workerData.verify.hash, job.data, key);
      results.push(verified(job.data, signature) ? { id: job.id, signature } : { id: job.id, unverified: true });
    } catch (e) {
      results.push({ id: job.id, error: String((e && e.message) || e) });
    }
  }
  parentPort.postMessage({ results });
});
`;

export interface SigningPoolOptions {
  /** The private key. */
  readonly key: KeyObject;
  /** What every signature must verify with: core's `verifierKey` of the key's DNSKEY record. */
  readonly verification: VerifierKey;
  readonly threads: number;
  readonly label: string;
}

export function signingPool(options: SigningPoolOptions): SigningPool {
  return threadPool({
    source: WORKER_SOURCE,
    workerData: { key: options.key },
    verification: options.verification,
    threads: options.threads,
    failure: (text) => new KskError("keystore", "SIGN-FAILED", `key ${options.label}: signing failed in a worker thread: ${text}`),
    closedError: () => new KskError("keystore", "KEYSTORE-CLOSED", `key ${options.label}: the signing threads have been stopped`),
  });
}
