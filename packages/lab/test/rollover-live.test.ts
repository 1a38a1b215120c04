/**
 * The compressed rehearsal's pure parts: reading unbound's autotrust file, and the verdict over the
 * phases — PASS only for what the roll must show (RFC 5011 resolver AD throughout, ending with only
 * the new key trusted and the old one revoked; static anchor AD until the roll then SERVFAIL;
 * per-phase anchors AD throughout), FAIL naming what differs. The live run is
 * test/rollover-live.test.ts (the built `ksk lab --rollover --calendar compressed`).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { type KsrResponseDocument, parseKsrXml } from "@ksk/ksr";
import { describe, expect, it } from "vitest";
import { type PhaseRecord, ROLLOVER_PHASES, type ResolverAnswer, autotrustStates, compressedReportHtml, compressedVerdict } from "../src/index.js";

const tags = { old: 100, oldRevoked: 228, new: 200 };
const answer = (a: string, anchorFile?: ResolverAnswer["anchorFile"]): ResolverAnswer => ({
  resolver: "r",
  address: "127.0.0.1",
  port: 1,
  rcode: a === "AD" ? "NOERROR" : "SERVFAIL",
  authenticData: a === "AD",
  answer: a,
  trust: { old: "unknown", new: "unknown" },
  ...(anchorFile ? { anchorFile } : {}),
});
function phases(staticAnswers: string[], finalTrusted = [200]): PhaseRecord[] {
  return ROLLOVER_PHASES.map((phase, i) => ({
    phase,
    name: phase,
    atUtc: "2026-11-29T00:00:00.000Z",
    servedSerial: i,
    resolvers: {
      managed: answer("AD", { trusted: i === 4 ? finalTrusted : [100], revoked: i === 4 ? [228] : [], states: {} }),
      static: answer(staticAnswers[i] as string),
      anchors: answer("AD"),
    },
  }));
}

describe("the compressed rehearsal's verdict", () => {
  it("passes the roll as it must go, naming where the static anchor breaks", () => {
    const { verdict, summary } = compressedVerdict(phases(["AD", "AD", "SERVFAIL", "SERVFAIL", "SERVFAIL"]), tags);
    expect(verdict.ok).toBe(true);
    expect(verdict.line).toMatch(/^PASS: LAB ONLY compressed roll A-E/);
    expect(summary[1]).toContain("broken from phase C (C roll): the failure operators are warned about");
  });
  it("fails a static anchor that kept validating, or a managed resolver still trusting the old key", () => {
    const kept = compressedVerdict(phases(["AD", "AD", "AD", "AD", "AD"]), tags);
    expect(kept.verdict.ok).toBe(false);
    expect(kept.verdict.line).toContain("the static-anchor resolver answered AD, AD, AD, AD, AD");
    const stale = compressedVerdict(phases(["AD", "AD", "SERVFAIL", "SERVFAIL", "SERVFAIL"], [100, 200]), tags);
    expect(stale.verdict.line).toContain("anchor file ends with trusted [100, 200]");
  });
});

describe("unbound's autotrust file", () => {
  it("gives each KSK's tag and RFC 5011 state", () => {
    const text = [
      "; autotrust trust anchor file",
      ". 2 IN DNSKEY 257 3 8 AwEAAa... ;{id = 200 (ksk), size = 2048b} ;;state=2 [  VALID  ] ;;count=0 ;;lastchange=1",
      ". 2 IN DNSKEY 385 3 8 AwEAAb... ;{id = 228 (ksk), size = 2048b} ;;state=4 [ REVOKED ] ;;count=0 ;;lastchange=1",
    ].join("\n");
    expect([...autotrustStates(text)]).toEqual([
      [200, "VALID"],
      [228, "REVOKED"],
    ]);
  });
});

describe("the compressed rehearsal's report page", () => {
  it("dates each phase by the slot it served and shows the RFC 5011 resolver's anchor file key by key", () => {
    const fixture = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../ksr/test/fixtures/skr-root-2017-q1-0.xml");
    const skr = parseKsrXml(readFileSync(fixture)).document as KsrResponseDocument;
    const recorded = phases(["AD", "AD", "SERVFAIL", "SERVFAIL", "SERVFAIL"]).map((p, i) => ({
      ...p,
      // Phase A judged in the 2017Q1 slot of 01-11 (slot 2); the other phases without an SKR here.
      atUtc: "2017-01-15T00:00:00Z",
      resolvers: { ...p.resolvers, managed: answer("AD", { trusted: [200], revoked: [], states: i === 0 ? { "200": "VALID", "300": "ADDPEND" } : {} }) },
    }));
    const html = compressedReportHtml({
      outDir: "/tmp/x",
      generatedEpochSeconds: 0,
      skrs: new Map([["A", skr]]),
      phases: recorded,
      telemetry: [],
      verdict: { ok: true, line: "PASS: t" },
    });
    expect(html).toContain('A<br><small class="phase-date">slot of 2017-01-11</small>');
    expect(html).toContain("<td>B</td>");
    expect(html).toContain(
      'anchor file: <span data-key-tag="200" data-state="VALID">KSK 200 VALID</span>, <span data-key-tag="300" data-state="ADDPEND">KSK 300 ADDPEND</span>',
    );
  });
});
