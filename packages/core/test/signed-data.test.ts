/**
 * The one RRSIG signed-data builder (RFC 4034 §3.1.8.1, §6.2–6.3; RFC 4035 §5.3.2): the RFC
 * examples' signed data, and each rule on its own — canonical (lowercase) owner and RDATA names,
 * Original TTL in place of the received TTL, canonical RDATA order, duplicates removed, the
 * wildcard owner rebuilt from the Labels field — and the refusals.
 */
import { describe, expect, it } from "vitest";
import {
  type RR,
  type RrsigTemplate,
  bytesToHex,
  concatBytes,
  encodeRrsigFieldsWithoutSignature,
  nameToWire,
  parseName,
  rrsigSignedData,
  u16,
  u32,
} from "../src/index.js";
import { type SignatureExample, exampleRecords, expectInputError, readVector, record } from "./helpers.js";

const examples = [
  ...readVector<{ examples: SignatureExample[] }>("rfc5702-rsasha.json").examples,
  ...readVector<{ examples: SignatureExample[] }>("rfc6605-ecdsa.json").examples,
  ...readVector<{ examples: SignatureExample[] }>("rfc8080-eddsa.json").examples,
];

describe("the RFC examples' signed data", () => {
  for (const ex of examples) {
    it(`${ex.source}`, () => {
      const { rrset, rrsig } = exampleRecords(ex);
      expect(bytesToHex(rrsigSignedData(rrsig.rdata, rrset), true)).toBe(ex.signedDataHex);
    });
  }
});

const template: RrsigTemplate = {
  typeCovered: 2,
  algorithm: 13,
  labels: 2,
  originalTtlSeconds: 3600,
  expirationEpochSeconds: 1893456000,
  inceptionEpochSeconds: 946684800,
  keyTag: 12345,
  signerName: parseName("Example.COM."),
};

/** The signed data built by hand from the RFC's definition, for NS RRs at example.com. */
function byHand(targets: string[], ownerWire = nameToWire(parseName("example.com."))): Uint8Array {
  const rrs = targets.map((t) => nameToWire(parseName(t), true));
  const parts = [encodeRrsigFieldsWithoutSignature(template)];
  for (const rdata of rrs) parts.push(ownerWire, u16(2), u16(1), u32(3600), u16(rdata.length), rdata);
  return concatBytes(...parts);
}

describe("each rule of RFC 4034 §3.1.8.1 and §6", () => {
  const ns = (line: string) => record(line);

  it("the RRSIG fields come first, signer name lowercased", () => {
    const fields = encodeRrsigFieldsWithoutSignature(template);
    expect(bytesToHex(fields)).toBe("0002 0d 02 00000e10 70dbd880 386d4380 3039 076578616d706c6503636f6d00".replace(/ /g, ""));
  });

  it("owner and RDATA names lowercased, Original TTL used, RDATA sorted canonically", () => {
    const rrset = [ns("EXAMPLE.com. 10 IN NS NS2.Example.com."), ns("example.COM. 99 IN NS a.example.com."), ns("example.com. 1 IN NS ns1.example.com.")];
    // Canonical order of the RDATA octets: "a" < "ns1" < "ns2" (length octet first: 01 < 03).
    expect(rrsigSignedData(template, rrset)).toEqual(byHand(["a.example.com.", "ns1.example.com.", "ns2.example.com."]));
  });

  it("the order the records arrive in does not matter", () => {
    const a = [ns("example.com. 1 IN NS b.example.com."), ns("example.com. 1 IN NS a.example.com.")];
    expect(rrsigSignedData(template, a)).toEqual(rrsigSignedData(template, [...a].reverse()));
  });

  it("duplicate records (also differing only in case) are removed (§6.3)", () => {
    const rrset = [ns("example.com. 1 IN NS a.example.com."), ns("example.com. 1 IN NS A.EXAMPLE.COM."), ns("example.com. 1 IN NS a.example.com.")];
    expect(rrsigSignedData(template, rrset)).toEqual(byHand(["a.example.com."]));
  });

  it("a wildcard expansion is signed as *.<the rightmost Labels labels> (RFC 4035 §5.3.2)", () => {
    const expanded = [ns("www.sub.example.com. 1 IN NS a.example.com.")];
    const wildcardOwner = nameToWire(parseName("*.example.com."));
    expect(rrsigSignedData(template, expanded)).toEqual(byHand(["a.example.com."], wildcardOwner));
    const literal = [ns("*.example.com. 1 IN NS a.example.com.")];
    expect(rrsigSignedData(template, literal)).toEqual(byHand(["a.example.com."], wildcardOwner));
  });

  it("NSEC's next name keeps its case (RFC 6840 §5.1); RRSIG's own signer is lowercased", () => {
    const nsec = record("a.example.com. 1 IN NSEC B.example.com. A");
    const data = rrsigSignedData({ ...template, typeCovered: 47, labels: 3 }, [nsec]);
    expect(bytesToHex(data)).toContain("0142076578616d706c6503636f6d00");
  });

  it("refuses an empty RRset, a mixed RRset, a type mismatch and too many labels", () => {
    expectInputError(() => rrsigSignedData(template, []), "RRSET-EMPTY");
    const mixed: RR[] = [ns("example.com. 1 IN NS a.example.com."), ns("other.com. 1 IN NS a.example.com.")];
    expectInputError(() => rrsigSignedData(template, mixed), "RRSET-MIXED", "example.com./NS", "other.com./NS");
    expectInputError(() => rrsigSignedData(template, [record("example.com. 1 IN A 192.0.2.1")]), "RRSIG-TYPE", "covers NS", "is A");
    expectInputError(() => rrsigSignedData({ ...template, labels: 3 }, [ns("example.com. 1 IN NS a.")]), "RRSIG-LABELS", "labels field 3", "2 labels");
  });
});
