/**
 * `pnpm bench:cli` — how long the `ksk` command takes to start and to do small jobs, against what
 * it sits on and against its peers, all measured in one run on one machine and interleaved round
 * by round so that machine noise hits every contender alike:
 *
 *   node -e 0                 the floor: starting Node itself
 *   ksk --version             the built command (packages/cli/bin/ksk), answering from its entry
 *   ksk ds KEYFILE            DS records of the root KSKs (keys-example/root-ksks.zone)
 *   dnssec-dsfromkey -f       BIND's tool on the same file
 *   ksk ksr validate          IANA's real 2017 Q2 KSR against the 2017 Q1 SKR (packages/ksr/test/fixtures)
 *   tsx …/main.ts ds, validate  the same commands run from the TypeScript sources through tsx, as
 *                             `pnpm ksk` ran them before the build existed ("before")
 *   lab job, built vs tsx     `pnpm lab` (ceremony-scripts/lab) into an emptied temporary directory each round,
 *                             with the built command and with the tsx path (KSK_LAB_COMMAND)
 *
 * Printed: each contender's median wall time with min–max over rounds, then the ratios against
 * their targets (--version ≤ 2.0x node -e 0; ds ≤ 3.0x node -e 0; lab job built ≤ 0.5x tsx) as
 * the median of the per-round ratios with their min–max. A benchmark, not a test: it reports and
 * exits 0. The "before" rows run today's sources through tsx, whose command groups already load
 * lazily, so they understate how slow the eager tsx start-up was.
 *
 * Options: --rounds N (default 10) for the single commands, --lab-rounds N (default 1; 0 skips
 * the lab job, which takes minutes).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const ksk = path.join(root, "packages/cli/bin/ksk");
const tsx = [path.join(root, "node_modules/.bin/tsx"), path.join(root, "packages/cli/src/main.ts")];
const keyFile = path.join(root, "keys-example/root-ksks.zone");
const fixtures = path.join(root, "packages/ksr/test/fixtures");
const validate = ["ksr", "validate", path.join(fixtures, "ksr-root-2017-q2-0.xml"), "--previous-skr", path.join(fixtures, "skr-root-2017-q1-0.xml")];
const validateArgs = [...validate, "--now", "2017-03-01T00:00:00Z"];

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} needs a whole number`);
  return value;
}

interface Contender {
  readonly name: string;
  readonly command: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** The exit status the command is expected to end with. */
  readonly status?: number;
  /** Run before each timed run, untimed (the lab job empties its output directory). */
  readonly prepare?: () => void;
}

/** Wall seconds of one run; a run that ends with the wrong status stops the benchmark. */
function time(c: Contender): number {
  c.prepare?.();
  const start = performance.now();
  const r = spawnSync(c.command[0] as string, c.command.slice(1), { cwd: root, env: c.env ?? process.env, encoding: "utf8", maxBuffer: 64 << 20 });
  const seconds = (performance.now() - start) / 1000;
  if (r.error) throw r.error;
  if (r.status !== (c.status ?? 0)) throw new Error(`${c.name}: exit ${r.status}\n${r.stderr}`);
  return seconds;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const spread = (xs: readonly number[], digits: number, unit = "") =>
  `${median(xs).toFixed(digits)}${unit} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;

/** Run every contender once per round, in turn (after one uncounted run each to warm the file cache, if asked); returns each one's times. */
function measure(contenders: readonly Contender[], rounds: number, warm: boolean): Map<string, number[]> {
  const times = new Map(contenders.map((c) => [c.name, [] as number[]]));
  if (warm) for (const c of contenders) time(c);
  for (let round = 0; round < rounds; round++) for (const c of contenders) times.get(c.name)?.push(time(c));
  return times;
}

function labContenders(): { contenders: Contender[]; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), "ksk-bench-lab-"));
  const lab = (name: string, command?: string): Contender => {
    const out = path.join(dir, name.replace(/\W+/g, "-"));
    return {
      name,
      command: ["bash", path.join(root, "ceremony-scripts/lab"), "--out", out],
      env: { ...process.env, ...(command ? { KSK_LAB_COMMAND: command } : {}) },
      // Every round the same job: the first lab quarter from an empty directory (run again on the
      // same directory, the lab signs the next quarter, skipping act 01 and most of act 04).
      prepare: () => rmSync(out, { recursive: true, force: true }),
    };
  };
  return {
    contenders: [lab("lab job, built"), lab("lab job, tsx (before)", tsx.join(" "))],
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function printTimes(times: Map<string, number[]>): void {
  for (const [name, xs] of times) process.stdout.write(`  ${name.padEnd(32)}  ${spread(xs, 3, " s")}\n`);
  process.stdout.write("\n");
}

const rounds = option("rounds", 10);
const labRounds = option("lab-rounds", 1);
execFileSync(process.execPath, [path.join(root, "scripts/build-cli.mjs"), "--if-stale"], { stdio: "inherit" });

const single: Contender[] = [
  { name: "node -e 0", command: [process.execPath, "-e", "0"] },
  { name: "ksk --version", command: [ksk, "--version"] },
  { name: "ksk ds KEYFILE", command: [ksk, "ds", keyFile] },
  { name: "dnssec-dsfromkey -f KEYFILE", command: ["dnssec-dsfromkey", "-2", "-f", keyFile, "."] },
  { name: "ksk ksr validate (2017 Q2)", command: [ksk, ...validateArgs] },
  { name: "tsx: ksk ds KEYFILE (before)", command: [...tsx, "ds", keyFile] },
  { name: "tsx: ksk ksr validate (before)", command: [...tsx, ...validateArgs] },
];
process.stdout.write(`ksk start-up and small jobs: ${rounds} rounds, interleaved; wall seconds, median (min–max)\n\n`);
const times = measure(single, rounds, true);
printTimes(times);
let lab: Map<string, number[]> | undefined;
if (labRounds > 0) {
  process.stdout.write(`the lab job: ${labRounds} round(s) of each, no warm-up run (minutes)…\n`);
  const { contenders, cleanup } = labContenders();
  try {
    lab = measure(contenders, labRounds, false);
    printTimes(lab);
  } finally {
    cleanup();
  }
}
const all = new Map([...times, ...(lab ?? [])]);

/** Per-round ratios a/b, their median and spread, and whether the median meets the target. */
function ratio(label: string, a: string, b: string, target?: number): void {
  const xs = all.get(a);
  const ys = all.get(b);
  if (!xs || !ys) return;
  const rs = xs.map((x, i) => x / (ys[i] as number));
  const verdict = target === undefined ? "" : median(rs) <= target ? `  target ≤ ${target}x: met` : `  target ≤ ${target}x: NOT met`;
  process.stdout.write(`  ${label.padEnd(44)}  ${spread(rs, 2, "x")}${verdict}\n`);
}
process.stdout.write("ratios (per round):\n");
ratio("ksk --version / node -e 0", "ksk --version", "node -e 0", 2.0);
ratio("ksk ds / node -e 0", "ksk ds KEYFILE", "node -e 0", 3.0);
ratio("ksk ds / dnssec-dsfromkey", "ksk ds KEYFILE", "dnssec-dsfromkey -f KEYFILE");
ratio("ksk ksr validate / node -e 0", "ksk ksr validate (2017 Q2)", "node -e 0");
ratio("ksk ds: built / tsx", "ksk ds KEYFILE", "tsx: ksk ds KEYFILE (before)");
ratio("ksk ksr validate: built / tsx", "ksk ksr validate (2017 Q2)", "tsx: ksk ksr validate (before)");
ratio("lab job: built / tsx", "lab job, built", "lab job, tsx (before)", 0.5);
