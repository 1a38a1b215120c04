/**
 * RDATA of every type the core parses — SOA, NS, A, AAAA, DS, DNSKEY, RRSIG, NSEC, ZONEMD, TXT,
 * CNAME (and MX, used by the RFC 8080 examples): presentation parse and print, wire encode and
 * decode, canonical form (RFC 4034 §6.2 with RFC 6840 §5.1), unknown types in the RFC 3597 `\#`
 * form. Wire form is cross-checked with dns-packet, an independent implementation.
 */
import { describe, expect, it } from "vitest";
import { type RR, bytesToHex, decodeRdata, encodeRdata, hexToBytes, printRdata, rrFromWire, rrToString, rrToWire, rrType, typeToString } from "../src/index.js";
import { dnsPacketAnswerHex, dnsPacketDecode } from "./dns-packet-oracle.js";
import { expectInputError, record } from "./helpers.js";

/** Presentation → print → parse → wire → decode must all agree. */
function roundTrip(line: string, printed: string): RR {
  const rr = record(line);
  expect(printRdata(rr.rdata)).toBe(printed);
  const again = record(rrToString(rr));
  expect(rrToWire(again)).toEqual(rrToWire(rr));
  const wire = encodeRdata(rr.rdata);
  expect(decodeRdata(rrType(rr), wire)).toEqual(rr.rdata);
  const { rr: fromWire, end } = rrFromWire(rrToWire(rr), 0);
  expect(end).toBe(rrToWire(rr).length);
  expect(fromWire).toEqual({ ...rr, owner: fromWire.owner });
  return rr;
}

const KEY = "AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3pexPGcnUFtR2Fh36BponcwtkZ4cAgtvd4Qs8PkxUdp6p/DlUmObdk=";

