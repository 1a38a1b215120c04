/**
 * The bare PKCS#11 signing loop the benchmarks hold the keystore against (`pnpm bench:sign`,
 * `pnpm bench:zone`'s hsm section): RSA-2048 C_SignInit + C_Sign with CKM_SHA256_RSA_PKCS, through
 * pkcs11js, with nothing else — no verification, no log, no keystore. Module initialisation, login
 * and the key lookup happen once, outside the timing, and the module is initialised with
 * CKF_OS_LOCKING_OK as the keystore initialises it (a module may lock less without it).
 *
 * On one session the loop runs on the calling thread. On several, each session is a worker thread
 * of its own (the module's login is the process's, made once on the calling thread's session;
 * PKCS#11 v2.40 §5.6), the threads open their sessions, wait at a common start, and the time is
 * the wall time from the start to the last thread's end, the signatures split evenly between them.
 *
 * Left out: other mechanisms than CKM_SHA256_RSA_PKCS, several processes.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import type * as Pkcs11Types from "pkcs11js";

const requireKeystore = createRequire(path.resolve(path.dirname(new URL(import.meta.url).pathname), "../packages/keystore/package.json"));
const pkcs11js = requireKeystore("pkcs11js") as typeof Pkcs11Types;
const pkcs11jsPath = requireKeystore.resolve("pkcs11js");

export interface BareLoopKey {
  readonly module: string;
  /** The SOFTHSM2_CONF the token lives under. */
  readonly conf: string;
  readonly tokenLabel: string;
  readonly pin: string;
  readonly keyLabel: string;
}

export interface BareLoopResult {
  readonly signatures: number;
  readonly sessions: number;
  readonly seconds: number;
  /** User + system CPU seconds of this process (every thread) over the same span. */
  readonly cpuSeconds: number;
  readonly perSecond: number;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const P = require(workerData.pkcs11jsPath);
const p11 = new P.PKCS11();
p11.load(workerData.module);
try {
  p11.C_Initialize({ flags: P.CKF_OS_LOCKING_OK });
} catch (e) {
  if (!/CKR_CRYPTOKI_ALREADY_INITIALIZED/.test(e.message)) throw e;
}
const key = Buffer.from(workerData.key);
const data = Buffer.from(workerData.data);
const session = p11.C_OpenSession(Buffer.from(workerData.slot), P.CKF_SERIAL_SESSION);
parentPort.postMessage("ready");
parentPort.once("message", () => {
  const out = Buffer.alloc(256);
  for (let i = 0; i < workerData.signatures; i++) {
    p11.C_SignInit(session, { mechanism: P.CKM_SHA256_RSA_PKCS }, key);
    p11.C_Sign(session, data, out);
  }
  p11.C_CloseSession(session);
  parentPort.postMessage("done");
});
`;

/** Start `sessions` threads, each on a session of its own; resolves with the wall time of their loops. */
async function threadedLoops(slot: Buffer, key: Buffer, module: string, data: Uint8Array, signatures: number, sessions: number): Promise<number> {
  const workers = Array.from({ length: sessions }, (_, i) => {
    const share = Math.floor(signatures / sessions) + (i < signatures % sessions ? 1 : 0);
    return new Worker(WORKER_SOURCE, { eval: true, workerData: { pkcs11jsPath, module, slot, key, data, signatures: share } });
  });
  const next = (w: Worker) =>
    new Promise<void>((resolve, reject) => {
      w.once("message", () => resolve());
      w.once("error", reject);
    });
  try {
    await Promise.all(workers.map(next));
    const done = workers.map(next);
    const started = performance.now();
    for (const w of workers) w.postMessage("go");
    await Promise.all(done);
    return (performance.now() - started) / 1000;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** `signatures` RSA signatures over `data` on `sessions` sessions of the token, with the key found once. */
export async function bareLoop(key: BareLoopKey, signatures: number, data: Uint8Array, sessions = 1): Promise<BareLoopResult> {
  const saved = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = key.conf;
  const p11 = new pkcs11js.PKCS11();
  p11.load(key.module);
  p11.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  try {
    const slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).label.replace(/[\s\0]+$/, "") === key.tokenLabel);
    if (!slot) throw new Error(`token ${key.tokenLabel} not found`);
    const session = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    try {
      p11.C_Login(session, pkcs11js.CKU_USER, key.pin);
      p11.C_FindObjectsInit(session, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
        { type: pkcs11js.CKA_LABEL, value: key.keyLabel },
      ]);
      const [handle] = p11.C_FindObjects(session, 1);
      p11.C_FindObjectsFinal(session);
      if (!handle) throw new Error(`key ${key.keyLabel} not found`);
      let seconds: number;
      const cpuBefore = process.cpuUsage();
      if (sessions > 1) {
        seconds = await threadedLoops(slot, handle, key.module, data, signatures, sessions);
      } else {
        const input = Buffer.from(data);
        const out = Buffer.alloc(256);
        const started = performance.now();
        for (let i = 0; i < signatures; i++) {
          p11.C_SignInit(session, { mechanism: pkcs11js.CKM_SHA256_RSA_PKCS }, handle);
          p11.C_Sign(session, input, out);
        }
        seconds = (performance.now() - started) / 1000;
      }
      const cpu = process.cpuUsage(cpuBefore);
      return { signatures, sessions, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, perSecond: signatures / seconds };
    } finally {
      p11.C_CloseSession(session);
    }
  } finally {
    p11.C_Finalize();
    p11.close();
    if (saved === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = saved;
  }
}
