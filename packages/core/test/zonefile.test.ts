/**
 * The zone-file reader (RFC 1035 §5.1 master format, RFC 2308 §4 $TTL): directives, parentheses,
 * comments, omitted owner/TTL/class, quoted strings, streaming, and `file:line: message` errors.
 */
import { describe, expect, it } from "vitest";
import { ZoneReader, formatZone, nameToString, parseName, parseZone, readZone, rrToString } from "../src/index.js";
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
    expect(reader.end()).toEqual([]);
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
