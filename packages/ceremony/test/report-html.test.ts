/**
 * The report page from IANA's real SKRs of 2017 Q1 and Q2 (packages/ksr/test/fixtures, provenance
 * there): 18 slots in time order, one row per key — KSK-2010 (19036, Kjqmt7v) signing every slot,
 * the ZSKs published in the slots the files list them — and the verdict of a stopped ceremony.
 * The expected states are read from the files here, not from the module under test.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { isSep, keyTag } from "@ksk/core";
import { type KsrResponseDocument, parseKsrXml } from "@ksk/ksr";
import { describe, expect, it } from "vitest";
import { type TranscriptEntry, renderReportHtml, reportVerdict, rolloverResolversSection, timelineSlots } from "../src/index.js";

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
      expect(slot.keys.filter((k) => k.role === "ZSK").every((k) => k.state === "published")).toBe(true);
    }
  });

  it("renders one SVG row per key and a rect per key and slot, with no script or external reference", () => {
    const html = renderReportHtml({ title: "t", generatedEpochSeconds: 0, entries: [], verification: verified, skrs, texts: new Map(), resolverRuns: [] });
    const zskTags = new Set(skrs.flatMap((s) => s.document.bundles.flatMap((b) => b.keys.filter((k) => !isSep(k.dnskey)).map((k) => keyTag(k.dnskey)))));
    const rows = [...html.matchAll(/<g class="key-row" data-key="([^"]+)"/g)].map((m) => m[1]);
    expect(rows[0]).toBe("KSK-19036");
    expect(new Set(rows.slice(1))).toEqual(new Set([...zskTags].map((t) => `ZSK-${t}`)));
    expect(rows).toHaveLength(zskTags.size + 1);
    expect([...html.matchAll(/data-state="signing"/g)]).toHaveLength(18);
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
    expect(html).toMatch(/text-anchor="middle">P0<\/text>/);
    // Few columns: the SVG is still as wide as its legend (the last legend text starts at x 524).
    expect(Number(/<svg[^>]* width="(\d+)"/.exec(html)?.[1])).toBeGreaterThanOrEqual(524 + 300);
    expect(html).toMatch(/<title>KSK \d+[^<]*, P0 \(slot \d{4}Q\d\/1\): /);
    // A ceremony's page keeps them all, its columns numbered by slot.
    const ceremony = renderReportHtml(base);
    for (const section of ["<h2>Runs</h2>", "<h2>Check results</h2>", "<h2>Acts and steps</h2>"]) expect(ceremony).toContain(section);
    expect(ceremony).toContain("by <code>ksk report</code> from the ceremony's transcript and outputs.");
    expect(ceremony).toMatch(/text-anchor="middle">1<\/text>/);
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
