/**
 * TEST ONLY: running the `ksk` CLI as the process operators run, for tests that signal it or
 * measure it: packages/cli/bin/ksk, the built bundle (the vitest set-up builds it when the sources
 * changed), in ONE node process — so a signal to it reaches the command itself.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

export const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

/** argv[0] and the leading arguments that run `ksk` in one process. */
export function kskCommand(): [string, string[]] {
  return [process.execPath, [path.join(REPO_ROOT, "packages/cli/bin/ksk")]];
}

export interface FinishedProcess {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Maximum resident set size in kilobytes (from /usr/bin/time -f %M), when measured. */
  readonly maxRssKilobytes?: number;
}

/** Start `ksk args…` in `cwd` with `env` added to the environment. */
export function startKsk(args: readonly string[], options: { env?: Record<string, string>; cwd?: string; stdin?: Uint8Array | string } = {}) {
  const [command, leading] = kskCommand();
  const child = spawn(command, [...leading, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...(options.env ?? {}) },
    stdio: ["pipe", "pipe", "pipe"],
  });
  return { child, done: collect(child, options.stdin) };
}

/** Wait for `child` to end, gathering its output. */
export function collect(child: ChildProcess, stdin?: Uint8Array | string): Promise<FinishedProcess> {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  child.stdin?.on("error", () => undefined); // a child that exits early closes the pipe
  child.stdin?.end(stdin ?? "");
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** A small seeded PRNG (mulberry32): the same seed gives the same "random" moments on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface MeasuredProcess {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** User plus system CPU time of the process, in seconds. */
  readonly cpuSeconds: number;
  readonly maxRssKb: number;
}

/**
 * Run `ksk args` in `cwd` under /usr/bin/time, which reports peak RSS and CPU time to `timeFile`:
 * CPU time, not wall time, is what a test on this shared machine can hold a command to.
 */
export function runKskMeasured(args: readonly string[], options: { cwd: string; timeFile: string; env?: Record<string, string> }): Promise<MeasuredProcess> {
  const [node, leading] = kskCommand();
  const child = spawn("/usr/bin/time", ["-f", "%M %U %S", "-o", options.timeFile, node, ...leading, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...(options.env ?? {}) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      // The last line of -o: "maxRssKb userSeconds systemSeconds" (a killed child adds a line before).
      const [rss, user, system] = (readFileSync(options.timeFile, "utf8").trim().split("\n").pop() ?? "").split(" ").map(Number);
      resolve({ code, stdout, stderr, cpuSeconds: (user as number) + (system as number), maxRssKb: rss as number });
    });
  });
}
