/**
 * A lab validating resolver: unbound 1.17 whose only root is a lab authority (a stub zone for `.`
 * pointing at a loopback address), answering loopback clients only, with its trust anchors given
 * as DS or DNSKEY records — static (`trust-anchor-file`) or RFC 5011 managed
 * (`auto-trust-anchor-file`, seeded here and then rewritten by unbound) — and `unbound-control` on
 * loopback for flush_bogus and reload. It runs in the foreground (`-d`) with an absolute `-c` path
 * and is stopped by its PID.
 *
 * Known behaviour of Debian's unbound 1.17 that lab code relies on (measured):
 * - `do-not-query-localhost: no` is required, or it never queries a server on 127.0.0.0/8.
 * - The config path must be absolute: with a relative `-c`, `unbound-control reload` re-reads the
 *   system config instead.
 * - RFC 5011 with `permit-small-holddown: yes`: it probes the DNSKEY RRset every half DNSKEY TTL
 *   (without the option the floor is one hour) and accepts add/del hold-downs of a few seconds; a
 *   new key must be seen at least twice and for the whole add hold-down before it is trusted.
 * - After a validation failure it caches the failure (bogus) for 60 s: flush_bogus between checks.
 * - After the authority swaps zones, wait one DNSKEY TTL + 1 s before judging an answer.
 * - `root-key-sentinel: yes` (the default) answers RFC 8509 `root-key-sentinel-is-ta-<tag>` /
 *   `-not-ta-<tag>` queries from its trust anchors; `no` answers both like any other name.
 * - `module-config: "iterator"` makes it a non-validating resolver (no AD bit ever).
 * - `edns-buffer-size` is only the size it advertises (upstream and in its answers' OPT record);
 *   what caps its UDP answers to clients is `max-udp-size` (measured: 1.17 without it sends 1,297 octets at a 4,096-octet buffer): with
 *   `edns-buffer-size: 512` alone a DNSKEY answer of over 512 octets still comes over UDP; with
 *   `max-udp-size: 512` as well it comes back with TC and must be re-asked over TCP.
 *
 * Leaves out: forwarders, TLS, anything but the root stub (the lab has only one authority).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { isIPv6 } from "node:net";
import { resolve } from "node:path";
import { type DnskeyRdata, type DsRdata, KskError, type RR, formatRrsigTime, rrToString } from "@ksk/core";
import { type LabProcess, assertNothingListens, freePort, requireLoopback, runControlTool, startProcess, waitUntilReady } from "./process.js";

/** Where the root's trust comes from. */
export type LabAnchors =
  /** Static DS anchors (`trust-anchor-file`). */
  | { readonly kind: "ds"; readonly records: readonly RR<DsRdata>[] }
  /** Static DNSKEY anchors (`trust-anchor-file`). */
  | { readonly kind: "dnskey"; readonly records: readonly RR<DnskeyRdata>[] }
  /** RFC 5011 managed anchors, seeded with these records; unbound rewrites the file. */
  | { readonly kind: "auto-trust-anchor-file"; readonly records: readonly (RR<DsRdata> | RR<DnskeyRdata>)[] }
  /** No anchor (for `moduleConfig: "iterator"`, a non-validating resolver). */
  | { readonly kind: "none" };

export interface LabResolverSettings {
  /** `permit-small-holddown` (RFC 5011 timers below one hour, for compressed rehearsals). */
  readonly permitSmallHolddown?: boolean;
  /** `add-holddown` in seconds (RFC 5011 default 30 days). */
  readonly addHolddownSeconds?: number;
  /** `del-holddown` in seconds. */
  readonly delHolddownSeconds?: number;
  /** `keep-missing` in seconds (0 keeps missing keys forever). */
  readonly keepMissingSeconds?: number;
  /** `root-key-sentinel` (RFC 8509), default yes as in unbound. */
  readonly rootKeySentinel?: boolean;
  /** `module-config`, default "validator iterator"; "iterator" for a non-validating resolver. */
  readonly moduleConfig?: string;
  /** `edns-buffer-size`: the EDNS UDP size it advertises (upstream and to clients). */
  readonly ednsBufferSize?: number;
  /** `max-udp-size`: the largest UDP answer it sends a client; larger ones get TC. */
  readonly maxUdpSize?: number;
  /**
   * false: `incoming-num-tcp: 0`, no TCP from clients (a resolver whose truncated answers cannot be
   * retried: what a readiness probe at a small buffer must catch); its own TCP to the authority
   * still works, which `do-tcp: no` would stop too (knotd answers UDP up to 1,232 octets, so the
   * DNSKEY answer of a roll comes to unbound over TCP).
   */
  readonly incomingTcp?: boolean;
  /** `val-log-level` (0-2), default 2: one line per validation failure with its reason. */
  readonly valLogLevel?: number;
  /** `verbosity`, default 1. */
  readonly verbosity?: number;
  /**
   * `val-override-date`: validate signatures as if it were this time instead of the host clock —
   * for a lab root signed for a slot of a past or future quarter. Unset: the host clock.
   */
  readonly validationEpochSeconds?: number;
}