describe("each type: presentation, wire and dns-packet agree", () => {
  it("A", () => {
    const rr = roundTrip("a.example. 300 IN A 192.0.2.1", "192.0.2.1");
    expect(bytesToHex(rrToWire(rr))).toBe(dnsPacketAnswerHex({ type: "A", name: "a.example", ttl: 300, class: "IN", data: "192.0.2.1" }));
  });

  it("AAAA, printed in RFC 5952 form", () => {
    const rr = roundTrip("a.example. 300 IN AAAA 2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1");
    expect(bytesToHex(rrToWire(rr))).toBe(dnsPacketAnswerHex({ type: "AAAA", name: "a.example", ttl: 300, class: "IN", data: "2001:db8::1:0:0:1" }));
    roundTrip("a.example. 300 IN AAAA ::", "::");
    roundTrip("a.example. 300 IN AAAA 1:0:0:2:0:0:0:3", "1:0:0:2::3");
    roundTrip("a.example. 300 IN AAAA 1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7");
    expect(bytesToHex(encodeRdata(record("a. 1 IN AAAA ::ffff:192.0.2.1").rdata))).toBe("00000000000000000000ffffc0000201");
  });

  it("NS and CNAME: names lowercased in canonical form only", () => {
    const ns = roundTrip("example. 300 IN NS NS1.Example.", "NS1.Example.");
    expect(bytesToHex(rrToWire(ns))).toBe(dnsPacketAnswerHex({ type: "NS", name: "example", ttl: 300, class: "IN", data: "NS1.Example" }));
    expect(bytesToHex(encodeRdata(ns.rdata, true))).toBe("036e7331076578616d706c6500");
    const cname = roundTrip("www.example. 300 IN CNAME Host.Example.", "Host.Example.");
    expect(dnsPacketDecode(cname)).toMatchObject({ type: "CNAME", name: "www.example", data: "Host.Example" });
    expect(bytesToHex(encodeRdata(cname.rdata, true))).toBe("04686f7374076578616d706c6500");
  });

  it("MX", () => {
    const rr = roundTrip("example. 300 IN MX 10 Mail.example.", "10 Mail.example.");
    expect(dnsPacketDecode(rr)).toMatchObject({ type: "MX", data: { preference: 10, exchange: "Mail.example" } });
  });

  it("SOA, with BIND-style unit TTLs read as seconds", () => {
    const rr = roundTrip("example. 300 IN SOA ns.Example. Host.example. 2023110401 1h 15m 1w 1d", "ns.Example. Host.example. 2023110401 3600 900 604800 86400");
    expect(dnsPacketDecode(rr)).toMatchObject({
      type: "SOA",
      data: { mname: "ns.Example", rname: "Host.example", serial: 2023110401, refresh: 3600, retry: 900, expire: 604800, minimum: 86400 },
    });
    expect(bytesToHex(encodeRdata(rr.rdata, true)).startsWith("026e73076578616d706c65000468")).toBe(true);
  });

  it("TXT: several strings, escapes, quotes, UTF-8", () => {
    const rr = roundTrip(
      't.example. 300 IN TXT "hello world" plain "q\\"uote" "\\255" "é😀"',
      '"hello world" "plain" "q\\"uote" "\\255" "\\195\\169\\240\\159\\152\\128"',
    );
    expect(dnsPacketDecode(rr)).toMatchObject({ type: "TXT" });
    const data = (dnsPacketDecode(rr) as { data: Buffer[] }).data.map((b) => Buffer.from(b).toString("hex"));
    expect(data).toEqual(["68656c6c6f20776f726c64", "706c61696e", "7122756f7465", "ff", "c3a9f09f9880"]);
  });

  it("DS", () => {
    const rr = roundTrip("example. 300 IN DS 60485 5 1 2bb183af5f22 588179a53b0a98631fad1a292118", "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118");
    expect(dnsPacketDecode(rr)).toMatchObject({ type: "DS", data: { keyTag: 60485, algorithm: 5, digestType: 1 } });
  });

  it("DNSKEY, base64 split by spaces", () => {
    const rr = roundTrip(`example. 300 IN DNSKEY 256 3 8 ${KEY.slice(0, 20)} ${KEY.slice(20)}`, `256 3 8 ${KEY}`);
    const decoded = dnsPacketDecode(rr) as { data: { flags: number; algorithm: number; key: Buffer } };
    expect(decoded.data.flags).toBe(256);
    expect(decoded.data.algorithm).toBe(8);
    expect(Buffer.from(decoded.data.key).toString("base64")).toBe(KEY);
  });

  it("RRSIG: both time forms, signer lowercased in canonical form", () => {
    const rr = roundTrip(
      `www.example. 3600 IN RRSIG A 8 2 3600 1893456000 20000101000000 9033 Example. ${KEY}`,
      `A 8 2 3600 20300101000000 20000101000000 9033 Example. ${KEY}`,
    );
    expect(dnsPacketDecode(rr)).toMatchObject({
      type: "RRSIG",
      data: {
        typeCovered: "A",
        algorithm: 8,
        labels: 2,
        originalTTL: 3600,
        expiration: 1893456000,
        inception: 946684800,
        keyTag: 9033,
        signersName: "Example",
      },
    });
    expect(bytesToHex(encodeRdata(rr.rdata, true))).toContain("076578616d706c6500");
    expect(bytesToHex(encodeRdata(rr.rdata, false))).toContain("074578616d706c6500");
  });

  it("NSEC: type bitmap windows; the next name keeps its case (RFC 6840 §5.1)", () => {
    const rr = roundTrip("a.example. 300 IN NSEC B.example. NS A RRSIG NSEC TYPE1234 CAA", "B.example. A NS RRSIG NSEC CAA TYPE1234");
    // Window 0: A NS (octet 0), RRSIG NSEC (octet 5); window 1: CAA; window 4: 1234 = 4*256 + 26*8 + 2.
    const bitmap = `00066000000000030101400401b${"00".repeat(26)}20`.replace("0401b", "041b");
    expect(bytesToHex(encodeRdata(rr.rdata, true))).toBe(`0142076578616d706c6500${bitmap}`);
    const decoded = dnsPacketDecode(rr) as { data: { nextDomain: string; rrtypes: string[] } };
    expect(decoded.data.nextDomain).toBe("B.example");
    expect(decoded.data.rrtypes).toEqual(expect.arrayContaining(["A", "NS", "RRSIG", "NSEC", "CAA"]));
    expect(decoded.data.rrtypes).toHaveLength(6);
  });

  it("ZONEMD (RFC 8976)", () => {
    roundTrip("example. 300 IN ZONEMD 2023110401 1 1 00112233445566778899aabb", "2023110401 1 1 00112233445566778899AABB");
  });

  it("unknown types in RFC 3597 \\# form, and known types accepted in it", () => {
    const unknown = roundTrip("example. 300 IN TYPE65280 \\# 3 abcdef", "\\# 3 ABCDEF");
    expect(typeToString(rrType(unknown))).toBe("TYPE65280");
    expect(rrToString(roundTrip("example. 300 IN TYPE65280 \\# 0", "\\# 0"))).toBe("example.\t300\tIN\tTYPE65280\t\\# 0");
    expect(printRdata(record("example. 300 IN A \\# 4 C0000201").rdata)).toBe("192.0.2.1");
    expect(printRdata(record("example. 300 IN TYPE1 \\# 4 C0000201").rdata)).toBe("192.0.2.1");
  });
});

