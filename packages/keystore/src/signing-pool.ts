/**
 * Signing on several worker threads with a software key, so that a zone's thousands of RSA
 * signatures use every core (RSA-2048 signing is about 0.7 ms of CPU each; the root needs about
 * 2,900). The private key is handed to each worker once, as a node:crypto KeyObject (cloned by
 * postMessage; never sent as bytes), and requests are sent in small batches so that message
 * passing costs little beside the signature. Each thread makes its own OpenSSL key from the
 * KeyObject it is handed (exported to PKCS#8 DER inside the thread, imported, the DER zeroed at
 * once; the bytes never leave the thread): threads sharing one RSA key go through OpenSSL's shared
 * blinding, measured 20-30% slower per signature than a key of their own.
 *
 * Each worker also verifies every signature it makes, before answering, with node:crypto
 * (OpenSSL) against `verifyKey`: the public key built from the key's DNSKEY record (core's
 * `dnskeyKeyObject`), not from the private key, so a signature by another key, a damaged one, or an
 * RSA signature shorter than the modulus (RFC 3110 §3) comes back as an error, never as a
 * signature. That keeps the verification off the main thread, which parses, plans and prints
 * meanwhile; `verifiedSigner` (./verified-signer.ts) returns the pool's answers as verified. The
 * check is OpenSSL verifying OpenSSL: it catches a wrong key or a damaged signature, not a bug
 * common to OpenSSL's signing and verifying (the independent noble check stays on the KSK path).
 *
 * The worker is a few lines of plain JavaScript evaluated in the thread, so it needs no loader for
 * TypeScript. Left out: PKCS#11 (a token signs in its own sessions; SoftHSM does not scale with
 * threads).
 */
import type { KeyObject } from "node:crypto";
import { Worker } from "node:worker_threads";
import { KskError } from "@ksk/core";

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { createPrivateKey, sign, verify } = require("node:crypto");
const { hash, dsaEncoding, signatureOctets } = workerData;
// The thread's own OpenSSL key, made from the KeyObject it was handed (see the header comment).
const der = workerData.key.export({ format: "der", type: "pkcs8" });
const own = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
der.fill(0);
const key = dsaEncoding ? { key: own, dsaEncoding } : own;
const verifyKey = dsaEncoding ? { key: workerData.verifyKey, dsaEncoding } : workerData.verifyKey;
parentPort.on("message", (jobs) => {
  const out = [];
  for (const job of jobs) {
    try {
      const signature = sign(hash, job.data, key);
      const verified = (signatureOctets === undefined || signature.length === signatureOctets) && verify(hash, job.data, verifyKey, signature);
      out.push(verified ? { id: job.id, signature } : { id: job.id, unverified: true });
    } catch (e) {
      out.push({ id: job.id, error: String((e && e.message) || e) });
    }
  }
  parentPort.postMessage(out);
});
`;

/** What a signing thread answers for one request. */
export type PoolResult = { readonly verified: true; readonly signature: Uint8Array } | { readonly verified: false };

interface Job {
  readonly id: number;
  readonly data: Uint8Array;
  readonly resolve: (result: PoolResult) => void;
  readonly reject: (e: unknown) => void;
}

export interface SigningPool {
  /** A signature over `data` that verified in the thread, or `{ verified: false }`. */
  sign(data: Uint8Array): Promise<PoolResult>;
  close(): Promise<void>;
}

/** Requests per message: enough to amortise postMessage, few enough to balance the threads. */
const BATCH = 16;
/**
 * Batches outstanding per thread: with two, a thread that finishes one starts the next at once
 * instead of waiting for the main thread (busy parsing or building signed data) to hand it more.
 */
const BATCHES_IN_FLIGHT = 2;

export interface SigningPoolOptions {
  /** The private key. */
  readonly key: KeyObject;
  /** The public key from the DNSKEY record, that every signature must verify with. */
  readonly verifyKey: KeyObject;
  /** RSA: the modulus length in octets, the only signature length accepted (RFC 3110 §3). */
  readonly signatureOctets?: number;
  readonly hash: string | null;
  readonly dsaEncoding?: "ieee-p1363";
  readonly threads: number;
  readonly label: string;
}

export function signingPool(options: SigningPoolOptions): SigningPool {
  const queue: Job[] = [];
  const pending = new Map<number, Job>();
  let nextId = 0;
  let closed = false;
  let scheduled = false;
  const workers = Array.from({ length: options.threads }, () => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        key: options.key,
        verifyKey: options.verifyKey,
        signatureOctets: options.signatureOctets,
        hash: options.hash,
        dsaEncoding: options.dsaEncoding,
      },
    });
    // An idle pool must not keep the process alive.
    worker.unref();
    const state = { worker, inFlight: 0, referenced: false };
    worker.on("message", (results: { id: number; signature?: Uint8Array; unverified?: true; error?: string }[]) => {
      for (const r of results) {
        const job = pending.get(r.id);
        if (!job) continue;
        pending.delete(r.id);
        if (r.signature) job.resolve({ verified: true, signature: new Uint8Array(r.signature.buffer, r.signature.byteOffset, r.signature.byteLength) });
        else if (r.unverified) job.resolve({ verified: false });
        else job.reject(new KskError("keystore", "SIGN-FAILED", `key ${options.label}: signing failed in a worker thread: ${r.error}`));
      }
      state.inFlight--;
      dispatch();
    });
    worker.on("error", (e) => {
      for (const job of pending.values()) job.reject(new KskError("keystore", "SIGN-FAILED", `key ${options.label}: a signing thread failed: ${e.message}`));
      pending.clear();
    });
    return state;
  });
  const dispatch = () => {
    for (let round = 0; round < BATCHES_IN_FLIGHT; round++) {
      for (const state of workers) {
        if (queue.length === 0) break;
        if (state.inFlight > round) continue;
        const batch = queue.splice(0, BATCH);
        for (const job of batch) pending.set(job.id, job);
        state.inFlight++;
        state.worker.postMessage(batch.map((j) => ({ id: j.id, data: j.data })));
      }
    }
    // A thread with work keeps the process alive until its answer arrives; an idle one does not.
    // (Changed only when it changes: ref() and unref() are calls into the runtime.)
    for (const state of workers) {
      const busy = state.inFlight > 0;
      if (busy === state.referenced) continue;
      state.referenced = busy;
      busy ? state.worker.ref() : state.worker.unref();
    }
  };
  return {
    sign(data) {
      if (closed) return Promise.reject(new KskError("keystore", "KEYSTORE-CLOSED", `key ${options.label}: the signing threads have been stopped`));
      return new Promise((resolve, reject) => {
        queue.push({ id: nextId++, data, resolve, reject });
        // Requests made in one go (a zone's signatures in flight) leave in full batches.
        if (!scheduled) {
          scheduled = true;
          queueMicrotask(() => {
            scheduled = false;
            dispatch();
          });
        }
      });
    },
    async close() {
      closed = true;
      await Promise.all(workers.map((s) => s.worker.terminate()));
    },
  };
}
