/**
 * Outputs survive a killed process: `ksk skr sign` (KSKs in SoftHSM2), `ksk ksr build` (ZSKs in
 * SoftHSM2) and `ksk anchors sign` are started as real processes and stopped at seeded random
 * moments — SIGKILL at a random delay, SIGKILL the moment a temporary output file appears, and
 * SIGINT/SIGTERM — 21 times each (KSK_KILL_RUNS), half of the runs over an existing output with --force. After
 * every stop the output is the old file, no file, or a complete new one that its reader accepts —
 * never a partial file; the only other entries allowed are temporaries of the documented pattern
 * `.<output>.<pid>.<12 hex>.tmp` after a SIGKILL (none after SIGINT/SIGTERM), and the next run
 * writing that output sweeps them. Two `skr sign` runs started together to one output: one writes
 * it, the other is refused. Add a row to CASES for each new command that writes a file.
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, watch, writeFileSync } from "node:fs";
import path from "node:path";
import { type Signer, keyTag } from "@ksk/core";
import { openKeystore } from "@ksk/keystore";
import { buildKsr, defaultKsrPolicy, parseKsrXml, parseQuarter, writeKsrXml } from "@ksk/ksr";
import { readCertificates, verifyDetachedCms } from "@ksk/trust-anchor";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ksk } from "../packages/cli/test/harness.js";
import { type FinishedProcess, seededRandom, startKsk } from "./support/cli-process.js";
import { testSigner } from "./support/soft-signer.js";
import { type SoftHsmToken, createSoftHsmToken } from "./support/softhsm.js";
import { hasTool } from "./support/tools.js";

const RUNS = Number(process.env.KSK_KILL_RUNS ?? 21);
const SEED = Number(process.env.KSK_KILL_SEED ?? 14);
const haveSoftHsm = hasTool("softhsm2-util");
const CEREMONY = "2026-09-01T00:00:00Z";

interface KillCase {
  readonly name: string;
  /** The output's file name inside the case's own output directory. */
  readonly output: string;
  /** The full command line writing `outputFile`. */
  args(outputFile: string): string[];
  env(): Record<string, string>;
  /** Throws unless `bytes` are a complete output (what a reader of the file would accept). */
  accept(bytes: Uint8Array): void;
}

let token: SoftHsmToken;
let inputs: string;
const input = (name: string) => path.join(inputs, name);

const CASES: KillCase[] = [
  {
    name: "skr sign",
    output: "skr.xml",
    args: (out) => ["skr", "sign", input("ksr.xml"), "--config", input("ksrsigner.yaml"), "--no-previous-skr", "--now", CEREMONY, "--yes", "-o", out],
    env: () => token.env,
    accept: (bytes) => {
      const doc = parseKsrXml(bytes).document;
      if (doc.kind !== "response" || doc.bundles.length !== 9) throw new Error("not a complete SKR");
    },
  },
  {
    name: "ksr build",
    output: "ksr.xml",
    args: (out) => [
      "ksr",
      "build",
      "--keystore",
      token.uri(undefined, { pinSource: true }),
      "--quarter",
      "2027Q1",
      "--zsk",
      "zsk-a",
      "zsk-b",
      "zsk-c",
      "-o",
      out,
    ],
    env: () => token.env,
    accept: (bytes) => {
      const doc = parseKsrXml(bytes).document;
      if (doc.kind !== "request" || doc.bundles.length !== 9) throw new Error("not a complete KSR");
    },
  },
  {
    name: "anchors sign",
    output: "root-anchors.p7s",
    args: (out) => [
      "anchors",
      "sign",
      input("root-anchors.xml"),
      "--cert",
      input("signer.pem"),
      "--key",
      input("signer.key"),
      "--at",
      "2026-11-28T12:00:00Z",
      "-o",
      out,
    ],
    env: () => ({}),
    accept: (bytes) => {
      const cert = readCertificates(readFileSync(input("signer.pem")), "signer.pem")[0] as Uint8Array;
      verifyDetachedCms({
        cmsDer: bytes,
        contentBytes: readFileSync(input("root-anchors.xml")),
        trustedCaDers: [cert],
        atEpochSeconds: Date.parse("2026-11-28T12:00:00Z") / 1000,
      });
    },
  },
];

