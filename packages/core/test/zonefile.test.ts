/**
 * The zone-file reader (RFC 1035 §5.1 master format, RFC 2308 §4 $TTL): directives, parentheses,
 * comments, omitted owner/TTL/class, quoted strings, streaming, and `file:line: message` errors.
 */
import { describe, expect, it } from "vitest";
import {
  MAX_TTL_SECONDS,
  type RR,
  ZoneReader,
  formatZone,
  isValidTtl,
  nameToString,
  parseName,
  parseZone,
  readZone,
  rrToString,
  rrToWire,
} from "../src/index.js";
import { expectInputError } from "./helpers.js";

const ZONE = `; a test zone
$ORIGIN example.
$TTL 1h
@   IN  SOA ns hostmaster.example. (
        2023110401 ; serial
        2h 15M 1W  ; refresh retry expire
        1d )       ; minimum
    IN  NS  ns          ; owner omitted: still example.
        NS  ns2.other.  ; class omitted too
ns  300 A   192.0.2.1
ns  IN 300 AAAA 2001:db8::1
txt 60 IN TXT "a;b (c)" "\\"quoted\\"" unquoted
$ORIGIN sub.example.
www CNAME @
`;

describe("the master file format", () => {
  const rrs = parseZone(ZONE, { fileName: "example.zone" });
  const lines = rrs.map(rrToString);

  it("reads every record with $ORIGIN, $TTL, omitted owner, TTL and class", () => {
    expect(lines).toEqual([
      "example.\t3600\tIN\tSOA\tns.example. hostmaster.example. 2023110401 7200 900 604800 86400",
      "example.\t3600\tIN\tNS\tns.example.",
      "example.\t3600\tIN\tNS\tns2.other.",
      "ns.example.\t300\tIN\tA\t192.0.2.1",
      "ns.example.\t300\tIN\tAAAA\t2001:db8::1",
      'txt.example.\t60\tIN\tTXT\t"a;b (c)" "\\"quoted\\"" "unquoted"',
      "www.sub.example.\t3600\tIN\tCNAME\tsub.example.",
    ]);
  });

  it("reprints as a zone that reads back to the same records", () => {
    expect(parseZone(formatZone(rrs)).map(rrToString)).toEqual(lines);
  });

  it("streams: records come out line by line, and from an async line source", async () => {
    const reader = new ZoneReader({ fileName: "s", origin: parseName("example."), defaultTtlSeconds: 5 });
    expect(reader.line("a A 192.0.2.1")).toHaveLength(1);
    expect(reader.line("b TXT ( one")).toHaveLength(0);
    expect(reader.line("  two )")).toHaveLength(1);
    expect(() => reader.end()).not.toThrow();
    async function* source() {
      yield* ZONE.split("\n");
    }
    const streamed: string[] = [];
    for await (const rr of readZone(source(), { fileName: "example.zone" })) streamed.push(rrToString(rr));
    expect(streamed).toEqual(lines);
  });

  it("takes the previous TTL when there is no $TTL (RFC 1035 §5.1)", () => {
    const rrs2 = parseZone("a. 42 IN A 192.0.2.1\nb. IN A 192.0.2.2\n");
    expect(rrs2.map((r) => r.ttlSeconds)).toEqual([42, 42]);
  });

  it("a record without a TTL: $TTL, else the previous record's, else the caller's fallback (said once)", () => {
    const said: string[] = [];
    const options = { fileName: "k.key", fallbackTtlSeconds: 172800, onFallbackTtl: (where: string) => said.push(where) };
    // A BIND .key file: comment header, then a record with neither TTL nor $TTL.
    const bind = parseZone("; This is a key-signing key, keyid 1.\n; Created: 20261129\nexample. IN DNSKEY 257 3 15 AAAA\n. DNSKEY 257 3 15 AAAA\n", options);
    expect(bind.map((r) => r.ttlSeconds)).toEqual([172800, 172800]);
    expect(said).toEqual(["k.key:3"]);
    expect(parseZone("$TTL 60\na. IN A 192.0.2.1\n", options).map((r) => r.ttlSeconds)).toEqual([60]);
    expect(parseZone("a. 42 IN A 192.0.2.1\nb. IN A 192.0.2.2\n", options).map((r) => r.ttlSeconds)).toEqual([42, 42]);
    expect(said).toEqual(["k.key:3"]);
  });

  it("keeps escaped spaces and dots in owner names; \\r\\n line ends", () => {
    const [rr] = parseZone("a\\ b\\.c.example. 1 IN A 192.0.2.1\r\n");
    expect(nameToString(rr?.owner ?? parseName("."))).toBe("a\\032b\\.c.example.");
  });
});

