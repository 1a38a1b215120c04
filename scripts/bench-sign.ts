/**
 * `pnpm bench:sign` — RSA-2048 (RSASHA256) signatures per second through the keystore `Signer`,
 * against the floor each one sits on, all measured in the same run and interleaved round by round
 * so that machine noise hits every contender alike:
 *
 *   SoftHSM Signer      @ksk/keystore PKCS#11 Signer (C_SignInit + C_Sign, then software verify)
 *   bare PKCS#11 loop   C_SignInit + C_Sign on one pkcs11js session, one login, key handle found once
 *                       (./bench-pkcs11.ts, shared with bench:zone)
 *   software Signer     @ksk/keystore software Signer (node:crypto sign, then software verify)
 *   node:crypto sign    a bare crypto.sign loop with the same key object (shows what Node itself
 *                       costs over OpenSSL, apart from the Signer's verification)
 *   openssl speed       `openssl speed -mr -seconds S rsa2048`, sign rate
 *
 * Printed: per contender the median rate and min–max over rounds, and the ratios
 * SoftHSM Signer / bare loop (target ≥ 0.8) and software Signer / openssl (target ≥ 0.9), as the
 * median of the per-round ratios with their min–max. A benchmark, not a test: it reports and exits 0.
 *
 * The token is a throwaway SoftHSM2 token in a temporary SOFTHSM2_CONF directory (removed at the
 * end); the software keystore lives in a temporary directory with a throwaway passphrase.
 * Options: --rounds N (default 5), --signatures N per round (default 1000), --seconds S for
 * openssl (default 1).
 */
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, sign as nodeSign } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { openKeystore } from "@ksk/keystore";
import { createSoftHsmToken } from "../test/support/softhsm.js";
import { bareLoop } from "./bench-pkcs11.js";

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
  return value;
}

const ROUNDS = option("rounds", 5);
const SIGNATURES = option("signatures", 1000);
const OPENSSL_SECONDS = option("seconds", 1);
const LABEL = "Kbench";
// About the size of what a KSK signs: RRSIG fields + a DNSKEY RRset of 2 KSKs and 2 ZSKs.
const DATA = new Uint8Array(1100).map((_, i) => (i * 7 + 3) & 0xff);

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function summary(values: readonly number[], digits: number): string {
  return `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;
}

async function rate(n: number, body: () => unknown): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) await body();
  return n / ((performance.now() - start) / 1000);
}

function opensslSpeed(seconds: number): number {
  const out = execFileSync("openssl", ["speed", "-mr", "-seconds", String(seconds), "rsa2048"], { stdio: ["ignore", "pipe", "ignore"] }).toString();
  // OpenSSL 3 machine-readable result: +F2:<index>:<bits>:<signs per second>:<verifies per second>
  const m = /^\+F2:\d+:2048:([\d.]+):([\d.]+)$/m.exec(out);
  if (!m) throw new Error(`unexpected openssl speed output:\n${out}`);
  return Number(m[1]);
}

async function main(): Promise<void> {
  const token = createSoftHsmToken({ label: "bench-lab" });
  const softDir = mkdtempSync(path.join(tmpdir(), "ksk-bench-soft-"));
  try {
    const hsm = await openKeystore(token.uri(), { env: token.env });
    await hsm.generate({ label: LABEL, algorithm: 8, flags: 257, rsaModulusBits: 2048 });
    // The bare loop initialises the module itself, so the keystore must not hold it meanwhile.
    await hsm.close();
    const soft = await openKeystore(`file:${softDir}`, { passphrase: "bench only", createDirectory: true });
    await soft.generate({ label: LABEL, algorithm: 8, flags: 257, rsaModulusBits: 2048 });
    const softSigner = await soft.signer(LABEL);

    // An RSA-2048 key of the same shape for the bare node:crypto loop (the keystore never exports
    // its private keys, and the cost does not depend on which key it is).
    const bareNodeKey = generateKeyPairSync("rsa", { modulusLength: 2048, publicExponent: 65537 }).privateKey;
    const results = { hsmSigner: [] as number[], bare: [] as number[], softSigner: [] as number[], node: [] as number[], openssl: [] as number[] };
    for (let round = 1; round <= ROUNDS; round++) {
      const bare = await bareLoop({ module: token.module, conf: token.conf, tokenLabel: token.label, pin: token.pin, keyLabel: LABEL }, SIGNATURES, DATA);
      results.bare.push(bare.perSecond);
      const keystore = await openKeystore(token.uri(), { env: token.env });
      try {
        const signer = await keystore.signer(LABEL);
        results.hsmSigner.push(await rate(SIGNATURES, () => signer.sign(DATA)));
      } finally {
        await keystore.close();
      }
      results.softSigner.push(await rate(SIGNATURES, () => softSigner.sign(DATA)));
      results.node.push(await rate(SIGNATURES, () => nodeSign("sha256", DATA, bareNodeKey)));
      results.openssl.push(opensslSpeed(OPENSSL_SECONDS));
      process.stderr.write(`round ${round}/${ROUNDS} done\n`);
    }
    await soft.close();

    const ratios = (a: number[], b: number[]) => a.map((x, i) => x / (b[i] as number));
    const hsmRatio = ratios(results.hsmSigner, results.bare);
    const softRatio = ratios(results.softSigner, results.openssl);
    const rows: [string, string][] = [
      ["SoftHSM Signer", `${summary(results.hsmSigner, 0)} signatures/s`],
      ["bare PKCS#11 loop", `${summary(results.bare, 0)} signatures/s`],
      ["software Signer", `${summary(results.softSigner, 0)} signatures/s`],
      ["node:crypto sign loop", `${summary(results.node, 0)} signatures/s`],
      ["openssl speed rsa2048", `${summary(results.openssl, 0)} signatures/s`],
      ["SoftHSM Signer / bare", `${summary(hsmRatio, 2)}x  (target >= 0.8x: ${median(hsmRatio) >= 0.8 ? "met" : "NOT met"})`],
      ["software / openssl", `${summary(softRatio, 2)}x  (target >= 0.9x: ${median(softRatio) >= 0.9 ? "met" : "NOT met"})`],
      ["node:crypto / openssl", `${summary(ratios(results.node, results.openssl), 2)}x  (the floor the software Signer sits on)`],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    process.stdout.write(`RSA-2048 RSASHA256, ${SIGNATURES} signatures x ${ROUNDS} rounds (${DATA.length}-octet data); median (min–max)\n`);
    for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
  } finally {
    rmSync(softDir, { recursive: true, force: true });
    token.cleanup();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench-sign: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exitCode = 1;
});
