/**
 * The KSR/SKR reader and writer against the real ceremony files (fixtures/PROVENANCE.md) and
 * against hostile and malformed input: every bad file is an input error naming what and where.
 */
import { KskError, bytesToBase64, keyTag } from "@ksk/core";
import { describe, expect, it } from "vitest";
import { canonicalDocument, parseKsrXml, writeKsrXml } from "../src/index.js";
import { REAL_FILES, fixtureBytes, fixtureText, loadKsr, loadSkr, utc } from "./helpers.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function inputErrorOf(xml: string | Uint8Array, options = {}): KskError {
  try {
    parseKsrXml(typeof xml === "string" ? enc(xml) : xml, { fileName: "bad.xml", ...options });
  } catch (e) {
    expect(e).toBeInstanceOf(KskError);
    expect((e as KskError).kind).toBe("input");
    expect((e as KskError).message).not.toContain("\n");
    return e as KskError;
  }
  throw new Error("parsed without error");
}

describe("real files", () => {
  it.each(REAL_FILES)("%s parses, re-serialises and re-parses to the same model", (name) => {
    const bytes = fixtureBytes(name);
    const first = parseKsrXml(bytes, { fileName: name });
    expect(first.originalBytes).toBe(bytes);
    const written = writeKsrXml(first.document);
    const second = parseKsrXml(written).document;
    expect(second).toEqual(canonicalDocument(first.document));
    // The canonical form is a fixed point: writing what was read back gives the same bytes.
    expect(dec(writeKsrXml(second))).toBe(dec(written));
    expect(first.document.bundles).toHaveLength(9);
  });

  it("reads ksr-root-2017-q2-0.xml's facts", () => {
    const ksr = loadKsr("ksr-root-2017-q2-0.xml");
    expect(ksr.id).toBe("23e34059-7725-46a8-a7d2-662d657aab2b");
    expect(ksr.domain).toBe(".");
    expect(ksr.policy.zsk.maxSignatureValiditySeconds).toBe(21 * 86400);
    expect(ksr.policy.zsk.algorithms).toEqual([{ family: "RSA", algorithm: 8, sizeBits: 2048, exponent: 65537 }]);
    const first = ksr.bundles[0]!;
    expect(first.inceptionEpochSeconds).toBe(utc(2017, 4, 1)); // naive time read as UTC
    expect(first.keys.map((k) => keyTag(k.dnskey))).toEqual([14796, 61045]);
    expect(first.signatures[0]!.rrsig.inceptionEpochSeconds).toBe(utc(2017, 1, 1, 0, 15, 4)); // +00:00
  });

  it("reads two SignatureAlgorithm entries (ksr-root-2016-q3-0.xml) and the unindented SKR", () => {
    expect(loadKsr("ksr-root-2016-q3-0.xml").policy.zsk.algorithms.map((a) => a.sizeBits)).toEqual([2048, 1024]);
    const skr = loadSkr("skr-root-2017-q1-0.xml");
    expect(skr.policy.ksk.retireSafetySeconds).toBe(28 * 86400);
    expect(skr.bundles[0]!.keys.map((k) => keyTag(k.dnskey)).sort()).toEqual([19036, 39291, 61045]);
  });

  it("writes the canonical form: declaration, 4-space indent, +00:00 times, keys by tag", () => {
    const text = dec(writeKsrXml(loadKsr("ksr-root-2010-q1-0.xml")));
    expect(
      text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<KSR id="ba050f09-e208-4a32-bad2-91de3f2c2a12" domain="." serial="1">\n    <Request>\n'),
    ).toBe(true);
    expect(text).toContain("<Inception>2010-01-01T00:00:00+00:00</Inception>");
    const tags = [...text.matchAll(/keyTag="(\d+)"/g)].slice(0, 2).map((m) => Number(m[1]));
    expect(tags).toEqual([23763, 49920]); // the file lists 49920 first
    expect(text.endsWith("</KSR>\n")).toBe(true);
  });

  it("escapes text and attributes instead of concatenating them", () => {
    const ksr = loadKsr("ksr-root-2017-q2-0.xml");
    const odd = {
      ...ksr,
      id: `a"<&>'b`,
      bundles: ksr.bundles.map((b, i) => (i === 0 ? { ...b, keys: b.keys.map((k) => ({ ...k, keyIdentifier: "x</Key><Key>" })) } : b)),
    };
    const text = dec(writeKsrXml(odd));
    expect(text).toContain('id="a&quot;&lt;&amp;&gt;\'b"');
    expect(parseKsrXml(enc(text)).document.id).toBe(`a"<&>'b`);
    expect(parseKsrXml(enc(text)).document.bundles[0]!.keys[0]!.keyIdentifier).toBe("x</Key><Key>");
  });
});

