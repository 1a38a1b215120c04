/**
 * `ksk resolver check` against real unbound resolvers of a lab root served by knotd, the root
 * signed by ldns-signzone with two lab KSKs ("old" and "new", both published, both signing) and
 * RFC 8509 sentinel names for both: unbound trusting the old KSK only, the new only, both, both with
 * `root-key-sentinel: no`, and a non-validating one (`module-config: "iterator"`) are each told
 * apart; `edns-buffer-size: 512` alone only changes the advertised size, with `max-udp-size: 512`
 * the DNSKEY answer is truncated and the TCP retry is seen, while 4096 lets it through over UDP;
 * the size measured is the one dig sees and the one the signer's planning arithmetic predicts.
 * The answers are cross-checked with `dig`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type DnskeyRdata, isKind, parseZone, type RR, ROOT, type RrsigRdata, RRType } from "@ksk/core";
import { dnskeyResponseSizeBytes } from "@ksk/signer";
import { buildRootAnchors } from "@ksk/trust-anchor";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasTool, runTool } from "../../../test/support/tools.js";
import {
  checkResolver,
  type LabAnchors,
  type LabAuthority,
  LabGroup,
  type LabResolverSettings,
  queryBudget,
  startLabAuthority,
  startLabResolver,
} from "../src/index.js";
import { generateLabKeys, type LabKey, signLabRoot } from "../../../test/support/lab-root.js";

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../..");
const bin = path.join(repo, "packages/cli/bin/ksk");

function ksk(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { cwd: repo });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const tools = hasTool("knotd") && hasTool("knotc") && hasTool("unbound") && hasTool("unbound-control") && hasTool("ldns-signzone") && hasTool("dig");

describe.runIf(tools)("resolver readiness against lab unbound resolvers", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "resolver-check-"));
  const lab = new LabGroup();
  let oldKsk: LabKey;
  let newKsk: LabKey;
  let authority: LabAuthority;
  let zone: string;
  let n = 0;

  const resolver = async (anchors: LabAnchors, options: LabResolverSettings = {}) =>
    lab.add(await startLabResolver({ dir: path.join(dir, `unbound-${n++}`), authority, anchors, options }));
  const check = (r: { address: string; port: number }) => checkResolver({ server: r, keyTags: [oldKsk.tag, newKsk.tag] });
  const trustOf = (report: Awaited<ReturnType<typeof check>>) => Object.fromEntries(report.keys.map((k) => [k.keyTag, k.trust]));

  beforeAll(async () => {
    const { ksks, zsk } = generateLabKeys(dir, 2);
    [oldKsk, newKsk] = ksks as [LabKey, LabKey];
    zone = signLabRoot({ dir, published: [oldKsk, newKsk, zsk], signing: [oldKsk, newKsk, zsk], sentinelTags: [oldKsk.tag, newKsk.tag] });
    authority = lab.add(await startLabAuthority({ zoneFile: zone, dir: path.join(dir, "knot") }));
  });

  afterAll(async () => {
    try {
      await lab.stopAll();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("trusting the old KSK only: old trusted, new not trusted, not ready", async () => {
    const r = await resolver({ kind: "ds", records: [oldKsk.ds] });
    const report = await check(r);
    expect(report.validation.validates).toBe(true);
    expect(report.sentinelSupport).toBe("yes");
    expect(trustOf(report)).toEqual({ [oldKsk.tag]: "trusted", [newKsk.tag]: "not-trusted" });
    expect(report.ready).toBe(false);
    expect(report.verdict).toContain(`not ready for KSK tag ${newKsk.tag}`);
    expect(report.queriesSent).toBeLessThanOrEqual(queryBudget(2));
    // dig agrees on the sentinel answers.
    const sentinel = (label: string) => runTool("dig", ["+tries=1", "+time=5", `@${r.address}`, "-p", String(r.port), `${label}.`, "A"]).stdout;
    expect(sentinel(`root-key-sentinel-is-ta-${String(newKsk.tag).padStart(5, "0")}`)).toContain("status: SERVFAIL");
    expect(sentinel(`root-key-sentinel-not-ta-${String(newKsk.tag).padStart(5, "0")}`)).toContain("status: NOERROR");
  });

  it("trusting the new KSK only: the reverse", async () => {
    const report = await check(await resolver({ kind: "ds", records: [newKsk.ds] }));
    expect(trustOf(report)).toEqual({ [oldKsk.tag]: "not-trusted", [newKsk.tag]: "trusted" });
    expect(report.ready).toBe(false);
  });

  it("trusting both (DNSKEY anchors): ready for both", async () => {
    const report = await check(await resolver({ kind: "dnskey", records: [oldKsk.dnskey, newKsk.dnskey] }));
    expect(trustOf(report)).toEqual({ [oldKsk.tag]: "trusted", [newKsk.tag]: "trusted" });
    expect(report.ready).toBe(true);
    expect(report.verdict).toBe(`ready: validates and trusts KSK tags ${oldKsk.tag}, ${newKsk.tag}`);
    expect(report.dnskey.keys.map((k) => k.keyTag)).toEqual(expect.arrayContaining([oldKsk.tag, newKsk.tag]));
  });

  it("root-key-sentinel: no — validates, but no sentinel support, so trust is unknown", async () => {
    const report = await check(await resolver({ kind: "ds", records: [oldKsk.ds] }, { rootKeySentinel: false }));
    expect(report.validation.validates).toBe(true);
    expect(report.sentinelSupport).toBe("no");
    expect(trustOf(report)).toEqual({ [oldKsk.tag]: "unknown", [newKsk.tag]: "unknown" });
    expect(report.keys[0]?.reason).toMatch(/no sentinel support/);
    expect(report.ready).toBe(false);
  });

  it("a non-validating resolver (iterator only) is reported as not validating", async () => {
    const report = await check(await resolver({ kind: "none" }, { moduleConfig: "iterator" }));
    expect(report.validation.validates).toBe(false);
    expect(report.validation.soaAuthenticData).toBe(false);
    expect(report.validation.detail).toMatch(/without AD/);
    expect(trustOf(report)).toEqual({ [oldKsk.tag]: "unknown", [newKsk.tag]: "unknown" });
    expect(report.ready).toBe(false);
  });

  it("edns-buffer-size 512 alone only advertises 512; with max-udp-size 512 the DNSKEY answer is truncated and retried over TCP; 4096 lets it through", async () => {
    const advertised = await check(await resolver({ kind: "ds", records: [oldKsk.ds, newKsk.ds] }, { ednsBufferSize: 512 }));
    expect(advertised.dnskey.resolverEdnsUdpPayloadSize).toBe(512);
    expect(advertised.dnskey.sizeBytes).toBeGreaterThan(512);
    expect(advertised.dnskey.truncatedOverUdp).toBe(false);
    const small = await check(await resolver({ kind: "ds", records: [oldKsk.ds, newKsk.ds] }, { ednsBufferSize: 512, maxUdpSize: 512 }));
    expect(small.dnskey.truncatedOverUdp).toBe(true);
    expect(small.dnskey.transport).toBe("tcp");
    expect(small.dnskey.udpSizeBytes).toBeLessThanOrEqual(512);
    expect(small.dnskey.sizeBytes).toBeGreaterThan(512);
    expect(small.dnskey.resolverEdnsUdpPayloadSize).toBe(512);
    expect(small.dnskey.ok).toBe(true);
    expect(small.ready).toBe(true);
    const largeResolver = await resolver({ kind: "ds", records: [oldKsk.ds, newKsk.ds] }, { ednsBufferSize: 4096, maxUdpSize: 4096 });
    const large = await check(largeResolver);
    expect(large.dnskey.truncatedOverUdp).toBe(false);
    expect(large.dnskey.transport).toBe("udp");
    expect(large.dnskey.sizeBytes).toBe(small.dnskey.sizeBytes);
    // dig over TCP gets the same size (its MSG SIZE line).
    const viaDig = runTool("dig", ["+dnssec", "+tcp", "+tries=1", "+time=5", `@${largeResolver.address}`, "-p", String(largeResolver.port), ".", "DNSKEY"]);
    expect(Number(/MSG SIZE\s+rcvd: (\d+)/.exec(viaDig.stdout)?.[1])).toBe(large.dnskey.sizeBytes);
    // …and the signer's planning arithmetic for the slot's DNSKEY answer predicts it exactly.
    const apex = parseZone(readFileSync(zone, "utf8"), { origin: ROOT }).filter((rr) => rr.owner.labels.length === 0);
    const dnskeys = apex.filter((rr): rr is RR<DnskeyRdata> => isKind(rr, "DNSKEY"));
    const rrsigs = apex.filter((rr): rr is RR<RrsigRdata> => isKind(rr, "RRSIG") && rr.rdata.typeCovered === RRType.DNSKEY);
    expect(dnskeyResponseSizeBytes(ROOT, dnskeys, rrsigs)).toBe(large.dnskey.sizeBytes);
  });

  it("the ksk process: exit 0 when ready, 1 when not, with --anchors root-anchors.xml and --json", async () => {
    const both = await resolver({ kind: "ds", records: [oldKsk.ds, newKsk.ds] });
    const oldOnly = await resolver({ kind: "ds", records: [oldKsk.ds] });
    const now = Math.floor(Date.now() / 1000);
    const { xmlBytes } = buildRootAnchors({
      trustAnchorId: "7A1B3C5D-0000-4000-8000-000000000001",
      keys: [
        { dnskey: oldKsk.dnskey.rdata, id: "Klab-old", validFromEpochSeconds: now - 86400 },
        { dnskey: newKsk.dnskey.rdata, id: "Klab-new", validFromEpochSeconds: now - 3600 },
      ],
      publicationEpochSeconds: now,
    });
    const anchors = path.join(dir, "root-anchors.xml");
    writeFileSync(anchors, xmlBytes);
    const ready = await ksk(["resolver", "check", "--server", both.address, "--port", String(both.port), "--anchors", anchors]);
    expect(ready.stderr).toBe("");
    expect(ready.code).toBe(0);
    expect(ready.stdout).toContain(`KSK ${oldKsk.tag}: trusted`);
    expect(ready.stdout).toMatch(/^verdict: ready: validates and trusts KSK tags/m);
    const notReady = await ksk([
      "resolver",
      "check",
      "--server",
      oldOnly.address,
      "--port",
      String(oldOnly.port),
      "--tags",
      `${oldKsk.tag},${newKsk.tag}`,
      "--json",
    ]);
    expect(notReady.code).toBe(1);
    const json = JSON.parse(notReady.stdout);
    expect(json.ready).toBe(false);
    expect(json.keys.map((k: { trust: string }) => k.trust)).toEqual(["trusted", "not-trusted"]);
  });
});
