/**
 * Knot DNS's offline-KSK text formats against files keymgr 3.2.6 wrote (fixtures/PROVENANCE.md),
 * and every malformed file as one line of bad input naming file:line.
 */
import { KskError, RRType, keyTag } from "@ksk/core";
import { describe, expect, it } from "vitest";
import {
  knotFileKind,
  knotPeriodTable,
  knotKsrToRequest,
  knotSkrToResponse,
  parseKnotText,
  requestToKnotKsr,
  responseToKnotSkr,
  writeKnotText,
} from "../src/index.js";
import { fixtureBytes, fixtureText } from "./helpers.js";

const enc = (s: string) => new TextEncoder().encode(s);
const KSR = fixtureText("knot-3.2.6-ksr.txt");
const SKR = fixtureText("knot-3.2.6-skr.txt");

function badInput(text: string): KskError {
  try {
    parseKnotText(enc(text), { fileName: "bad.txt" });
  } catch (e) {
    expect(e).toBeInstanceOf(KskError);
    expect((e as KskError).kind).toBe("input");
    expect((e as KskError).message).not.toContain("\n");
    return e as KskError;
  }
  throw new Error("read without error");
}

/** The KSR's lines with one line (1-based) replaced. */
function ksrWith(line: number, replacement: string, text = KSR): string {
  const lines = text.split("\n");
  lines[line - 1] = replacement;
  return lines.join("\n");
}

describe("Knot's files as keymgr wrote them", () => {
  it("reads the KSR: 8 periods, the ZSK rollovers, the generator", () => {
    const ksr = parseKnotText(enc(KSR), { fileName: "ksr.txt" });
    expect(knotFileKind(enc(KSR))).toBe("ksr");
    expect(ksr.periods.map((p) => p.dnskeys.map((k) => keyTag(k.rdata)))).toEqual([
      [52513],
      [52513, 59286],
      [52513, 59286],
      [59286],
      [49556, 59286],
      [49556, 59286],
      [49556],
      [49556],
    ]);
    expect(ksr.periods[1]).toMatchObject({ startEpochSeconds: 1799137206, line: 7 });
    expect(ksr.generator).toBe("Knot DNS 3.2.6");
    expect(knotPeriodTable(ksr)[2]).toBe("  2     7  2027-01-05T08:20:06Z  52513 59286");
  });

  it("reads the SKR: DNSKEY RRset and RRSIG per period", () => {
    const skr = parseKnotText(fixtureBytes("knot-3.2.6-skr.txt"), { fileName: "skr.txt" });
    expect(skr.kind).toBe("skr");
    expect(skr.periods).toHaveLength(21);
    expect(skr.periods[0]?.rrsigs).toHaveLength(0);
    expect(skr.periods[1]?.rrsigs.map((r) => [r.rdata.keyTag, r.rdata.typeCovered])).toEqual([[48700, RRType.DNSKEY]]);
    expect(() => knotSkrToResponse(skr, "skr.txt")).toThrow(/^skr\.txt:1: period 2026-12-06T08:20:10Z has no RRSIG/);
    const model = knotSkrToResponse({ ...skr, periods: skr.periods.slice(1) });
    const rrsig = skr.periods[1]?.rrsigs[0]?.rdata;
    expect([model.bundles[0]?.inceptionEpochSeconds, model.bundles[0]?.expirationEpochSeconds]).toEqual([
      rrsig?.inceptionEpochSeconds,
      rrsig?.expirationEpochSeconds,
    ]);
    expect(model.bundles[0]?.id).toBe("knot-1796545212");
  });

  it.each([
    ["KSR", KSR],
    ["SKR", SKR],
  ])("the %s written back reads as the same periods", (_n, text) => {
    const first = parseKnotText(enc(text));
    const again = parseKnotText(writeKnotText(first));
    expect(again.periods.map(({ line: _l, ...p }) => p)).toEqual(first.periods.map(({ line: _l, ...p }) => p));
  });

  it("cuts Knot periods into signature slices that cover each period until the next", () => {
    const ksr = parseKnotText(enc(KSR));
    const slicing = { validitySeconds: 14 * 86400, stepSeconds: 7 * 86400, inceptionOffsetSeconds: 5400 };
    const request = knotKsrToRequest(ksr, slicing);
    const starts = ksr.periods.map((p) => p.startEpochSeconds);
    for (const [i, b] of request.bundles.entries()) {
      const next = request.bundles[i + 1];
      if (next) expect(b.expirationEpochSeconds).toBeGreaterThanOrEqual(next.inceptionEpochSeconds);
      expect(next ? next.inceptionEpochSeconds - b.inceptionEpochSeconds : 0).toBeLessThanOrEqual(7 * 86400);
    }
    expect(request.bundles.map((b) => b.inceptionEpochSeconds + 5400).filter((t) => starts.includes(t))).toEqual(starts);
    expect(request.bundles.map((b) => b.id).filter((id) => starts.some((t) => id === `knot-${t}`))).toHaveLength(starts.length);
    expect(requestToKnotKsr(request, "ksk", 0).periods).toHaveLength(request.bundles.length);
    expect(() => knotKsrToRequest(ksr, { ...slicing, stepSeconds: 14 * 86400 })).toThrow(/cannot be covered/);
  });

  it("an SKR model becomes Knot periods at each bundle's inception", () => {
    const read = parseKnotText(enc(SKR));
    const model = knotSkrToResponse({ ...read, periods: read.periods.slice(1) });
    const knot = responseToKnotSkr(model, "ksk test", 1796545300, 5400);
    expect(knot.periods.map((p) => p.startEpochSeconds)).toEqual(model.bundles.map((b) => b.inceptionEpochSeconds + 5400));
    expect(new TextDecoder().decode(writeKnotText(knot))).toMatch(/^;; SignedKeyResponse 1\.0 generated at 2026-12-06T08:21:40Z by ksk test\n$/m);
  });
});

