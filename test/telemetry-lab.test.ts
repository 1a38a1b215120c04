/**
 * SLOW (real servers): RFC 8145 trust-anchor telemetry at the lab root. knotd (mod-dnstap) serves a
 * root signed by ldns-signzone with two lab KSKs; three clients send it queries from their own
 * loopback addresses: unbound with a static DS for the old KSK (127.0.0.11), unbound trusting both
 * (127.0.0.12), and dig with an edns-key-tag option (RFC 8145 §4) from 127.0.0.13. The dnstap file
 * is closed by `rotateDnstap` (knotc reload) and read by the built `ksk telemetry` as a process:
 * each resolver's `_ta-` signal carries its anchors' tags, dig's option its tag; with a
 * root-anchors.xml retiring the old KSK, the static resolver is the one signalling only retired
 * keys. The next file, closed when knotd stops, has what came after the rotation.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type LabAuthority, LabGroup, query, startLabAuthority, startLabResolver } from "@ksk/resolver";
import { ROOT, RRType } from "@ksk/core";
import { buildRootAnchors } from "@ksk/trust-anchor";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKsk } from "./support/cli-process.js";
import { generateLabKeys, type LabKey, signLabRoot } from "./support/lab-root.js";
import { hasTool, runTool } from "./support/tools.js";

const tools = hasTool("knotd") && hasTool("knotc") && hasTool("unbound") && hasTool("unbound-control") && hasTool("ldns-signzone") && hasTool("dig");

describe.runIf(tools)("ksk telemetry: the signals the lab root receives", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "telemetry-lab-"));
  const lab = new LabGroup();
  let oldKsk: LabKey;
  let newKsk: LabKey;
  let authority: LabAuthority;
  let firstFile: string;

  const hex = (tag: number) => tag.toString(16).padStart(4, "0");

  beforeAll(async () => {
    const { ksks, zsk } = generateLabKeys(dir, 2);
    [oldKsk, newKsk] = ksks as [LabKey, LabKey];
    const zone = signLabRoot({ dir, published: [oldKsk, newKsk, zsk], signing: [oldKsk, newKsk, zsk], sentinelTags: [] });
    authority = lab.add(await startLabAuthority({ zoneFile: zone, dir: path.join(dir, "knot") }));
    const fixed = lab.add(
      await startLabResolver({ dir: path.join(dir, "static"), authority, anchors: { kind: "ds", records: [oldKsk.ds] }, address: "127.0.0.11" }),
    );
    const both = lab.add(
      await startLabResolver({ dir: path.join(dir, "both"), authority, anchors: { kind: "ds", records: [oldKsk.ds, newKsk.ds] }, address: "127.0.0.12" }),
    );
    // A validating query primes each resolver's trust anchor, which sends the key-tag query (RFC 8145 §5).
    for (const r of [fixed, both]) expect((await query(r, ROOT, RRType.SOA, { dnssecOk: true })).response.flags.authenticData).toBe(true);
    const dig = runTool("dig", [
      "-b",
      "127.0.0.13",
      `@${authority.address}`,
      "-p",
      String(authority.port),
      "+norec",
      `+ednsopt=14:${hex(newKsk.tag)}`,
      ".",
      "SOA",
    ]);
    expect(dig.stdout).toMatch(/status: NOERROR/);
    firstFile = await authority.rotateDnstap(path.join(dir, "knot", "after.dnstap"));
  });

  afterAll(async () => {
    try {
      await lab.stopAll();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("--json lists each resolver's signalled tags; the share of resolvers per tag", async () => {
    const r = await startKsk(["telemetry", firstFile, "--json"]).done;
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    const byAddress = Object.fromEntries(s.resolvers.map((x: { address: string }) => [x.address, x]));
    const tags = (address: string) => byAddress[address]?.keyTags.map((t: { keyTag: number; via: string[] }) => [t.keyTag, t.via]);
    expect(tags("127.0.0.11")).toEqual([[oldKsk.tag, ["ta-query"]]]);
    expect(tags("127.0.0.12")).toEqual([...[oldKsk.tag, newKsk.tag].sort((a, b) => a - b).map((t) => [t, ["ta-query"]])]);
    expect(tags("127.0.0.13")).toEqual([[newKsk.tag, ["edns-key-tag"]]]);
    expect(byAddress["127.0.0.11"].latest.keyTags).toEqual([oldKsk.tag]);
    expect(s.signallingResolvers).toBe(3);
    const share = Object.fromEntries(s.keyTags.map((t: { keyTag: number; share: number }) => [t.keyTag, t.share]));
    expect(share).toEqual({ [oldKsk.tag]: 2 / 3, [newKsk.tag]: 2 / 3 });
    for (const x of s.resolvers) for (const t of x.keyTags) expect(Date.parse(t.lastSeenUtc)).toBeGreaterThanOrEqual(Date.parse(t.firstSeenUtc));
  });

  it("--anchors: a root-anchors.xml retiring the old KSK names the static resolver as signalling only retired keys", async () => {
    const now = Math.floor(Date.now() / 1000);
    const { xmlBytes } = buildRootAnchors({
      trustAnchorId: "3F2504E0-4F89-41D3-9A0C-0305E82C3302",
      publicationEpochSeconds: now - 60,
      keys: [
        { dnskey: oldKsk.dnskey.rdata, id: "Kold", validFromEpochSeconds: now - 86400, validUntilEpochSeconds: now - 3600 },
        { dnskey: newKsk.dnskey.rdata, id: "Knew", validFromEpochSeconds: now - 7200 },
      ],
    });
    const anchors = path.join(dir, "root-anchors.xml");
    writeFileSync(anchors, xmlBytes);
    const r = await startKsk(["telemetry", firstFile, "--anchors", anchors]).done;
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^key tag ${oldKsk.tag} \\(retired\\): 2 of 3 resolvers \\(66\\.7%\\)`, "m"));
    expect(r.stdout).toMatch(/^resolver 127\.0\.0\.11: .* — signals only retired or revoked keys$/m);
    expect(r.stdout).not.toMatch(/^resolver 127\.0\.0\.1[23]: .* — signals only/m);
    expect(r.stdout).toMatch(new RegExp(`^1 resolver signals only keys retired or revoked in ${anchors} at .*: 127\\.0\\.0\\.11$`, "m"));
  });

  it("after the rotation the next file gets the queries, whole once knotd stops", async () => {
    const dig = runTool("dig", ["-b", "127.0.0.14", `@${authority.address}`, "-p", String(authority.port), "+norec", "_ta-0001.", "NULL"]);
    expect(dig.stdout).toMatch(/status: NXDOMAIN/);
    const next = authority.dnstapFile;
    await authority.stop();
    const r = await startKsk(["telemetry", next, "--json"]).done;
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.resolvers.find((x: { address: string }) => x.address === "127.0.0.14")?.keyTags.map((t: { keyTag: number }) => t.keyTag)).toEqual([1]);
    // The first file does not have it.
    const first = JSON.parse((await startKsk(["telemetry", firstFile, "--json"]).done).stdout);
    expect(first.resolvers.some((x: { address: string }) => x.address === "127.0.0.14")).toBe(false);
  });
});
