/**
 * `pnpm bench:zone` — signing and verifying the real-sized root (test/data/root-zone, 17,186
 * records, about 2,900 signatures) with `ksk zone`, next to the peers on the same input with
 * equivalent keys (same algorithm and size, each tool's own), all in one run on one machine:
 *
 *   sign RSA-2048     ksk zone sign (2 threads)  vs  dnssec-signzone -P -n 2,  ldns-signzone -z 1:1,
 *                     kzonesign (2 signing threads)
 *   sign P-256        the same with ECDSAP256SHA256 keys
 *   verify            ksk zone verify  vs  dnssec-verify, ldns-verify-zone, kzonecheck — on a zone
 *                     signed by dnssec-signzone for the current time (dnssec-verify takes no time)
 *   signatures/s      the keystore Signer on 1 and 2 threads  vs  openssl speed rsa2048 (1 and -multi 2)
 *
 *   scale             generated root-shaped zones of --scales times the root (default 1,10,50) and a
 *                     flat zone of --flat records (default 1,000,000; `h{i}. 3600 IN A …`), each
 *                     signed (ksk zone sign vs dnssec-signzone -P -n 2), verified (ksk zone verify
 *                     vs dnssec-verify, both on BIND's output) and digested (ksk zone digest vs
 *                     ldns-read-zone reading the same file), --scale-runs runs each (default 1);
 *                     time per record at each size, and the plot of time and peak RSS against
 *                     records written to --svg (default bench/zone-scale.svg, next to RESULTS.md).
 *                     Inputs are generated in the temporary directory (./bench-zone-scale.ts).
 *                     --flat-jobs sign,verify,digest (the default) picks the flat zone's jobs.
 *
 *   hsm               the ZSK in SoftHSM2: ksk zone sign --keystore pkcs11:… --threads 1 and 2 vs a
 *                     bare PKCS#11 loop of as many signatures on 1 and 2 sessions (./bench-zone-hsm.ts)
 *
 * --sections root,hsm,scale (default all three) picks the parts to run.
 * Whole-process wall times (what an operator waits for: start-up, parse, sign, print), median and
 * min–max over --runs (default 3) runs, interleaved round by round so machine noise hits every
 * contender alike; ratios are ours / peer (below 1.0 is faster). Peak RSS from /usr/bin/time.
 * kzonesign signs from a Knot KASP database: the bench writes a knot.conf (a manual policy with 2
 * signing threads, ZONEMD SHA-384 like ours, no NSEC3) and imports the same BIND key files with
 * `keymgr import-bind`. A benchmark, not a test: it prints and exits 0. On a shared machine the
 * numbers are noisy: read the ratios, not the times.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { formatIsoZ, formatRrsigTime } from "@ksk/core";
import { openKeystore } from "@ksk/keystore";
import { ROOT_SOA, makeZoneLab, unsignedRootText, zoneSignArgs } from "../test/support/zone-lab.js";
import { hsmSection } from "./bench-zone-hsm.js";
import { type GeneratedZone, type ScalePoint, TLDS_PER_ROOT, scaleSvg, writeFlatZone, writeRootShapedZone } from "./bench-zone-scale.js";

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}
function count(name: string, fallback: number, least: number): number {
  const text = option(name);
  const n = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(n) || n < least) throw new Error(`--${name} needs a whole number of at least ${least}`);
  return n;
}
const runs = count("runs", 3, 1);
const scaleRuns = count("scale-runs", 1, 1);
const flatRecords = count("flat", 1_000_000, 0);
/** The jobs run on the flat zone: signing a million names with RSA takes the peers half an hour. */
const flatJobs = new Set((option("flat-jobs") ?? "sign,verify,digest").split(","));
const scales = (option("scales") ?? "1,10,50").split(",").map((t) => {
  const n = Number(t);
  if (!(n > 0)) throw new Error(`--scales takes positive multiples of the root, not ${JSON.stringify(t)}`);
  return n;
});
const sections = new Set((option("sections") ?? "root,hsm,scale").split(","));
const repository = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const ksk = path.join(repository, "packages/cli/bin/ksk");
const dir = mkdtempSync(path.join(tmpdir(), "ksk-bench-zone-"));