describe("bad RDATA: coded input errors naming the type and field", () => {
  it("bad base64 and hex name the character", () => {
    expectInputError(() => record("e. 1 IN DNSKEY 256 3 8 AwE*AQ=="), "BAD-BASE64", "test:1", "DNSKEY public key", 'character 4 ("*")');
    expectInputError(() => record("e. 1 IN DNSKEY 256 3 8 AwEAAR=="), "BAD-BASE64", "DNSKEY public key", "not canonical", "character 6");
    expectInputError(() => record("e. 1 IN DNSKEY 256 3 8 AwEAA"), "BAD-BASE64", "DNSKEY public key", "length 5");
    expectInputError(() => record("e. 1 IN RRSIG A 8 1 1 20300101000000 20000101000000 1 e. A!=="), "BAD-BASE64", "RRSIG signature");
    expectInputError(() => record("e. 1 IN DS 1 8 2 ABCG"), "BAD-HEX", "DS digest", 'character 4 ("G")');
    expectInputError(() => record("e. 1 IN DS 1 8 2 ABC"), "BAD-HEX", "DS digest", "odd number of digits (3)");
    expectInputError(() => record("e. 1 IN ZONEMD 1 1 1 ZZ"), "BAD-HEX", "ZONEMD digest");
  });

  it("missing, extra and out-of-range fields", () => {
    expectInputError(() => record("e. 1 IN DS 1 8 2"), "RDATA-MISSING", "DS digest");
    expectInputError(() => record("e. 1 IN SOA a. b. 1 2 3 4"), "RDATA-MISSING", "SOA MINIMUM");
    expectInputError(() => record("e. 1 IN A 192.0.2.1 7"), "RDATA-EXTRA", "A", '"7"');
    expectInputError(() => record("e. 1 IN DS 65536 8 2 00"), "RDATA-NUMBER", "DS key tag", "16 bits");
    expectInputError(() => record("e. 1 IN DNSKEY 256 3 256 AQ=="), "RDATA-NUMBER", "DNSKEY algorithm", "8 bits");
    expectInputError(() => record("e. 1 IN DNSKEY -1 3 8 AQ=="), "RDATA-NUMBER", "DNSKEY flags");
    expectInputError(() => record("e. 1 IN A 192.0.2.256"), "RDATA-ADDRESS", "A address");
    expectInputError(() => record("e. 1 IN A 192.0.02.1"), "RDATA-ADDRESS", "A address");
    expectInputError(() => record("e. 1 IN AAAA 1::2::3"), "RDATA-ADDRESS", "AAAA address");
    expectInputError(() => record("e. 1 IN AAAA 1:2:3:4:5:6:7"), "RDATA-ADDRESS", "AAAA address");
    expectInputError(() => record(`e. 1 IN TXT "${"x".repeat(256)}"`), "RDATA-LENGTH", "TXT string 1", "256 octets");
    expectInputError(() => record("e. 1 IN ZONEMD 1 1 1 00112233"), "RDATA-LENGTH", "ZONEMD digest", "4 octets");
    expectInputError(() => record("e. 1 IN NSEC a. A BOGUS"), "BAD-TYPE", "NSEC type bitmap", "BOGUS");
    expectInputError(() => record("e. 1 IN RRSIG BOGUS 8 1 1 20300101000000 20000101000000 1 e. AQ=="), "BAD-TYPE", "RRSIG type covered");
    expectInputError(() => record("e. 1 IN NS a..b."), "RDATA-NAME", "NS target", "empty label");
  });

  it("bad RRSIG times name the field", () => {
    expectInputError(() => record("e. 1 IN RRSIG A 8 1 1 20170230000000 20000101000000 1 e. AQ=="), "BAD-TIME", "RRSIG expiration", "20170230000000");
    expectInputError(() => record("e. 1 IN RRSIG A 8 1 1 20300101000000 2000010100000 1 e. AQ=="), "BAD-TIME", "RRSIG inception");
    expectInputError(() => record("e. 1 IN RRSIG A 8 1 1 21070101000000 20000101000000 1 e. AQ=="), "BAD-TIME", "RRSIG expiration", "32-bit");
    expectInputError(() => record("e. 1 IN RRSIG A 8 1 1 4294967296 20000101000000 1 e. AQ=="), "BAD-TIME", "RRSIG expiration");
  });

  it("the \\# form: wrong length, data after \\# 0, unknown type in another form", () => {
    expectInputError(() => record("e. 1 IN TYPE65280 \\# 4 abcdef"), "RDATA-LENGTH", "declares 4 octets but has 3");
    expectInputError(() => record("e. 1 IN TYPE65280 \\# 0 ab"), "RDATA-LENGTH", "declares 0 octets but has 1");
    expectInputError(() => record("e. 1 IN TYPE65280 abcdef"), "RDATA-UNKNOWN-TYPE", "TYPE65280", "\\#");
    expectInputError(() => record("e. 1 IN A \\# 3 C00002"), "WIRE-TRUNCATED", "A address");
  });
});

