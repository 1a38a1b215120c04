/**
 * `pnpm bench`: every benchmark of the toolkit in one run, written to bench/RESULTS.md with the
 * machine and the versions it ran on.
 *
 *   sign     pnpm bench:sign — keystore Signers against a bare PKCS#11 loop and `openssl speed`
 *   cli      pnpm bench:cli  — `ksk` start-up, `ksk ds`, `ksk ksr validate`, the lab job built vs tsx
 *            (3 rounds of the lab job here: one round alone is too noisy to judge its 0.5x target)
 *   zone     pnpm bench:zone — signing and verifying the real-sized root against BIND, ldns, Knot
 *   quarter  a lab quarter's KSR validation and SKR signing in SoftHSM2, against `node -e 0`
 *
 * Each benchmark prints its own ratios against its peers measured in the same run (medians and
 * min–max over rounds); this script only runs them one after another and keeps what they print,
 * with the load average before and after each, so a reader can tell a quiet run from a busy one.
 * Options: --only sign,cli,zone,quarter (default all), --quick (fewer rounds: a smoke run, not a
 * result to commit), --out FILE (default bench/RESULTS.md).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem, tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const args = process.argv.slice(2);
const value = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes("--quick");
const only = new Set((value("only") ?? "sign,cli,zone,quarter").split(","));
const outFile = path.resolve(root, value("out") ?? "bench/RESULTS.md");
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
  sections.push(runSection("zone", "The real-sized root zone (pnpm bench:zone)", [tsx, "scripts/bench-zone.ts", ...(quick ? ["--runs", "1"] : [])]));
if (only.has("quarter")) sections.push(quarterSection(quick ? 1 : 3));

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
  );
}
mkdirSync(path.dirname(outFile), { recursive: true });
writeFileSync(outFile, `${lines.join("\n")}\n`);
process.stdout.write(`\nwrote ${path.relative(root, outFile)}\n`);
if (sections.some((s) => s.status !== 0)) process.exitCode = 1;
