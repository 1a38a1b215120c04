/**
 * The compressed rehearsal's pure parts: reading unbound's autotrust file, and the verdict over the
 * phases — PASS only for what the roll must show (RFC 5011 resolver AD throughout, ending with only
 * the new key trusted and the old one revoked; static anchor AD until the roll then SERVFAIL;
 * per-phase anchors AD throughout), FAIL naming what differs. The live run is
 * test/rollover-live.test.ts (the built `ksk lab --rollover --calendar compressed`).
 */
import { describe, expect, it } from "vitest";
import { type PhaseRecord, ROLLOVER_PHASES, type ResolverAnswer, autotrustStates, compressedVerdict } from "../src/index.js";

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