interface Sample {
  readonly seconds: number;
  readonly peakRssKiB: number;
  /** User + system CPU seconds of the process (every thread), from /usr/bin/time. */
  readonly cpuSeconds: number;
  /** Why the command failed, when a failure is measured rather than thrown (the scale section). */
  readonly failed?: string;
}

/** Peak RSS and CPU seconds from /usr/bin/time's last line ("%M %U %S"). */
function resources(statsFile: string): { peakRssKiB: number; cpuSeconds: number } {
  const [rss, user, system] = (readFileSync(statsFile, "utf8").trim().split("\n").pop() ?? "").split(" ").map(Number);
  return { peakRssKiB: rss as number, cpuSeconds: (user as number) + (system as number) };
}

/**
 * Run a command under /usr/bin/time, its output to `stdoutFile` when given; throws if it fails (a
 * benchmark of a failure means nothing) unless `tolerateFailure`, which returns it in the sample.
 */
function timed(command: string, args: readonly string[], cwd = dir, stdoutFile?: string, tolerateFailure = false): Sample {
  const stats = path.join(dir, "time.txt");
  const out = stdoutFile === undefined ? "pipe" : openSync(stdoutFile, "w");
  const started = performance.now();
  const r = spawnSync("/usr/bin/time", ["-o", stats, "-f", "%M %U %S", command, ...args], {
    cwd,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    stdio: ["ignore", out, "pipe"],
  });
  const seconds = (performance.now() - started) / 1000;
  if (typeof out === "number") closeSync(out);
  if (r.status !== 0) {
    const why = `${path.basename(command)} exited ${r.status ?? r.signal}: ${(r.stderr || r.stdout || "").trim().split("\n").slice(-2).join(" ").slice(0, 300)}`;
    if (!tolerateFailure) throw new Error(why);
    return { seconds, ...resources(stats), failed: why };
  }
  return { seconds, ...resources(stats) };
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function summary(samples: readonly Sample[]): string {
  const t = samples.map((s) => s.seconds);
  return `${median(t).toFixed(2)} s (${Math.min(...t).toFixed(2)}–${Math.max(...t).toFixed(2)}), peak RSS ${Math.round(Math.max(...samples.map((s) => s.peakRssKiB)) / 1024)} MB`;
}

function ratio(ours: readonly Sample[], peer: readonly Sample[]): string {
  const r = ours.map((o, i) => o.seconds / (peer[i] as Sample).seconds);
  return `${median(r).toFixed(2)}x (${Math.min(...r).toFixed(2)}–${Math.max(...r).toFixed(2)})`;
}

/** Interleave contenders round by round; returns samples per contender. */
function race(contenders: Record<string, () => Sample>, rounds = runs): Record<string, Sample[]> {
  const out: Record<string, Sample[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(contenders)) (out[name] as Sample[]).push(run());
  }
  return out;
}

function peerKeys(where: string, bind: boolean, algorithm: "RSASHA256" | "ECDSAP256SHA256"): string[] {
  const size = algorithm === "RSASHA256" ? ["-b", "2048"] : [];
  if (bind) {
    const make = (extra: string[]) =>
      execFileSync("dnssec-keygen", ["-q", "-K", where, "-a", algorithm, ...size, "-n", "ZONE", ...extra, "."], { encoding: "utf8" }).trim();
    return [make([]), make(["-f", "KSK"])];
  }
  const make = (extra: string[]) => execFileSync("ldns-keygen", ["-a", algorithm, ...size, ...extra, "."], { cwd: where, encoding: "utf8" }).trim();
  return [make([]), make(["-k"])];
}

/**
 * A Knot KASP database holding the BIND key files of `keyDir`, and the knot.conf that signs `zoneFile`
 * with them: a manual policy (no key management, no rollovers), 2 signing threads, RRSIG lifetime
 * 13 days (refresh 7 days: Knot refuses less than the root's 2-day TTLs need), NSEC, ZONEMD SHA-384.
 */
