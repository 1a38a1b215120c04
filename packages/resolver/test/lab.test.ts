/**
 * The lab DNS processes against each other and `dig` (BIND) as the independent client: a root
 * signed by ldns-signzone served by knotd, unbound validating from the KSK's DS → `. SOA` with AD;
 * a wrong anchor → SERVFAIL; the broken name → SERVFAIL; the same over IPv6 loopback (::1) with our
 * client over UDP and TCP; a zone swap is served; after stop()
 * nothing listens and no daemon started here is left.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { makeDs, makeRR, ROOT, RRType } from "@ksk/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasTool, runTool } from "../../../test/support/tools.js";
import {
  checkResolver,
  isLoopbackAddress,
  LabGroup,
  pidAlive,
  query,
  type LabAuthority,
  nothingListens,
  runningLabProcesses,
  startLabAuthority,
  startLabResolver,
} from "../src/index.js";
import { generateLabKeys, type LabKey, signLabRoot } from "../../../test/support/lab-root.js";

function dig(server: { address: string; port: number }, name: string, type: string): { status: string; flags: string[]; answer: string } {
  const r = runTool("dig", ["+dnssec", "+tries=1", "+time=5", `@${server.address}`, "-p", String(server.port), name, type]);
  const status = /status: (\w+)/.exec(r.stdout)?.[1] ?? `no answer (${r.status})`;
  const flags = (/;; flags: ([a-z ]+);/.exec(r.stdout)?.[1] ?? "").trim().split(" ");
  return { status, flags, answer: r.stdout };
}

const tools = hasTool("knotd") && hasTool("knotc") && hasTool("unbound") && hasTool("unbound-control") && hasTool("ldns-signzone") && hasTool("dig");

describe.runIf(tools)("lab authority (knotd) and resolver (unbound)", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "resolver-lab-"));
  const lab = new LabGroup();
  let ksk: LabKey;
  let other: LabKey;
  let zsk: LabKey;
  let zone: string;
  let authority: LabAuthority;

  beforeAll(async () => {
    const keys = generateLabKeys(dir, 2);
    [ksk, other] = keys.ksks as [LabKey, LabKey];
    zsk = keys.zsk;
    zone = signLabRoot({ dir, published: [ksk, zsk], signing: [ksk, zsk], sentinelTags: [ksk.tag] });
    // Not 127.0.0.1: the lab may put its servers anywhere in 127.0.0.0/8.
    authority = lab.add(await startLabAuthority({ zoneFile: zone, dir: path.join(dir, "knot"), address: "127.0.0.53" }));
  });

  afterAll(async () => {
    try {
      await lab.stopAll();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("resolver check at the authoritative server says it does not recurse (RA=0), after one question", async () => {
    const flags = dig(authority, ".", "SOA").flags;
    expect(flags).toContain("aa");
    expect(flags).not.toContain("ra");
    await expect(checkResolver({ server: authority, keyTags: [ksk.tag] })).rejects.toThrow(
      new RegExp(
        `^127\\.0\\.0\\.53#${authority.port}: does not recurse \\(RA=0, AA=1: an authoritative server\\), so it cannot tell which KSKs resolvers trust: ask a validating resolver$`,
      ),
    );
  });

  it("knotd serves the signed root on loopback", () => {
    const soa = dig(authority, ".", "SOA");
    expect(soa.status).toBe("NOERROR");
    expect(soa.flags).toContain("aa");
    expect(authority.address).toBe("127.0.0.53");
    expect(soa.answer).toMatch(/RRSIG\s+SOA 8 0 /);
  });

  it("unbound trusting the KSK's DS answers . SOA with AD and the broken name with SERVFAIL", async () => {
    const resolver = lab.add(await startLabResolver({ dir: path.join(dir, "good"), authority, anchors: { kind: "ds", records: [ksk.ds] } }));
    const soa = dig(resolver, ".", "SOA");
    expect(soa.status).toBe("NOERROR");
    expect(soa.flags).toContain("ad");
    const broken = dig(resolver, "bogus-rrsig.", "A");
    expect(broken.status).toBe("SERVFAIL");
    expect(readFileSync(resolver.logFile, "utf8")).toMatch(/validation failure <bogus-rrsig\. A IN>/);
    const missing = dig(resolver, "no-such-tld.", "A");
    expect(missing.status).toBe("NXDOMAIN");
    expect(missing.flags).toContain("ad");
    // This zone has sentinel names for the trusted KSK only: for the other key unbound answers
    // is-ta SERVFAIL and the missing not-ta name NXDOMAIN with AD — still readable as "not trusted".
    const tag = String(other.tag).padStart(5, "0");
    expect(dig(resolver, `root-key-sentinel-is-ta-${tag}.`, "A").status).toBe("SERVFAIL");
    const notTa = dig(resolver, `root-key-sentinel-not-ta-${tag}.`, "A");
    expect([notTa.status, notTa.flags.includes("ad")]).toEqual(["NXDOMAIN", true]);
    const report = await checkResolver({ server: resolver, keyTags: [ksk.tag, other.tag] });
    expect(report.keys.map((k) => k.trust)).toEqual(["trusted", "not-trusted"]);
  });

  it("unbound with a DNSKEY anchor validates too; a wrong anchor gives SERVFAIL", async () => {
    const byKey = lab.add(await startLabResolver({ dir: path.join(dir, "dnskey"), authority, anchors: { kind: "dnskey", records: [ksk.dnskey] } }));
    expect(dig(byKey, ".", "SOA").flags).toContain("ad");
    const wrong = lab.add(await startLabResolver({ dir: path.join(dir, "wrong"), authority, anchors: { kind: "ds", records: [other.ds] } }));
    expect(dig(wrong, ".", "SOA").status).toBe("SERVFAIL");
    // A DS for the right tag whose digest is off by one octet is just as wrong.
    const digest = ksk.ds.rdata.digestBytes.slice();
    digest[0] = (digest[0] ?? 0) ^ 1;
    const tampered = lab.add(
      await startLabResolver({
        dir: path.join(dir, "tampered"),
        authority,
        anchors: { kind: "ds", records: [makeRR(ROOT, 172800, { ...ksk.ds.rdata, digestBytes: digest })] },
      }),
    );
    expect(dig(tampered, ".", "SOA").status).toBe("SERVFAIL");
    expect(makeDs(ROOT, ksk.dnskey.rdata, 2).keyTag).toBe(ksk.tag);
  });

  it("unbound with an RFC 5011 managed anchor (auto-trust-anchor-file) validates and writes its key state", async () => {
    const managed = lab.add(
      await startLabResolver({
        dir: path.join(dir, "managed"),
        authority,
        anchors: { kind: "auto-trust-anchor-file", records: [ksk.ds] },
        options: { permitSmallHolddown: true, addHolddownSeconds: 3, delHolddownSeconds: 3, keepMissingSeconds: 0 },
      }),
    );
    expect(dig(managed, ".", "SOA").flags).toContain("ad");
    expect(readFileSync(managed.configFile, "utf8")).toMatch(/^\s+auto-trust-anchor-file: ".*root\.anchor"$/m);
    // unbound replaces the seed DS with the DNSKEY it validated, in state VALID, tagged with its id.
    const state = readFileSync(managed.anchorFile as string, "utf8");
    expect(state).toMatch(new RegExp(`DNSKEY\\s+257 3 8 .*id = ${ksk.tag} \\(ksk\\).*state=2 \\[  VALID  \\]`));
    // With permit-small-holddown it probes every half DNSKEY TTL (the lab root's DNSKEY TTL is 3600 s).
    expect(state).toMatch(/^;;query_interval: 1800$/m);
    expect(managed.control(["list_auth_zones"]).status).toBe(0);
    managed.flushBogus();
    managed.reload();
    expect(dig(managed, ".", "SOA").flags).toContain("ad");
  });

  it("a non-validating unbound (iterator only) answers without AD", async () => {
    const plain = lab.add(
      await startLabResolver({ dir: path.join(dir, "iterator"), authority, anchors: { kind: "none" }, options: { moduleConfig: "iterator" } }),
    );
    const soa = dig(plain, ".", "SOA");
    expect(soa.status).toBe("NOERROR");
    expect(soa.flags).not.toContain("ad");
    expect(dig(plain, "bogus-rrsig.", "A").status).toBe("NOERROR");
  });

  it("over IPv6 loopback (::1): knotd and unbound both on ::1, our client and dig get AD over UDP and TCP", async () => {
    const v6 = lab.add(await startLabAuthority({ zoneFile: zone, dir: path.join(dir, "knot6"), address: "::1" }));
    const resolver = lab.add(
      await startLabResolver({ dir: path.join(dir, "ipv6"), authority: v6, anchors: { kind: "ds", records: [ksk.ds] }, address: "::1" }),
    );
    expect(readFileSync(resolver.configFile, "utf8")).toMatch(new RegExp(`^\\s+stub-addr: ::1@${v6.port}$`, "m"));
    expect(dig(resolver, ".", "SOA").flags).toContain("ad");
    const udp = await query(resolver, ROOT, RRType.SOA, { dnssecOk: true });
    expect([udp.transport, udp.response.rcode, udp.response.flags.authenticData]).toEqual(["udp", 0, true]);
    // A 512-octet buffer cannot hold the signed DNSKEY answer: TC over UDP, then the whole answer over TCP on ::1.
    const tcp = await query(resolver, ROOT, RRType.DNSKEY, { dnssecOk: true, udpPayloadSize: 512 });
    expect([tcp.transport, tcp.truncatedOverUdp, tcp.response.flags.authenticData]).toEqual(["tcp", true, true]);
    await resolver.stop();
    await v6.stop();
    expect(await nothingListens("::1", resolver.port)).toBe(true);
    expect(await nothingListens("::1", v6.port)).toBe(true);
  });

  it("swapZone serves the next zone (knotc zone-reload), as dig sees", async () => {
    const next = signLabRoot({
      dir,
      published: [ksk, other, zsk],
      signing: [ksk, zsk],
      sentinelTags: [ksk.tag, other.tag],
      serial: 2026112902,
      fileName: "root2.zone",
    });
    await authority.swapZone(next);
    expect(authority.servedSerial()).toBe(2026112902);
    await expect(authority.swapZone(next)).rejects.toThrow(/SOA serial 2026112902 is the one already served/);
    const keys = dig(authority, ".", "DNSKEY");
    expect((keys.answer.match(/\tDNSKEY\t257 /g) ?? []).length).toBe(2);
  });

  it("stop() leaves nothing listening and no daemon running", async () => {
    const resolver = await startLabResolver({ dir: path.join(dir, "stopped"), authority, anchors: { kind: "ds", records: [ksk.ds] } });
    expect(await nothingListens(resolver.address, resolver.port)).toBe(false);
    await resolver.stop();
    expect(await nothingListens(resolver.address, resolver.port)).toBe(true);
    expect(runningLabProcesses().has(resolver.pid)).toBe(false);
  });

  it("a process killed by SIGTERM takes its lab servers with it", async () => {
    const here = path.dirname(new URL(import.meta.url).pathname);
    // node itself (tsx as a loader, not its wrapper process), so the signal reaches the process that started knotd.
    const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "fixtures/hold-authority.ts"), zone, path.join(dir, "held")], {
      cwd: path.resolve(here, "../../.."),
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const line = await new Promise<string>((resolve) => child.stdout.once("data", (d) => resolve(String(d))));
      const [pid, port] = line.trim().split(" ").map(Number) as [number, number];
      expect(pidAlive(pid)).toBe(true);
      const exited = new Promise((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
      child.kill("SIGTERM");
      expect(await exited).toBe("SIGTERM");
      // The handler's SIGKILL is immediate; let the kernel reap knotd before asking.
      for (let i = 0; i < 50 && pidAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
      expect(pidAlive(pid)).toBe(false);
      expect(await nothingListens("127.0.0.1", port)).toBe(true);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  });

  it("knows loopback addresses", () => {
    for (const a of ["127.0.0.1", "127.0.0.53", "127.255.255.254", "::1"]) expect(isLoopbackAddress(a)).toBe(true);
    for (const a of ["128.0.0.1", "0.0.0.0", "::", "192.0.2.1", "localhost", "::ffff:127.0.0.1"]) expect(isLoopbackAddress(a)).toBe(false);
  });

  it("refuses a non-loopback address", async () => {
    await expect(startLabAuthority({ zoneFile: zone, dir: path.join(dir, "public"), address: "192.0.2.1" })).rejects.toThrow(/not a loopback address/);
  });
});
