/**
 * The root KSK roll (RFC 5011) lived by real unbound resolvers on a compressed clock, as an operator
 * runs it: the BUILT `ksk lab --rollover --calendar compressed --out DIR` as a process (@ksk/lab
 * rollover-live.ts). Every phase of the 2024–2027 roll (A normal, B new KSK pre-published and listed
 * in root-anchors.xml, C roll, D old KSK revoked, E old KSK removed) is a KSR and an SKR signed by the
 * real signer with lab KSKs from a software keystore in DIR, DNSKEY TTL 2 s; knotd serves each
 * phase's test root on loopback. From the command's outputs (resolvers-phase-X.json,
 * rollover-live.json, telemetry-phase-X.json, report.html) the test asserts what the three resolvers
 * lived, and what the root heard them signal (RFC 8145 key tags, from knotd's dnstap):
 *
 *   managed  unbound, auto-trust-anchor-file with the old KSK only, permit-small-holddown, hold-downs
 *            of 3 s: AD in every phase, ends trusting the new key with the old one REVOKED in its file;
 *   static   unbound with a static DS for the old KSK: AD until the roll, SERVFAIL from then on;
 *   anchors  a fresh unbound per phase from that phase's root-anchors.xml (the KeyDigests valid then):
 *            AD in every phase.
 *
 * And the mistake operators are warned about, planted here in the test with the command's own
 * phase A and C zones: rolling straight from A to C (the new key never seen before it signs) makes
 * the managed resolver SERVFAIL — and `checkRollover` refuses exactly that plan on the real calendar
 * (ROLLOVER-ADD-HOLDDOWN), while the full 2024Q4-2027Q2 plan passes; each phase's test root on the
 * real dates validates under ldns-verify-zone -t and kzonecheck -t at a time in its quarter.
 *
 * unbound 1.17 facts relied on (measured, see packages/resolver/README.md): with
 * permit-small-holddown it probes every half DNSKEY TTL; a new key must be seen twice and for the
 * whole add hold-down; bogus answers are cached 60 s (flush_bogus before judging); one DNSKEY TTL +
 * 1 s after a swap before an answer is judged. Waits are for a state to be reached (polled, with a
 * generous limit), never assertions about speed. Servers listen on loopback only and are stopped by
 * PID: the command's own, whatever happens (a SIGTERM part-way leaves none running); the test's
 * planted-mistake servers, in afterAll too.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type DnskeyRdata, ROOT, RRType, type Signer, keyTag, loadZoneRecords, makeDs, makeRR, parseZone, revokedKeyTag, rrToString } from "@ksk/core";
import { type KsrResponseDocument, sameDnskey } from "@ksk/ksr";
import { type LabResolver, LabGroup, nothingListens, query, startLabAuthority, startLabResolver } from "@ksk/resolver";
import { DEFAULT_ROLLOVER_POLICY, checkRollover } from "@ksk/signer";
import { planZoneSigning, signZone } from "@ksk/zone";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labKsks } from "../packages/signer/test/helpers.js";
import { ROOT_ROLL_CALENDAR, labRollConfig, labZsks, signQuarters } from "../packages/signer/test/roll-sequence.js";
import { type FinishedProcess, startKsk } from "./support/cli-process.js";
import { hasTool, opensslCmsVerify, runTool } from "./support/tools.js";

const TTL = 2;
const HOLD_DOWN = 3;
const PHASES = ["A", "B", "C", "D", "E"] as const;

/** A small test root (for the real-calendar zones of the planted-mistake test). */
const TEST_ROOT = `. ${TTL} IN SOA a.root-servers.net. nstld.verisign-grs.com. 2026010100 1800 900 604800 ${TTL}
. ${TTL} IN NS a.root-servers.net.
a.root-servers.net. ${TTL} IN A 198.41.0.4
`;

/** One line of unbound's autotrust file: the key's tag as unbound shows it and its RFC 5011 state. */
function anchorStates(file: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /;\{id = (\d+) \(ksk\).*;;state=\d+ \[\s*(\w+)\s*\]/.exec(line);
    if (m) out.set(Number(m[1]), m[2] as string);
  }
  return out;
}

const sleep = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));