describe("bad input: one line naming file:line", () => {
  it("periods that overlap (a start not after the previous one)", () => {
    const e = badInput(ksrWith(7, ";; KeySigningRequest 1.0 1796545210 (2026-12-06T08:20:10Z) ========="));
    expect([e.code, e.where]).toEqual(["KNOT-PERIOD-ORDER", "bad.txt:7"]);
    expect(e.detail).toMatch(/overlap/);
  });

  it("a period that leaves a gap (no key in it)", () => {
    const lines = KSR.split("\n");
    const text = [...lines.slice(0, 6), ";; KeySigningRequest 1.0 1797000000 (2026-12-11T14:40:00Z) =========", ...lines.slice(6)].join("\n");
    const e = badInput(text);
    expect([e.code, e.where]).toEqual(["KNOT-PERIOD-GAP", "bad.txt:7"]);
  });

  it("a DNSKEY that is not a ZSK", () => {
    const e = badInput(ksrWith(2, "example.            \t3600 DNSKEY 257 3 13 ("));
    expect([e.code, e.where]).toEqual(["KNOT-NOT-ZSK", "bad.txt:2"]);
    expect(e.detail).toMatch(/flags 257/);
  });

  it("a mixed-zone file", () => {
    const e = badInput(ksrWith(8, "example.org.            \t3600 DNSKEY 256 3 13 ("));
    expect([e.code, e.where]).toEqual(["KNOT-ZONE", "bad.txt:8"]);
  });

  it("a truncated header", () => {
    const e = badInput(ksrWith(7, ";; KeySigningRequest 1.0 17991"));
    expect([e.code, e.where]).toEqual(["KNOT-HEADER", "bad.txt:7"]);
  });

  it("a header whose ISO time is not its Unix time", () => {
    expect(badInput(ksrWith(1, ";; KeySigningRequest 1.0 1796545210 (2026-12-06T08:20:11Z) =========")).where).toBe("bad.txt:1");
  });

  it("a truncated file: no closing line, or a record cut short", () => {
    const lines = KSR.trimEnd().split("\n");
    expect(badInput(lines.slice(0, -1).join("\n")).code).toBe("KNOT-TRUNCATED");
    const cut = badInput(lines.slice(0, 3).join("\n"));
    expect([cut.code, cut.where]).toEqual(["KNOT-TRUNCATED", "bad.txt:2"]);
  });

  it("an SKR period in a KSR, an RRSIG in a KSR, text after the closing line, not Knot at all", () => {
    expect(badInput(ksrWith(7, ";; SignedKeyResponse 1.0 1799137206 (2027-01-05T08:20:06Z) =========")).code).toBe("KNOT-KIND");
    const rrsig = SKR.split("\n").slice(17, 23).join("\n");
    expect(badInput(KSR.replace(";; KeySigningRequest 1.0 1799137206", `${rrsig}\n;; KeySigningRequest 1.0 1799137206`)).code).toBe("KNOT-RECORD");
    expect(badInput(`${KSR}example. 3600 DNSKEY 256 3 13 AAAA\n`).code).toBe("KNOT-TRAILING");
    expect(badInput("<KSR/>\n").where).toBe("bad.txt:1");
  });
});
