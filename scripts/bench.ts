/**
 * `pnpm bench`: every benchmark of the toolkit in one run, written to bench/RESULTS.md with the
 * machine and the versions it ran on.
 *
 *   sign     pnpm bench:sign — keystore Signers against a bare PKCS#11 loop and `openssl speed`
 *   cli      pnpm bench:cli  — `ksk` start-up, `ksk ds`, `ksk ksr validate`, the lab job built vs tsx
 *            (3 rounds of the lab job here: one round alone is too noisy to judge its 0.5x target)
 *   zone     pnpm bench:zone — signing and verifying the real-sized root against BIND, ldns, Knot,
 *            and the scale section (generated roots of 1, 10 and 50 roots' size, a million-record
 *            zone) with its plot written beside the results (zone-scale.svg)
 *   quarter  a lab quarter's KSR validation and SKR signing in SoftHSM2, against `node -e 0`
 *   lab      the lab job (`pnpm lab`) and the 2024–2027 rehearsal (`pnpm lab:rollover`), whole and
 *            per quarter, each from an empty directory: wall and CPU seconds and peak RSS, the
 *            CPU seconds being the figure a busy machine moves least
 *
 * Each benchmark prints its own ratios against its peers measured in the same run (medians and
 * min–max over rounds); this script only runs them one after another and keeps what they print,
 * with the load average before and after each, so a reader can tell a quiet run from a busy one.
 * Options: --only sign,cli,zone,quarter,lab (default all), --quick (fewer rounds: a smoke run, not a
 * result to commit), --out FILE (default bench/RESULTS.md).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem, tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const args = process.argv.slice(2);
const value = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes("--quick");
const only = new Set((value("only") ?? "sign,cli,zone,quarter,lab").split(","));
const outFile = path.resolve(root, value("out") ?? "bench/RESULTS.md");
/** bench:zone's plot of time and memory against zone size, next to the results that refer to it. */
const svgFile = path.join(path.dirname(outFile), "zone-scale.svg");
const tsx = path.join(root, "node_modules/.bin/tsx");
const ksk = path.join(root, "packages/cli/bin/ksk");

function version(command: string, versionArgs: string[]): string {
  const r = spawnSync(command, versionArgs, { encoding: "utf8" });
  if (r.error) return "not installed";
  return (
    `${r.stdout}${r.stderr}`
      .split("\n")
      .find((l) => l.trim() !== "")
      ?.trim() ?? "?"
  );
}

function load(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
}

interface Section {
  readonly name: string;
  readonly title: string;
  readonly text: string;
  readonly status: number | null;
  readonly loadBefore: string;
  readonly loadAfter: string;
  readonly seconds: number;
}

