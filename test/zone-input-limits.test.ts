/**
 * The zone reader's bounds, as an operator meets them: the built `ksk` as a process on inputs
 * made in a temporary directory. Every `$INCLUDE` goes through the same capped, regular-file-only
 * reader as the main file: a FIFO (never opened for a blocking read), a directory or a device is
 * exit 3 on one line; so are an include larger than what is left of the 1 GiB budget (refused by
 * its size before it is read), the same file included twice, and a fan-out beyond the number of
 * includes; a zone with more records than the process's heap holds at the measured rate is exit 3
 * while it loads, never a V8 heap abort. Each ends within seconds of CPU time (user + system, from
 * /usr/bin/time: this machine is shared, wall time says little). SIGTERM while a large zone loads
 * ends the process within a second of CPU, exit 143, nothing on standard output; so does SIGTERM
 * while `zone sign` streams the signed zone to its temporary file, which is removed.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type MeasuredProcess, runKskMeasured, startKsk } from "./support/cli-process.js";
import { hasTool, runTool } from "./support/tools.js";
import { makeZoneLab, zoneSignArgs } from "./support/zone-lab.js";

const dir = mkdtempSync(path.join(tmpdir(), "ksk-zone-limits-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SOA = ". 86400 IN SOA a.root-servers.net. nstld.verisign-grs.com. 2027020300 1800 900 604800 86400\n";
/** CPU seconds a refusal may take: start-up is about 0.4 s of it. */
const REFUSAL_CPU_SECONDS = 5;

let runs = 0;
/** `ksk zone digest FILE` in `cwd` under /usr/bin/time (CPU time); `env` added to the environment. */
function digestMeasured(file: string, cwd: string, env: Record<string, string> = {}): Promise<MeasuredProcess> {
  return runKskMeasured(["zone", "digest", file], { cwd, env, timeFile: path.join(dir, `time-${++runs}.txt`) });
}

/** A directory of its own for each case, with the files given. */
function caseDir(name: string, files: Record<string, string> = {}): string {
  const d = path.join(dir, name);
  mkdirSync(d);
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(d, file), text);
  return d;
}

function expectRefused(r: MeasuredProcess, message: RegExp): void {
  const context = `exit ${r.code}, ${r.cpuSeconds} s CPU, stderr ${JSON.stringify(r.stderr.slice(0, 400))}`;
  expect(r.code, context).toBe(3);
  expect(r.stdout, context).toBe("");
  expect(r.stderr.split("\n").filter(Boolean), context).toHaveLength(1);
  expect(r.stderr, context).toMatch(message);
  expect(r.cpuSeconds, context).toBeLessThan(REFUSAL_CPU_SECONDS);
}

