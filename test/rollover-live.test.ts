/**
 * The root KSK roll (RFC 5011) lived by real unbound resolvers on a compressed clock: every phase of
 * the 2024–2027 roll (A normal, B new KSK pre-published and listed in root-anchors.xml, C roll, D
 * old KSK revoked, E old KSK removed) is a lab SKR signed by the real signer (@ksk/signer planSigning
 * + executePlan, lab KSKs in memory) over a KSR built by @ksk/ksr for the quarter in force, with a
 * DNSKEY TTL of 2 s; the slot in force now is put into a test root signed by @ksk/zone and served by
 * knotd, the test swapping the served zone phase by phase. Three resolvers watch:
 *
 *   managed  unbound, auto-trust-anchor-file with the old KSK only, permit-small-holddown, hold-downs
 *            of 3 s: AD in every phase, ends trusting the new key with the old one REVOKED in its file;
 *   static   unbound with a static DS for the old KSK: AD until the roll, SERVFAIL from then on;
 *   anchors  a fresh unbound per phase from that phase's root-anchors.xml (the KeyDigests valid then):
 *            AD in every phase.
 *
 * And the mistake operators are warned about, planted: rolling straight from A to C (the new key
 * never seen before it signs) makes the managed resolver SERVFAIL — and `checkRollover` refuses
 * exactly that plan on the real calendar (ROLLOVER-ADD-HOLDDOWN), while the full 2024Q4-2027Q2 plan
 * passes; each phase's test root on the real dates validates under ldns-verify-zone -t and
 * kzonecheck -t at a time in its quarter.
 *
 * unbound 1.17 facts relied on (measured, see packages/resolver/README.md): with
 * permit-small-holddown it probes every half DNSKEY TTL; a new key must be seen twice and for the
 * whole add hold-down; bogus answers are cached 60 s (flush_bogus before judging); one DNSKEY TTL +
 * 1 s after a swap before an answer is judged. Waits are for a state to be reached (polled, with a
 * generous limit), never assertions about speed.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type DnskeyRdata, ROOT, RRType, type Signer, makeDs, makeRR, revokedKeyTag, rrToString } from "@ksk/core";
import { type KsrRequestDocument, type KsrResponseDocument, buildKsr, defaultKsrPolicy, quarterOf, sameDnskey } from "@ksk/ksr";
import { type LabAnchors, type LabAuthority, type LabResolver, LabGroup, checkResolver, query, startLabAuthority, startLabResolver } from "@ksk/resolver";
import { DEFAULT_ROLLOVER_POLICY, checkRollover, executePlan, parseSignerConfig, planSigning } from "@ksk/signer";
import { anchorDsRecords, buildRootAnchors, parseRootAnchors } from "@ksk/trust-anchor";
import { bundleInUse, formatSignedZone, loadZoneRecords, planZoneSigning, signZone } from "@ksk/zone";
import { renderReportHtml } from "@ksk/ceremony";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LabKsks, labKsks, materials } from "../packages/signer/test/helpers.js";
import { testSigner } from "./support/soft-signer.js";
import { hasTool, runTool } from "./support/tools.js";
import { ROOT_ROLL_CALENDAR, labRollConfig, labZsks, signQuarters } from "../packages/signer/test/roll-sequence.js";

const TTL = 2;
const HOLD_DOWN = 3;

/** The phases of the roll (A normal, B new KSK pre-published, C roll, D old revoked, E old removed). */
const PHASES = ["A", "B", "C", "D", "E"] as const;
type Phase = (typeof PHASES)[number];

const repository = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
/** LAB ONLY: keys-example/lab-rollover-compressed.yaml (TTL 2 s, one schema per phase) with the lab KSKs. */
function compressedConfigText(ksks: LabKsks): string {
  const key = (name: string, s: Signer) =>
    `  ${name}:\n    description: lab ${name}\n    label: ${s.label}\n    key_tag: ${s.keyTag}\n    algorithm: RSASHA256\n    rsa_size: 2048\n    rsa_exponent: 65537\n    valid_from: 2010-01-01T00:00:00+00:00\n`;
  const policy = readFileSync(path.join(repository, "keys-example/lab-rollover-compressed.yaml"), "utf8");
  return `keystore: file:/lab/keystore\nkeys:\n${key("ksk_current", ksks.current)}${key("ksk_next", ksks.next)}${policy}`;
}

/** A small test root with TTLs of 2 s (SOA minimum too), so that every answer ages out within a phase. */
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

