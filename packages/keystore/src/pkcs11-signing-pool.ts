/**
 * Signing with a PKCS#11 key on several worker threads, each on a session of its own, so that a
 * zone's thousands of ZSK signatures are made while the main thread reads, plans and prints, and
 * on as many sessions as there are threads (a token signs in parallel on parallel sessions; one
 * session signs one request at a time). Batching and answers are ./thread-pool.ts.
 *
 * Each thread loads pkcs11js (the same addon file the keystore loaded) and the module, and:
 * - calls C_Initialize, which answers CKR_CRYPTOKI_ALREADY_INITIALIZED: the keystore's
 *   initialisation (with CKF_OS_LOCKING_OK, ./pkcs11-module.ts) is the process's, and a thread
 *   never calls C_Finalize while others use the module (should its C_Initialize succeed — the
 *   keystore closed meanwhile — it finalises only what it initialised, and fails);
 * - opens a read-only session on the token's slot. Login state belongs to the application, not to
 *   a session (PKCS#11 v2.40 §5.6): the keystore logged in on its own session, so the new session
 *   is in CKS_RO_USER_FUNCTIONS at once, and a C_Login would answer CKR_USER_ALREADY_LOGGED_IN
 *   (measured on SoftHSM 2.6.1). The thread checks the state with C_GetSessionInfo and is never
 *   given the PIN;
 * - signs with the key handle the keystore found once: an object handle a session can use is
 *   valid in every session of the same application (PKCS#11 v2.40 §2.4), so no search is repeated;
 * - verifies every signature before answering (./thread-pool.ts `VERIFY_SOURCE`): node:crypto
 *   against the public key of the key's DNSKEY record, over the data asked for (not the host
 *   digest the token may have been given instead); `{ verified: false }` otherwise.
 *
 * The HSM activity log: each thread notes its calls (C_Initialize, C_OpenSession,
 * C_GetSessionInfo, C_SignInit, C_Sign, C_CloseSession) while the keystore's process records,
 * and sends them with its answers, which ./pkcs11-log.ts records like the main thread's calls.
 *
 * Closing: each thread closes its session and ends before the keystore closes its own sessions and
 * releases the module.
 *
 * Left out: a login of its own per thread (a module whose login is per session, not per
 * application, is not PKCS#11), CKA_ALWAYS_AUTHENTICATE keys, modules that cannot lock
 * (CKR_CANT_LOCK: the keystore then signs on its one session, see ./pkcs11.ts).
 */
import { type VerifierKey, bytesToHex } from "@ksk/core";
import { foreignCallRecorder, hsmActivityRecording, type ForeignCall, type Pkcs11Constants } from "./pkcs11-log.js";
import type { SigningMethod } from "./pkcs11-mechanism.js";
import { type Handle, keystoreError, pkcs11Failure, pkcs11js, pkcs11jsPath } from "./pkcs11-module.js";
import { type SigningPool, threadPool } from "./thread-pool.js";