describe("errors are file:line: message, with a code", () => {
  const cases: [string, string, string, string[]][] = [
    ["unclosed parenthesis", "a. 1 IN A 192.0.2.1\nb. 1 IN TXT ( x\n", "ZONE-PAREN", ["z.zone:2:", "unclosed"]],
    ["stray )", "a. 1 IN A 192.0.2.1 )", "ZONE-PAREN", ["z.zone:1:", "')'"]],
    ["unterminated quote", '\n\na. 1 IN TXT "abc', "ZONE-QUOTE", ["z.zone:3:", "unterminated"]],
    ["bad type", "a. 1 IN BOGUS x", "ZONE-TYPE", ["z.zone:1:", '"BOGUS"']],
    ["no type", "a. 1 IN", "ZONE-TYPE", ["z.zone:1:", "no RR type"]],
    ["class CH", "a. 1 CH A 192.0.2.1", "ZONE-CLASS", ["z.zone:1:", "CH"]],
    ["no TTL", "a. IN A 192.0.2.1", "ZONE-TTL", ["z.zone:1:", "no TTL"]],
    ["no previous owner", " 1 IN A 192.0.2.1", "ZONE-OWNER", ["z.zone:1:", "no owner"]],
    ["relative owner, no origin", "a 1 IN A 192.0.2.1", "NAME-RELATIVE", ["z.zone:1:", "owner:", '"a"']],
    ["owner label over 63", `${"a".repeat(64)}. 1 IN A 192.0.2.1`, "NAME-LABEL-LENGTH", ["z.zone:1:", "owner:", "64 octets"]],
    ["bad $ORIGIN", "$ORIGIN a..b.", "NAME-EMPTY-LABEL", ["z.zone:1:", "$ORIGIN"]],
    ["$INCLUDE", "$INCLUDE other.zone", "ZONE-DIRECTIVE", ["z.zone:1:", "$INCLUDE"]],
    ["$GENERATE", "$GENERATE 1-2 a$ A 192.0.2.$", "ZONE-DIRECTIVE", ["z.zone:1:", "$GENERATE"]],
    ["bad $TTL", "$TTL 1x", "BAD-TTL", ["z.zone:1:", "$TTL", '"1x"']],
    ["TTL over 32 bits", "a. 4294967296 IN A 192.0.2.1", "RDATA-NUMBER", ["z.zone:1:", "TTL", "32 bits"]],
    // RFC 2181 §8: a TTL is 0..2^31-1, the same rule as the KSR reader's.
    ["TTL 2^31 (RFC 2181 §8)", "a. 2147483648 IN A 192.0.2.1", "BAD-TTL", ["z.zone:1:", "TTL", "2147483647", "RFC 2181"]],
    ["TTL 2^32-1 (RFC 2181 §8)", "a. 4294967295 IN A 192.0.2.1", "BAD-TTL", ["z.zone:1:", "RFC 2181"]],
    ["$TTL 2^31 in units (RFC 2181 §8)", "$TTL 3551w", "BAD-TTL", ["z.zone:1:", "$TTL", "3551w"]],
    ["SOA MINIMUM 2^31 (RFC 2308 §4)", "a. 1 IN SOA ns. h. 1 2 3 4 2147483648", "BAD-TTL", ["z.zone:1:", "SOA MINIMUM"]],
    // A record spanning lines is reported at the line that completes it, as BIND does.
    ["bad RDATA on a continued line", "a. 1 IN SOA ns. h. (\n 1 2 3\n 4 x )", "BAD-TTL", ["z.zone:3:", "SOA MINIMUM", '"x"']],
  ];
  for (const [what, text, code, mentions] of cases) {
    it(what, () => {
      const error = expectInputError(() => parseZone(text, { fileName: "z.zone" }), code, ...mentions);
      expect(error.where).toMatch(/^z\.zone:\d+$/);
    });
  }
});

describe("limits", () => {
  it("accepts the largest TTL RFC 2181 §8 allows, and 32-bit SOA timers", () => {
    const [a, soa] = parseZone("a. 2147483647 IN A 192.0.2.1\na. 1 IN SOA ns. h. 1 4294967295 4294967295 4294967295 2147483647\n", { fileName: "z" });
    expect(a?.ttlSeconds).toBe(MAX_TTL_SECONDS);
    expect(isValidTtl(MAX_TTL_SECONDS)).toBe(true);
    expect(isValidTtl(MAX_TTL_SECONDS + 1)).toBe(false);
    expect(soa?.rdata.kind === "SOA" && soa.rdata.refreshSeconds).toBe(0xffffffff);
  });

  it("reads a 5 MB base64 key field without running out of stack, and refuses its RDATA on the wire", () => {
    // A backtracking base64 pattern overflowed the stack here; the check is now linear.
    const key = Buffer.alloc(3_750_000, 7).toString("base64");
    const [rr] = parseZone(`. 172800 IN DNSKEY 257 3 8 ${key}\n`, { fileName: "big.zone" });
    expect(rr?.rdata.kind === "DNSKEY" && rr.rdata.publicKeyBytes.length).toBe(3_750_000);
    expectInputError(() => rrToWire(rr as RR), "RDATA-LENGTH", "65535");
    expectInputError(() => parseZone(`. 172800 IN DNSKEY 257 3 8 ${key.slice(1)}\n`, { fileName: "big.zone" }), "BAD-BASE64", "big.zone:1");
    expectInputError(() => parseZone(`. 1 IN DS 1 8 2 ${"ab".repeat(2_500_000)}x\n`, { fileName: "big.zone" }), "BAD-HEX", "big.zone:1");
  });
});
