/**
 * The proof of a ceremony: the real-sized lab root, signed by `ksk zone sign` from a lab quarter's
 * SKR (with RFC 8509 sentinel names for the lab KSK), served by knotd on loopback and validated by
 * unbound whose only root is that server and whose only trust is the lab's published
 * root-anchors.xml (→ DS), through @ksk/resolver's lab servers (`ksk resolver lab`): `. SOA`,
 * `. DNSKEY`, a TLD's DS and a nonexistent TLD come back with AD, and the sentinel names say the
 * resolver trusts the lab KSK. With a root-anchors.xml for another key, `. SOA` is SERVFAIL.
 * Both servers are stopped by PID; nothing listens afterwards.
 *
 * unbound and BIND validate at the real clock, so this lab is for the quarter of the real clock
 * and signed at the current time: the one place these tests read it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { nothingListens } from "@ksk/resolver";
import { buildRootAnchors } from "@ksk/trust-anchor";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ksk } from "../packages/cli/test/harness.js";
import { testSigner } from "./support/soft-signer.js";
import { hasTool, runTool } from "./support/tools.js";
import { type ZoneLab, makeZoneLab, unsignedRootText, zoneSignArgs } from "./support/zone-lab.js";

const tools = hasTool("knotd") && hasTool("unbound") && hasTool("dnssec-verify");
const NOW = Math.floor(Date.now() / 1000);
const quarter = `${new Date(NOW * 1000).getUTCFullYear()}Q${Math.floor(new Date(NOW * 1000).getUTCMonth() / 3) + 1}`;

describe.runIf(tools)("the real-sized lab root in knotd, validated by unbound from root-anchors.xml", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "ksk-zone-resolver-"));
  const signed = path.join(dir, "root.signed.zone");
  let lab: ZoneLab;

  const anchorsFor = (dnskey: ZoneLab["ksk"]["dnskey"], file: string) => {
    const validFrom = NOW - 30 * 86400;
    const { xmlBytes } = buildRootAnchors({
      trustAnchorId: "3F2504E0-4F89-41D3-9A0C-0305E82C3301",
      keys: [{ dnskey, id: "Klab", validFromEpochSeconds: validFrom }],
      publicationEpochSeconds: validFrom,
    });
    const out = path.join(dir, file);
    writeFileSync(out, xmlBytes);
    return out;
  };

  beforeAll(async () => {
    lab = await makeZoneLab(dir, { quarter, atEpochSeconds: NOW });
    const unsigned = path.join(dir, "root.zone");
    writeFileSync(unsigned, unsignedRootText());
    const r = await ksk(zoneSignArgs(lab, unsigned, signed, { at: null, extra: ["--sentinels"] }), { now: NOW });
    if (r.code !== 0) throw new Error(`ksk zone sign failed (${r.code}): ${r.stderr}`);
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("answers . SOA, . DNSKEY, a TLD's DS and a nonexistent TLD with AD, and trusts the lab KSK (sentinels)", async () => {
    const r = await ksk(["resolver", "lab", "--zone", signed, "--anchors", anchorsFor(lab.ksk.dnskey, "good.xml"), "--at", `@${NOW}`, "--json"], { now: NOW });
    expect(r.stderr).toBe("");
    const result = JSON.parse(r.stdout);
    expect(result.probes.map((p: { question: string; rcode: string; authenticData: boolean }) => `${p.question} ${p.rcode} ${p.authenticData}`)).toEqual([
      ". SOA NOERROR true",
      ". DNSKEY NOERROR true",
      "aaa. DS NOERROR true",
      "nonexistent-tld. A NXDOMAIN true",
    ]);
    expect(result.anchoredKeyTags).toEqual([lab.ksk.keyTag]);
    expect(result.readiness.keys.map((k: { keyTag: number; trust: string }) => `${k.keyTag} ${k.trust}`)).toEqual([`${lab.ksk.keyTag} trusted`]);
    expect(r.code).toBe(0);
    expect(await nothingListens(result.authority.address, result.authority.port)).toBe(true);
    expect(await nothingListens(result.resolver.address, result.resolver.port)).toBe(true);
  }, 120_000);

  it("with a tampered anchor (root-anchors.xml for another key) . SOA is SERVFAIL: exit 1", async () => {
    const other = testSigner({ algorithm: 8, flags: 257, label: "not-the-lab-ksk" });
    const r = await ksk(["resolver", "lab", "--zone", signed, "--anchors", anchorsFor(other.dnskey, "other.xml"), "--at", `@${NOW}`], { now: NOW });
    expect(r.stdout).toMatch(/^FAIL \. SOA: SERVFAIL \(want NOERROR with AD\)$/m);
    expect(r.code).toBe(1);
  }, 120_000);

  it("is accepted by BIND's dnssec-verify (which validates at the real clock)", () => {
    const v = runTool("dnssec-verify", ["-o", ".", signed]);
    expect(v.stdout + v.stderr).toContain("Zone fully signed");
    expect(v.status).toBe(0);
  });
});
