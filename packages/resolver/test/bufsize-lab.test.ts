/**
 * `. DNSKEY` at small EDNS buffers against real unbound resolvers of a lab root (knotd; two lab
 * KSKs and a ZSK, RSA 2048, so the signed DNSKEY answer passes 1,232 octets as in a roll's
 * publish+, rollover and revoke phases): each outcome made by an unbound configuration —
 * `max-udp-size: 4096` (and unbound 1.17's defaults, measured to behave alike), the answer fits at
 * 4,096 and is TC at 1,232 with the TCP retry answering (ready); `max-udp-size: 1232` truncates at both; `incoming-num-tcp: 0` (no TCP
 * from clients), TC at 1,232 and the TCP retry refused → "not ready: the DNSKEY answer (N octets)
 * needs TCP and TCP failed", N the size the 4,096 probe got; `edns-buffer-size: 1232` (what it
 * advertises) leaves the answer's size alone. The sizes are cross-checked with dig, and the
 * `ksk` process reports the same with `--bufsize 1232`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKsk } from "../../../test/support/cli-process.js";
import { generateLabKeys, type LabKey, signLabRoot } from "../../../test/support/lab-root.js";
import { hasTool, runTool } from "../../../test/support/tools.js";
import { checkResolver, type LabAuthority, LabGroup, type LabResolverSettings, queryBudget, startLabAuthority, startLabResolver } from "../src/index.js";

const tools = hasTool("knotd") && hasTool("knotc") && hasTool("unbound") && hasTool("unbound-control") && hasTool("ldns-signzone") && hasTool("dig");

describe.runIf(tools)("resolver check at 1,232 and 4,096 octets against lab unbound resolvers", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "resolver-bufsize-"));
  const lab = new LabGroup();
  let keys: LabKey[];
  let authority: LabAuthority;
  let n = 0;

  const resolver = async (options: LabResolverSettings) =>
    lab.add(await startLabResolver({ dir: path.join(dir, `unbound-${n++}`), authority, anchors: { kind: "ds", records: keys.map((k) => k.ds) }, options }));
  const check = (r: { address: string; port: number }, dnskeyBufsizes?: number[]) =>
    checkResolver({ server: r, keyTags: keys.map((k) => k.tag), ...(dnskeyBufsizes ? { dnskeyBufsizes } : {}) });
  /** dig's view of the answer over TCP: its size. */
  const digSize = (r: { address: string; port: number }) => {
    const out = runTool("dig", ["+dnssec", "+tcp", "+tries=1", "+time=5", `@${r.address}`, "-p", String(r.port), ".", "DNSKEY"]);
    return Number(/MSG SIZE\s+rcvd: (\d+)/.exec(out.stdout)?.[1]);
  };

  beforeAll(async () => {
    const generated = generateLabKeys(dir, 2);
    keys = generated.ksks;
    const all = [...keys, generated.zsk];
    const zone = signLabRoot({ dir, published: all, signing: all, sentinelTags: keys.map((k) => k.tag) });
    authority = lab.add(await startLabAuthority({ zoneFile: zone, dir: path.join(dir, "knot") }));
  });

  afterAll(async () => {
    try {
      await lab.stopAll();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("max-udp-size 4096: TC at 1,232 with the TCP retry answering, whole over UDP at 4,096; ready", async () => {
    const r = await resolver({ maxUdpSize: 4096 });
    const report = await check(r);
    const size = digSize(r);
    expect(size).toBeGreaterThan(1232);
    expect(report.dnskeyProbes).toEqual([
      { bufsizeBytes: 1232, rcode: "NOERROR", truncated: true, udpSizeBytes: expect.any(Number), tcp: "ok", sizeBytes: size, ok: true },
      { bufsizeBytes: 4096, rcode: "NOERROR", truncated: false, udpSizeBytes: undefined, tcp: "not needed", sizeBytes: size, ok: true },
    ]);
    expect(report.dnskeyProbes[0]?.udpSizeBytes).toBeLessThanOrEqual(1232);
    expect(report.ready).toBe(true);
    expect(report.queriesSent).toBeLessThanOrEqual(queryBudget(2));
  });

  it("unbound 1.17's defaults behave as max-udp-size 4096 (measured): TC at 1,232 only", async () => {
    const r = await resolver({});
    const report = await check(r);
    expect(report.dnskeyProbes.map((p) => [p.bufsizeBytes, p.truncated, p.tcp, p.sizeBytes])).toEqual([
      [1232, true, "ok", digSize(r)],
      [4096, false, "not needed", digSize(r)],
    ]);
  });

  it("max-udp-size 1232: TC at both buffers, the TCP retries answer; ready", async () => {
    const r = await resolver({ maxUdpSize: 1232 });
    const report = await check(r);
    expect(report.dnskeyProbes.map((p) => [p.bufsizeBytes, p.truncated, p.tcp, p.sizeBytes])).toEqual([
      [1232, true, "ok", digSize(r)],
      [4096, true, "ok", digSize(r)],
    ]);
    expect(report.ready).toBe(true);
  });

  it("edns-buffer-size 1232 only changes what it advertises: the answer and its size are the same", async () => {
    const r = await resolver({ ednsBufferSize: 1232, maxUdpSize: 4096 });
    const report = await check(r);
    expect(report.dnskey.resolverEdnsUdpPayloadSize).toBe(1232);
    expect(report.dnskeyProbes.map((p) => [p.truncated, p.tcp, p.sizeBytes])).toEqual([
      [true, "ok", digSize(r)],
      [false, "not needed", digSize(r)],
    ]);
  });

  it("no TCP from clients (incoming-num-tcp: 0): TC at 1,232 and the TCP retry fails → not ready, naming the answer's size", async () => {
    const open = await resolver({ maxUdpSize: 4096 });
    const size = digSize(open);
    const r = await resolver({ maxUdpSize: 4096, incomingTcp: false });
    const report = await check(r);
    expect(report.dnskeyProbes[0]).toMatchObject({ bufsizeBytes: 1232, truncated: true, tcp: "failed", sizeBytes: undefined, ok: false });
    expect(report.dnskeyProbes[1]).toMatchObject({ bufsizeBytes: 4096, truncated: false, sizeBytes: size, ok: true });
    expect(report.keys.every((k) => k.ready)).toBe(true);
    expect(report.ready).toBe(false);
    expect(report.verdict).toBe(
      `not ready: the DNSKEY answer (${size.toLocaleString("en-US")} octets) needs TCP and TCP failed (with a 1,232-octet EDNS buffer: ${report.dnskeyProbes[0]?.tcpFailure})`,
    );
    // dig agrees that TCP is refused there.
    expect(runTool("dig", ["+tcp", "+tries=1", "+time=2", `@${r.address}`, "-p", String(r.port), ".", "SOA"]).stdout).toMatch(
      /connection refused|communications error|no servers could be reached/i,
    );
  });

  it("the ksk process: --bufsize 1232 reports TC and the TCP fallback; exit 0, or 1 where TCP is closed", async () => {
    const open = await resolver({ maxUdpSize: 4096 });
    const closed = await resolver({ maxUdpSize: 4096, incomingTcp: false });
    const args = (r: { address: string; port: number }) => [
      "resolver",
      "check",
      "--server",
      r.address,
      "--port",
      String(r.port),
      "--tags",
      keys.map((k) => k.tag).join(","),
      "--bufsize",
      "1232",
    ];
    const ok = await startKsk(args(open)).done;
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      new RegExp(`^\\. DNSKEY at a 1232-octet EDNS buffer: TC \\(\\d+ octets over UDP\\); TCP retry ok: NOERROR, ${digSize(open)} octets$`, "m"),
    );
    const json = await startKsk([...args(closed), "--json"]).done;
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.dnskeyProbes).toHaveLength(1);
    expect(report.dnskeyProbes[0]).toMatchObject({ bufsizeBytes: 1232, truncated: true, tcp: "failed" });
    // Only the 1,232 probe: no answer arrived whole, so the size is the truncated one.
    expect(report.verdict).toMatch(/^not ready: the DNSKEY answer \(truncated at \d+ octets\) needs TCP and TCP failed/);
  });
});