beforeAll(async () => {
  if (!haveSoftHsm) return;
  token = createSoftHsmToken({ label: "kill-lab" });
  inputs = path.join(token.dir, "inputs");
  mkdirSync(inputs);
  const keystore = await openKeystore(token.uri(undefined, { pinSource: true }), { env: token.env });
  const tags: number[] = [];
  try {
    for (const label of ["Kcurrnt", "Knextkk"]) {
      const k = await keystore.generate({ label, algorithm: 8, rsaModulusBits: 2048, flags: 257 });
      tags.push(keyTag(k.dnskey as NonNullable<typeof k.dnskey>));
    }
    for (const label of ["zsk-a", "zsk-b", "zsk-c"]) await keystore.generate({ label, algorithm: 8, rsaModulusBits: 2048, flags: 256 });
  } finally {
    await keystore.close();
  }
  const key = (name: string, label: string, tag: number) =>
    `  ${name}:\n    description: lab ${name}\n    label: ${label}\n    key_tag: ${tag}\n    algorithm: RSASHA256\n    rsa_size: 2048\n    rsa_exponent: 65537\n    valid_from: 2026-01-01T00:00:00+00:00\n`;
  writeFileSync(
    input("ksrsigner.yaml"),
    `keystore: "${token.uri(undefined, { pinSource: true })}"\nkeys:\n${key("ksk_current", "Kcurrnt", tags[0] as number)}${key("ksk_next", "Knextkk", tags[1] as number)}`,
  );
  const zsks: Signer[] = [0, 1, 2].map((i) => testSigner({ algorithm: 8, label: `Zkill${i}` }));
  const ksr = await buildKsr({
    quarter: parseQuarter("2026Q4"),
    zsks,
    policy: defaultKsrPolicy(),
    nowEpochSeconds: Date.parse(CEREMONY) / 1000,
    newId: randomUUID,
  });
  writeFileSync(input("ksr.xml"), writeKsrXml(ksr));
  for (const step of [
    ["ca", "init", "--dir", inputs],
    ["ca", "issue-signer", "--dir", inputs],
    ["key", "export-public", "--keystore", token.uri(undefined, { pinSource: true }), "--label", "Kcurrnt", "--output", input("ksk.dnskey")],
    [
      "anchors",
      "build",
      "--dnskey",
      input("ksk.dnskey"),
      "--id-for",
      `${tags[0]}=Kcurrnt`,
      "--valid-from",
      `${tags[0]}=2026-01-01T00:00:00Z`,
      "-o",
      input("root-anchors.xml"),
    ],
  ]) {
    const r = await ksk(step, { env: token.env });
    if (r.code !== 0) throw new Error(`${step.join(" ")}: ${r.stderr}`);
  }
}, 180_000);

afterAll(() => token?.cleanup());

/** Entries of `dir` other than the output: they must all be temporaries of the output. */
function strays(dir: string, output: string): string[] {
  return readdirSync(dir).filter((name) => name !== output);
}

function temporaryPattern(output: string): RegExp {
  return new RegExp(`^\\.${output.replace(/\./g, "\\.")}\\.\\d+\\.[0-9a-f]{12}\\.tmp$`);
}

/**
 * Run `args`, and stop it with `signal` after `delayMs` or, with `atTemporary`, as soon as a
 * temporary output file shows up in `dir` (whichever comes first).
 */
async function runAndStop(
  c: KillCase,
  out: string,
  extra: string[],
  signal: NodeJS.Signals,
  delayMs: number,
  atTemporary: boolean,
): Promise<FinishedProcess & { pid: number }> {
  const { child, done } = startKsk([...c.args(out), ...extra], { env: c.env() });
  const pattern = temporaryPattern(c.output);
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const watcher = atTemporary
    ? watch(path.dirname(out), (_event, name) => {
        if (name && pattern.test(name)) stop();
      })
    : undefined;
  const timer = setTimeout(stop, delayMs);
  try {
    return { ...(await done), pid: child.pid as number };
  } finally {
    clearTimeout(timer);
    watcher?.close();
  }
}