function knotSigner(where: string, keyDir: string, zoneFile: string, algorithm: "RSASHA256" | "ECDSAP256SHA256"): string {
  const conf = path.join(where, "knot.conf");
  const policy = algorithm === "RSASHA256" ? "    algorithm: rsasha256\n    ksk-size: 2048\n    zsk-size: 2048\n" : "    algorithm: ecdsap256sha256\n";
  writeFileSync(
    conf,
    `server:\n    rundir: ${where}\ndatabase:\n    storage: ${where}\n    kasp-db: ${path.join(where, "kasp")}\n` +
      `policy:\n  - id: bench\n    manual: on\n${policy}    rrsig-lifetime: 13d\n    rrsig-refresh: 7d\n    nsec3: off\n    signing-threads: 2\n` +
      `zone:\n  - domain: .\n    file: ${zoneFile}\n    storage: ${where}\n    dnssec-signing: on\n    dnssec-policy: bench\n    zonemd-generate: zonemd-sha384\n`,
  );
  for (const key of readdirSync(keyDir).filter((f) => f.endsWith(".key"))) {
    execFileSync("keymgr", ["-c", conf, ".", "import-bind", path.join(keyDir, key.slice(0, -4))], { stdio: "ignore" });
  }
  return conf;
}

async function signaturesPerSecond(keystoreUri: string, passphraseFile: string, label: string, threads: number, count: number): Promise<number> {
  const keystore = await openKeystore(keystoreUri, { passphraseFile, readSecretFile: async (f) => readFileSync(f, "utf8") });
  try {
    const signer = await keystore.signer(label, { threads });
    const messages = Array.from({ length: count }, (_, i) => new TextEncoder().encode(`message ${i} ${"x".repeat(200)}`));
    await Promise.all(messages.slice(0, 16).map((m) => signer.sign(m))); // warm up the threads
    const started = performance.now();
    await Promise.all(messages.map((m) => signer.sign(m)));
    return count / ((performance.now() - started) / 1000);
  } finally {
    await keystore.close();
  }
}

