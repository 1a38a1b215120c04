/**
 * Domain names: presentation form with RFC 1035 §5.1 escapes, limits of RFC 1035 §2.3.4 (63-octet
 * labels, 255-octet names), lowercase canonical wire form (RFC 4034 §6.2), canonical order with
 * the RFC 4034 §6.1 example, and the RRSIG label count (RFC 4034 §3.1.3).
 */
import { describe, expect, it } from "vitest";
import { ROOT, bytesToHex, compareNames, isSubdomain, nameFromWire, nameToString, nameToWire, namesEqual, parseName, rrsigLabelCount } from "../src/index.js";
import { expectInputError } from "./helpers.js";

describe("presentation form", () => {
  it("parses absolute, relative and @ names", () => {
    const origin = parseName("example.com.");
    expect(nameToString(parseName("www", origin))).toBe("www.example.com.");
    expect(nameToString(parseName("@", origin))).toBe("example.com.");
    expect(nameToString(parseName("www.example.net.", origin))).toBe("www.example.net.");
    expect(parseName(".")).toBe(ROOT);
    expect(nameToString(ROOT)).toBe(".");
  });

  it("reads \\. \\\\ and \\DDD escapes and prints them back", () => {
    const name = parseName("a\\.b\\032c\\\\d\\255.example.");
    expect(name.labels[0]).toEqual(Uint8Array.from([0x61, 0x2e, 0x62, 0x20, 0x63, 0x5c, 0x64, 0xff]));
    expect(nameToString(name)).toBe("a\\.b\\032c\\\\d\\255.example.");
    expect(nameToString(parseName("\\065bc."))).toBe("Abc.");
    expect(nameToString(parseName('q\\"\\(\\)\\;\\@\\$.'))).toBe('q\\"\\(\\)\\;\\@\\$.');
  });

  it("keeps case in presentation, compares without it", () => {
    const a = parseName("WWW.Example.");
    expect(nameToString(a)).toBe("WWW.Example.");
    expect(namesEqual(a, parseName("www.example."))).toBe(true);
  });

  it("accepts a 63-octet label and a 255-octet name", () => {
    const label63 = "a".repeat(63);
    expect(parseName(`${label63}.`).labels[0]).toHaveLength(63);
    // 3 labels of 63 + one of 61: 4 * 64 - 2 + 1 = 255 octets on the wire.
    const longest = `${`${label63}.`.repeat(3)}${"b".repeat(61)}.`;
    expect(nameToWire(parseName(longest))).toHaveLength(255);
  });
});

describe("bad names: coded input errors naming the name and position", () => {
  it("a label over 63 octets (escapes count as one octet)", () => {
    expectInputError(() => parseName(`ok.${"a".repeat(64)}.`), "NAME-LABEL-LENGTH", "label 2", "64 octets", "at most 63");
    expectInputError(() => parseName(`${"\\065".repeat(64)}.`), "NAME-LABEL-LENGTH", "label 1", "64 octets");
  });

  it("a name over 255 octets, also when the origin makes it so", () => {
    const label63 = "a".repeat(63);
    expectInputError(() => parseName(`${`${label63}.`.repeat(3)}${"b".repeat(62)}.`), "NAME-LENGTH", "256 octets", "at most 255");
    expectInputError(() => parseName("x", parseName(`${`${label63}.`.repeat(3)}${"b".repeat(61)}.`)), "NAME-LENGTH", "257 octets", 'name "x"');
  });

  it("empty labels, empty names, bad escapes, unescaped characters, relative names without origin", () => {
    expectInputError(() => parseName("a..b."), "NAME-EMPTY-LABEL", '"a..b."');
    expectInputError(() => parseName(".a."), "NAME-EMPTY-LABEL");
    expectInputError(() => parseName(""), "NAME-EMPTY");
    expectInputError(() => parseName("a\\256."), "NAME-ESCAPE", "\\256", "over 255");
    expectInputError(() => parseName("a\\1b."), "NAME-ESCAPE", "character 2", "three decimal digits");
    expectInputError(() => parseName("a\\"), "NAME-ESCAPE", "lone backslash");
    expectInputError(() => parseName("a b."), "NAME-CHARACTER", "U+0020");
    expectInputError(() => parseName("é."), "NAME-CHARACTER", "U+00e9");
    expectInputError(() => parseName("www"), "NAME-RELATIVE", '"www"');
    expectInputError(() => parseName("@"), "NAME-RELATIVE", "@");
  });
});