describe("truncated and malformed wire data: coded errors naming the field and octet", () => {
  const cases: [string, string, string, string[]][] = [
    ["A", "c00002", "WIRE-TRUNCATED", ["A address", "needs 4 octets at octet 0"]],
    ["A", "c0000201ff", "WIRE-EXTRA", ["A", "1 unexpected octets"]],
    ["AAAA", "20010db8", "WIRE-TRUNCATED", ["AAAA address"]],
    ["NS", "036e73", "WIRE-NAME", ["NS target"]],
    ["SOA", "00000000000001", "WIRE-TRUNCATED", ["SOA REFRESH", "octet 6"]],
    ["DS", "ebc5", "WIRE-TRUNCATED", ["DS algorithm", "octet 2"]],
    ["DS", "ebc50501", "WIRE-TRUNCATED", ["DS: no digest"]],
    ["DNSKEY", "0100", "WIRE-TRUNCATED", ["DNSKEY protocol"]],
    ["DNSKEY", "01000308", "WIRE-TRUNCATED", ["DNSKEY: no public key"]],
    ["RRSIG", "00010803", "WIRE-TRUNCATED", ["RRSIG original TTL", "octet 4"]],
    ["RRSIG", "0001080300000e1070dbd880386d43802349076578616d706c6500", "WIRE-TRUNCATED", ["RRSIG: no signature"]],
    ["NSEC", "00000601", "WIRE-TRUNCATED", ["NSEC type bitmap"]],
    ["NSEC", "00010140000140", "WIRE-BITMAP", ["window 0", "out of order"]],
    ["NSEC", `000021${"40".repeat(33)}`, "WIRE-BITMAP", ["length 33"]],
    // RFC 4034 §4.1.2: trailing zero octets must be omitted, so "A" padded to 3 octets is refused.
    ["NSEC", "0000034000" + "00", "WIRE-BITMAP", ["window 0", "ends in a zero octet"]],
    ["NSEC", "00000100", "WIRE-BITMAP", ["window 0", "ends in a zero octet"]],
    ["TXT", "0568656c6c", "WIRE-TRUNCATED", ["TXT string"]],
    ["ZONEMD", "78a0d4a10101aabb", "WIRE-TRUNCATED", ["ZONEMD", "2 octets", "at least 12"]],
  ];
  for (const [type, hex, code, mentions] of cases) {
    it(`${type} ${hex.slice(0, 16)}… → ${code}`, () => {
      const typeNumber = ({ A: 1, AAAA: 28, NS: 2, SOA: 6, DS: 43, DNSKEY: 48, RRSIG: 46, NSEC: 47, TXT: 16, ZONEMD: 63 } as Record<string, number>)[type];
      expectInputError(() => decodeRdata(typeNumber as number, hexToBytes(hex)), code, ...mentions);
    });
  }

  it("a whole RR: truncated header and RDATA", () => {
    const wire = rrToWire(record("a.example. 300 IN A 192.0.2.1"));
    expectInputError(() => rrFromWire(wire.slice(0, 15), 0), "WIRE-TRUNCATED", "header");
    expectInputError(() => rrFromWire(wire.slice(0, wire.length - 1), 0), "WIRE-TRUNCATED", "RDATA of 4 octets");
  });
});
