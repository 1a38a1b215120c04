/**
 * Times and durations: ISO 8601 UTC as in KSRs and root-anchors.xml (naive, Z, +00:00; other
 * offsets and impossible dates refused), RRSIG times (RFC 4034 §3.2), command-line times, and
 * ISO 8601 durations as xsd:duration in KSR policies (no years or months).
 */
import { describe, expect, it } from "vitest";
import {
  MAX_DURATION_SECONDS,
  formatDuration,
  formatIsoUtc,
  formatIsoZ,
  formatRrsigTime,
  parseDuration,
  parseIsoUtc,
  parseRrsigTime,
  parseTimeArgument,
} from "../src/index.js";
import { expectInputError } from "./helpers.js";

const T = 1704067200; // 2024-01-01T00:00:00Z

describe("ISO 8601 UTC times", () => {
  it("accepts naive (as UTC), Z and +00:00, all the same instant", () => {
    expect(parseIsoUtc("2024-01-01T00:00:00")).toBe(T);
    expect(parseIsoUtc("2024-01-01T00:00:00Z")).toBe(T);
    expect(parseIsoUtc("2024-01-01T00:00:00+00:00")).toBe(T);
    expect(parseIsoUtc(" 2024-01-01T00:00:00.000Z ")).toBe(T);
    expect(parseIsoUtc("2016-02-29T12:34:56Z")).toBe(1456749296);
  });

  it("prints the canonical +00:00 and Z forms", () => {
    expect(formatIsoUtc(T)).toBe("2024-01-01T00:00:00+00:00");
    expect(formatIsoZ(T + 59)).toBe("2024-01-01T00:00:59Z");
  });

  it("refuses other offsets, impossible dates, fractions and junk, naming the field", () => {
    expectInputError(() => parseIsoUtc("2024-01-01T00:00:00+01:00", "Inception"), "BAD-TIME", "Inception", "+01:00", "only UTC");
    expectInputError(() => parseIsoUtc("2017-02-30T00:00:00Z", "validFrom"), "BAD-TIME", "validFrom", "2017-02-30", "not a real date");
    expectInputError(() => parseIsoUtc("2023-02-29T00:00:00Z"), "BAD-TIME", "not a real date");
    expectInputError(() => parseIsoUtc("2024-01-01T24:00:00Z"), "BAD-TIME", "not a real date");
    expectInputError(() => parseIsoUtc("2024-01-01T00:00:60Z"), "BAD-TIME", "not a real date");
    expectInputError(() => parseIsoUtc("2024-01-01T00:00:00.5Z"), "BAD-TIME", "fractional");
    expectInputError(() => parseIsoUtc("2024-01-01 00:00:00"), "BAD-TIME", "not an ISO 8601 date-time");
    expectInputError(() => parseIsoUtc(""), "BAD-TIME");
  });
});

describe("RRSIG times (RFC 4034 §3.2)", () => {
  it("reads YYYYMMDDHHmmSS and decimal seconds, prints YYYYMMDDHHmmSS", () => {
    expect(parseRrsigTime("20240101000000")).toBe(T);
    expect(parseRrsigTime(String(T))).toBe(T);
    expect(parseRrsigTime("4294967295")).toBe(0xffffffff);
    expect(formatRrsigTime(T)).toBe("20240101000000");
    expect(formatRrsigTime(0xffffffff)).toBe("21060207062815");
  });

  it("refuses what the 32-bit field cannot hold", () => {
    expectInputError(() => parseRrsigTime("4294967296", "RRSIG expiration"), "BAD-TIME", "RRSIG expiration");
    expectInputError(() => parseRrsigTime("21060207062816"), "BAD-TIME", "32-bit");
    expectInputError(() => parseRrsigTime("19691231235959"), "BAD-TIME", "32-bit");
    expectInputError(() => parseRrsigTime("20241301000000"), "BAD-TIME", "not a real date");
    expectInputError(() => parseRrsigTime("2024-01-01"), "BAD-TIME", "neither YYYYMMDDHHmmSS nor seconds");
  });
});

describe("command-line times", () => {
  it("accepts ISO, a date, RRSIG form and @epoch", () => {
    expect(parseTimeArgument("2024-01-01T00:00:00Z")).toBe(T);
    expect(parseTimeArgument("2024-01-01")).toBe(T);
    expect(parseTimeArgument("20240101000000")).toBe(T);
    expect(parseTimeArgument(`@${T}`)).toBe(T);
  });

  it("refuses the rest", () => {
    expectInputError(() => parseTimeArgument("tomorrow", "--now"), "BAD-TIME", "--now");
    expectInputError(() => parseTimeArgument("@99999999999999999999", "--now"), "BAD-TIME", "--now", "too large");
    expectInputError(() => parseTimeArgument("2024-02-30"), "BAD-TIME", "not a real date");
  });
});

describe("durations (ISO 8601, as xsd:duration in KSRs)", () => {
  it("reads days, weeks, hours, minutes, seconds", () => {
    expect(parseDuration("P21D")).toBe(21 * 86400);
    expect(parseDuration("PT0S")).toBe(0);
    expect(parseDuration("P1W")).toBe(7 * 86400);
    expect(parseDuration("P1DT12H")).toBe(86400 + 12 * 3600);
    expect(parseDuration("PT1H30M15S")).toBe(5415);
    expect(parseDuration("PT5M")).toBe(300); // M after T is minutes
  });

  it("prints the shortest form", () => {
    expect(formatDuration(21 * 86400)).toBe("P21D");
    expect(formatDuration(0)).toBe("PT0S");
    expect(formatDuration(86400 + 5415)).toBe("P1DT1H30M15S");
    for (const text of ["P21D", "P9D", "PT1H", "P16DT1S"]) expect(formatDuration(parseDuration(text))).toBe(text);
  });

  it("refuses years and months (their length varies) and malformed text, naming the field", () => {
    expectInputError(() => parseDuration("P1Y", "MaxSignatureValidity"), "BAD-DURATION", "MaxSignatureValidity", "years or months");
    expectInputError(() => parseDuration("P1M"), "BAD-DURATION", "years or months");
    expectInputError(() => parseDuration("P1Y2D"), "BAD-DURATION", "years or months");
    for (const bad of ["P", "PT", "P1DT", "21D", "P-1D", "P1.5D", "p21d", ""]) {
      expectInputError(() => parseDuration(bad), "BAD-DURATION");
    }
  });

  it("accepts up to 10 years of 366 days and refuses longer, naming the field", () => {
    expect(MAX_DURATION_SECONDS).toBe(3660 * 86400);
    expect(parseDuration("P3660D")).toBe(MAX_DURATION_SECONDS);
    expect(parseDuration("P522WT0S")).toBe(522 * 7 * 86400);
    expectInputError(() => parseDuration("P3660DT1S", "RetireSafety"), "BAD-DURATION", "RetireSafety", "longer than 3660 days");
    // The value found by an adversarial run: accepted, unbounded, and written into an SKR.
    expectInputError(() => parseDuration("P99999999999999999999D", "retire_safety"), "BAD-DURATION", "retire_safety", "P99999999999999999999D");
    expectInputError(() => parseDuration(`PT${"9".repeat(400)}S`), "BAD-DURATION", "longer than");
  });
});
