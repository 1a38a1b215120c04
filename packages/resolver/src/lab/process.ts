/**
 * Lab daemons as child processes: start one in the foreground, keep its PID, stop it by that PID
 * (SIGTERM, then SIGKILL after a grace period), and prove afterwards that nothing listens on its
 * ports. Also: free loopback ports, and a registry that stops every daemon still running when the
 * Node process exits, so a crashed test run leaves no server behind.
 *
 * Loopback only: every address given here must be in 127.0.0.0/8 or ::1; anything else is refused.
 * Leaves out: daemonising, PID files as the source of truth (the PID is the child's own).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { closeSync, openSync } from "node:fs";
import { createConnection, createServer, isIPv4, isIPv6 } from "node:net";
import { KskError } from "@ksk/core";

/** A loopback address: 127.0.0.0/8 or ::1. */
export function isLoopbackAddress(address: string): boolean {
  if (isIPv4(address)) return address.startsWith("127.");
  if (isIPv6(address)) return address === "::1" || address === "0:0:0:0:0:0:0:1";
  return false;
}

export function requireLoopback(address: string, what: string): void {
  if (!isLoopbackAddress(address)) {
    throw new KskError(
      "usage",
      "LAB-NOT-LOOPBACK",
      `${what} ${JSON.stringify(address)} is not a loopback address (127.0.0.0/8 or ::1); lab servers listen on loopback only`,
    );
  }
}

/** A port free for both UDP and TCP on `address` at the time of the call (the kernel picks it). */
export async function freePort(address: string): Promise<number> {
  requireLoopback(address, "address");
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen({ host: address, port: 0, exclusive: true }, () => {
        const a = server.address();
        const p = typeof a === "object" && a ? a.port : 0;
        server.close(() => resolve(p));
      });
    });
    if (port >= 1024 && (await udpPortFree(address, port))) return port;
  }
  throw new KskError("usage", "LAB-NO-PORT", `no port free for both UDP and TCP on ${address} after 20 attempts`);
}

function udpPortFree(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket(isIPv6(address) ? "udp6" : "udp4");
    socket.once("error", () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ address, port, exclusive: true }, () => socket.close(() => resolve(true)));
  });
}

function tcpRefused(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: address, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (e: NodeJS.ErrnoException) => resolve(e.code === "ECONNREFUSED"));
  });
}

/** True when nothing accepts TCP on `address:port` and the UDP port can be bound (no server left). */
export async function nothingListens(address: string, port: number): Promise<boolean> {
  return (await tcpRefused(address, port)) && (await udpPortFree(address, port));
}