describe("accepted quirks of real files", () => {
  const base = fixtureText("ksr-root-2017-q2-0.xml");
  it("times with Z, zero-padded key tags, wrapped base64, no indentation", () => {
    const variant = base
      .replace("<Inception>2017-04-01T00:00:00</Inception>", "<Inception>2017-04-01T00:00:00Z</Inception>")
      .replace('keyTag="61045"', 'keyTag="061045"')
      .replace(/<PublicKey>(AwEAAZLsvvPf)([^<]*)<\/PublicKey>/, "<PublicKey>\n  $1\n  $2\n</PublicKey>")
      .replace(/>\s+</g, "><");
    const doc = parseKsrXml(enc(variant)).document;
    expect(doc).toEqual(loadKsr("ksr-root-2017-q2-0.xml"));
  });

  it("Signer elements and a Request timestamp", () => {
    const variant = base
      .replace("<Request>", '<Request timestamp="2017-01-01T00:00:00+00:00">')
      .replace("<Expiration>2017-04-22T00:00:00</Expiration>", '<Expiration>2017-04-22T00:00:00</Expiration><Signer keyIdentifier="Kjqmt7v"/>');
    const doc = parseKsrXml(enc(variant)).document;
    expect(doc.timestampEpochSeconds).toBe(utc(2017, 1, 1));
    expect(doc.bundles[0]!.signers).toEqual(["Kjqmt7v"]);
    expect(parseKsrXml(writeKsrXml(doc)).document).toEqual(canonicalDocument(doc));
  });
});

