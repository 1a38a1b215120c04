/**
 * Worker threads that sign and verify, shared by the two signing pools (the software key's,
 * ./signing-pool.ts, and the PKCS#11 key's, ./pkcs11-signing-pool.ts): requests handed to the
 * threads in small batches, answers matched back to their requests, the threads kept busy, and
 * the one check every thread makes before answering.
 *
 * The check (`VERIFY_SOURCE`): node:crypto (OpenSSL) verifies each signature over exactly the
 * data asked for, against the public key built from the key's DNSKEY record (core's
 * `verifierKey`), never one derived from the private key, with core's `verifyWithKey` length rule:
 * an RSA signature as long as the modulus (RFC 3110 §3), an ECDSA one as long as the public key
 * (r||s, RFC 6605 §4). A signature by another key or a damaged one comes back as
 * `{ verified: false }`, which `verifiedSigner` (./verified-signer.ts) refuses.
 *
 * The protocol with a worker, whose source is plain JavaScript evaluated in the thread (no loader
 * for TypeScript is needed): the worker first answers `{ ready: true }` or `{ failed: text }`; it
 * is sent `{ jobs: [{ id, data, input? }], ...batchFields() }` and answers `{ results: [{ id,
 * signature } | { id, unverified: true } | { id, error }] }`; `{ close: true, ...batchFields() }`
 * asks it to release what it holds and end. Any answer may carry a `report` (the PKCS#11 worker's HSM log calls),
 * handed to `onReport` in the order the answers arrive.
 *
 * Left out: how a thread signs (the workers), retrying a failed request.
 */
import { Worker } from "node:worker_threads";
import type { KskError, VerifierKey } from "@ksk/core";

/**
 * Core's `verifyWithKey` in plain JavaScript, for the workers of this pool and of the verifying
 * pool (./verifying-pool.ts): `preparedKey(k)` turns a `VerifierKey` into what node:crypto takes,
 * once per key; `verifiesWith(p, data, signature)` is false for a signature of another length than
 * the key's (RFC 3110 §3, RFC 6605) and for one OpenSSL cannot parse.
 */
export const VERIFY_WITH_KEY_SOURCE = `
const { verify: verifySignature } = require("node:crypto");
const preparedKey = (k) => ({ hash: k.hash, octets: k.signatureOctets, key: k.dsaEncoding ? { key: k.key, dsaEncoding: k.dsaEncoding } : k.key });
const verifiesWith = (p, data, signature) => {
  if (p.octets !== undefined && signature.length !== p.octets) return false;
  try {
    return verifySignature(p.hash, data, p.key, signature);
  } catch {
    return false;
  }
};
`;

/**
 * Evaluated in every signing worker after `workerData` is in scope: `verified(data, signature)`,
 * true when the signature verifies with `workerData.verify` (core's `VerifierKey` of the key's
 * DNSKEY record).
 */
const VERIFY_SOURCE = `${VERIFY_WITH_KEY_SOURCE}
const verifyPrepared = preparedKey(workerData.verify);
const verified = (data, signature) => verifiesWith(verifyPrepared, data, signature);
`;

/** A worker whose process reference follows its work (see `referenceBusy`). */
export interface ReferencedWorker {
  readonly worker: Worker;
  inFlight: number;
  referenced: boolean;
}

/**
 * A thread with work keeps the process alive until its answer arrives; an idle one does not.
 * (Changed only when it changes: ref() and unref() are calls into the runtime.)
 */
export function referenceBusy(threads: readonly ReferencedWorker[]): void {
  for (const state of threads) {
    const busy = state.inFlight > 0;
    if (busy === state.referenced) continue;
    state.referenced = busy;
    busy ? state.worker.ref() : state.worker.unref();
  }
}

/** What a signing thread answers for one request. */
export type PoolResult = { readonly verified: true; readonly signature: Uint8Array } | { readonly verified: false };

export interface SigningPool {
  /** Resolves when every thread is ready to sign; rejects with the first thread's failure. */
  readonly ready: Promise<void>;
  /** A signature over `data` that verified in the thread, or `{ verified: false }`. */
  sign(data: Uint8Array): Promise<PoolResult>;
  /** Ask every thread to release what it holds and end; resolves when they have. */
  close(): Promise<void>;
}

export interface ThreadPoolOptions {
  /** The worker's source; `VERIFY_SOURCE` is evaluated before it, so it may call `verified`. */
  readonly source: string;
  /** `workerData` of every thread, beside `verify`. */
  readonly workerData: Readonly<Record<string, unknown>>;
  /** What every thread checks each signature with: core's `verifierKey` of the key's DNSKEY record. */
  readonly verification: VerifierKey;
  readonly threads: number;
  /** What each thread signs for `data`, when not `data` itself (sent as `input`). */
  readonly input?: (data: Uint8Array) => Uint8Array | undefined;
  /** More fields of every batch message. */
  readonly batchFields?: () => Readonly<Record<string, unknown>>;
  readonly onReport?: (report: unknown) => void;
  /** The error for a thread's failure text (a failed request, a thread that could not start). */
  readonly failure: (text: string) => KskError;
  /** The error for a request made after `close()`. */
  readonly closedError: () => KskError;
}