/** Throw unless nothing listens on `address:port` (the check after a lab server was stopped). */
export async function assertNothingListens(address: string, port: number, what: string): Promise<void> {
  if (!(await nothingListens(address, port))) {
    throw new KskError("check", "LAB-STILL-LISTENING", `${what}: something still listens on ${address} port ${port} after stop`);
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Run a lab control tool (knotc, unbound-control, unbound-checkconf) to completion with a timeout;
 * returns its exit status and its output (stdout then stderr, trimmed). Fails only if it cannot run.
 */
export function runControlTool(command: string, args: readonly string[], timeoutMs = 10000): { status: number; output: string } {
  const r = spawnSync(command, args, { encoding: "utf8", timeout: timeoutMs });
  if (r.error) throw new KskError("input", "LAB-CONTROL", `${command} ${args.join(" ")}: ${r.error.message}`);
  return { status: r.status ?? 1, output: `${r.stdout}${r.stderr}`.trim() };
}

/** A running daemon started here. */
export interface LabProcess {
  readonly name: string;
  readonly pid: number;
  /** Resolves with the exit code (or signal) once the process has gone. */
  readonly exited: Promise<number | NodeJS.Signals>;
  /** SIGTERM by PID, SIGKILL after `graceMs`; resolves when the process is gone. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Map<number, string>();
let exitHookInstalled = false;

function killAll(): void {
  for (const pid of running.keys()) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort when a caller forgot (or never reached) its stop(): the 'exit' handler may only do
  // synchronous work, and kill() by PID is synchronous.
  process.on("exit", killAll);
  // A signal that would end this process without 'exit' (SIGTERM from a supervisor, SIGHUP from a
  // closed terminal) must not leave servers behind: kill them, then take the signal's default
  // action by raising it again. Only where nobody else handles the signal, so a host process's own
  // handling is left alone.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    if (process.listenerCount(signal) > 0) continue;
    const handler = () => {
      killAll();
      process.removeListener(signal, handler);
      process.kill(process.pid, signal);
    };
    process.on(signal, handler);
  }
}

/** The daemons started by this process and not yet stopped (name by PID), for leak checks. */
export function runningLabProcesses(): ReadonlyMap<number, string> {
  return running;
}

/**
 * Start `command args` in the foreground with stdout and stderr appended to `logFile`, registered
 * for the exit hook, with `env` added to this process's environment. Readiness is the caller's to
 * check (`waitUntilReady`).
 */
export function startProcess(name: string, command: string, args: readonly string[], logFile: string, env: Readonly<Record<string, string>> = {}): LabProcess {
  installExitHook();
  const log = openSync(logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(command, args, { stdio: ["ignore", log, log], detached: false, env: { ...process.env, ...env } });
  } catch (e) {
    throw new KskError("input", "LAB-SPAWN", `${name}: cannot start ${command}: ${(e as Error).message}`);
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(log);
  }
  const pid = child.pid;
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    child.once("exit", (code, signal) => {
      if (pid !== undefined) running.delete(pid);
      resolve(code ?? signal ?? "SIGKILL");
    });
    child.once("error", () => resolve(127));
  });
  if (pid === undefined) {
    throw new KskError("input", "LAB-SPAWN", `${name}: cannot start ${command} (is it installed?); log: ${logFile}`);
  }
  running.set(pid, name);
  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 5000): Promise<void> => {
    stopping ??= (async () => {
      if (!running.has(pid)) return;
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        return;
      }
      const timer = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), graceMs).unref());
      if ((await Promise.race([exited, timer])) === "timeout") {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // gone between the two signals
        }
        await exited;
      }
    })();
    return stopping;
  };
  return { name, pid, exited, stop };
}

/**
 * Poll `probe` every `intervalMs` until it returns true, the process exits (an error naming the
 * log file) or `timeoutMs` passes.
 */
export async function waitUntilReady(
  proc: LabProcess,
  probe: () => boolean | Promise<boolean>,
  logFile: string,
  timeoutMs = 15000,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitedWith: number | NodeJS.Signals | undefined;
  void proc.exited.then((code) => {
    exitedWith = code;
  });
  for (;;) {
    if (exitedWith !== undefined) {
      throw new KskError("input", "LAB-START", `${proc.name} exited (${exitedWith}) during start-up; see ${logFile}`);
    }
    if (await probe()) return;
    if (Date.now() > deadline) {
      await proc.stop();
      throw new KskError("input", "LAB-START", `${proc.name} (PID ${proc.pid}) not ready after ${timeoutMs} ms; stopped; see ${logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Stop everything registered, in reverse order, whatever happens to each; rethrow the first
 * failure afterwards. For afterAll/finally: `const lab = new LabGroup(); … finally { await lab.stopAll(); }`.
 */
export class LabGroup {
  private readonly members: { stop(): Promise<void> }[] = [];

  add<T extends { stop(): Promise<void> }>(member: T): T {
    this.members.push(member);
    return member;
  }

  async stopAll(): Promise<void> {
    let first: unknown;
    for (const member of this.members.splice(0).reverse()) {
      try {
        await member.stop();
      } catch (e) {
        first ??= e;
      }
    }
    if (first !== undefined) throw first;
  }
}