export interface LabResolverOptions {
  /** A directory for unbound.conf, the anchor file, unbound.log and the PID file. */
  readonly dir: string;
  /** The lab root server: the only server this resolver asks. */
  readonly authority: { readonly address: string; readonly port: number };
  readonly anchors: LabAnchors;
  readonly options?: LabResolverSettings;
  /** Loopback address to listen on (default 127.0.0.1). */
  readonly address?: string;
  /**
   * Loopback address its queries to the authority come from (`outgoing-interface`; default the
   * listening address): the authority's dnstap tells resolvers apart by it.
   */
  readonly outgoingAddress?: string;
  /** Port (default: a free high port). */
  readonly port?: number;
  readonly startTimeoutMs?: number;
}

export interface LabResolver {
  readonly address: string;
  readonly port: number;
  readonly pid: number;
  readonly configFile: string;
  readonly logFile: string;
  /** The anchor file (for auto-trust-anchor-file: the file unbound keeps its RFC 5011 state in). */
  readonly anchorFile: string | undefined;
  /** Run `unbound-control` with this resolver's config; returns its exit status and output. */
  control(args: readonly string[]): { status: number; output: string };
  /** Forget cached validation failures (unbound caches bogus answers for 60 s). */
  flushBogus(): void;
  /** Re-read the configuration and anchors and drop the cache. */
  reload(): void;
  /** Stop unbound by PID and check that nothing listens on its ports. */
  stop(): Promise<void>;
}

function anchorFileText(anchors: LabAnchors): string | undefined {
  if (anchors.kind === "none") return undefined;
  const records: readonly RR[] = anchors.records;
  if (records.length === 0) throw new KskError("usage", "LAB-ANCHORS", "a validating lab resolver needs at least one trust anchor record");
  return `; trust anchors for a lab unbound (${anchors.kind})\n${records.map((rr) => `${rrToString(rr)}\n`).join("")}`;
}

/** The unbound configuration (exported so tests and the report can show it). */
export function unboundConfig(o: {
  dir: string;
  address: string;
  outgoingAddress: string | undefined;
  port: number;
  controlPort: number;
  authority: { address: string; port: number };
  anchors: LabAnchors;
  anchorFile: string | undefined;
  settings: LabResolverSettings;
}): string {
  const q = (s: string) => JSON.stringify(s);
  const s = o.settings;
  const yesNo = (b: boolean) => (b ? "yes" : "no");
  const lines = [
    "# unbound configuration for a lab resolver (loopback only); generated, do not edit",
    "server:",
    `    directory: ${q(o.dir)}`,
    `    pidfile: ${q(resolve(o.dir, "unbound.pid"))}`,
    '    username: ""',
    '    chroot: ""',
    "    use-syslog: no",
    '    logfile: ""',
    `    verbosity: ${s.verbosity ?? 1}`,
    `    val-log-level: ${s.valLogLevel ?? 2}`,
    "    interface-automatic: no",
    `    interface: ${o.address}@${o.port}`,
    ...(o.outgoingAddress === undefined ? [] : [`    outgoing-interface: ${o.outgoingAddress}`]),
    "    num-threads: 1",
    "    so-reuseport: no",
    // Answer loopback clients only (the default refuses everyone else too; say it).
    "    access-control: 0.0.0.0/0 refuse",
    "    access-control: ::0/0 refuse",
    "    access-control: 127.0.0.0/8 allow",
    "    access-control: ::1/128 allow",
    // The lab root is on 127.0.0.0/8: without this unbound never asks it.
    "    do-not-query-localhost: no",
    `    module-config: ${q(s.moduleConfig ?? "validator iterator")}`,
    `    root-key-sentinel: ${yesNo(s.rootKeySentinel ?? true)}`,
  ];
  if (s.validationEpochSeconds !== undefined) lines.push(`    val-override-date: ${q(formatRrsigTime(s.validationEpochSeconds))}`);
  if (s.ednsBufferSize !== undefined) lines.push(`    edns-buffer-size: ${s.ednsBufferSize}`);
  if (s.maxUdpSize !== undefined) lines.push(`    max-udp-size: ${s.maxUdpSize}`);
  if (s.incomingTcp === false) lines.push("    incoming-num-tcp: 0");
  if (s.permitSmallHolddown !== undefined) lines.push(`    permit-small-holddown: ${yesNo(s.permitSmallHolddown)}`);
  if (s.addHolddownSeconds !== undefined) lines.push(`    add-holddown: ${s.addHolddownSeconds}`);
  if (s.delHolddownSeconds !== undefined) lines.push(`    del-holddown: ${s.delHolddownSeconds}`);
  if (s.keepMissingSeconds !== undefined) lines.push(`    keep-missing: ${s.keepMissingSeconds}`);
  if (o.anchorFile !== undefined) {
    const key = o.anchors.kind === "auto-trust-anchor-file" ? "auto-trust-anchor-file" : "trust-anchor-file";
    lines.push(`    ${key}: ${q(o.anchorFile)}`);
  }
  lines.push(
    "remote-control:",
    "    control-enable: yes",
    "    control-interface: 127.0.0.1",
    `    control-port: ${o.controlPort}`,
    // A loopback control port in a throw-away lab needs no TLS key pair.
    "    control-use-cert: no",
    "stub-zone:",
    '    name: "."',
    `    stub-addr: ${o.authority.address}@${o.authority.port}`,
    "",
  );
  return lines.join("\n");
}