async function until<T>(what: string, probe: () => T | undefined, limitMs = 30000): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`waited ${limitMs / 1000} s for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const sleep = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));

const tools = hasTool("knotd") && hasTool("knotc") && hasTool("unbound") && hasTool("unbound-control") && hasTool("ldns-verify-zone") && hasTool("kzonecheck");

describe.runIf(tools)("the KSK roll, phase by phase, through real unbound (RFC 5011, compressed clock)", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "rollover-live-"));
  const lab = new LabGroup();
  const ksks = labKsks();
  const zsks = [0, 1, 2].map((i) => testSigner({ algorithm: 8, label: `Zroll${i}` }));
  const nowEpochSeconds = () => Math.floor(Date.now() / 1000);
  const zoneFiles = new Map<Phase, string>();
  const skrs = new Map<Phase, KsrResponseDocument>();
  const oldTag = ksks.current.keyTag;
  const newTag = ksks.next.keyTag;
  const oldRevokedTag = revokedKeyTag(ksks.current.dnskey);
  let authority: LabAuthority;

  const dsOf = (dnskey: DnskeyRdata) => makeRR(ROOT, 3600, makeDs(ROOT, dnskey, 2));

  /** root-anchors.xml as published in a phase: the new KSK from B, the old one with validUntil at E. */
  function anchorsXml(phase: Phase, at: number): Uint8Array {
    const keys = [
      { dnskey: ksks.current.dnskey, id: "Klab-old", validFromEpochSeconds: at - 86400, ...(phase === "E" ? { validUntilEpochSeconds: at - 1 } : {}) },
      ...(phase === "A" ? [] : [{ dnskey: ksks.next.dnskey, id: "Klab-new", validFromEpochSeconds: at - 3600 }]),
    ];
    return buildRootAnchors({ trustAnchorId: randomUUID().toUpperCase(), keys, publicationEpochSeconds: at }).xmlBytes;
  }

  let servedSerial = 2026010100;
  async function phaseZone(ksr: KsrRequestDocument, phase: Phase): Promise<string> {
    const config = parseSignerConfig(compressedConfigText(ksks), "lab-rollover-compressed.yaml");
    const schema = config.schemas.get(`phase-${phase}`);
    if (!schema) throw new Error(`no schema phase-${phase}`);
    if (config.kskPolicy.ttlSeconds !== TTL) throw new Error(`lab-rollover-compressed.yaml: ksk_policy.ttl is not the test's ${TTL} s`);
    const skr = await executePlan(planSigning({ ksr, schema, kskPolicy: config.kskPolicy, ksks: materials(config, ksks) }), ksks.signers);
    skrs.set(phase, skr);
    const plan = planZoneSigning({
      // Each swap serves a new serial (knotd reloads, and the lab authority refuses a serial it serves).
      records: loadZoneRecords({ name: "test-root.zone", text: TEST_ROOT.replace(" 2026010100 ", ` ${servedSerial++} `) }),
      origin: ROOT,
      skr,
      atEpochSeconds: nowEpochSeconds(),
      serial: "increment",
      sentinels: true,
      knownKeys: [ksks.current.dnskey, ksks.next.dnskey].map((dnskey) => makeRR(ROOT, TTL, dnskey)),
    });
    const zsk = zsks.find((z) => sameDnskey(z.dnskey, plan.bundle.signingZsk.dnskey)) as Signer;
    const file = path.join(dir, `root-phase-${phase}.signed.zone`);
    writeFileSync(file, formatSignedZone(await signZone(plan, zsk)));
    return file;
  }

  beforeAll(async () => {
    const policy = defaultKsrPolicy();
    const ksr = await buildKsr({
      quarter: quarterOf(nowEpochSeconds()),
      zsks,
      policy: { request: { ...policy.request, dns_ttl: TTL }, zsk: { ...policy.zsk, ttlSeconds: TTL } },
      nowEpochSeconds: nowEpochSeconds(),
      newId: randomUUID,
    });
    for (const phase of PHASES) zoneFiles.set(phase, await phaseZone(ksr, phase));
  }, 120000);

  afterAll(async () => {
    await lab.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  const resolve = async (r: LabResolver) => {
    r.flushBogus();
    const { response } = await query(r, ROOT, RRType.SOA, { dnssecOk: true });
    return response.rcode === 0 && response.flags.authenticData ? "AD" : response.rcode === 2 ? "SERVFAIL" : `rcode ${response.rcode}`;
  };

  it("managed, static and per-phase resolvers through A→E; the static one breaks at the roll", async () => {
    authority = lab.add(await startLabAuthority({ zoneFile: zoneFiles.get("A") as string, dir: path.join(dir, "knot") }));
    const start = (name: string, anchors: LabAnchors, options = {}) =>
      startLabResolver({ dir: path.join(dir, name), authority, anchors, options }).then((r) => lab.add(r));
    const managed = await start(
      "managed",
      { kind: "auto-trust-anchor-file", records: [dsOf(ksks.current.dnskey)] },
      {
        permitSmallHolddown: true,
        addHolddownSeconds: HOLD_DOWN,
        // RFC 5011's remove hold-down is left long: unbound drops a REVOKED key from its file once the
        // key has been missing that long, and the test wants to read the revocation at the end.
        delHolddownSeconds: 3600,
      },
    );
    const fixed = await start("static", { kind: "ds", records: [dsOf(ksks.current.dnskey)] });
    const outcomes: Record<string, Record<string, string>> = {};
    const trusts: Record<string, Record<string, string>> = {};
    for (const phase of PHASES) {
      if (phase !== "A") await authority.swapZone(zoneFiles.get(phase) as string);
      await sleep(TTL + 1);
      if (phase === "B") {
        // RFC 5011 §2.4.1: the new key is trusted once seen for the whole add hold-down.
        await until("the managed resolver to trust the new KSK", () => (anchorStates(managed.anchorFile as string).get(newTag) === "VALID" ? true : undefined));
      }
      if (phase === "D") {
        await until("the managed resolver to record the old KSK as revoked", () =>
          anchorStates(managed.anchorFile as string).get(oldRevokedTag) === "REVOKED" ? true : undefined,
        );
      }
      const at = nowEpochSeconds();
      const xml = anchorsXml(phase, at);
      writeFileSync(path.join(dir, `root-anchors-${phase}.xml`), xml);
      const ds = anchorDsRecords(parseRootAnchors(xml), { atEpochSeconds: at }).map((d) => makeRR(d.owner, d.ttlSeconds, d.ds));
      const fromAnchors = await start(`anchors-${phase}`, { kind: "ds", records: ds });
      outcomes[phase] = { managed: await resolve(managed), static: await resolve(fixed), anchors: await resolve(fromAnchors) };
      // `ksk resolver check`'s probes on each: which KSK it trusts (RFC 8509 sentinels).
      for (const [name, r] of [
        ["managed", managed],
        ["static", fixed],
        ["anchors", fromAnchors],
      ] as const) {
        const report = await checkResolver({ server: r, keyTags: [oldTag, newTag] });
        const trustOf = (tag: number) => report.keys.find((k) => k.keyTag === tag)?.trust;
        trusts[phase] = { ...trusts[phase], [name]: `old ${trustOf(oldTag)}, new ${trustOf(newTag)}` };
      }
      await fromAnchors.stop();
    }
    expect(outcomes).toEqual({
      A: { managed: "AD", static: "AD", anchors: "AD" },
      B: { managed: "AD", static: "AD", anchors: "AD" },
      C: { managed: "AD", static: "SERVFAIL", anchors: "AD" },
      D: { managed: "AD", static: "SERVFAIL", anchors: "AD" },
      E: { managed: "AD", static: "SERVFAIL", anchors: "AD" },
    });
    const final = anchorStates(managed.anchorFile as string);
    expect(final.get(newTag)).toBe("VALID");
    expect(final.get(oldRevokedTag)).toBe("REVOKED");
    expect(final.has(oldTag)).toBe(false);
    // `ksk resolver check`: the managed resolver's trust moves from the old key to the new; the
    // static one cannot be read once it fails; the per-phase ones trust what root-anchors.xml lists.
    const both = "old trusted, new trusted";
    const oldOnly = "old trusted, new not-trusted";
    const newOnly = "old not-trusted, new trusted";
    const unknown = "old unknown, new unknown";
    // The report: the timeline of the slot each phase served, and the resolvers' answers per phase.
    const at = nowEpochSeconds();
    const served = PHASES.map((phase) => {
      const skr = skrs.get(phase) as KsrResponseDocument;
      return { path: `skr-phase-${phase}.xml`, document: { ...skr, bundles: [bundleInUse(skr, at).bundle] } };
    });
    const names: Record<string, string> = {
      managed: "RFC 5011 (auto-trust-anchor-file)",
      static: "static DS, old KSK",
      anchors: "root-anchors.xml of the phase",
    };
    const html = renderReportHtml({
      title: "KSK roll rehearsal (compressed clock)",
      generatedEpochSeconds: at,
      entries: [],
      verification: { ok: true, entryCount: 0, artefactCount: 0, headSha256Hex: "00".repeat(32), problems: [], incomplete: false },
      skrs: served,
      resolverRuns: [],
      texts: new Map(),
      rolloverResolvers: Object.entries(outcomes).flatMap(([phase, answers]) =>
        Object.entries(answers).map(([r, answer]) => ({ phase, resolver: names[r] as string, answer, trust: trusts[phase]?.[r] as string })),
      ),
    });
    writeFileSync(path.join(dir, "report.html"), html);
    const cells = (tag: number) => [...html.matchAll(new RegExp(`data-slot="[^"]+" data-state="([a-z-]+)" data-key-tag="${tag}"`, "g"))].map((m) => m[1]);
    expect(cells(oldTag)).toEqual(["signing", "signing", "published"]);
    expect(cells(oldRevokedTag)).toEqual(["revoked-signing"]);
    expect(cells(newTag)).toEqual(["published", "signing", "signing", "signing"]);
    expect(html).toContain("static DS, old KSK stops validating in phase C");
    expect(trusts).toEqual({
      A: { managed: oldOnly, static: oldOnly, anchors: oldOnly },
      B: { managed: both, static: oldOnly, anchors: both },
      C: { managed: both, static: unknown, anchors: both },
      D: { managed: newOnly, static: unknown, anchors: both },
      E: { managed: newOnly, static: unknown, anchors: newOnly },
    });
  }, 180000);

  it("rolling before the new KSK is trusted: the RFC 5011 resolver goes SERVFAIL, and checkRollover refuses that plan", async () => {
    const early = lab.add(await startLabAuthority({ zoneFile: zoneFiles.get("A") as string, dir: path.join(dir, "knot-early") }));
    const managed = lab.add(
      await startLabResolver({
        dir: path.join(dir, "managed-early"),
        authority: early,
        anchors: { kind: "auto-trust-anchor-file", records: [dsOf(ksks.current.dnskey)] },
        options: { permitSmallHolddown: true, addHolddownSeconds: HOLD_DOWN, delHolddownSeconds: 3600 },
      }),
    );
    await sleep(TTL + 1);
    expect(await resolve(managed)).toBe("AD");
    await early.swapZone(zoneFiles.get("C") as string); // no phase B: the new KSK signs unseen
    await sleep(TTL + 1);
    expect(await resolve(managed)).toBe("SERVFAIL");
    expect(anchorStates(managed.anchorFile as string).get(newTag)).not.toBe("VALID");
    await managed.stop();
    await early.stop();

    // The same mistake on the real calendar, and the whole roll done right.
    const config = labRollConfig(ksks);
    const tooEarly = checkRollover(
      await signQuarters(ksks, config, labZsks(2), [
        ["2026Q3", "normal"],
        ["2026Q4", "rollover"],
      ]),
      DEFAULT_ROLLOVER_POLICY,
    );
    expect(tooEarly.ok).toBe(false);
    expect(new Set(tooEarly.findings.filter((f) => f.severity === "fail").map((f) => f.code))).toEqual(new Set(["ROLLOVER-ADD-HOLDDOWN"]));
    const calendarZsks = labZsks(ROOT_ROLL_CALENDAR.length);
    const calendar = await signQuarters(ksks, config, calendarZsks, ROOT_ROLL_CALENDAR);
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
      writeFileSync(file, formatSignedZone(await signZone(plan, zsk)));
      const signer = plan.bundle.bundle.signatures.map((s) => s.rrsig.keyTag);
      const anchor = path.join(dir, `anchor-${quarter}.ds`);
      const anchorKey = [ksks.next, ksks.current].find((k) => signer.includes(k.keyTag) || signer.includes(revokedKeyTag(k.dnskey)));
      writeFileSync(anchor, `${rrToString(dsOf((anchorKey as Signer).dnskey))}\n`);
      const stamp = new Date(atSeconds * 1000).toISOString().replace(/[-T:]/g, "").slice(0, 14);
      const ldns = runTool("ldns-verify-zone", ["-k", anchor, "-t", stamp, file]);
      expect(ldns.status, `${quarter}: ${ldns.stdout}${ldns.stderr}`).toBe(0);
      const knot = runTool("kzonecheck", ["-o", ".", "-d", "on", "-t", String(atSeconds), file]);
      expect(knot.status, `${quarter}: ${knot.stdout}${knot.stderr}`).toBe(0);
    }
  }, 180000);
});