describe.runIf(hasTool("/usr/bin/time") && hasTool("mkfifo"))("ksk zone: the reader's bounds, exit 3 within seconds", () => {
  it("a FIFO included is refused, never read (a blocking read would hang forever)", async () => {
    const d = caseDir("fifo", { "top.zone": `${SOA}$INCLUDE f1\n` });
    expect(runTool("mkfifo", [path.join(d, "f1")]).status).toBe(0);
    expectRefused(await digestMeasured("top.zone", d), /^ksk: top\.zone:2: \$INCLUDE .*f1: is a FIFO, not a regular file\n$/);
  });

  it("a FIFO as the zone file itself is refused the same way", async () => {
    const d = caseDir("fifo-main");
    expect(runTool("mkfifo", [path.join(d, "z.zone")]).status).toBe(0);
    expectRefused(await digestMeasured("z.zone", d), /^ksk: z\.zone: is a FIFO, not a regular file\n$/);
  });

  it("a directory included, and a device as the zone file, are refused", async () => {
    const d = caseDir("dir", { "top.zone": `${SOA}$INCLUDE sub\n` });
    mkdirSync(path.join(d, "sub"));
    expectRefused(await digestMeasured("top.zone", d), /^ksk: top\.zone:2: \$INCLUDE .*sub: is a directory, not a regular file\n$/);
    expectRefused(await digestMeasured("/dev/zero", d), /^ksk: \/dev\/zero: is a device, not a regular file\n$/);
  });

  it("the same file included twice is refused (no fan-out through repetition)", async () => {
    // Five files each including the next ten times: 10^5 reads before this bound.
    const files: Record<string, string> = { "top.zone": `${SOA}${"$INCLUDE f1\n".repeat(10)}` };
    for (let i = 1; i <= 5; i++) files[`f${i}`] = i < 5 ? `$INCLUDE f${i + 1}\n`.repeat(10) : `x${i}. 60 IN TXT "${"y".repeat(200)}"\n`;
    const d = caseDir("twice", files);
    expectRefused(await digestMeasured("top.zone", d), /^ksk: f4:2: \$INCLUDE f5: the file is already part of the zone; it is not read twice\n$/);
  });

  it("a fan-out over many distinct files stops at the number of includes allowed", async () => {
    // Ten files each including ten others: 10^3 distinct includes.
    const files: Record<string, string> = { "top.zone": `${SOA}${Array.from({ length: 10 }, (_, i) => `$INCLUDE a${i}\n`).join("")}` };
    for (let i = 0; i < 10; i++) files[`a${i}`] = Array.from({ length: 10 }, (_, j) => `$INCLUDE b${i}-${j}\n`).join("");
    for (let i = 0; i < 10; i++) for (let j = 0; j < 10; j++) files[`b${i}-${j}`] = `b${i}-${j}. 60 IN A 192.0.2.1\n`;
    const d = caseDir("fan-out", files);
    expectRefused(await digestMeasured("top.zone", d), /^ksk: a5:9: more than 64 \$INCLUDE directives in all\n$/);
  });

  it("an include larger than what is left of the 1 GiB budget is refused by its size, before it is read", async () => {
    const d = caseDir("oversize", { "top.zone": `${SOA}$INCLUDE big.zone\n`, "big.zone": "" });
    // 1.1 GB and 3 GB, sparse: the size is what the reader sees first.
    for (const megabytes of [1100, 3000]) {
      truncateSync(path.join(d, "big.zone"), megabytes * 1024 * 1024);
      expectRefused(
        await digestMeasured("top.zone", d),
        new RegExp(
          `^ksk: top\\.zone:2: \\$INCLUDE .*big\\.zone: is ${megabytes * 1024 * 1024} bytes; at most \\d+ left of the 1073741824 octets a zone and its includes may have\\n$`,
        ),
      );
    }
  });

  it("more records than the heap holds is exit 3 while loading, not a heap abort", async () => {
    // With a 96 MiB heap the cap is some 500,000 records at the compact pipeline's rate; this zone
    // has 1,000,000 (29 MB).
    const lines = Array.from({ length: 1_000_000 }, (_, i) => `h${i}. 3600 IN A 192.0.2.1\n`).join("");
    const d = caseDir("heap", { "big.zone": `${SOA}${lines}` });
    const r = await digestMeasured("big.zone", d, { NODE_OPTIONS: "--max-old-space-size=96" });
    expectRefused(r, /^ksk: big\.zone:\d+: the zone has more than \d+ records, the most this command loads\n$/);
    const cap = Number(/more than (\d+) records/.exec(r.stderr)?.[1]);
    expect(cap).toBeGreaterThan(100_000);
    expect(cap).toBeLessThan(1_000_000);
    // The first record too many: the SOA is record 1 on line 1.
    expect(r.stderr).toContain(`big.zone:${cap + 1}:`);
    // zone verify keeps the same compact records: the same cap, refused the same way.
    writeFileSync(path.join(d, "anchor.ds"), ". 86400 IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n");
    const verify = await runKskMeasured(["zone", "verify", "big.zone", "--anchor", "anchor.ds", "--at", "2027-02-03T00:00:00Z"], {
      cwd: d,
      env: { NODE_OPTIONS: "--max-old-space-size=96" },
      timeFile: path.join(dir, `time-${++runs}.txt`),
    });
    expectRefused(verify, new RegExp(`^ksk: big\\.zone:${cap + 1}: the zone has more than ${cap} records, the most this command loads\n$`));
  });
});

/** User + system CPU of a running process in seconds (/proc/PID/stat fields 14 and 15, in clock ticks). */
function cpuSecondsOf(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8")
      .replace(/^.*\) /, "")
      .split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Start `ksk zone digest big.zone` in `d`, SIGTERM it once it has used `cpuSeconds`; its CPU after the signal. */