export async function startLabResolver(options: LabResolverOptions): Promise<LabResolver> {
  const address = options.address ?? "127.0.0.1";
  requireLoopback(address, "resolver address");
  requireLoopback(options.authority.address, "authority address");
  // Its own address by default, when of the authority's family (unbound could not reach it otherwise).
  const outgoingAddress = options.outgoingAddress ?? (isIPv6(address) === isIPv6(options.authority.address) ? address : undefined);
  if (outgoingAddress !== undefined) requireLoopback(outgoingAddress, "resolver outgoing address");
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const port = options.port ?? (await freePort(address));
  let controlPort = await freePort("127.0.0.1");
  while (controlPort === port) controlPort = await freePort("127.0.0.1");
  const anchorText = anchorFileText(options.anchors);
  const anchorFile = anchorText === undefined ? undefined : resolve(dir, "root.anchor");
  if (anchorFile !== undefined && anchorText !== undefined) writeFileSync(anchorFile, anchorText);
  // Absolute: a relative -c makes `unbound-control reload` fall back to the system config.
  const configFile = resolve(dir, "unbound.conf");
  const logFile = resolve(dir, "unbound.log");
  writeFileSync(
    configFile,
    unboundConfig({
      dir,
      address,
      outgoingAddress,
      port,
      controlPort,
      authority: options.authority,
      anchors: options.anchors,
      anchorFile,
      settings: options.options ?? {},
    }),
  );
  const checked = runControlTool("unbound-checkconf", [configFile]);
  if (checked.status !== 0) throw new KskError("input", "LAB-CONFIG", `unbound-checkconf ${configFile}: ${checked.output}`);
  const proc: LabProcess = startProcess("unbound", "unbound", ["-d", "-c", configFile], logFile);
  const control = (args: readonly string[]) => runControlTool("unbound-control", ["-c", configFile, ...args]);
  const mustControl = (args: readonly string[]) => {
    const r = control(args);
    if (r.status !== 0) throw new KskError("input", "LAB-CONTROL", `unbound-control ${args.join(" ")}: ${r.output}; see ${logFile}`);
  };
  await waitUntilReady(proc, () => control(["status"]).status === 0, logFile, options.startTimeoutMs);
  return {
    address,
    port,
    pid: proc.pid,
    configFile,
    logFile,
    anchorFile,
    control,
    flushBogus: () => mustControl(["flush_bogus"]),
    reload: () => mustControl(["reload"]),
    async stop() {
      await proc.stop();
      await assertNothingListens(address, port, "unbound");
      await assertNothingListens("127.0.0.1", controlPort, "unbound-control port");
    },
  };
}