function runSection(name: string, title: string, command: string[]): Section {
  process.stdout.write(`\n== ${title}: ${command.join(" ")}\n`);
  const loadBefore = load();
  const started = process.hrtime.bigint();
  const r = spawnSync(command[0] as string, command.slice(1), {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(r.stdout ?? "");
  return { name, title, text: r.stdout ?? "", status: r.status, loadBefore, loadAfter: load(), seconds };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function wallSeconds(command: string, commandArgs: string[], cwd: string): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(command, commandArgs, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${command} ${commandArgs.join(" ")} exited ${r.status}: ${r.stderr.slice(-500)}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/**
 * A lab quarter in SoftHSM2: one `pnpm lab` run makes the token, keys, KSR and config; then the
 * quarter's `ksk ksr validate` and `ksk skr sign` (9 bundles, the KSK signing in SoftHSM, every
 * signature verified in software, the SKR re-read and re-checked) are timed round by round against
 * `node -e 0` in the same rounds. No peer tool does this job here (IANA's ksrsigner is not installable
 * from these registries), so the figure is the whole act's cost in process start-ups.
 */
function quarterSection(rounds: number): Section {
  process.stdout.write("\n== a lab quarter in SoftHSM2 (ksr validate + skr sign)\n");
  const loadBefore = load();
  const started = process.hrtime.bigint();
  const dir = mkdtempSync(path.join(tmpdir(), "ksk-bench-quarter-"));
  const out = path.join(dir, "lab-out");
  try {
    const lab = spawnSync("bash", [path.join(root, "ceremony-scripts/lab"), "--out", out], { cwd: root, encoding: "utf8" });
    if (lab.status !== 0) throw new Error(`the lab run for the quarter benchmark failed: ${lab.stderr.slice(-800)}`);
    const env = { ...process.env, SOFTHSM2_CONF: path.join(out, "softhsm/softhsm2.conf") };
    const times = { node: [] as number[], validate: [] as number[], sign: [] as number[] };
    for (let i = 0; i < rounds; i++) {
      times.node.push(wallSeconds(process.execPath, ["-e", "0"], out));
      times.validate.push(wallSeconds(ksk, ["ksr", "validate", "ksr-2026Q3.xml", "--now", "2026-05-15T00:00:00Z"], out));
      const skr = `bench-skr-${i}.xml`;
      const started = process.hrtime.bigint();
      const r = spawnSync(
        ksk,
        [
          "skr",
          "sign",
          "ksr-2026Q3.xml",
          "--config",
          "ksrsigner.yaml",
          "--no-previous-skr",
          "--schema",
          "publish+",
          "--now",
          "2026-05-15T00:00:00Z",
          "--yes",
          "-o",
          skr,
        ],
        {
          cwd: out,
          env,
          encoding: "utf8",
        },
      );
      if (r.status !== 0) throw new Error(`skr sign exited ${r.status}: ${r.stderr.slice(-800)}`);
      times.sign.push(Number(process.hrtime.bigint() - started) / 1e9);
      rmSync(path.join(out, skr));
    }
    const fmt = (xs: number[]) => `${median(xs).toFixed(3)} s (${Math.min(...xs).toFixed(3)}–${Math.max(...xs).toFixed(3)})`;
    const base = median(times.node);
    const text = [
      `rounds: ${rounds}`,
      `  node -e 0                         ${fmt(times.node)}`,
      `  ksk ksr validate (9 bundles)      ${fmt(times.validate)}   ${(median(times.validate) / base).toFixed(1)}x node -e 0`,
      `  ksk skr sign (SoftHSM2, 9 slots)  ${fmt(times.sign)}   ${(median(times.sign) / base).toFixed(1)}x node -e 0`,
      "",
    ].join("\n");
    process.stdout.write(text);
    return {
      name: "quarter",
      title: "A lab quarter in SoftHSM2",
      text,
      status: 0,
      loadBefore,
      loadAfter: load(),
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Usage {
  readonly wall: number;
  readonly cpu: number;
  readonly peakRssMB: number;
}

/** Run a command under /usr/bin/time: wall seconds, CPU seconds (children included), peak RSS. */
function usage(command: string, commandArgs: string[], cwd: string): Usage {
  const stats = path.join(tmpdir(), `ksk-bench-time-${process.pid}.txt`);
  const started = process.hrtime.bigint();
  const r = spawnSync("/usr/bin/time", ["-o", stats, "-f", "%U %S %M", command, ...commandArgs], { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const [user, system, rssKiB] = (readFileSync(stats, "utf8").trim().split("\n").pop() ?? "").split(" ").map(Number);
  rmSync(stats, { force: true });
  if (r.status !== 0) throw new Error(`${command} ${commandArgs.join(" ")} exited ${r.status}: ${r.stderr.slice(-800)}`);
  return { wall, cpu: (user ?? 0) + (system ?? 0), peakRssMB: Math.round((rssKiB ?? 0) / 1024) };
}

/**
 * The lab job, and the 2024–2027 rehearsal per quarter: `ksk lab --rollover` runs every quarter
 * from 2024Q4 to 2027Q2 in one go, so a quarter's figure is the whole run's divided by the
 * quarters it signed (its skr-QUARTER.xml files). Round by round from empty directories. No peer
 * does these jobs; the CPU seconds are what a later run compares with to say neither got slower.
 * Peak RSS is the largest single process's (GNU time reports the biggest child).
 */
function labSection(rounds: number): Section {
  process.stdout.write("\n== the lab job and a quarter of the 2024–2027 rehearsal\n");
  const loadBefore = load();
  const started = process.hrtime.bigint();
  const dir = mkdtempSync(path.join(tmpdir(), "ksk-bench-lab-"));
  try {
    const lab: Usage[] = [];
    const rehearsal: Usage[] = [];
    let quarters = 0;
    for (let i = 0; i < rounds; i++) {
      const labOut = path.join(dir, `lab-${i}`);
      lab.push(usage("bash", [path.join(root, "ceremony-scripts/lab"), "--out", labOut], root));
      rmSync(labOut, { recursive: true, force: true });
      const rollOut = path.join(dir, `rollover-${i}`);
      rehearsal.push(usage("bash", [path.join(root, "ceremony-scripts/rollover"), "--out", rollOut], root));
      quarters = readdirSync(rollOut).filter((f) => /^skr-\d{4}Q[1-4]\.xml$/.test(f)).length;
      rmSync(rollOut, { recursive: true, force: true });
    }
    const fmt = (xs: number[], digits: number) => `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;
    const row = (name: string, u: readonly Usage[], per = 1) =>
      `  ${name.padEnd(50)} wall ${fmt(
        u.map((x) => x.wall / per),
        1,
      )} s   CPU ${fmt(
        u.map((x) => x.cpu / per),
        1,
      )} s   peak RSS ${Math.max(...u.map((x) => x.peakRssMB))} MB`;
    const text = [
      `rounds: ${rounds}; median (min–max); CPU includes every child process`,
      row("lab job (pnpm lab)", lab),
      row(`rehearsal, all ${quarters} quarters (pnpm lab:rollover)`, rehearsal),
      row("rehearsal, one quarter (the above / quarters)", rehearsal, Math.max(1, quarters)),
      "",
    ].join("\n");
    process.stdout.write(text);
    return {
      name: "lab",
      title: "The lab job and a quarter of the 2024–2027 rehearsal",
      text,
      status: 0,
      loadBefore,
      loadAfter: load(),
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

execFileSync(process.execPath, [path.join(root, "scripts/build-cli.mjs"), "--if-stale"], { stdio: "inherit" });
const sections: Section[] = [];
if (only.has("sign")) sections.push(runSection("sign", "Signing rates (pnpm bench:sign)", [tsx, "scripts/bench-sign.ts", ...(quick ? ["--rounds", "2"] : [])]));
if (only.has("cli"))
  sections.push(
    runSection("cli", "The ksk command (pnpm bench:cli)", [
      tsx,
      "scripts/bench-cli.ts",
      ...(quick ? ["--rounds", "3", "--lab-rounds", "0"] : ["--lab-rounds", "3"]),
    ]),
  );
if (only.has("zone"))
  sections.push(
    runSection("zone", "The root zone, real-sized and at scale (pnpm bench:zone)", [
      tsx,
      "scripts/bench-zone.ts",
      "--svg",
      svgFile,
      // A smoke run: the scale section at a tenth of a root and a root, and a small flat zone. A full
      // run digests the million-record flat zone only: signing a million names with RSA-2048 takes
      // each signer half an hour here (the root-shaped zones measure signing at scale).
      ...(quick ? ["--runs", "1", "--scales", "0.1,1", "--flat", "10000"] : ["--flat-jobs", "digest"]),
    ]),
  );
if (only.has("quarter")) sections.push(quarterSection(quick ? 1 : 3));
if (only.has("lab")) sections.push(labSection(quick ? 1 : 3));

const cpu = cpus()[0]?.model ?? "?";
const lines = [
  "# Benchmark results",
  "",
  `Written by \`pnpm bench\`${quick ? " --quick (a smoke run: too few rounds to quote)" : ""} on ${new Date().toISOString().slice(0, 19)}Z. Every figure is`,
  "a ratio against its peer measured in the same run, median with min–max over rounds; the load",
  "average before and after each benchmark says how busy the machine was (other work on a shared",
  "machine widens the ranges and moves the medians).",
  "",
  "## Machine and versions",
  "",
  `- ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
  `- node ${process.version}; ${version("openssl", ["version"])}; SoftHSM ${version("softhsm2-util", ["--version"])}`,
  `- BIND ${version("dnssec-signzone", ["-V"])}; ldns ${version("ldns-signzone", ["-v"])}; Knot ${version("kzonecheck", ["--version"])}; unbound ${version("unbound", ["-V"]).replace(/^Version /, "")}`,
  "",
];
for (const s of sections) {
  lines.push(
    `## ${s.title}`,
    "",
    `Exit status ${s.status}; ${s.seconds.toFixed(0)} s; load average before ${s.loadBefore}, after ${s.loadAfter}.`,
    "",
    "```",
    s.text.trimEnd(),
    "```",
    "",
    ...(s.name === "zone" ? [`![wall time and peak RSS against zone size](${path.basename(svgFile)})`, ""] : []),
  );
}
mkdirSync(path.dirname(outFile), { recursive: true });
writeFileSync(outFile, `${lines.join("\n")}\n`);
process.stdout.write(`\nwrote ${path.relative(root, outFile)}\n`);
if (sections.some((s) => s.status !== 0)) process.exitCode = 1;
