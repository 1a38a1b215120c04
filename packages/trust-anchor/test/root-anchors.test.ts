/**
 * root-anchors.xml (RFC 9718 §2, RFC 7958 §2): building IANA's current file from the published
 * facts (shared/data/PROVENANCE.md), reading both published forms, the RELAX NG schema of
 * RFC 9718 §2.1 (xmllint-wasm), every input fault, the two checks, and DS output against
 * ldns-key2ds.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { bytesToBase64, bytesToHex, formatDsRecords, formatIsoUtc, isKind, KskError, parseIsoUtc, parseZone, rrToString } from "@ksk/core";
import { validateXML } from "xmllint-wasm";
import { describe, expect, it } from "vitest";
import { hasTool, runTool } from "../../../test/support/tools.js";
import {
  anchorDsRecords,
  buildRootAnchors,
  checkDigestMatchesKey,
  checkRootAnchors,
  checkSomeValidAt,
  isValidAt,
  keyDigestDnskey,
  parseRootAnchors,
  type TrustAnchorDocument,
  writeRootAnchors,
} from "../src/index.js";
import { DAY, fixture, ROOT_KSKS, rootAnchorKeys, schemaPath } from "./support.js";

const TA_ID = "0C05FDD6-422C-4910-8ED6-430ED15E11C2";
const PUBLISHED_2024 = parseIsoUtc("2024-07-18T00:00:00Z");
const NOW = parseIsoUtc("2026-11-28T00:00:00Z");
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

async function validateAgainstSchema(xml: Uint8Array): Promise<{ valid: boolean; output: string }> {
  const r = await validateXML({
    xml: [{ fileName: "root-anchors.xml", contents: text(xml) }],
    schema: [{ fileName: "root-anchors.rng", contents: readFileSync(schemaPath, "utf8") }],
    extension: "relaxng",
  });
  return { valid: r.valid, output: r.rawOutput };
}

function expectKskError(fn: () => unknown, kind: KskError["kind"], code: string): KskError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KskError);
    const err = e as KskError;
    expect({ kind: err.kind, code: err.code, message: err.message }).toMatchObject({ kind, code });
    expect(err.message).not.toContain("\n");
    return err;
  }
  throw new Error(`expected ${kind} error ${code}, nothing was thrown`);
}

describe("building IANA's current root-anchors.xml from the published facts (PROVENANCE.md)", () => {
  const built = buildRootAnchors({ trustAnchorId: TA_ID, keys: rootAnchorKeys(), publicationEpochSeconds: PUBLISHED_2024 });
  const doc = built.document;

  it("lists the three KSKs with IANA's ids, dates, key tags and SHA-256 digests, in date order", () => {
    const facts = [
      {
        id: "Kjqmt7v",
        tag: 19036,
        from: "2010-07-15T00:00:00+00:00",
        until: "2019-01-11T00:00:00+00:00",
        digest: "49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5",
      },
      {
        id: "Klajeyz",
        tag: 20326,
        from: "2017-02-02T00:00:00+00:00",
        until: undefined,
        digest: "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
      },
      {
        id: "Kmyv6jo",
        tag: 38696,
        from: "2024-07-18T00:00:00+00:00",
        until: undefined,
        digest: "683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
      },
    ];
    expect(
      doc.keyDigests.map((kd) => ({
        id: kd.id,
        tag: kd.keyTag,
        from: formatIsoUtc(kd.validFromEpochSeconds),
        until: kd.validUntilEpochSeconds === undefined ? undefined : formatIsoUtc(kd.validUntilEpochSeconds),
        digest: bytesToHex(kd.digestBytes, true),
      })),
    ).toEqual(facts);
    expect(doc.keyDigests.every((kd) => kd.algorithm === 8 && kd.digestType === 2)).toBe(true);
    expect(doc.id).toBe(TA_ID);
    expect(doc.source).toBe("http://data.iana.org/root-anchors/root-anchors.xml");
  });

  it("carries PublicKey and Flags (RFC 9718) for the keys still valid, and not for KSK-2010", () => {
    const byId = new Map(doc.keyDigests.map((kd) => [kd.id, kd]));
    expect(byId.get("Kjqmt7v")?.publicKeyBytes).toBeUndefined();
    for (const k of ROOT_KSKS.filter((k) => k.rootAnchorsXml.validUntil === undefined)) {
      const kd = byId.get(k.rootAnchorsXml.id);
      expect(kd?.flags).toBe(257);
      expect(bytesToBase64(kd?.publicKeyBytes ?? new Uint8Array())).toBe(k.publicKey);
    }
    expect(text(built.xmlBytes)).toContain("<PublicKey>AwEAAa96jeuknZlaeSrvyAJj6ZHv28hhOKkx3rLGXVaC6rXTsDc449/c");
  });

  it("validates against the RELAX NG schema of RFC 9718 §2.1", async () => {
    const r = await validateAgainstSchema(built.xmlBytes);
    expect(r.output).toContain("validates");
    expect(r.valid).toBe(true);
  });

  it("the schema really rejects: a Flags above 65535 and a missing Digest fail validation", async () => {
    const badFlags = text(built.xmlBytes).replace("<Flags>257</Flags>", "<Flags>70000</Flags>");
    expect((await validateAgainstSchema(bytes(badFlags))).valid).toBe(false);
    const noDigest = text(built.xmlBytes).replace(/<Digest>[0-9A-F]+<\/Digest>/, "");
    expect((await validateAgainstSchema(bytes(noDigest))).valid).toBe(false);
  });

  it("the RFC 7958 form has digests only, and validates too", async () => {
    const old = buildRootAnchors({ trustAnchorId: TA_ID, keys: rootAnchorKeys(), publicationEpochSeconds: PUBLISHED_2024, form: "rfc7958" });
    expect(text(old.xmlBytes)).not.toContain("PublicKey");
    expect(text(old.xmlBytes)).not.toContain("Flags");
    expect(old.document.keyDigests.map((kd) => bytesToHex(kd.digestBytes, true))).toEqual(doc.keyDigests.map((kd) => bytesToHex(kd.digestBytes, true)));
    expect((await validateAgainstSchema(old.xmlBytes)).valid).toBe(true);
  });

  it("reads back to the same document (write → read round trip)", () => {
    expect(parseRootAnchors(writeRootAnchors(doc))).toEqual(doc);
  });

  it("makes one KeyDigest per digest type on request (1, 2, 4), ids kept unique", () => {
    const keys = rootAnchorKeys().slice(1, 2);
    const multi = buildRootAnchors({ trustAnchorId: TA_ID, keys, publicationEpochSeconds: NOW, digestTypes: [2, 1, 4] }).document;
    expect(multi.keyDigests.map((kd) => [kd.id, kd.digestType, kd.digestBytes.length])).toEqual([
      ["Klajeyz-1", 1, 20],
      ["Klajeyz", 2, 32],
      ["Klajeyz-4", 4, 48],
    ]);
    const published = ROOT_KSKS[1]?.ds ?? [];
    for (const kd of multi.keyDigests) expect(bytesToHex(kd.digestBytes, true)).toBe(published.find((d) => d.digestType === kd.digestType)?.digest);
  });
});

describe("refusing to build what resolvers could not use", () => {
  const keys = rootAnchorKeys();
  it("TA-NONE-VALID: no KeyDigest valid at publication (only KSK-2010, published in 2024)", () => {
    const err = expectKskError(
      () => buildRootAnchors({ trustAnchorId: TA_ID, keys: keys.slice(0, 1), publicationEpochSeconds: PUBLISHED_2024 }),
      "check",
      "TA-NONE-VALID",
    );
    expect(err.message).toContain("2024-07-18T00:00:00+00:00");
  });
  it("TA-NONE-VALID: a key not valid yet at publication", () => {
    expectKskError(
      () => buildRootAnchors({ trustAnchorId: TA_ID, keys: keys.slice(2), publicationEpochSeconds: PUBLISHED_2024 - 1 }),
      "check",
      "TA-NONE-VALID",
    );
  });
  it("validUntil before validFrom, duplicate ids, revoked or non-zone keys, non-UUID ids, unknown digest types", () => {
    const [k2010, k2017] = keys as [(typeof keys)[0], (typeof keys)[0]];
    expectKskError(
      () =>
        buildRootAnchors({
          trustAnchorId: TA_ID,
          keys: [{ ...k2017, validUntilEpochSeconds: k2017.validFromEpochSeconds - DAY }],
          publicationEpochSeconds: NOW,
        }),
      "input",
      "TA-VALIDITY",
    );
    expectKskError(
      () => buildRootAnchors({ trustAnchorId: TA_ID, keys: [k2017, { ...k2010, id: k2017.id }], publicationEpochSeconds: NOW }),
      "input",
      "TA-DUPLICATE-ID",
    );
    expectKskError(
      () => buildRootAnchors({ trustAnchorId: TA_ID, keys: [k2017, { ...k2017, id: "other" }], publicationEpochSeconds: NOW }),
      "input",
      "TA-DUPLICATE-KEY",
    );
    expectKskError(
      () => buildRootAnchors({ trustAnchorId: TA_ID, keys: [{ ...k2017, dnskey: { ...k2017.dnskey, flags: 385 } }], publicationEpochSeconds: NOW }),
      "input",
      "TA-KEY-FLAGS",
    );
    expectKskError(
      () => buildRootAnchors({ trustAnchorId: TA_ID, keys: [{ ...k2017, dnskey: { ...k2017.dnskey, flags: 1 } }], publicationEpochSeconds: NOW }),
      "input",
      "TA-KEY-FLAGS",
    );
    expectKskError(() => buildRootAnchors({ trustAnchorId: "not-a-uuid", keys: [k2017], publicationEpochSeconds: NOW }), "usage", "USAGE-UUID");
    expectKskError(() => buildRootAnchors({ trustAnchorId: TA_ID, keys: [k2017], publicationEpochSeconds: NOW, digestTypes: [3] }), "input", "DS-DIGEST-TYPE");
  });
});

describe("reading published files", () => {
  it("reads the RFC 7958 form of 2017-2024 (two KeyDigests, digests only)", () => {
    const doc = parseRootAnchors(readFileSync(fixture("root-anchors-rfc7958-2017.xml")));
    expect(doc.keyDigests.map((kd) => [kd.id, kd.keyTag, kd.publicKeyBytes])).toEqual([
      ["Kjqmt7v", 19036, undefined],
      ["Klajeyz", 20326, undefined],
    ]);
    checkRootAnchors(doc, NOW);
  });

  it("reads the RFC 9718 form with Digest and PublicKey text on lines of their own", () => {
    const doc = parseRootAnchors(readFileSync(fixture("root-anchors-rfc9718-2024.xml")));
    expect(doc.keyDigests.map((kd) => [kd.id, kd.keyTag, kd.flags])).toEqual([
      ["Kjqmt7v", 19036, undefined],
      ["Klajeyz", 20326, 257],
      ["Kmyv6jo", 38696, 257],
    ]);
    expect(bytesToHex(doc.keyDigests[2]?.digestBytes ?? new Uint8Array(), true)).toBe("683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16");
    checkRootAnchors(doc, NOW);
  });

  it("validity: validFrom is inclusive, validUntil exclusive", () => {
    const doc = parseRootAnchors(readFileSync(fixture("root-anchors-rfc9718-2024.xml")));
    const [k2010, , k2024] = doc.keyDigests as [TrustAnchorDocument["keyDigests"][0], unknown, TrustAnchorDocument["keyDigests"][0]];
    const until = parseIsoUtc("2019-01-11T00:00:00Z");
    expect([isValidAt(k2010, until - 1), isValidAt(k2010, until)]).toEqual([true, false]);
    expect([isValidAt(k2024, PUBLISHED_2024 - 1), isValidAt(k2024, PUBLISHED_2024)]).toEqual([false, true]);
  });
});

describe("bad input: one clear line naming what and where", () => {
  const good = readFileSync(fixture("root-anchors-rfc9718-2024.xml"), "utf8");
  const cases: [string, string, string][] = [
    ["malformed XML", good.replace("</Zone>", "</Zon>"), "TA-XML"],
    // Found by the property test: the validator passes it, the parser threw a plain Error.
    ["a mangled XML declaration", good.replace('encoding="UTF-8"', 'encoding=0UTF-8"'), "TA-XML"],
    ["a DOCTYPE", good.replace("<TrustAnchor", '<!DOCTYPE TrustAnchor [<!ENTITY x "y">]>\n<TrustAnchor'), "TA-DOCTYPE"],
    ["an unknown digest type", good.replace("<DigestType>2</DigestType>", "<DigestType>3</DigestType>"), "DS-DIGEST-TYPE"],
    [
      "a digest of the wrong length",
      good.replace("49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5", "49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8F"),
      "DS-DIGEST-LENGTH",
    ],
    ["validUntil before validFrom", good.replace('validUntil="2019-01-11T00:00:00+00:00"', 'validUntil="2009-01-11T00:00:00+00:00"'), "TA-VALIDITY"],
    ["duplicate ids", good.replace('id="Kmyv6jo"', 'id="Klajeyz"'), "TA-DUPLICATE-ID"],
    ["an unknown element", good.replace("<Flags>257</Flags>", "<Flags>257</Flags><Comment>x</Comment>"), "TA-STRUCTURE"],
    [
      "elements out of order",
      good.replace("<KeyTag>19036</KeyTag>\n<Algorithm>8</Algorithm>", "<Algorithm>8</Algorithm>\n<KeyTag>19036</KeyTag>"),
      "TA-STRUCTURE",
    ],
    ["a KeyTag out of range", good.replace("<KeyTag>19036</KeyTag>", "<KeyTag>70000</KeyTag>"), "TA-NUMBER"],
    ["a time with a local offset", good.replace('validFrom="2017-02-02T00:00:00+00:00"', 'validFrom="2017-02-02T00:00:00+01:00"'), "BAD-TIME"],
    ["a PublicKey without Flags", good.replace("<Flags>257</Flags>", ""), "TA-STRUCTURE"],
    ["bad base64", good.replace("AwEAAaz/tAm8", "AwEAAaz/t!m8"), "BAD-BASE64"],
    ["no KeyDigest", good.replace(/<KeyDigest[\s\S]*<\/KeyDigest>\n/, ""), "TA-STRUCTURE"],
    ["another document element", '<?xml version="1.0"?><KSR/>', "TA-STRUCTURE"],
    // The parser leaves &#75; undecoded, so "&#75;myv6jo" and "Kmyv6jo" would pass as two ids.
    ["a character reference in an id (XML 1.0 §4.1)", good.replace('id="Kmyv6jo"', 'id="&#75;lajeyz"'), "TA-CHARREF"],
    ["a hex character reference in text", good.replace("<KeyTag>19036</KeyTag>", "<KeyTag>&#x31;9036</KeyTag>"), "TA-CHARREF"],
    // XML 1.0 §3.3.3 would turn these into spaces; the reader refuses them instead.
    ["a tab in an id", good.replace('id="Kmyv6jo"', 'id="Kmyv\t6jo"'), "TA-ATTRIBUTE"],
    ["a newline in the source", good.replace('source="http://', 'source="\nhttp://'), "TA-ATTRIBUTE"],
    ["a DEL in validFrom", good.replace('validFrom="2017-02-02T00:00:00+00:00"', 'validFrom="2017-02-02T00:00:00+00:00\u007f"'), "TA-ATTRIBUTE"],
  ];
  it.each(cases)("%s", (_what, xml, code) => {
    const err = expectKskError(() => parseRootAnchors(bytes(xml), "r.xml"), "input", code);
    expect(err.message.startsWith("r.xml")).toBe(true);
  });
  it("the good file passes the same reader (so the cases above fail for their fault alone)", () => {
    expect(parseRootAnchors(bytes(good)).keyDigests).toHaveLength(3);
  });
  it("good: a predefined entity in an attribute reads as every XML parser reads it", () => {
    const doc = parseRootAnchors(bytes(good.replace('root-anchors.xml"', 'root-anchors.xml?a=1&amp;b=2"')));
    expect(doc.source).toBe("http://data.iana.org/root-anchors/root-anchors.xml?a=1&b=2");
  });
  it("refuses a file that is not UTF-8", () => {
    expectKskError(() => parseRootAnchors(Uint8Array.of(0x3c, 0xff, 0xfe, 0x3e)), "input", "TA-ENCODING");
  });
});

describe("checks", () => {
  const good = readFileSync(fixture("root-anchors-rfc9718-2024.xml"), "utf8");
  it("TA-DIGEST-KEY: a Digest that is not the digest of its PublicKey (RFC 9718 MUST)", () => {
    const doc = parseRootAnchors(
      bytes(
        good.replace("E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D", "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8E"),
      ),
    );
    const kd = doc.keyDigests[1];
    if (!kd) throw new Error("fixture changed");
    const err = expectKskError(() => checkDigestMatchesKey(doc, kd), "check", "TA-DIGEST-KEY");
    expect(err.message).toContain("Klajeyz");
    expectKskError(() => checkRootAnchors(doc, NOW), "check", "TA-DIGEST-KEY");
  });
  it("TA-DIGEST-KEY: a KeyTag that is not the tag of its PublicKey", () => {
    const doc = parseRootAnchors(bytes(good.replace("<KeyTag>38696</KeyTag>", "<KeyTag>38697</KeyTag>")));
    expectKskError(() => checkRootAnchors(doc, NOW), "check", "TA-DIGEST-KEY");
  });
  it("the good file's keys match their digests, and KeyDigests rebuild the real DNSKEYs", () => {
    const doc = parseRootAnchors(bytes(good));
    for (const kd of doc.keyDigests) checkDigestMatchesKey(doc, kd);
    expect(keyDigestDnskey(doc.keyDigests[2] as TrustAnchorDocument["keyDigests"][0])?.publicKeyBytes).toEqual(rootAnchorKeys()[2]?.dnskey.publicKeyBytes);
  });
  it("TA-NONE-VALID: the 2017 file checked in 2009 has nothing valid; in 2026 it has KSK-2017", () => {
    const doc = parseRootAnchors(readFileSync(fixture("root-anchors-rfc7958-2017.xml")));
    expectKskError(() => checkSomeValidAt(doc, parseIsoUtc("2009-01-01T00:00:00Z")), "check", "TA-NONE-VALID");
    checkSomeValidAt(doc, NOW);
  });
});

describe("DS records from the XML", () => {
  const doc = parseRootAnchors(readFileSync(fixture("root-anchors-rfc9718-2024.xml")));
  it("selects the KeyDigests valid at a time, or all", () => {
    expect(anchorDsRecords(doc, { atEpochSeconds: NOW }).map((r) => r.ds.keyTag)).toEqual([20326, 38696]);
    expect(anchorDsRecords(doc, { atEpochSeconds: parseIsoUtc("2018-01-01T00:00:00Z") }).map((r) => r.ds.keyTag)).toEqual([19036, 20326]);
    expect(anchorDsRecords(doc, { all: true }).map((r) => r.ds.keyTag)).toEqual([19036, 20326, 38696]);
  });

  it.runIf(hasTool("ldns-key2ds"))("zone lines equal ldns-key2ds's for the same keys", () => {
    const mine = formatDsRecords(anchorDsRecords(doc, { all: true }), "zone");
    const keysFile = ROOT_KSKS.map((k) => `.\t172800\tIN\tDNSKEY\t${k.flags} ${k.protocol} ${k.algorithm} ${k.publicKey}\n`).join("");
    const dir = mkdtempSync(path.join(tmpdir(), "ta-ldns-"));
    const tmp = path.join(dir, "root.key");
    writeFileSync(tmp, keysFile);
    try {
      const r = runTool("ldns-key2ds", ["-n", "-2", tmp]);
      expect(r.status).toBe(0);
      const norm = (zone: string) =>
        parseZone(zone)
          .filter((rr) => isKind(rr, "DS"))
          .map((rr) => rrToString(rr));
      expect(norm(mine)).toEqual(norm(r.stdout));
      expect(norm(mine)).toHaveLength(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