describe.runIf(haveSoftHsm)("outputs of killed processes: the old file or none, never a partial one", () => {
  for (const c of CASES) {
    it(`${c.name}: ${RUNS} runs stopped at seeded random moments`, async () => {
      const dir = path.join(token.dir, `out-${c.name.replace(/\W/g, "-")}`);
      mkdirSync(dir);
      const out = path.join(dir, c.output);
      const pattern = temporaryPattern(c.output);
      const random = seededRandom(SEED + c.name.length);

      // One complete run: the command works here, and how long it takes bounds the random delays.
      const started = Date.now();
      const full = await runAndStop(c, out, [], "SIGKILL", 600_000, false);
      expect(full.code, full.stderr).toBe(0);
      const fullMs = Date.now() - started;
      c.accept(readFileSync(out));
      const old = readFileSync(out);

      const outcomes = { old: 0, none: 0, complete: 0, strays: 0 };
      for (let run = 0; run < RUNS; run++) {
        const overExisting = run % 2 === 0;
        if (overExisting) writeFileSync(out, old);
        else rmSync(out, { force: true });
        const signal: NodeJS.Signals = run % 6 === 1 ? "SIGINT" : run % 6 === 3 ? "SIGTERM" : "SIGKILL";
        const atTemporary = run % 3 !== 0;
        const delay = Math.floor(random() * fullMs * 1.1);
        const r = await runAndStop(c, out, overExisting ? ["--force"] : [], signal, delay, atTemporary);
        const what = `run ${run} (${signal} ${atTemporary ? "at the temporary or " : ""}after ${delay} ms, ${overExisting ? "over an old file" : "no old file"}): ${r.stderr}`;
        expect(r.stderr, what).not.toMatch(/internal error|\n\s+at /);

        if (existsSync(out)) {
          const now = readFileSync(out);
          if (now.equals(old) && overExisting) outcomes.old++;
          else {
            expect(() => c.accept(now), what).not.toThrow();
            outcomes.complete++;
          }
        } else {
          expect(overExisting, `${what}: the old file is gone`).toBe(false);
          outcomes.none++;
        }
        const left = strays(dir, c.output);
        for (const name of left) expect(name, what).toMatch(pattern);
        // A caught signal removes the process's own temporaries (those of earlier SIGKILLed runs
        // stay until a run gets as far as writing).
        const own = left.filter((name) => name.includes(`.${r.pid}.`));
        if (signal !== "SIGKILL") expect(own, `${what}: a caught signal removes its temporaries`).toEqual([]);
        outcomes.strays += left.length;
      }
      // Enough runs were stopped before they finished for the test to mean something.
      expect(outcomes.old + outcomes.none, JSON.stringify(outcomes)).toBeGreaterThan(RUNS / 4);

      // The next run writing the output sweeps the temporaries the SIGKILLed runs left.
      const last = await runAndStop(c, out, ["--force"], "SIGKILL", 600_000, false);
      expect(last.code, last.stderr).toBe(0);
      c.accept(readFileSync(out));
      expect(strays(dir, c.output)).toEqual([]);
    }, 900_000);
  }

  it("two skr sign runs started together to one output: exactly one writes it, the other is refused", async () => {
    const c = CASES[0] as KillCase;
    const dir = path.join(token.dir, "concurrent");
    mkdirSync(dir);
    const out = path.join(dir, c.output);
    for (let round = 0; round < 3; round++) {
      rmSync(out, { force: true });
      const runs = await Promise.all([0, 1].map(() => startKsk(c.args(out), { env: c.env() }).done));
      const codes = runs.map((r) => r.code).sort();
      expect(codes, runs.map((r) => r.stderr).join("")).toEqual([0, 5]);
      expect(runs.find((r) => r.code === 5)?.stderr).toMatch(/skr\.xml: (exists|appeared while writing)/);
      c.accept(readFileSync(out));
      expect(strays(dir, c.output)).toEqual([]);
    }
  }, 300_000);
});
