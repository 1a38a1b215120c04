/**
 * Signing on several worker threads with a software key, so that a zone's thousands of RSA
 * signatures use every core (RSA-2048 signing is about 0.3 ms of CPU each; the root needs about
 * 2,900). The private key is handed to each worker once, as a node:crypto KeyObject (cloned by
 * postMessage; never exported to bytes), and requests are sent in small batches so that message
 * passing costs little beside the signature. Results come back to the caller, whose
 * `verifiedSigner` still verifies every signature before returning it.
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
const { sign } = require("node:crypto");
const key = workerData.dsaEncoding ? { key: workerData.key, dsaEncoding: workerData.dsaEncoding } : workerData.key;
parentPort.on("message", (jobs) => {
  const out = [];
  for (const job of jobs) {
    try {
      out.push({ id: job.id, signature: sign(workerData.hash, job.data, key) });
    } catch (e) {
      out.push({ id: job.id, error: String((e && e.message) || e) });
    }
  }
  parentPort.postMessage(out);
});
`;

interface Job {
  readonly id: number;
  readonly data: Uint8Array;
  readonly resolve: (signature: Uint8Array) => void;
  readonly reject: (e: unknown) => void;
}

export interface SigningPool {
  sign(data: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Requests per message: enough to amortise postMessage, few enough to balance the threads. */
const BATCH = 8;

export function signingPool(options: { key: KeyObject; hash: string | null; dsaEncoding?: "ieee-p1363"; threads: number; label: string }): SigningPool {
  const queue: Job[] = [];
  const pending = new Map<number, Job>();
  let nextId = 0;
  let closed = false;
  const workers = Array.from({ length: options.threads }, () => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { key: options.key, hash: options.hash, dsaEncoding: options.dsaEncoding },
    });
    // An idle pool must not keep the process alive.
    worker.unref();
    const state = { worker, busy: false };
    worker.on("message", (results: { id: number; signature?: Uint8Array; error?: string }[]) => {
      for (const r of results) {
        const job = pending.get(r.id);
        if (!job) continue;
        pending.delete(r.id);
        if (r.signature) job.resolve(new Uint8Array(r.signature.buffer, r.signature.byteOffset, r.signature.byteLength));
        else job.reject(new KskError("keystore", "SIGN-FAILED", `key ${options.label}: signing failed in a worker thread: ${r.error}`));
      }
      state.busy = false;
      dispatch();
    });
    worker.on("error", (e) => {
      for (const job of pending.values()) job.reject(new KskError("keystore", "SIGN-FAILED", `key ${options.label}: a signing thread failed: ${e.message}`));
      pending.clear();
    });
    return state;
  });
  const dispatch = () => {
    for (const state of workers) {
      if (queue.length === 0) break;
      if (state.busy) continue;
      const batch = queue.splice(0, BATCH);
      for (const job of batch) pending.set(job.id, job);
      state.busy = true;
      state.worker.postMessage(batch.map((j) => ({ id: j.id, data: j.data })));
    }
    // A thread with work keeps the process alive until its answer arrives; an idle one does not.
    for (const state of workers) state.busy ? state.worker.ref() : state.worker.unref();
  };
  return {
    sign(data) {
      if (closed) return Promise.reject(new KskError("keystore", "KEYSTORE-CLOSED", `key ${options.label}: the signing threads have been stopped`));
      return new Promise((resolve, reject) => {
        queue.push({ id: nextId++, data, resolve, reject });
        dispatch();
      });
    },
    async close() {
      closed = true;
      await Promise.all(workers.map((s) => s.worker.terminate()));
    },
  };
}