function opensslRate(multi: number): number {
  const args = ["speed", "-mr", "-seconds", "3", ...(multi > 1 ? ["-multi", String(multi)] : []), "rsa2048"];
  const out = execFileSync("openssl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  // -mr prints "+F2:…:bits:sign/s:verify/s" (per process; summed over processes with -multi).
  const line = out.split("\n").find((l) => /^\+F2:/.test(l));
  if (!line) throw new Error("no +F2 line from openssl speed -mr");
  return Number(line.split(":")[3]);
}

/** dnssec-signzone's arguments as the peer runs everywhere here: smart signing (-S) with the keys in `keyDir`, no post-sign verification (-P), 2 threads. */
function dnssecSignzoneArgs(keyDir: string, inception: string, expiration: string, output: string, zoneFile: string): string[] {
  return ["-q", "-S", "-P", "-n", "2", "-K", keyDir, "-o", ".", "-s", inception, "-e", expiration, "-f", output, zoneFile];
}

/** One size of the scale section: sign, verify and digest, ksk beside its peer; the points measured. */
async function scaleOne(
  name: string,
  shape: ScalePoint["shape"],
  zone: GeneratedZone,
  lab: Awaited<ReturnType<typeof makeZoneLab>>,
  bindDir: string,
  kskFile: string,
) {
  const points: ScalePoint[] = [];
  const now = Math.floor(Date.now() / 1000);
  const signedByBind = path.join(dir, `${name}-bind.zone`);
  const jobs: [string, string, () => Sample, string, () => Sample][] = [
    [
      "sign",
      "ksk zone sign",
      () =>
        timed(ksk, zoneSignArgs(lab, zone.unsignedFile, path.join(dir, `${name}-ksk.zone`), { extra: ["--threads", "2", "--force"] }), dir, undefined, true),
      "dnssec-signzone -P -n 2",
      () =>
        timed("dnssec-signzone", dnssecSignzoneArgs(bindDir, formatRrsigTime(now - 3600), formatRrsigTime(now + 13 * 86400), signedByBind, zone.withSoaFile)),
    ],
    [
      "verify",
      "ksk zone verify",
      () => timed(ksk, ["zone", "verify", signedByBind, "--anchor", kskFile, "--at", `@${now}`], dir, "/dev/null", true),
      "dnssec-verify",
      () => timed("dnssec-verify", ["-q", "-o", ".", signedByBind], dir, "/dev/null"),
    ],
    [
      "digest",
      "ksk zone digest",
      () => timed(ksk, ["zone", "digest", zone.withSoaFile], dir, "/dev/null", true),
      "ldns-read-zone",
      () => timed("ldns-read-zone", [zone.withSoaFile], dir, "/dev/null"),
    ],
  ];
  const perRecord = (s: Sample) => `${((s.seconds / zone.records) * 1e6).toFixed(1)} µs/record`;
  const mb = (s: Sample) => Math.round(s.peakRssKiB / 1024);
  for (const [job, ours, runOurs, peer, runPeer] of jobs) {
    if (shape === "flat" && !flatJobs.has(job)) continue;
    // The peer first: BIND's signed output is what both verifiers read.
    const samples = race({ [peer]: runPeer, [ours]: runOurs }, scaleRuns);
    const o = samples[ours] as Sample[];
    const p = samples[peer] as Sample[];
    const failure = o.find((x) => x.failed)?.failed;
    if (failure) {
      console.log(
        `  ${name.padEnd(10)} ${zone.records.toLocaleString("en").padStart(10)}  ${job.padEnd(6)} ksk FAILED after ${median(o.map((x) => x.seconds)).toFixed(2)} s, ${Math.round(Math.max(...o.map((x) => x.peakRssKiB)) / 1024)} MB: ${failure}`,
      );
      continue;
    }
    const mid = (list: Sample[]) => ({
      seconds: median(list.map((x) => x.seconds)),
      peakRssKiB: Math.max(...list.map((x) => x.peakRssKiB)),
      cpuSeconds: median(list.map((x) => x.cpuSeconds)),
    });
    const [om, pm] = [mid(o), mid(p)];
    points.push({ job, who: "ksk", records: zone.records, shape, seconds: om.seconds, peakRssMB: mb(om) });
    points.push({ job, who: peer.split(" ")[0] as string, records: zone.records, shape, seconds: pm.seconds, peakRssMB: mb(pm) });
    console.log(
      `  ${name.padEnd(10)} ${zone.records.toLocaleString("en").padStart(10)}  ${job.padEnd(6)} ksk ${om.seconds.toFixed(2)} s, ${mb(om)} MB, ${perRecord(om)}` +
        `   ${peer} ${pm.seconds.toFixed(2)} s, ${mb(pm)} MB, ${perRecord(pm)}   ratio ${ratio(o, p)}`,
    );
  }
  return points;
}

/** The scale section: generated root-shaped zones and the flat zone, then the plot. */
async function scaleSection(): Promise<void> {
  console.log(
    `scale: RSA-2048, 2 signing threads, ${scaleRuns} run(s) each; wall time, peak RSS and time per record; ratio ksk / peer` +
      `\n  root-shaped zones: ${TLDS_PER_ROOT} TLDs (NS, glue A/AAAA, DS) per root; flat: h{i}. 3600 IN A`,
  );
  const labDir = mkdtempSync(path.join(dir, "scale-lab-"));
  const lab = await makeZoneLab(labDir, { algorithm: 8 });
  const bindDir = mkdtempSync(path.join(dir, "scale-bind-"));
  peerKeys(bindDir, true, "RSASHA256");
  const kskFile = execFileSync("sh", ["-c", `grep -l "DNSKEY[[:space:]]*257" "${bindDir}"/K*.key | head -1`], { encoding: "utf8" }).trim();
  const sizes: { slug: string; root: boolean; make: () => GeneratedZone }[] = scales.map((m) => ({
    slug: `root-x${m}`,
    root: true,
    make: () => writeRootShapedZone(path.join(dir, `root-x${m}`), Math.max(1, Math.round(TLDS_PER_ROOT * m))),
  }));
  if (flatRecords > 0) sizes.push({ slug: "flat", root: false, make: () => writeFlatZone(path.join(dir, "flat"), flatRecords) });
  const points: ScalePoint[] = [];
  const rootRecords: number[] = [];
  for (const { slug, root, make } of sizes) {
    const zone = make();
    if (root) rootRecords.push(zone.records);
    points.push(...(await scaleOne(slug, root ? "root" : "flat", zone, lab, bindDir, kskFile)));
    // Each size's inputs and outputs go before the next is made: 50 roots are hundreds of MB.
    for (const f of readdirSync(dir).filter((f) => f.startsWith(slug))) rmSync(path.join(dir, f), { force: true });
  }
  // Time per record at the largest root-shaped size against the smallest (linear is 1.00x).
  if (rootRecords.length > 1) {
    const small = Math.min(...rootRecords);
    const large = Math.max(...rootRecords);
    const per = (job: string, who: string, records: number) => {
      const p = points.find((x) => x.job === job && x.who === who && x.records === records);
      return p ? p.seconds / records : Number.NaN;
    };
    for (const job of ["sign", "verify", "digest"]) {
      const line = [...new Set(points.filter((p) => p.job === job).map((p) => p.who))]
        .map((who) => `${who} ${(per(job, who, large) / per(job, who, small)).toFixed(2)}x`)
        .join(", ");
      console.log(`  time per record, ${large.toLocaleString("en")} records against ${small.toLocaleString("en")}, ${job}: ${line}`);
    }
  }
  const svgFile = path.resolve(repository, option("svg") ?? "bench/zone-scale.svg");
  writeFileSync(svgFile, scaleSvg(points, `pnpm bench:zone scale, ${formatIsoZ(Math.floor(Date.now() / 1000))}: ksk and its peers, RSA-2048`));
  console.log(`  plot: ${path.relative(process.cwd(), svgFile)}\n`);
}

const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

async function main(): Promise<void> {
  console.log(`machine load average ${loadAverage()} on ${execFileSync("nproc", { encoding: "utf8" }).trim()} cores: numbers are noisy\n`);
  if (sections.has("root")) await rootSection();
  if (sections.has("hsm")) await hsmSection({ dir, runs, ksk, timed: (command, args) => timed(command, args), summary, ratio, loadAverage, median });
  if (sections.has("scale")) await scaleSection();
}

async function rootSection(): Promise<void> {
  const unsigned = path.join(dir, "root.zone");
  const withSoa = path.join(dir, "root-soa.zone");
  writeFileSync(unsigned, unsignedRootText());
  writeFileSync(withSoa, `. 86400 IN SOA ${ROOT_SOA}\n${unsignedRootText()}`);
  console.log(
    `bench:zone — ${formatIsoZ(Math.floor(Date.now() / 1000))}, ${runs} runs each, input ${path.relative(repository, unsigned)} (+ SOA); work in ${dir}`,
  );

  for (const [name, algorithm, bindAlgorithm] of [
    ["RSA-2048 (algorithm 8)", 8, "RSASHA256"],
    ["ECDSA P-256 (algorithm 13)", 13, "ECDSAP256SHA256"],
  ] as const) {
    const labDir = mkdtempSync(path.join(dir, `lab${algorithm}-`));
    const lab = await makeZoneLab(labDir, { algorithm });
    const bindDir = mkdtempSync(path.join(dir, `bind${algorithm}-`));
    peerKeys(bindDir, true, bindAlgorithm);
    const ldnsDir = mkdtempSync(path.join(dir, `ldns${algorithm}-`));
    const [ldnsZsk, ldnsKsk] = peerKeys(ldnsDir, false, bindAlgorithm);
    const knotDir = mkdtempSync(path.join(dir, `knot${algorithm}-`));
    const knotConf = knotSigner(knotDir, bindDir, withSoa, bindAlgorithm);
    const knotOut = path.join(knotDir, "out");
    mkdirSync(knotOut);
    const inception = formatRrsigTime(lab.atEpochSeconds - 3600);
    const expiration = formatRrsigTime(lab.atEpochSeconds + 13 * 86400);
    const out = (who: string) => path.join(dir, `signed-${who}-${algorithm}.zone`);
    const samples = race({
      "ksk zone sign": () => timed(ksk, zoneSignArgs(lab, unsigned, out("ksk"), { extra: ["--threads", "2", "--force"] })),
      "dnssec-signzone -P -n 2": () => timed("dnssec-signzone", dnssecSignzoneArgs(bindDir, inception, expiration, out("bind"), withSoa)),
      "ldns-signzone": () =>
        timed(
          "ldns-signzone",
          ["-z", "1:1", "-o", ".", "-i", inception, "-e", expiration, "-f", out("ldns"), withSoa, ldnsZsk as string, ldnsKsk as string],
          ldnsDir,
        ),
      kzonesign: () => timed("kzonesign", ["-c", knotConf, "-o", knotOut, "."], knotDir),
    });
    console.log(`sign, ${name}`);
    for (const [who, s] of Object.entries(samples)) console.log(`  ${who.padEnd(26)} ${summary(s)}`);
    const ours = samples["ksk zone sign"] as Sample[];
    console.log(`  ratio ksk / dnssec-signzone -P -n 2: ${ratio(ours, samples["dnssec-signzone -P -n 2"] as Sample[])}`);
    console.log(`  ratio ksk / ldns-signzone:          ${ratio(ours, samples["ldns-signzone"] as Sample[])}`);
    console.log(`  ratio ksk / kzonesign:              ${ratio(ours, samples.kzonesign as Sample[])}\n`);
    if (algorithm === 8) {
      const label = "zsk-current";
      const one = await signaturesPerSecond(lab.keystoreUri, lab.passphraseFile, label, 1, 3000);
      const two = await signaturesPerSecond(lab.keystoreUri, lab.passphraseFile, label, 2, 3000);
      const ssl1 = opensslRate(1);
      const ssl2 = opensslRate(2);
      console.log("RSA-2048 signatures per second (each verified in software before it is returned)");
      console.log(
        `  keystore Signer, 1 thread:  ${one.toFixed(0)}/s   openssl speed rsa2048:          ${ssl1.toFixed(0)}/s   ratio ${(one / ssl1).toFixed(2)}`,
      );
      console.log(
        `  keystore Signer, 2 threads: ${two.toFixed(0)}/s   openssl speed -multi 2 rsa2048: ${ssl2.toFixed(0)}/s   ratio ${(two / ssl2).toFixed(2)}\n`,
      );
    }
  }

  // Verification, on a zone none of the contenders signed themselves... except BIND: it is the only
  // signer whose output every verifier can check at the real clock.
  const verifyDir = mkdtempSync(path.join(dir, "verify-"));
  peerKeys(verifyDir, true, "RSASHA256");
  const now = Math.floor(Date.now() / 1000);
  const target = path.join(dir, "root-bind-now.zone");
  execFileSync("dnssec-signzone", dnssecSignzoneArgs(verifyDir, formatRrsigTime(now - 3600), formatRrsigTime(now + 13 * 86400), target, withSoa), {
    cwd: verifyDir,
  });
  const kskFile = execFileSync("sh", ["-c", `grep -l "DNSKEY[[:space:]]*257" "${verifyDir}"/K*.key | head -1`], { encoding: "utf8" }).trim();
  const v = race({
    "ksk zone verify": () => timed(ksk, ["zone", "verify", target, "--anchor", kskFile, "--at", `@${now}`]),
    "dnssec-verify": () => timed("dnssec-verify", ["-q", "-o", ".", target]),
    "ldns-verify-zone": () => timed("ldns-verify-zone", ["-t", formatRrsigTime(now), target]),
    kzonecheck: () => timed("kzonecheck", ["-o", ".", "-d", "on", "-t", String(now), target]),
  });
  console.log("verify, RSA-2048 root signed by dnssec-signzone");
  for (const [who, s] of Object.entries(v)) console.log(`  ${who.padEnd(26)} ${summary(s)}`);
  const oursVerify = v["ksk zone verify"] as Sample[];
  for (const peer of ["dnssec-verify", "ldns-verify-zone", "kzonecheck"]) console.log(`  ratio ksk / ${peer}: ${ratio(oursVerify, v[peer] as Sample[])}`);
}

main()
  .catch((e) => {
    console.error(`bench:zone: ${(e as Error).message}`);
    process.exitCode = 1;
  })
  .finally(() => rmSync(dir, { recursive: true, force: true }));