interface Answer {
  address: string;
  port: number;
  rcode: string;
  authenticData: boolean;
  answer: string;
  trust: { old: string; new: string };
  anchorFile?: { trusted: number[]; revoked: number[] };
}
interface PhaseRecord {
  phase: string;
  addPending?: { keyTag: number; holdDownLeftSeconds: number; holdDownSeconds: number };
  /** When the phase's answers were judged: the zone it served was signed for then. */
  atUtc: string;
  resolvers: Record<"managed" | "static" | "anchors", Answer>;
}

const tools =
  hasTool("openssl") &&
  hasTool("knotd") &&
  hasTool("knotc") &&
  hasTool("unbound") &&
  hasTool("unbound-control") &&
  hasTool("ldns-verify-zone") &&
  hasTool("kzonecheck");

describe.runIf(tools)("the KSK roll, phase by phase, through real unbound (ksk lab --rollover --calendar compressed)", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "rollover-live-"));
  const out = path.join(dir, "compressed-out");
  const lab = new LabGroup();
  let run: FinishedProcess;
  const phase = (p: string) => JSON.parse(readFileSync(path.join(out, `resolvers-phase-${p}.json`), "utf8")) as PhaseRecord;
  /** The lab KSKs the command generated, from its ksks.zone (old first). */
  const ksks = () => parseZone(readFileSync(path.join(out, "ksks.zone"), "utf8")).map((rr) => rr.rdata as DnskeyRdata);

  beforeAll(async () => {
    run = await startKsk(["lab", "--rollover", "--calendar", "compressed", "--out", out]).done;
  }, 300000);

  afterAll(async () => {
    await lab.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it("managed, static and per-phase resolvers through A→E; the static one breaks at the roll; the report says so", async () => {
    expect(run.code, `${run.stdout.slice(-3000)}${run.stderr}`).toBe(0);
    const summary = JSON.parse(readFileSync(path.join(out, "rollover-live.json"), "utf8")) as { keyTags: { old: number; oldRevoked: number; new: number } };
    const [oldKey, newKey] = ksks();
    const oldTag = summary.keyTags.old;
    const newTag = summary.keyTags.new;
    const oldRevokedTag = summary.keyTags.oldRevoked;
    expect([oldTag, newTag, oldRevokedTag]).toEqual([keyTag(oldKey as DnskeyRdata), keyTag(newKey as DnskeyRdata), revokedKeyTag(oldKey as DnskeyRdata)]);
    const outcomes = Object.fromEntries(
      PHASES.map((p) => {
        const r = phase(p).resolvers;
        return [p, { managed: r.managed.answer, static: r.static.answer, anchors: r.anchors.answer }];
      }),
    );
    expect(outcomes).toEqual({
      A: { managed: "AD", static: "AD", anchors: "AD" },
      B: { managed: "AD", static: "AD", anchors: "AD" },
      C: { managed: "AD", static: "SERVFAIL", anchors: "AD" },
      D: { managed: "AD", static: "SERVFAIL", anchors: "AD" },
      E: { managed: "AD", static: "SERVFAIL", anchors: "AD" },
    });
    // RFC 5011 §2.4.1 as lived: in phase B the managed resolver first held the new KSK pending
    // (ADDPEND) for the add hold-down, read from its anchor file while time was left on it.
    const pending = phase("B").addPending;
    expect(pending?.keyTag).toBe(newTag);
    expect(pending?.holdDownLeftSeconds).toBeGreaterThanOrEqual(0);
    expect(pending?.holdDownLeftSeconds).toBeLessThanOrEqual(pending?.holdDownSeconds ?? -1);
    expect(readFileSync(path.join(out, "report.html"), "utf8")).toMatch(
      new RegExp(`KSK ${newTag} VALID \\(ADDPEND at [0-9:]+Z with \\d+ s of its 3 s add hold-down left\\)`),
    );
    // The AD flag and RCODE are recorded as answered.
    expect(phase("C").resolvers.static).toMatchObject({ rcode: "SERVFAIL", authenticData: false });
    expect(phase("E").resolvers.managed).toMatchObject({ rcode: "NOERROR", authenticData: true });
    // The managed resolver's anchor file, as unbound wrote it: only the new key trusted, the old one revoked.
    const final = phase("E").resolvers.managed.anchorFile;
    expect(final?.trusted).toEqual([newTag]);
    expect(final?.revoked).toEqual([oldRevokedTag]);
    const file = anchorStates(path.join(out, "servers/managed/root.anchor"));
    expect(file.get(newTag)).toBe("VALID");
    expect(file.get(oldRevokedTag)).toBe("REVOKED");
    expect(file.has(oldTag)).toBe(false);
    // `ksk resolver check`'s probes on each: the managed resolver's trust moves from the old key to
    // the new; the static one cannot be read once it fails; the per-phase ones trust what
    // root-anchors.xml lists.
    const both = "old trusted, new trusted";
    const oldOnly = "old trusted, new not-trusted";
    const newOnly = "old not-trusted, new trusted";
    const unknown = "old unknown, new unknown";
    const trusts = Object.fromEntries(
      PHASES.map((p) => {
        const r = phase(p).resolvers;
        const t = (a: Answer) => `old ${a.trust.old}, new ${a.trust.new}`;
        return [p, { managed: t(r.managed), static: t(r.static), anchors: t(r.anchors) }];
      }),
    );
    expect(trusts).toEqual({
      A: { managed: oldOnly, static: oldOnly, anchors: oldOnly },
      B: { managed: both, static: oldOnly, anchors: both },
      C: { managed: both, static: unknown, anchors: both },
      D: { managed: newOnly, static: unknown, anchors: both },
      E: { managed: newOnly, static: unknown, anchors: newOnly },
    });
    // The report: the timeline of the slot each phase served, and the resolvers' answers per phase.
    const html = readFileSync(path.join(out, "report.html"), "utf8");
    const cells = (tag: number) => [...html.matchAll(new RegExp(`data-slot="[^"]+" data-state="([a-z-]+)" data-key-tag="${tag}"`, "g"))].map((m) => m[1]);
    expect(cells(oldTag)).toEqual(["signing", "signing", "published"]);
    expect(cells(oldRevokedTag)).toEqual(["revoked-signing"]);
    expect(cells(newTag)).toEqual(["published", "signing", "signing", "signing"]);
    expect(html).toContain("static DS, old KSK stops validating in phase C roll");
    expect(html).toContain("LAB ONLY");
    expect(run.stdout).toMatch(/^PASS: LAB ONLY compressed roll A-E/m);
    expect(run.stdout).toContain(`Report: ${out}/report.html`);
    // Every phase's files are there, and the lab keys are in a keystore, not in memory only.
    for (const p of PHASES) {
      for (const f of [
        `ksr-phase-${p}.xml`,
        `skr-phase-${p}.xml`,
        `root-anchors-phase-${p}.xml`,
        `root-anchors-phase-${p}.p7s`,
        `root-phase-${p}.signed.zone`,
      ]) {
        expect(readFileSync(path.join(out, f)).length, f).toBeGreaterThan(0);
      }
      // Each root-anchors.xml is signed by the rehearsal's own lab CA, and OpenSSL agrees.
      const cms = opensslCmsVerify({
        p7sFile: path.join(out, `root-anchors-phase-${p}.p7s`),
        contentFile: path.join(out, `root-anchors-phase-${p}.xml`),
        caFile: path.join(out, "ca/ca.pem"),
        purposeAny: true,
      });
      expect(cms.status, cms.stderr).toBe(0);
      // Each phase's signed test root is a complete zone to Knot's checker (glue, delegations, the
      // NSEC chain and every signature), at the time the phase served it.
      const knot = runTool("kzonecheck", [
        "-o",
        ".",
        "-d",
        "on",
        "-t",
        String(Math.floor(Date.parse(phase(p).atUtc) / 1000)),
        path.join(out, `root-phase-${p}.signed.zone`),
      ]);
      expect(knot.status, `phase ${p}: ${knot.stdout}${knot.stderr}`).toBe(0);
    }
    // The servers are gone: nothing listens where they did, no process runs from the directory.
    for (const p of PHASES) for (const r of Object.values(phase(p).resolvers)) expect(await nothingListens(r.address, r.port)).toBe(true);
    expect(spawnSync("pgrep", ["-f", path.join(out, "servers")]).status).toBe(1);
  }, 60000);

  it("the root's view (RFC 8145 via knotd's dnstap): the RFC 5011 resolver signals old → both → new, the static one the old key throughout", async () => {
    expect(run.code).toBe(0);
    const { keyTags } = JSON.parse(readFileSync(path.join(out, "rollover-live.json"), "utf8")) as { keyTags: { old: number; new: number } };
    const telemetry = (p: string) =>
      JSON.parse(readFileSync(path.join(out, `telemetry-phase-${p}.json`), "utf8")) as {
        resolverNames: Record<string, string>;
        summary: { resolvers: { address: string; latest?: { keyTags: number[] }; onlyRetiredOrRevoked: boolean }[] };
      };
    const latest = (p: string, name: string) => {
      const t = telemetry(p);
      const r = t.summary.resolvers.find((x) => t.resolverNames[x.address]?.startsWith(name));
      return { tags: r?.latest?.keyTags ?? [], behind: r?.onlyRetiredOrRevoked };
    };
    const both = [keyTags.old, keyTags.new].sort((a, b) => a - b);
    const managed = PHASES.map((p) => latest(p, "RFC 5011").tags);
    expect(managed[0]).toEqual([keyTags.old]);
    expect(managed[2]).toEqual(both);
    expect(managed.slice(3)).toEqual([[keyTags.new], [keyTags.new]]);
    // B: the new key may be trusted before the resolver primes (and signals) again; either is the truth.
    expect([[keyTags.old], both]).toContainEqual(managed[1]);
    expect(PHASES.map((p) => latest(p, "static DS").tags)).toEqual(PHASES.map(() => [keyTags.old]));
    // From D the old key is revoked (E: retired in root-anchors.xml): the static resolver is behind.
    expect(PHASES.map((p) => latest(p, "static DS").behind)).toEqual([false, false, false, true, true]);
    expect(PHASES.map((p) => latest(p, "root-anchors.xml").tags)).toEqual([[keyTags.old], both, both, both, [keyTags.new]]);
    // The built `ksk telemetry` reads the kept dnstap file of a phase as the rehearsal did.
    const cli = await startKsk(["telemetry", path.join(out, "dnstap-phase-C.dnstap"), "--json"]).done;
    expect(cli.code).toBe(0);
    const cliLatest = JSON.parse(cli.stdout).resolvers.map((r: { address: string; latest?: { keyTags: number[] } }) => [r.address, r.latest?.keyTags]);
    expect(cliLatest).toEqual(telemetry("C").summary.resolvers.map((r) => [r.address, r.latest?.keyTags]));
    // The report shows the signals beside the resolvers' answers.
    const html = readFileSync(path.join(out, "report.html"), "utf8");
    expect(html).toContain('<h2 id="telemetry">Trust-anchor signals at the root (RFC 8145)</h2>');
    expect(html).toMatch(new RegExp(`data-entry="E old KSK removed" data-resolver="static DS, old KSK" data-tags="${keyTags.old}"`));
    expect(html).toContain("In E old KSK removed, static DS, old KSK still signals only retired or revoked keys");
  });

  it("rolling before the new KSK is trusted: the RFC 5011 resolver goes SERVFAIL, and checkRollover refuses that plan", async () => {
    expect(run.code).toBe(0);
    const [oldKey] = ksks();
    const newTag = JSON.parse(readFileSync(path.join(out, "rollover-live.json"), "utf8")).keyTags.new as number;
    const dsOf = (dnskey: DnskeyRdata) => makeRR(ROOT, 3600, makeDs(ROOT, dnskey, 2));
    const resolve = async (r: LabResolver) => {
      r.flushBogus();
      const { response } = await query(r, ROOT, RRType.SOA, { dnssecOk: true });
      return response.rcode === 0 && response.flags.authenticData ? "AD" : response.rcode === 2 ? "SERVFAIL" : `rcode ${response.rcode}`;
    };
    // The command's own phase A and C zones (signed for the slot in force when it ran).
    const early = lab.add(await startLabAuthority({ zoneFile: path.join(out, "root-phase-A.signed.zone"), dir: path.join(dir, "knot-early") }));
    const managed = lab.add(
      await startLabResolver({
        dir: path.join(dir, "managed-early"),
        authority: early,
        anchors: { kind: "auto-trust-anchor-file", records: [dsOf(oldKey as DnskeyRdata)] },
        options: { permitSmallHolddown: true, addHolddownSeconds: HOLD_DOWN, delHolddownSeconds: 3600 },
      }),
    );
    await sleep(TTL + 1);
    expect(await resolve(managed)).toBe("AD");
    await early.swapZone(path.join(out, "root-phase-C.signed.zone")); // no phase B: the new KSK signs unseen
    await sleep(TTL + 1);
    expect(await resolve(managed)).toBe("SERVFAIL");
    expect(anchorStates(managed.anchorFile as string).get(newTag)).not.toBe("VALID");
    await managed.stop();
    await early.stop();

    const roll = labKsks();
    // The same mistake on the real calendar, and the whole roll done right.
    const config = labRollConfig(roll);
    const tooEarly = checkRollover(
      await signQuarters(roll, config, labZsks(2), [
        ["2026Q3", "normal"],
        ["2026Q4", "rollover"],
      ]),
      DEFAULT_ROLLOVER_POLICY,
    );
    expect(tooEarly.ok).toBe(false);
    expect(new Set(tooEarly.findings.filter((f) => f.severity === "fail").map((f) => f.code))).toEqual(new Set(["ROLLOVER-ADD-HOLDDOWN"]));
    const calendarZsks = labZsks(ROOT_ROLL_CALENDAR.length);
    const calendar = await signQuarters(roll, config, calendarZsks, ROOT_ROLL_CALENDAR);
    const done = checkRollover(calendar, DEFAULT_ROLLOVER_POLICY);
    expect(done.findings.filter((f) => f.severity === "fail")).toEqual([]);
    // Each phase's test root on the real dates (2024Q4 normal … 2027Q2 after), signed for a time in
    // the quarter's second slot, validates under ldns-verify-zone -t and kzonecheck -t at that time,
    // from the KSK that signs it.
    for (const quarter of ["2024Q4", "2025Q1", "2026Q4", "2027Q1", "2027Q2"]) {
      const skr = calendar.find((q) => q.name === `skr-${quarter}.xml`)?.skr as KsrResponseDocument;
      const atSeconds = (skr.bundles[1]?.inceptionEpochSeconds as number) + 86400;
      const plan = planZoneSigning({ records: loadZoneRecords({ name: "test-root.zone", text: TEST_ROOT }), origin: ROOT, skr, atEpochSeconds: atSeconds });
      const zsk = calendarZsks.find((z) => sameDnskey(z.dnskey, plan.bundle.signingZsk.dnskey)) as Signer;
      const file = path.join(dir, `root-${quarter}.signed.zone`);
      writeFileSync(file, await signZone(plan, zsk));
      const signer = plan.bundle.bundle.signatures.map((s) => s.rrsig.keyTag);
      const anchor = path.join(dir, `anchor-${quarter}.ds`);
      const anchorKey = [roll.next, roll.current].find((k) => signer.includes(k.keyTag) || signer.includes(revokedKeyTag(k.dnskey)));
      writeFileSync(anchor, `${rrToString(dsOf((anchorKey as Signer).dnskey))}\n`);
      const stamp = new Date(atSeconds * 1000).toISOString().replace(/[-T:]/g, "").slice(0, 14);
      const ldns = runTool("ldns-verify-zone", ["-k", anchor, "-t", stamp, file]);
      expect(ldns.status, `${quarter}: ${ldns.stdout}${ldns.stderr}`).toBe(0);
      const knot = runTool("kzonecheck", ["-o", ".", "-d", "on", "-t", String(atSeconds), file]);
      expect(knot.status, `${quarter}: ${knot.stdout}${knot.stderr}`).toBe(0);
    }
  }, 180000);

  it("stopped by SIGTERM part-way: exit 143, and no server it started is left running", async () => {
    const cut = path.join(dir, "interrupted-out");
    const { child, done } = startKsk(["lab", "--rollover", "--calendar", "compressed", "--out", cut]);
    // Wait (polled, generous limit) until the servers run: knotd and both long-lived resolvers.
    const end = Date.now() + 120000;
    while (!existsSync(path.join(cut, "servers/static/unbound.pid")) && Date.now() < end) await sleep(0.25);
    expect(existsSync(path.join(cut, "servers/static/unbound.pid"))).toBe(true);
    expect(spawnSync("pgrep", ["-f", path.join(cut, "servers")]).status).toBe(0);
    child.kill("SIGTERM");
    const stopped = await done;
    expect(stopped.code).toBe(143);
    expect(stopped.stderr).toContain("ksk: SIGTERM: stopped");
    expect(spawnSync("pgrep", ["-f", path.join(cut, "servers")]).status).toBe(1);
  }, 180000);
});