async function digestSignalledAt(d: string, cpuSeconds: number) {
  const { child, done } = startKsk(["zone", "digest", "big.zone"], { cwd: d });
  const pid = child.pid as number;
  let atSignal: number | undefined;
  for (;;) {
    atSignal = cpuSecondsOf(pid);
    if (atSignal === undefined || atSignal >= cpuSeconds) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(atSignal, "the process ended before it was signalled").toBeDefined();
  return terminated(child, done, atSignal as number);
}

/** SIGTERM `child`, which has used `atSignal` seconds of CPU; how it ended and the CPU it used after. */
async function terminated(child: ReturnType<typeof startKsk>["child"], done: ReturnType<typeof startKsk>["done"], atSignal: number) {
  const pid = child.pid as number;
  child.kill("SIGTERM");
  let last = atSignal;
  const watch = setInterval(() => {
    last = cpuSecondsOf(pid) ?? last;
  }, 10);
  const r = await done;
  clearInterval(watch);
  return { r, cpuAfterSignal: last - atSignal };
}

describe("ksk zone: SIGTERM while a large zone loads", () => {
  it("ends the process within a second of CPU, exit 143, nothing printed, no file left", async () => {
    // 2,000,000 records (59 MB): loading alone takes some seconds of
    // CPU, well under the record cap.
    const lines = Array.from({ length: 2_000_000 }, (_, i) => `h${i}. 3600 IN A 192.0.2.1\n`).join("");
    const d = caseDir("sigterm", { "big.zone": `${SOA}${lines}` });
    const before = readdirSync(d).sort();
    // Past start-up (about 0.4 s of CPU) and into the load.
    const { r, cpuAfterSignal } = await digestSignalledAt(d, 1.0);
    expect(r.code ?? r.signal).toBe(143);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("\nksk: SIGTERM: stopped (temporary output files removed)\n");
    expect(cpuAfterSignal).toBeLessThan(1);
    expect(readdirSync(d).sort()).toEqual(before);
  });

  it("later, in the pure stages after the load, the signal's default action ends it as promptly, nothing printed", async () => {
    // 2,000,000 records: about 2.5 s of CPU to load, over 1 s more to order and digest.
    const lines = Array.from({ length: 2_000_000 }, (_, i) => `h${i}. 3600 IN A 192.0.2.1\n`).join("");
    const d = caseDir("sigterm-late", { "big.zone": `${SOA}${lines}` });
    const { r, cpuAfterSignal } = await digestSignalledAt(d, 2.7);
    // 143 from the handler (still loading) or killed by the signal (status 143 to a shell).
    expect(r.code === 143 || r.signal === "SIGTERM", `code ${r.code} signal ${r.signal}`).toBe(true);
    expect(r.stdout).toBe("");
    expect(cpuAfterSignal).toBeLessThan(1);
  });
});

describe("ksk zone sign: SIGTERM while the signed zone streams to its file", () => {
  it("ends within a second of CPU, exit 143, nothing printed, the temporary file removed, no output", async () => {
    const lab = await makeZoneLab(caseDir("sign-lab"), { algorithm: 13 });
    // 100,000 names: 200,003 P-256 signatures, tens of seconds of signing.
    const lines = Array.from({ length: 100_000 }, (_, i) => `h${i}. 3600 IN A 192.0.2.1\n`).join("");
    const d = caseDir("sign-sigterm", { "big.zone": lines });
    const output = path.join(d, "signed.zone");
    const { child, done } = startKsk(zoneSignArgs(lab, path.join(d, "big.zone"), output), { cwd: d });
    const pid = child.pid as number;
    // Signal once the temporary output exists and has grown: the zone is streaming.
    const temporary = () => readdirSync(d).find((f) => f.startsWith(".signed.zone.") && f.endsWith(".tmp"));
    const deadline = Date.now() + 120_000;
    for (;;) {
      const t = temporary();
      if (t !== undefined && statSync(path.join(d, t), { throwIfNoEntry: false })?.size) break;
      if (Date.now() > deadline || cpuSecondsOf(pid) === undefined) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const atSignal = cpuSecondsOf(pid);
    expect(atSignal, "the process ended before its output streamed").toBeDefined();
    expect(temporary(), "no temporary output appeared").toBeDefined();
    const { r, cpuAfterSignal } = await terminated(child, done, atSignal as number);
    expect(r.code ?? r.signal).toBe(143);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("\nksk: SIGTERM: stopped (temporary output files removed)\n");
    expect(cpuAfterSignal).toBeLessThan(1);
    expect(readdirSync(d).sort()).toEqual(["big.zone"]);
  }, 180_000);
});
