/**
 * The report page from IANA's real SKRs of 2017 Q1 and Q2 (packages/ksr/test/fixtures, provenance
 * there): 18 slots in time order, one row per key — KSK-2010 (19036, Kjqmt7v) signing every slot,
 * the ZSKs published in the slots the files list them — and the verdict of a stopped ceremony.
 * The expected states are read from the files here, not from the module under test.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { type CheckResult, checkLine, isSep, keyTag } from "@ksk/core";
import { type KsrResponseDocument, parseKsrXml } from "@ksk/ksr";
import { describe, expect, it } from "vitest";
import {
  type ResolverRun,
  type TranscriptEntry,
  renderReportHtml,
  reportVerdict,
  rolloverResolversSection,
  runOutcome,
  timelineSlots,
  zskSigners,
} from "../src/index.js";

const fixtures = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../ksr/test/fixtures");
const skrs = ["skr-root-2017-q2-0.xml", "skr-root-2017-q1-0.xml"].map((f) => ({
  path: f,
  document: parseKsrXml(readFileSync(path.join(fixtures, f))).document as KsrResponseDocument,
}));
const verified = { ok: true, entryCount: 3, artefactCount: 2, headSha256Hex: "ab".repeat(32), problems: [], incomplete: false };

describe("the report's timeline from IANA's 2017 Q1 and Q2 SKRs", () => {
  it("has 18 slots in time order, KSK-2010 signing each, the ZSKs published where the files list them", () => {
    const slots = timelineSlots(skrs);
    expect(slots.map((s) => `${s.quarter}/${s.index}`)).toEqual(
      [...Array(9)].map((_, i) => `2017Q1/${i + 1}`).concat([...Array(9)].map((_, i) => `2017Q2/${i + 1}`)),
    );
    const files = [skrs[1], skrs[0]].flatMap((s) => s?.document.bundles ?? []);
    for (const [i, slot] of slots.entries()) {
      const bundle = files[i];
      expect(slot.keys.find((k) => k.role === "KSK")).toMatchObject({ keyTag: 19036, state: "signing", keyIdentifier: "Kjqmt7v" });
      expect(slot.keys.filter((k) => k.role === "ZSK").map((k) => k.keyTag)).toEqual(bundle?.keys.filter((k) => !isSep(k.dnskey)).map((k) => keyTag(k.dnskey)));
      // The 2017 root ZSK roll: 61045 signs Q1 (39291 post-published in slot 1, 14796 pre-published
      // in slot 9), 14796 signs Q2 (61045 post-published in slot 1, 15768 pre-published in slot 9).
      expect(slot.keys.filter((k) => k.role === "ZSK" && k.state === "signing").map((k) => k.keyTag)).toEqual([i < 9 ? 61045 : 14796]);
    }
  });

  it("tells the signing ZSK from the pre- and post-published one by the slots either side", () => {
    // New in slot 1 (pre-published), then both, the old one gone in slot 3 (post-published in 2).
    expect(zskSigners([[1], [1, 2], [1, 2], [2]]).map((s) => [...s])).toEqual([[1], [1], [2], [2]]);
    // Nothing either side tells them apart: both are shown signing, none hidden.
    expect(zskSigners([[1, 2]]).map((s) => [...s].sort())).toEqual([[1, 2]]);
  });

  it("renders one SVG row per key and a rect per key and slot, with no script or external reference", () => {
    const html = renderReportHtml({ title: "t", generatedEpochSeconds: 0, entries: [], verification: verified, skrs, texts: new Map(), resolverRuns: [] });
    const zskTags = new Set(skrs.flatMap((s) => s.document.bundles.flatMap((b) => b.keys.filter((k) => !isSep(k.dnskey)).map((k) => keyTag(k.dnskey)))));
    const rows = [...html.matchAll(/<g class="key-row" data-key="([^"]+)"/g)].map((m) => m[1]);
    expect(rows[0]).toBe("KSK-19036");
    expect(new Set(rows.slice(1))).toEqual(new Set([...zskTags].map((t) => `ZSK-${t}`)));
    expect(rows).toHaveLength(zskTags.size + 1);
    // KSK-2010 and one ZSK sign each of the 18 slots.
    expect([...html.matchAll(/data-state="signing"/g)]).toHaveLength(36);
    expect([...html.matchAll(/class="slot-date"[^>]*>01-11<\/text>/g)]).toHaveLength(1);
    expect(html).not.toMatch(/<script|<link|<img|src=|@import|url\(/);
  });
});

describe("the verdict", () => {
  it("fails a stopped ceremony, naming where it stopped", () => {
    const entries = [
      { seq: 1, type: "end", status: "stopped", reason: "act 03 step 2: ksk exited 1: KSR-CHAIN-KEYS", resumeFrom: { act: 3, step: 2 } },
    ] as unknown as TranscriptEntry[];
    const v = reportVerdict({ entries, verification: verified });
    expect(v.ok).toBe(false);
    expect(v.line).toMatch(/^FAIL: STOPPED at act 03 step 2: ksk exited 1: KSR-CHAIN-KEYS; anchor not verified;/);
  });

  const step = (seq: number, actName: string, status: string, output: string, reason?: string) =>
    ({ seq, type: "step", actName, status, outputs: status === "ok" ? [{ path: output }] : [], ...(reason ? { reason } : {}) }) as unknown as TranscriptEntry;

  it("says the zone was validated by unbound only when act 06 wrote its verdict after the zone was verified", () => {
    const v = reportVerdict({
      entries: [step(1, "test-root-zone", "ok", "root-2026Q3.zone-verify.txt"), step(2, "resolve", "ok", "resolver-2026Q3.json")],
      verification: verified,
    });
    expect(v.line).toMatch(/; test root 2026Q3 zone verified and validated by unbound from the anchor;/);
    // An earlier quarter's resolver run does not vouch for a later quarter's zone.
    const later = reportVerdict({
      entries: [step(1, "resolve", "ok", "resolver-2026Q3.json"), step(2, "test-root-zone", "ok", "root-2026Q4.zone-verify.txt")],
      verification: verified,
    });
    expect(later.line).toMatch(/; test root 2026Q4 zone verified; not validated by unbound \(act 06 not run\);/);
  });

  it("says act 06 was skipped, and why, when knotd or unbound is missing", () => {
    const entries = [step(1, "test-root-zone", "ok", "root-2026Q3.zone-verify.txt"), step(2, "resolve", "skipped", "", "knotd, knotc not installed")];
    expect(reportVerdict({ entries, verification: verified }).line).toMatch(/NOT validated by unbound \(act 06 skipped: knotd, knotc not installed\)/);
  });
});

describe("the verdict's checks", () => {
  const step = (seq: number, status: string, output: string) =>
    ({ seq, type: "step", actName: "key-signing", status, outputs: [{ path: output }] }) as unknown as TranscriptEntry;
  const text = (...results: CheckResult[]) => results.map(checkLine).join("\n");

  it("says PASS only when every check ran, else PASS with the checks skipped or switched off, named", () => {
    const ran = new Map([["ksr-2026Q3.check.txt", text({ code: "KSR-ID", status: "pass", detail: "unique" })]]);
    const entries = [step(1, "ok", "ksr-2026Q3.check.txt"), step(2, "ok", "skr-2026Q3.check.txt")];
    expect(reportVerdict({ entries, verification: verified, texts: ran }).line).toMatch(/^PASS: /);
    const skipped = new Map([
      ...ran,
      [
        "skr-2026Q3.check.txt",
        text(
          { code: "KSR-CHAIN-KEYS", status: "not-run", detail: "no previous SKR given" },
          { code: "SKR-VERIFY", status: "pass", detail: "18 signatures verify" },
          { code: "KSR-POLICY-SIG-HORIZON", status: "disabled", detail: "off", where: "bundle 1" },
        ),
      ],
    ]);
    const v = reportVerdict({ entries, verification: verified, texts: skipped });
    expect(v.ok).toBe(true);
    expect(v.line).toMatch(
      /^PASS with 2 checks skipped \(SKIP KSR-CHAIN-KEYS in skr-2026Q3\.check\.txt, OFF KSR-POLICY-SIG-HORIZON in skr-2026Q3\.check\.txt\): anchor not verified;/,
    );
    // The page's verdict says the same.
    const html = renderReportHtml({
      title: "t",
      generatedEpochSeconds: 0,
      entries,
      verification: verified,
      skrs: [],
      texts: skipped,
      resolverRuns: [],
      transcriptNote: "only the verdict",
    });
    expect(html).toContain('<p class="verdict pass" id="verdict">PASS with 2 checks skipped (SKIP KSR-CHAIN-KEYS in');
    // A failed step's output does not count; a failing run stays FAIL whatever was skipped.
    expect(
      reportVerdict({ entries: [step(1, "ok", "ksr-2026Q3.check.txt"), step(2, "failed", "skr-2026Q3.check.txt")], verification: verified, texts: skipped })
        .line,
    ).toMatch(/^PASS: /);
    expect(reportVerdict({ entries, verification: { ...verified, ok: false }, texts: skipped }).line).toMatch(/^FAIL: /);
  });
});

describe("the resolvers-through-the-roll table", () => {
  const phase = (p: string, answer: string) => [
    { phase: p, resolver: "RFC 5011", answer: "AD" },
    { phase: p, resolver: "static", answer },
  ];
  it("names the resolver that stops validating and the first phase it fails in", () => {
    const html = rolloverResolversSection([...phase("A", "AD"), ...phase("B", "AD"), ...phase("C", "SERVFAIL"), ...phase("D", "SERVFAIL")]);
    expect(html).toContain(
      "static stops validating in phase C: a resolver that does not follow the roll loses the root — the failure operators are warned about.",
    );
    expect(html).not.toContain("RFC 5011 stops");
    expect([...html.matchAll(/data-answer="SERVFAIL"/g)]).toHaveLength(2);
  });
  it("dates each phase by the slot it served and shows the RFC 5011 resolver's anchor file, key by key", () => {
    const html = rolloverResolversSection([
      {
        phase: "B pre-publish",
        resolver: "RFC 5011",
        answer: "AD",
        slotEpochSeconds: Date.UTC(2026, 6, 11) / 1000,
        anchorStates: { "20326": "VALID", "38696": "ADDPEND" },
      },
      { phase: "D revoke", resolver: "RFC 5011", answer: "AD", anchorStates: { "20454": "REVOKED", "38696": "VALID" } },
    ]);
    expect(html).toContain('B pre-publish<br><small class="phase-date">slot of 2026-07-11</small>');
    expect(html).toContain(
      'anchor file: <span data-key-tag="20326" data-state="VALID">KSK 20326 VALID</span>, <span data-key-tag="38696" data-state="ADDPEND">KSK 38696 ADDPEND</span>',
    );
    expect(html).toContain('<span data-key-tag="20454" data-state="REVOKED">KSK 20454 REVOKED</span>');
    // A phase without a slot date shows its name alone.
    expect(html).toContain("<td>D revoke</td>");
  });
  it("says so when every resolver validated in every phase, and is empty without outcomes", () => {
    expect(rolloverResolversSection([...phase("A", "AD"), ...phase("B", "AD")])).toContain("Every resolver validated in every phase.");
    expect(rolloverResolversSection([])).toBe("");
  });
});

describe("the report of a rehearsed roll", () => {
  // The note @ksk/lab passes for a 2024-2027 rehearsal's directory.
  const ROLLOVER_CALENDAR_NOTE =
    "Resolvers were not run on the 2024-2027 calendar: its phases are months apart on real dates. The roll through real resolvers is ksk lab --rollover --calendar compressed.";
  const base = { title: "t", generatedEpochSeconds: 0, entries: [], verification: verified, skrs, texts: new Map(), resolverRuns: [] };
  it("on the 2024-2027 calendar, says plainly that no resolver lived it and where the live one is", () => {
    const html = renderReportHtml({ ...base, rolloverNote: ROLLOVER_CALENDAR_NOTE });
    expect(html).toContain("Resolvers were not run on the 2024-2027 calendar");
    expect(html).toContain("ksk lab --rollover --calendar compressed");
    // With live outcomes the table is shown instead of the note.
    const live = renderReportHtml({
      ...base,
      rolloverNote: ROLLOVER_CALENDAR_NOTE,
      rolloverResolvers: [{ phase: "C roll", resolver: "static", answer: "SERVFAIL" }],
    });
    expect(live).not.toContain("Resolvers were not run");
    expect(live).toContain("static stops validating in phase C roll");
  });
  it("takes the rehearsal's own verdict and transcript note when it keeps no transcript", () => {
    const html = renderReportHtml({ ...base, verdict: { ok: false, line: "FAIL: planted" }, transcriptNote: "no transcript here" });
    expect(html).toContain('<p class="verdict fail" id="verdict">FAIL: planted</p>');
    expect(html).toContain("<p>no transcript here</p>");
    expect(html).not.toContain("Last entry SHA-256");
  });
  it("without a transcript: says what wrote it, shows no empty ceremony sections, and heads the timeline's columns as the input names them", () => {
    const named = skrs.map((s, i) => ({ ...s, column: `P${i}` }));
    const html = renderReportHtml({ ...base, skrs: named, transcriptNote: "no transcript here", generatedBy: "ksk lab <test>" });
    expect(html).toContain("by ksk lab &#60;test&#62;.</p>");
    for (const section of ["<h2>Runs</h2>", "<h2>Check results</h2>", "<h2>Acts and steps</h2>", "Act 06"]) expect(html).not.toContain(section);
    expect(html).toMatch(/class="slot-date"[^>]*>P1 01-01<\/text>/);
    expect(html).toMatch(/<title>KSK \d+[^<]*, P1 \(slot 2017Q1\/1\) from 2017-01-01T00:00:00Z: signing</);
    // A ceremony's page keeps them all, its columns numbered by slot.
    const ceremony = renderReportHtml(base);
    for (const section of ["<h2>Runs</h2>", "<h2>Check results</h2>", "<h2>Acts and steps</h2>"]) expect(ceremony).toContain(section);
    expect(ceremony).toContain("by <code>ksk report</code> from the ceremony's transcript and outputs.");
    expect(ceremony).toMatch(/class="slot-date"[^>]*>01-01<\/text>/);
  });
});

describe("the check results", () => {
  it("show each line in its state's colour class, the text escaped", () => {
    const entry = {
      type: "step",
      seq: 2,
      previousSha256Hex: "0".repeat(64),
      timeUtc: "2026-05-15T00:00:00.000Z",
      act: 3,
      actName: "key-signing",
      step: 1,
      does: "validate",
      argv: ["ksr", "validate"],
      status: "ok",
      startedUtc: "2026-05-15T00:00:00.000Z",
      exitCode: 0,
      inputs: [],
      outputs: [{ path: "ksr.validation.txt", sizeBytes: 1, sha256Hex: "ab".repeat(32) }],
    } as unknown as TranscriptEntry;
    const text = "PASS KSR-DOMAIN ok\nFAIL KSR-ID <same id>\nOFF  KSR-POLICY-ALG switched off\nSKIP KSR-CHAIN-KEYS no previous SKR\nnot a check line\n";
    const html = renderReportHtml({
      title: "t",
      generatedEpochSeconds: 0,
      entries: [entry],
      verification: verified,
      skrs: [],
      texts: new Map([["ksr.validation.txt", text]]),
      resolverRuns: [],
    });
    const checks = html.slice(html.indexOf("<h2>Check results</h2>"), html.indexOf("</pre>", html.indexOf("<h2>Check results</h2>")));
    expect([...checks.matchAll(/<span class="check (\w+)">/g)].map((m) => m[1])).toEqual(["pass", "fail", "off", "skip"]);
    expect(checks).toContain("FAIL KSR-ID &#60;same id&#62;");
    expect(checks).not.toContain("not a check line");
  });
});

describe("the resolver section", () => {
  const q1slot2 = Date.UTC(2017, 0, 11) / 1000;
  const run = (anchoredSignatures?: ResolverRun["anchoredSignatures"]): ResolverRun => ({
    resolver: { address: "127.0.0.1", port: 5353 },
    anchoredKeyTags: [19036],
    probes: [{ question: ". SOA", expected: "NOERROR with AD", rcode: "NOERROR", authenticData: true, ok: true }],
    readiness: {
      validation: { validates: true, detail: "AD" },
      keys: [{ keyTag: 19036, trust: "trusted", reason: "sentinel", ready: true, verdict: "ready" }],
      dnskey: { sizeBytes: 864, transport: "udp", truncatedOverUdp: false },
      ready: true,
      verdict: "ready",
    },
    validationEpochSeconds: q1slot2 + 3600,
    ...(anchoredSignatures === undefined ? {} : { anchoredSignatures }),
    ok: true,
    verdict: "lab root validates",
  });
  const page = (r: ResolverRun) =>
    renderReportHtml({
      title: "t",
      generatedEpochSeconds: 0,
      entries: [],
      verification: verified,
      skrs,
      texts: new Map(),
      resolverRuns: [{ path: "resolver-2017Q1.json", run: r }],
    });

  it("names the KSK whose signature validated and the slot it signed", () => {
    const html = page(run([{ keyTag: 19036, inceptionEpochSeconds: q1slot2, expirationEpochSeconds: q1slot2 + 21 * 86400 }]));
    expect(html).toContain(
      'Validated at 2017-01-11T01:00:00Z through the signature over <code>. DNSKEY</code> of <span class="validated-by" data-key-tag="19036" data-inception="1484092800"><b>KSK 19036</b>, slot 2017Q1/2 (RRSIG 2017-01-11T00:00:00Z to 2017-02-01T00:00:00Z)</span>.',
    );
  });

  it("says so when no anchored signature is valid, when the slot is not in the SKRs shown, and says nothing for an older output", () => {
    expect(page(run([]))).toContain("No RRSIG over <code>. DNSKEY</code> by an anchored KSK is valid at 2017-01-11T01:00:00Z");
    // A KSK that does not sign that slot: the slot is not named from a wrong key.
    expect(page(run([{ keyTag: 20326, inceptionEpochSeconds: q1slot2, expirationEpochSeconds: q1slot2 + 86400 }]))).toContain(
      "<b>KSK 20326</b>, a slot of no SKR shown here",
    );
    expect(page(run())).not.toContain("resolver-validated");
  });
});

describe("the Runs table's outcome of each run", () => {
  const base = { seq: 1, previousSha256Hex: "00".repeat(32), timeUtc: "2026-12-06T10:00:00.000Z" };
  const step = (act: number, n: number, status: "ok" | "failed"): TranscriptEntry => ({
    ...base,
    type: "step",
    act,
    actName: "a",
    step: n,
    does: "d",
    argv: [],
    status,
    startedUtc: base.timeUtc,
    inputs: [],
    outputs: [],
  });
  const end = (extra: Record<string, unknown>): TranscriptEntry => ({ ...base, type: "end", ...extra }) as TranscriptEntry;

  it("says completed only for a run whose end entry says so", () => {
    expect(runOutcome([step(1, 1, "ok"), end({ status: "complete" })])).toEqual({ ended: "completed", text: "completed" });
  });

  it("names the act and step a run failed, was refused or was interrupted at, and why", () => {
    const stopped = (stoppedBy: string) =>
      runOutcome([step(3, 2, "failed"), end({ status: "stopped", stoppedBy, reason: "step 2: no Yes", resumeFrom: { act: 3, step: 2 } })]);
    expect(stopped("failure")).toEqual({ ended: "failed", text: "failed at act 03 step 2: step 2: no Yes" });
    expect(stopped("refusal").ended).toBe("refused");
    expect(stopped("interruption").text).toMatch(/^interrupted at act 03 step 2/);
  });

  it("counts a run with no end entry (the process was killed) as interrupted at its last step", () => {
    expect(runOutcome([step(1, 1, "ok"), step(2, 4, "ok")])).toEqual({ ended: "interrupted", text: "interrupted at act 02 step 4 (no end recorded)" });
  });
});