interface Job {
  readonly id: number;
  readonly data: Uint8Array;
  readonly resolve: (result: PoolResult) => void;
  readonly reject: (e: unknown) => void;
}

interface Answer {
  readonly ready?: true;
  readonly failed?: string;
  readonly closed?: true;
  readonly report?: unknown;
  readonly results?: readonly { id: number; signature?: Uint8Array; unverified?: true; error?: string }[];
}

/** Requests per message: enough to amortise postMessage, few enough to balance the threads. */
const BATCH = 16;
/**
 * Batches outstanding per thread: with two, a thread that finishes one starts the next at once
 * instead of waiting for the main thread (busy parsing or building signed data) to hand it more.
 */
const BATCHES_IN_FLIGHT = 2;

interface Thread extends ReferencedWorker {
  exited: boolean;
  /** Resolves on the thread's `{ ready }`, rejects on its `{ failed }` or a crash. */
  readonly ready: Promise<void>;
}

/** One worker, its answers matched to `pending` jobs; `answered` runs after each batch's answer. */
function startThread(options: ThreadPoolOptions, pending: Map<number, Job>, answered: () => void): Thread {
  const worker = new Worker(`const { parentPort, workerData } = require("node:worker_threads");\n${VERIFY_SOURCE}\n${options.source}`, {
    eval: true,
    workerData: { ...options.workerData, verify: options.verification },
  });
  // An idle pool must not keep the process alive.
  worker.unref();
  let settle: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Observed here so that a failure nobody awaits is not an unhandled rejection; `ready` reports it.
  ready.catch(() => undefined);
  const thread: Thread = { worker, inFlight: 0, referenced: false, exited: false, ready };
  worker.once("exit", () => {
    thread.exited = true;
    answered();
  });
  worker.on("message", (answer: Answer) => {
    if (answer.report !== undefined) options.onReport?.(answer.report);
    if (answer.ready) settle?.resolve();
    if (answer.failed !== undefined) settle?.reject(options.failure(answer.failed));
    if (!answer.results) return;
    for (const r of answer.results) {
      const job = pending.get(r.id);
      if (!job) continue;
      pending.delete(r.id);
      if (r.signature) job.resolve({ verified: true, signature: new Uint8Array(r.signature.buffer, r.signature.byteOffset, r.signature.byteLength) });
      else if (r.unverified) job.resolve({ verified: false });
      else job.reject(options.failure(r.error ?? "no answer"));
    }
    thread.inFlight--;
    answered();
  });
  worker.on("error", (e) => {
    const failure = options.failure(`a signing thread failed: ${e.message}`);
    settle?.reject(failure);
    for (const job of pending.values()) job.reject(failure);
    pending.clear();
  });
  return thread;
}

export function threadPool(options: ThreadPoolOptions): SigningPool {
  const queue: Job[] = [];
  const pending = new Map<number, Job>();
  let nextId = 0;
  let closed = false;
  let scheduled = false;
  const workers = Array.from({ length: options.threads }, () => startThread(options, pending, () => dispatch()));
  const dispatch = () => {
    // With every thread gone (a crash, reported to the requests it held), nothing would answer.
    if (workers.every((t) => t.exited)) {
      for (const job of queue.splice(0)) job.reject(options.failure("every signing thread has ended"));
    }
    for (let round = 0; round < BATCHES_IN_FLIGHT; round++) {
      for (const state of workers) {
        if (queue.length === 0) break;
        if (state.exited || state.inFlight > round) continue;
        const batch = queue.splice(0, BATCH);
        for (const job of batch) pending.set(job.id, job);
        state.inFlight++;
        const jobs = batch.map((j) => {
          const input = options.input?.(j.data);
          return input ? { id: j.id, data: j.data, input } : { id: j.id, data: j.data };
        });
        state.worker.postMessage({ jobs, ...options.batchFields?.() });
      }
    }
    referenceBusy(workers);
  };
  return {
    ready: Promise.all(workers.map((t) => t.ready)).then(() => undefined),
    sign(data) {
      if (closed) return Promise.reject(options.closedError());
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
      if (closed) return;
      closed = true;
      for (const job of queue.splice(0)) job.reject(options.closedError());
      // Each thread ends once it has answered what it was sent and released what it holds.
      await Promise.all(
        workers
          .filter((state) => !state.exited)
          .map(
            ({ worker }) =>
              new Promise<void>((resolve) => {
                worker.once("exit", () => resolve());
                worker.ref();
                worker.postMessage({ close: true, ...options.batchFields?.() });
              }),
          ),
      );
    },
  };
}
