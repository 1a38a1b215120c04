/**
 * A lab root server: knotd (Knot DNS 3.2) serving one zone for `.` — by default already signed,
 * as is, no signing — with no journal and no zone-file write-back, on a loopback address and a free high port, with
 * its configuration, run directory, storage and control socket inside one directory. The zone can
 * be swapped for another (a rollover rehearsal's next phase) with `knotc zone-reload`.
 *
 * With `signing`, knotd signs the zone itself with the keys of a KASP database (Knot's offline-KSK
 * mode: its own ZSKs, and the DNSKEY RRsets and RRSIGs imported from an SKR by `keymgr
 * import-skr`), as a TLD operator keeping its KSK offline runs it; without, the zone comes signed
 * from the ceremony tools or ldns-signzone and is served as is.
 *
 * Every query it receives is written by mod-dnstap (Debian `knot-module-dnstap`, a shared object in
 * knotd's module directory that knotd 3.2 loads by itself: the configuration only names
 * `mod-dnstap`) to a dnstap file in the directory — the root's view of the RFC 8145 trust-anchor
 * signals resolvers send. Measured with knotd 3.2.6: the file is written through a buffer and is
 * whole (ending in the Frame Streams STOP frame) only when the module closes it — when knotd stops,
 * or at `knotc reload` of a configuration naming another file (`rotateDnstap`); a zone reload
 * leaves it open. Responses are not logged.
 *
 * Leaves out: zones other than the root, zone transfers.
 */