describe("bad input: one line naming what and where", () => {
  const base = fixtureText("ksr-root-2017-q2-0.xml");
  const cases: [string, string, RegExp][] = [
    ["DOCTYPE with an internal entity", `<!DOCTYPE KSR [<!ENTITY who "x">]>${base.replace('domain="."', 'domain="&who;"')}`, /DOCTYPE/],
    ["external entity (XXE)", `<?xml version="1.0"?>\n<!DOCTYPE KSR [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>\n<KSR id="&xxe;"/>`, /bad\.xml:2.*DOCTYPE/],
    [
      "billion laughs",
      `<!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? "" : i};`.repeat(10)}">`).join("")}]><KSR>&lol9;</KSR>`,
      /DOCTYPE/,
    ],
    ["wrong root element", base.replace(/^<KSR/, "<KSK").replace(/<\/KSR>\s*$/, "</KSK>\n"), /root element is <KSK>/],
    ["malformed XML", "<KSR><a></KSR>", /not well-formed/],
    [
      "missing Expiration",
      base.replace("<Expiration>2017-04-22T00:00:00</Expiration>", ""),
      /bad\.xml:19: KSR\/Request\/RequestBundle\/Key: expected <Expiration> in <RequestBundle>/,
    ],
    ["unknown element", base.replace("<TTL>172800</TTL>", "<TTL>172800</TTL><Colour>red</Colour>"), /unknown element <Colour>/],
    ["duplicated element", base.replace("<Flags>256</Flags>", "<Flags>256</Flags><Flags>256</Flags>"), /<Flags> may appear only once/],
    ["element out of order", base.replace(/(<Inception>[^<]*<\/Inception>)(\s*)(<Expiration>[^<]*<\/Expiration>)/, "$3$2$1"), /Inception/],
    ["unknown attribute", base.replace("<KSR id=", '<KSR colour="red" id='), /unknown attribute colour/],
    ["non-numeric number", base.replace("<TTL>172800</TTL>", "<TTL>172800s</TTL>"), /TTL "172800s" is not a non-negative integer/],
    // RFC 2181 §8, the same rule as the zone-file reader's (MAX_TTL_SECONDS).
    ["TTL 2^31", base.replace("<TTL>172800</TTL>", "<TTL>2147483648</TTL>"), /TTL 2147483648 is outside 0\.\.2147483647/],
    ["key tag 70000", base.replace('keyTag="14796"', 'keyTag="70000"'), /keyTag 70000 is outside 0\.\.65535/],
    ["bad base64", base.replace("<PublicKey>AwEAAZLsvvPf", "<PublicKey>AwEAAZLs*vPf"), /PublicKey: not valid base64/],
    [
      "time with another offset",
      base.replace("<Inception>2017-04-01T00:00:00</Inception>", "<Inception>2017-04-01T00:00:00+02:00</Inception>"),
      /offset \+02:00/,
    ],
    ["protocol other than 3", base.replace("<Protocol>3</Protocol>", "<Protocol>2</Protocol>"), /Protocol 2 is outside 3\.\.3/],
    ["text where elements belong", base.replace("<Request>", "<Request>hello"), /holds text/],
    [
      "nesting beyond the schema",
      base.replace('<RSA size="2048" exponent="65537"/>', '<RSA size="2048" exponent="65537"><a><b/></a></RSA>'),
      /nesting deeper|must be empty/,
    ],
    ["another encoding declared", `<?xml version="1.0" encoding="ISO-8859-1"?>\n${base}`, /encoding "ISO-8859-1"/],
    // The parser leaves &#65; undecoded: "A" and "&#65;" would be two ids here and one id elsewhere.
    [
      "a character reference in a bundle id (XML 1.0 §4.1)",
      base.replace('<RequestBundle id="3ea61ea1', '<RequestBundle id="&#51;ea61ea1'),
      /bad\.xml:58: contains a character reference/,
    ],
    ["a hex character reference in text", base.replace("<TTL>172800</TTL>", "<TTL>&#x31;72800</TTL>"), /character reference/],
    // XML 1.0 §3.3.3 would normalise these to spaces; this reader refuses them instead.
    [
      "a newline in a bundle id",
      base.replace('<RequestBundle id="3ea61ea1', '<RequestBundle id="x\n. 172800 IN A 192.0.2.1\n3ea61ea1'),
      /bad\.xml:58: KSR\/Request\/RequestBundle\[2\]: attribute id on <RequestBundle> holds a character outside printable ASCII/,
    ],
    ["a tab in the domain", base.replace('domain="."', 'domain="\t."'), /attribute domain on <KSR> holds a character outside printable ASCII/],
    ["a DEL character in a bundle id", base.replace('<RequestBundle id="3ea61ea1', '<RequestBundle id="\u007f3ea61ea1'), /outside printable ASCII/],
    ["a non-ASCII letter in a bundle id", base.replace('<RequestBundle id="3ea61ea1', '<RequestBundle id="é3ea61ea1'), /outside printable ASCII/],
  ];
  it.each(cases)("%s", (_name, xml, message) => {
    expect(inputErrorOf(xml).message).toMatch(message);
  });

  it("refuses a 50 MB file before reading it, and not-UTF-8 bytes", () => {
    const big = new Uint8Array(50 * 1024 * 1024).fill(0x20);
    expect(inputErrorOf(big).message).toMatch(/bad\.xml: is 52428800 bytes; at most 1048576 accepted/);
    expect(inputErrorOf(new Uint8Array([0x3c, 0x4b, 0xff, 0x3e])).message).toMatch(/not valid UTF-8/);
  });

  it("good: printable ASCII ids, predefined entities included, read as every XML parser reads them", () => {
    const base2 = fixtureText("ksr-root-2017-q2-0.xml");
    const doc = parseKsrXml(enc(base2.replace('<RequestBundle id="3ea61ea1', '<RequestBundle id="a&amp;b 3ea61ea1'))).document;
    expect(doc.bundles[1]!.id).toBe("a&b 3ea61ea1-43ca-47ce-a9c4-1e5799fb13b7");
  });

  it("a KSR key tag that is not the key's is kept for KSR-BUNDLE-KEYS; in an SKR it is bad input", () => {
    const ksr = parseKsrXml(enc(base.replace('keyTag="14796"', 'keyTag="14797"'))).document;
    expect(ksr.bundles[0]!.keys[0]!.keyTagAttribute).toBe(14797);
    expect(ksr.bundles[0]!.keys[1]!.keyTagAttribute).toBeUndefined();
    const skr = fixtureText("skr-root-2017-q1-0.xml");
    const tag = /keyTag="(\d+)"/.exec(skr)![1]!;
    expect(inputErrorOf(skr.replace(`keyTag="${tag}"`, `keyTag="${(Number(tag) + 1) % 65536}"`)).message).toMatch(
      /keyTag attribute says \d+ but the key's tag is \d+/,
    );
  });

  it("names the line of the bad element", () => {
    const e = inputErrorOf(base.replace("<TTL>172800</TTL>", "<TTL>x</TTL>"));
    expect(e.where).toBe("bad.xml:20: KSR/Request/RequestBundle/Key/TTL");
  });

  it("keeps whitespace-wrapped base64 and the key as written", () => {
    const ksr = loadKsr("ksr-root-2017-q2-0.xml");
    expect(bytesToBase64(ksr.bundles[0]!.keys[0]!.dnskey.publicKeyBytes)).toMatch(/^AwEAAZLsvvPf/);
  });
});
