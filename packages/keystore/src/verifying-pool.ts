/**
 * Verifying DNSSEC signatures on worker threads, for `zone verify`: a zone's thousands of RRSIGs
 * (RSA-2048 verification is about 30 µs of CPU each) checked off the main thread, which decodes
 * and judges the zone meanwhile. It is a `BatchSignatureVerifier` (@ksk/core): a batch of jobs in,
 * one `SignatureOutcome` per job out, in order.
 *
 * Each key is prepared once in the main thread with core's `verifierKey` (the public key as a
 * node:crypto KeyObject, the hash, the ECDSA r||s encoding, the one signature length accepted) and
 * handed to every thread once; the jobs then carry only the key's number, the signed data and the
 * signature, packed into one buffer per message of up to `BATCH` jobs and transferred, not cloned. The thread applies core's `verifyWithKey` rule — a
 * signature of the wrong length (RFC 3110 §3, RFC 6605) does not verify, nor one OpenSSL cannot
 * parse — in plain JavaScript evaluated in the thread (no loader for TypeScript there), the same
 * lines the signing threads check with (./thread-pool.ts `VERIFY_WITH_KEY_SOURCE`), which the tests
 * hold to core's verdicts. A key OpenSSL will not load is judged in the
 * main thread by core's verifier (`keyVerifierCache`), which says why it is malformed.
 *
 * Left out: keys of algorithms this toolkit does not verify (core's verdict, in the main thread).
 */
import { Worker } from "node:worker_threads";
import {
  type BatchSignatureVerifier,
  type DnskeyRdata,
  KskError,
  type SignatureJob,
  type SignatureOutcome,
  type VerifierKey,
  type VerifySignature,
  keyVerifierCache,
  signatureOutcome,
  verifierKey,
} from "@ksk/core";
import { type ReferencedWorker, VERIFY_WITH_KEY_SOURCE, referenceBusy } from "./thread-pool.js";

const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
${VERIFY_WITH_KEY_SOURCE}
const keys = [];
parentPort.on("message", (message) => {
  if (message.key) {
    keys[message.id] = preparedKey(message.key);
    return;
  }
  // The batch packed by packBatch: a count, five numbers a job, then the octets.
  const buffer = message.buffer;
  const count = new Uint32Array(buffer, 0, 1)[0];
  const head = new Uint32Array(buffer, 4, 5 * count);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const data = new Uint8Array(buffer, head[5 * i + 1], head[5 * i + 2]);
    const signature = new Uint8Array(buffer, head[5 * i + 3], head[5 * i + 4]);
    out[i] = verifiesWith(keys[head[5 * i]], data, signature) ? 1 : 0;
  }
  parentPort.postMessage({ id: message.id, out }, [out.buffer]);
});
`;

/** Jobs per message: enough to amortise postMessage, few enough to share a batch among the threads. */
const BATCH = 64;

export interface VerifyingPool {
  readonly verify: BatchSignatureVerifier;
  close(): Promise<void>;
}

interface PoolJob {
  readonly key: number;
  readonly data: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * A batch as one buffer handed over to the thread (transferred, not cloned): the job count, then
 * per job the key's number and the offset and length of its data and of its signature, then the
 * octets.
 */
function packBatch(jobs: readonly PoolJob[]): ArrayBuffer {
  let octets = 4 + 20 * jobs.length;
  for (const job of jobs) octets += job.data.length + job.signature.length;
  const buffer = new ArrayBuffer(octets);
  const head = new Uint32Array(buffer, 0, 1 + 5 * jobs.length);
  const bytes = new Uint8Array(buffer);
  head[0] = jobs.length;
  let at = 4 + 20 * jobs.length;
  for (const [i, job] of jobs.entries()) {
    const field = 1 + 5 * i;
    head[field] = job.key;
    head[field + 1] = at;
    head[field + 2] = job.data.length;
    head[field + 3] = at + job.data.length;
    head[field + 4] = job.signature.length;
    bytes.set(job.data, at);
    bytes.set(job.signature, at + job.data.length);
    at += job.data.length + job.signature.length;
  }
  return buffer;
}

/** A pool of `threads` verifying threads (see the header). */
export function verifyingPool(options: { readonly threads: number }): VerifyingPool {
  const pending = new Map<number, { resolve: (out: Uint8Array) => void; reject: (e: unknown) => void }>();
  const keyIds = new WeakMap<DnskeyRdata, number | null>();
  let nextKey = 0;
  let nextMessage = 0;
  let closed = false;
  let failure: KskError | undefined;
  const local = keyVerifierCache();
  const localVerify: VerifySignature = (key, data, signatureBytes) => local(key)(data, signatureBytes);
  const threads: ReferencedWorker[] = Array.from({ length: options.threads }, () => {
    const state: ReferencedWorker = { worker: new Worker(WORKER_SOURCE, { eval: true }), inFlight: 0, referenced: true };
    state.worker.on("message", (answer: { id: number; out: Uint8Array }) => {
      const request = pending.get(answer.id);
      if (!request) return;
      pending.delete(answer.id);
      state.inFlight--;
      referenceBusy(threads);
      request.resolve(answer.out);
    });
    state.worker.on("error", (e) => {
      // A thread gone leaves its batches unanswered: every request fails, now and later.
      failure = new KskError("keystore", "VERIFY-FAILED", `a signature-verifying thread failed: ${e.message}`);
      for (const request of pending.values()) request.reject(failure);
      pending.clear();
    });
    return state;
  });
  referenceBusy(threads);
  /** The key's number in the threads, handed to them on first use; null: judged in this thread. */
  const keyId = (dnskey: DnskeyRdata): number | null => {
    let id = keyIds.get(dnskey);
    if (id !== undefined) return id;
    let prepared: VerifierKey | undefined;
    try {
      prepared = verifierKey(dnskey);
    } catch {
      prepared = undefined; // a key OpenSSL will not load, or of an algorithm core does not verify: judged in the main thread
    }
    id = prepared ? nextKey++ : null;
    if (prepared) for (const state of threads) state.worker.postMessage({ id, key: prepared });
    keyIds.set(dnskey, id);
    return id;
  };
  const send = (jobs: readonly PoolJob[]): Promise<Uint8Array> => {
    const state = threads.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
    const id = nextMessage++;
    state.inFlight++;
    referenceBusy(threads);
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      const buffer = packBatch(jobs);
      state.worker.postMessage({ id, buffer }, [buffer]);
    });
  };
  const verify: BatchSignatureVerifier = async (jobs: readonly SignatureJob[]) => {
    if (closed) throw new KskError("keystore", "KEYSTORE-CLOSED", "the signature-verifying threads have been stopped");
    if (failure) throw failure;
    const outcomes: SignatureOutcome[] = new Array(jobs.length);
    const remote: (PoolJob & { readonly index: number })[] = [];
    for (const [index, job] of jobs.entries()) {
      const key = keyId(job.dnskey);
      if (key === null) outcomes[index] = signatureOutcome(localVerify, job.dnskey, job.data, job.signature);
      else remote.push({ index, key, data: job.data, signature: job.signature });
    }
    const messages: Promise<void>[] = [];
    for (let start = 0; start < remote.length; start += BATCH) {
      const part = remote.slice(start, start + BATCH);
      messages.push(
        send(part).then((out) => {
          for (const [k, job] of part.entries()) outcomes[job.index] = out[k] === 1;
        }),
      );
    }
    await Promise.all(messages);
    return outcomes;
  };
  return {
    verify,
    async close() {
      closed = true;
      await Promise.all(threads.map((s) => s.worker.terminate()));
    },
  };
}