import { closeSync, copyFileSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { KskError, type RR, ROOT, type SoaRdata, isKind, parseZone } from "@ksk/core";
import { type LabProcess, assertNothingListens, freePort, requireLoopback, runControlTool, startProcess, waitUntilReady } from "./process.js";

export interface LabAuthorityOptions {
  /** The signed zone file for `.` (presentation format). Copied into `dir`; the original is not touched. */
  readonly zoneFile: string;
  /** A directory for knot.conf, the served zone copy, storage, the control socket and knotd.log. */
  readonly dir: string;
  /** Loopback address to listen on (default 127.0.0.1). */
  readonly address?: string;
  /** Port (default: a free high port). */
  readonly port?: number;
  /** Milliseconds to wait for the zone to load (default 15000). */
  readonly startTimeoutMs?: number;
  /** The dnstap file the queries are written to (default `queries.dnstap` in `dir`). */
  readonly dnstapFile?: string;
  /** knotd signs the zone itself: the KASP database and one `policy:` entry's options (YAML lines, no id). */
  readonly signing?: KnotSigning;
  /**
   * knotd's clock starts at this time instead of now (libfaketime preloaded into knotd alone), so
   * that a zone knotd signs from an SKR is signed as it will be in a later period; the lab
   * resolver then validates as of the same time (`validationEpochSeconds`).
   */
  readonly clockEpochSeconds?: number;
}

/** Debian's libfaketime for threaded programs (package faketime). */
export const LIBFAKETIME_MT = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";

/** The environment that starts a program's clock at `epochSeconds` (libfaketime's absolute `@` form, in UTC). */
function fakeClockEnvironment(epochSeconds: number): Record<string, string> {
  if (!existsSync(LIBFAKETIME_MT)) throw new KskError("input", "LAB-FAKETIME", `${LIBFAKETIME_MT} is missing: install Debian's faketime package`);
  const utc = new Date(epochSeconds * 1000).toISOString().slice(0, 19).replace("T", " ");
  return { LD_PRELOAD: LIBFAKETIME_MT, FAKETIME: `@${utc}`, TZ: "UTC" };
}

export interface KnotSigning {
  /** The KASP database directory (`keymgr` must use the same one). */
  readonly kaspDb: string;
  /** The options of the zone's DNSSEC policy, one `name: value` a line (e.g. `offline-ksk: on`). */
  readonly policyLines: readonly string[];
}

export interface LabAuthority {
  readonly address: string;
  readonly port: number;
  readonly pid: number;
  readonly configFile: string;
  readonly logFile: string;
  /** The zone file knotd serves (a copy inside `dir`). */
  readonly servedZoneFile: string;
  /** Serve `newZoneFile` instead (copied over the served copy, then `knotc zone-reload .`); its SOA serial must differ. */
  swapZone(newZoneFile: string): Promise<void>;
  /** The SOA serial knotd reports for `.` (from `knotc zone-status`). */
  servedSerial(): number | undefined;
  /** The dnstap file being written now (whole once knotd stops or the file is rotated). */
  readonly dnstapFile: string;
  /**
   * Close the dnstap file being written and go on in `nextFile` (a configuration reload); resolves
   * with the closed file once it ends with its STOP frame.
   */
  rotateDnstap(nextFile: string): Promise<string>;
  /** Stop knotd by PID and check that nothing listens on its port. */
  stop(): Promise<void>;
}

/** The knotd configuration for one root zone served from `dir` (exported for the tests' review). */
export function knotConfig(o: {
  dir: string;
  address: string;
  port: number;
  zoneFile: string;
  controlSocket: string;
  /** Log the queries received there (mod-dnstap); absent, as in a configuration only keymgr reads, no logging. */
  dnstapFile?: string;
  signing?: KnotSigning;
}): string {
  const q = (s: string) => JSON.stringify(s);
  const signing = o.signing;
  const kasp = signing ? `    kasp-db: ${q(signing.kaspDb)}\n` : "";
  const policy = signing ? `policy:\n  - id: lab\n${signing.policyLines.map((l) => `    ${l}\n`).join("")}` : "";
  const zoneSigning = signing ? "    dnssec-signing: on\n    dnssec-policy: lab\n" : "";
  // The queries received, as dnstap (RFC 8145 signals are read from them); responses are not kept.
  const tap = o.dnstapFile === undefined ? "" : `mod-dnstap:\n  - id: queries\n    sink: ${q(o.dnstapFile)}\n    log-queries: on\n    log-responses: off\n`;
  const tapModule = o.dnstapFile === undefined ? "" : "    module: mod-dnstap/queries\n";
  return `# knotd configuration for a lab root server (loopback only); generated, do not edit
server:
    rundir: ${q(o.dir)}
    listen: ${o.address}@${o.port}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
log:
  - target: stderr
    any: info
database:
    storage: ${q(o.dir)}
${kasp}control:
    listen: ${q(o.controlSocket)}
${tap}${policy}zone:
  - domain: .
    file: ${q(o.zoneFile)}
    storage: ${q(o.dir)}
    # Serve the file exactly as signed: load it whole, never write it back, keep no journal.
    zonefile-load: whole
    zonefile-sync: -1
    journal-content: none
    semantic-checks: off
${tapModule}${zoneSigning}`;
}

function knotc(socket: string, args: readonly string[]): { status: number; output: string } {
  return runControlTool("knotc", ["-s", socket, "-t", "5", ...args]);
}

function parseSerial(statusOutput: string): number | undefined {
  const m = /serial: (\d+)/.exec(statusOutput);
  return m ? Number(m[1]) : undefined;
}

export async function startLabAuthority(options: LabAuthorityOptions): Promise<LabAuthority> {
  const address = options.address ?? "127.0.0.1";
  requireLoopback(address, "authority address");
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const port = options.port ?? (await freePort(address));
  const servedZoneFile = resolve(dir, "root.zone");
  const configFile = resolve(dir, "knot.conf");
  const logFile = resolve(dir, "knotd.log");
  const controlSocket = resolve(dir, "knot.sock");
  copyFileSync(options.zoneFile, servedZoneFile);
  const expectedSerial = zoneFileSerial(servedZoneFile);
  let dnstapFile = resolve(options.dnstapFile ?? resolve(dir, "queries.dnstap"));
  const writeConfig = () =>
    writeFileSync(
      configFile,
      knotConfig({ dir, address, port, zoneFile: servedZoneFile, controlSocket, dnstapFile, ...(options.signing ? { signing: options.signing } : {}) }),
    );
  writeConfig();
  const clock = options.clockEpochSeconds === undefined ? {} : fakeClockEnvironment(options.clockEpochSeconds);
  const proc: LabProcess = startProcess("knotd", "knotd", ["-c", configFile], logFile, clock);
  const servedSerial = () => {
    const r = knotc(controlSocket, ["zone-status", "."]);
    return r.status === 0 ? parseSerial(r.output) : undefined;
  };
  await waitUntilReady(proc, () => servedSerial() === expectedSerial, logFile, options.startTimeoutMs);
  return {
    address,
    port,
    pid: proc.pid,
    configFile,
    logFile,
    servedZoneFile,
    servedSerial,
    get dnstapFile() {
      return dnstapFile;
    },
    async rotateDnstap(nextFile: string) {
      const closed = dnstapFile;
      dnstapFile = resolve(nextFile);
      if (dnstapFile === closed) throw new KskError("usage", "LAB-DNSTAP", `${nextFile} is the dnstap file being written`);
      writeConfig();
      const r = knotc(controlSocket, ["reload"]);
      if (r.status !== 0) throw new KskError("input", "LAB-KNOTC", `knotc reload: ${r.output}; see ${logFile}`);
      await waitUntilReady(proc, () => endsWithStop(closed), logFile, options.startTimeoutMs);
      return closed;
    },
    async swapZone(newZoneFile: string) {
      // The reload is seen through the serial, and resolvers and knotd itself expect it to move.
      const serial = zoneFileSerial(newZoneFile);
      const current = servedSerial();
      if (serial === current)
        throw new KskError("input", "LAB-ZONE", `${newZoneFile}: SOA serial ${serial} is the one already served; give the next zone a new serial`);
      copyFileSync(newZoneFile, servedZoneFile);
      const r = knotc(controlSocket, ["zone-reload", "."]);
      if (r.status !== 0) throw new KskError("input", "LAB-KNOTC", `knotc zone-reload .: ${r.output}; see ${logFile}`);
      // zone-reload is asynchronous: wait until the new serial is served.
      await waitUntilReady(proc, () => servedSerial() === serial, logFile, options.startTimeoutMs);
    },
    async stop() {
      await proc.stop();
      await assertNothingListens(address, port, "knotd");
    },
  };
}

/** The SOA serial of a zone file, read with the core's zone-file reader. */
function zoneFileSerial(file: string): number {
  const rrs = parseZone(readFileSync(file, "utf8"), { origin: ROOT, fileName: file });
  const soa = rrs.find((rr): rr is RR<SoaRdata> => isKind(rr, "SOA"));
  if (!soa) throw new KskError("input", "LAB-ZONE", `${file}: no SOA record`);
  return soa.rdata.serial;
}

/** The Frame Streams STOP control frame (escape, length 4, type 3): how a closed dnstap file ends. */
const STOP_FRAME = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 3);

/** Does the file end with the STOP frame (the module closed it)? Reads only its last 12 octets. */
function endsWithStop(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const size = fstatSync(fd).size;
    if (size < STOP_FRAME.length) return false;
    const tail = new Uint8Array(STOP_FRAME.length);
    readSync(fd, tail, 0, tail.length, size - tail.length);
    return tail.every((b, i) => b === STOP_FRAME[i]);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