const WORKER_SOURCE = `
const P = require(workerData.pkcs11jsPath);
const asBuffer = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const slot = asBuffer(workerData.slot);
const key = asBuffer(workerData.key);
const mechanism = workerData.parameter ? { mechanism: workerData.mechanism, parameter: asBuffer(workerData.parameter) } : { mechanism: workerData.mechanism };
const CKS_RO_USER_FUNCTIONS = 1;
const textOf = (e) => String((e && e.message) || e).split("\\n")[0];
const rvOf = (e) => {
  const m = /\\b(CKR_[A-Z0-9_]+)\\b/.exec(textOf(e));
  return m ? m[1] : "error: " + textOf(e);
};
// The calls of this thread, noted for the HSM activity log while the process records.
let logging = workerData.logging;
let calls = [];
const call = (name, args, run) => {
  const timeUtc = new Date().toISOString();
  try {
    const result = run();
    if (logging) calls.push({ call: name, timeUtc, args, rv: "CKR_OK", result });
    return result;
  } catch (e) {
    if (logging) calls.push({ call: name, timeUtc, args, rv: rvOf(e) });
    throw e;
  }
};
const report = () => {
  const noted = calls;
  calls = [];
  return noted.length ? { report: noted } : {};
};
const p11 = new P.PKCS11();
let session;
let failure;
try {
  p11.load(workerData.modulePath);
  let initialisedHere = false;
  try {
    call("C_Initialize", [], () => p11.C_Initialize({ flags: P.CKF_OS_LOCKING_OK }));
    initialisedHere = true;
  } catch (e) {
    if (rvOf(e) !== "CKR_CRYPTOKI_ALREADY_INITIALIZED") throw e;
  }
  if (initialisedHere) {
    call("C_Finalize", [], () => p11.C_Finalize());
    throw new Error("the module is not initialised in this process (the keystore was closed)");
  }
  const flags = P.CKF_SERIAL_SESSION;
  session = call("C_OpenSession", [slot, flags], () => p11.C_OpenSession(slot, flags));
  const state = call("C_GetSessionInfo", [session], () => p11.C_GetSessionInfo(session)).state;
  if (state !== CKS_RO_USER_FUNCTIONS) throw new Error("a new session is not logged in (session state " + state + ")");
} catch (e) {
  failure = textOf(e);
}
parentPort.postMessage(failure === undefined ? { ready: true, ...report() } : { failed: failure, ...report() });
parentPort.on("message", (message) => {
  logging = message.log;
  if (message.close) {
    try {
      if (session !== undefined) call("C_CloseSession", [session], () => p11.C_CloseSession(session));
    } catch {
      // The session may be gone with the token; nothing more to release.
    }
    parentPort.postMessage({ closed: true, ...report() });
    return parentPort.close();
  }
  const results = [];
  for (const job of message.jobs) {
    if (failure !== undefined) {
      results.push({ id: job.id, error: failure });
      continue;
    }
    try {
      const input = asBuffer(job.input || job.data);
      call("C_SignInit", [session, mechanism, key], () => p11.C_SignInit(session, mechanism, key));
      const signature = call("C_Sign", [session, input], () => p11.C_Sign(session, input, Buffer.alloc(workerData.outputOctets)));
      results.push(verified(job.data, signature) ? { id: job.id, signature } : { id: job.id, unverified: true });
    } catch (e) {
      results.push({ id: job.id, error: textOf(e) });
    }
  }
  parentPort.postMessage({ results, ...report() });
});
`;

export interface Pkcs11SigningPoolOptions {
  readonly modulePath: string;
  /** The token's slot, and the private key's handle as the keystore found it. */
  readonly slot: Handle;
  readonly privateKey: Handle;
  readonly keyLabel: string;
  readonly method: SigningMethod;
  readonly verification: VerifierKey;
  readonly threads: number;
  /** `pkcs11:token=…;object=…`, for messages. */
  readonly where: string;
}

export function pkcs11SigningPool(options: Pkcs11SigningPoolOptions): SigningPool {
  const { method } = options;
  const record = foreignCallRecorder(pkcs11js as unknown as Pkcs11Constants, new Map([[bytesToHex(options.privateKey), options.keyLabel]]));
  return threadPool({
    source: WORKER_SOURCE,
    workerData: {
      pkcs11jsPath,
      modulePath: options.modulePath,
      slot: options.slot,
      key: options.privateKey,
      mechanism: method.mechanism,
      ...(method.parameter === undefined ? {} : { parameter: method.parameter }),
      outputOctets: method.outputOctets,
      logging: hsmActivityRecording(),
    },
    verification: options.verification,
    threads: options.threads,
    // The token is given a host digest for some mechanisms (./pkcs11-mechanism.ts); the thread
    // verifies over the data itself.
    input: (data) => {
      const input = method.prepare(data);
      return input === data ? undefined : input;
    },
    batchFields: () => ({ log: hsmActivityRecording() }),
    onReport: (report) => record(report as readonly ForeignCall[]),
    failure: (text) => pkcs11Failure(new Error(text), options.where, "signing"),
    closedError: () => keystoreError("KEYSTORE-CLOSED", `key ${options.keyLabel}: the keystore has been closed`, options.where),
  });
}
