/**
 * `ksk resolver lab`, as a ceremony script runs it: a root signed by ldns-signzone (lab KSK + ZSK,
 * sentinel names for the KSK), a root-anchors.xml built by the trust-anchor package — knotd serves
 * the zone, unbound trusts the file's valid KeyDigests, `. SOA`, `. DNSKEY`, a TLD's DS and a
 * missing TLD come back validated, the readiness check says ready: exit 0. With a root-anchors.xml
 * naming another key, nothing validates: exit 1. Both servers are gone afterwards. With --dnstap the
 * root's record of the queries is kept, and `ksk telemetry` reads unbound's key-tag signal in it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { nothingListens } from "@ksk/resolver";
import { buildRootAnchors } from "@ksk/trust-anchor";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ksk } from "../packages/cli/test/harness.js";
import { generateLabKeys, type LabKey, signLabRoot } from "./support/lab-root.js";
import { startKsk } from "./support/cli-process.js";
import { hasTool } from "./support/tools.js";

const tools = hasTool("knotd") && hasTool("knotc") && hasTool("unbound") && hasTool("unbound-control") && hasTool("ldns-signzone");
// ldns-signzone signs from the host's clock (four weeks' validity) and unbound validates at --at
// (val-override-date), so --at is an hour after the signing, not a fixed date.
const AT = new Date(Math.ceil(Date.now() / 1000 + 3600) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
const VALID_FROM = Date.UTC(2026, 0, 1) / 1000;

describe.runIf(tools)("ksk resolver lab", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "resolver-lab-cli-"));
  let zone: string;
  let ksk1: LabKey;
  let other: LabKey;

  const anchorsFor = (key: LabKey, file: string) => {
    const { xmlBytes } = buildRootAnchors({
      trustAnchorId: "3F2504E0-4F89-41D3-9A0C-0305E82C3301",
      keys: [{ dnskey: key.dnskey.rdata, id: "Klab", validFromEpochSeconds: VALID_FROM }],
      publicationEpochSeconds: VALID_FROM,
    });
    const out = path.join(dir, file);
    writeFileSync(out, xmlBytes);
    return out;
  };

  beforeAll(() => {
    const keys = generateLabKeys(dir, 2);
    [ksk1, other] = keys.ksks as [LabKey, LabKey];
    zone = signLabRoot({ dir, published: [ksk1, keys.zsk], signing: [ksk1, keys.zsk], sentinelTags: [ksk1.tag] });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("validates the lab root from root-anchors.xml and reports ready: exit 0", async () => {
    const r = await ksk(["resolver", "lab", "--zone", zone, "--anchors", anchorsFor(ksk1, "good.xml"), "--at", AT, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.anchoredKeyTags).toEqual([ksk1.tag]);
    expect(result.probes.map((p: { question: string; rcode: string; authenticData: boolean }) => `${p.question} ${p.rcode} ${p.authenticData}`)).toEqual([
      ". SOA NOERROR true",
      ". DNSKEY NOERROR true",
      "example. DS NOERROR true",
      "nonexistent-tld. A NXDOMAIN true",
    ]);
    expect(result.readiness.keys[0].trust).toBe("trusted");
    // The KSK signature the anchor leads to, and when it held: what the report names.
    const at = Date.parse(AT) / 1000;
    expect(result.validationEpochSeconds).toBe(at);
    expect(result.anchoredSignatures).toHaveLength(1);
    expect(result.anchoredSignatures[0].keyTag).toBe(ksk1.tag);
    expect(result.anchoredSignatures[0].inceptionEpochSeconds).toBeLessThanOrEqual(at);
    expect(result.anchoredSignatures[0].expirationEpochSeconds).toBeGreaterThanOrEqual(at);
    expect(result.ok).toBe(true);
    expect(await nothingListens(result.authority.address, result.authority.port)).toBe(true);
    expect(await nothingListens(result.resolver.address, result.resolver.port)).toBe(true);
  });

  it("--dnstap keeps the queries knotd received: the built ksk telemetry finds unbound's RFC 8145 signal of the anchored key", async () => {
    const dnstap = path.join(dir, "root.dnstap");
    const r = await ksk(["resolver", "lab", "--zone", zone, "--anchors", anchorsFor(ksk1, "signal.xml"), "--at", AT, "--dnstap", dnstap, "--json"]);
    expect(r.code).toBe(0);
    const t = await startKsk(["telemetry", dnstap, "--json"]).done;
    expect(t.stderr).toBe("");
    expect(t.code).toBe(0);
    const summary = JSON.parse(t.stdout);
    const resolver = summary.resolvers.find((x: { address: string }) => x.address === JSON.parse(r.stdout).resolver.address);
    expect(resolver.latest.keyTags).toEqual([ksk1.tag]);
    expect(summary.keyTags.map((k: { keyTag: number; share: number }) => [k.keyTag, k.share])).toEqual([[ksk1.tag, 1]]);
  });

  it("with anchors for another key nothing validates: exit 1, the failures named", async () => {
    const r = await ksk(["resolver", "lab", "--zone", zone, "--anchors", anchorsFor(other, "other.xml"), "--at", AT]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL \. SOA: SERVFAIL \(want NOERROR with AD\)$/m);
    expect(r.stdout).toMatch(/^verdict: lab check failed: \. SOA answered SERVFAIL without AD; /m);
    expect(r.stdout).toContain("servers stopped");
    // No DNSKEY signature leads from these anchors.
    expect(r.stdout).not.toContain("signed by anchored KSK");
  });

  it("an anchors file with no KeyDigest valid at --at is refused before any server starts: exit 1", async () => {
    const r = await ksk(["resolver", "lab", "--zone", zone, "--anchors", anchorsFor(ksk1, "early.xml"), "--at", "2025-01-01T00:00:00Z"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/early\.xml.*no KeyDigest is valid/i);
  });
});