describe("wire form", () => {
  it("is uncompressed, and lowercased only in canonical form (RFC 4034 §6.2)", () => {
    const name = parseName("WWW.Example.");
    expect(bytesToHex(nameToWire(name))).toBe("03575757074578616d706c6500");
    expect(bytesToHex(nameToWire(name, true))).toBe("03777777076578616d706c6500");
    expect(bytesToHex(nameToWire(ROOT))).toBe("00");
    // Only ASCII letters are lowercased; octet 0xC4 stays.
    expect(bytesToHex(nameToWire(parseName("\\196A."), true))).toBe("02c46100");
  });

  it("reads back what it writes, and the offset after it", () => {
    const wire = Uint8Array.from([0xff, ...nameToWire(parseName("a.b.")), 0xee]);
    const { name, end } = nameFromWire(wire, 1);
    expect(nameToString(name)).toBe("a.b.");
    expect(end).toBe(wire.length - 1);
  });

  it("refuses truncated data and compression pointers, naming the octet", () => {
    expectInputError(() => nameFromWire(Uint8Array.from([3, 0x61, 0x62]), 0), "WIRE-TRUNCATED", "octet 0");
    expectInputError(() => nameFromWire(Uint8Array.from([1, 0x61]), 0), "WIRE-TRUNCATED", "octet 0");
    expectInputError(() => nameFromWire(Uint8Array.from([1, 0x61, 0xc0, 0x00]), 0), "WIRE-NAME", "octet 2", "compression pointer");
    expectInputError(() => nameFromWire(new Uint8Array(0), 0), "WIRE-TRUNCATED");
  });

  it("refuses a wire name over 255 octets", () => {
    const labels = Array.from({ length: 5 }, () => [63, ...new Uint8Array(63).fill(0x61)]).flat();
    expectInputError(() => nameFromWire(Uint8Array.from([...labels, 0]), 0), "NAME-LENGTH", "321 octets");
  });
});

describe("canonical order (RFC 4034 §6.1)", () => {
  it("sorts the RFC's example list", () => {
    // RFC 4034 §6.1 lists these names in canonical order.
    const ordered = [
      "example.",
      "a.example.",
      "yljkjljk.a.example.",
      "Z.a.example.",
      "zABC.a.EXAMPLE.",
      "z.example.",
      "\\001.z.example.",
      "*.z.example.",
      "\\200.z.example.",
    ];
    const shuffled = [ordered[5], ordered[2], ordered[8], ordered[0], ordered[7], ordered[3], ordered[1], ordered[6], ordered[4]] as string[];
    const sorted = shuffled.map((n) => parseName(n)).sort(compareNames);
    expect(sorted.map(nameToString)).toEqual(ordered);
  });

  it("the shorter label first on a common prefix; root first", () => {
    expect(compareNames(parseName("a."), parseName("aa."))).toBeLessThan(0);
    expect(compareNames(ROOT, parseName("a."))).toBeLessThan(0);
    expect(compareNames(parseName("B."), parseName("a."))).toBeGreaterThan(0);
  });

  it("subdomains", () => {
    expect(isSubdomain(parseName("www.Example."), parseName("example."))).toBe(true);
    expect(isSubdomain(parseName("example."), ROOT)).toBe(true);
    expect(isSubdomain(parseName("example."), parseName("www.example."))).toBe(false);
    expect(isSubdomain(parseName("wexample."), parseName("example."))).toBe(false);
  });
});

describe("RRSIG label count (RFC 4034 §3.1.3)", () => {
  it("counts labels without the root and without a leading wildcard", () => {
    expect(rrsigLabelCount(ROOT)).toBe(0);
    expect(rrsigLabelCount(parseName("www.example.com."))).toBe(3);
    expect(rrsigLabelCount(parseName("*.example.com."))).toBe(2);
    expect(rrsigLabelCount(parseName("a.*.example.com."))).toBe(4);
    expect(rrsigLabelCount(parseName("\\042.example.com."))).toBe(2); // \042 is "*"
  });
});
