/**
 * RFC 4034 §5.4 (DS example, SHA-1) and RFC 4509 §2.3 (the same key, SHA-256), with the key tag of
 * RFC 4034 Appendix B. The vectors are rfc4034-ds.json and rfc4509-ds-sha256.json.
 */
import { describe, expect, it } from "vitest";
import { type DnskeyRdata, type DsRdata, bytesToHex, checkDsDigestLength, dsDigest, dsMatches, keyTag, makeDs, parseName, printRdata } from "../src/index.js";
import { dnskeyRecord, expectInputError, flipByte, readVector, record } from "./helpers.js";

interface DsVector {
  dnskey: { owner: string; ttl: number; flags: number; protocol: number; algorithm: number; publicKey: string };
  keyTag: number;
  ds: { owner: string; ttl: number; keyTag: number; algorithm: number; digestType: number; digest: string };
  computedNotInRfc?: { digestType4Sha384: string };
}

const rfc4034 = readVector<DsVector>("rfc4034-ds.json");
const rfc4509 = readVector<DsVector>("rfc4509-ds-sha256.json");

function keyOf(v: DsVector) {
  const k = v.dnskey;
  return dnskeyRecord(`${k.owner} ${k.ttl} IN DNSKEY ${k.flags} ${k.protocol} ${k.algorithm} ${k.publicKey}`);
}

function dsLine(v: DsVector): string {
  const d = v.ds;
  return `${d.owner} ${d.ttl} IN DS ${d.keyTag} ${d.algorithm} ${d.digestType} ${d.digest}`;
}

describe("RFC 4034 §5.4 DS example (dskey.example.com., key id 60485)", () => {
  const key = keyOf(rfc4034);

  it("computes the key tag the RFC prints (Appendix B)", () => {
    expect(keyTag(key.rdata)).toBe(rfc4034.keyTag);
    expect(keyTag(key.rdata)).toBe(60485);
  });

  it("computes the SHA-1 DS digest of the RFC", () => {
    const ds = makeDs(key.owner, key.rdata, 1);
    expect(ds).toMatchObject({ keyTag: 60485, algorithm: 5, digestType: 1 });
    expect(bytesToHex(ds.digestBytes, true)).toBe(rfc4034.ds.digest);
  });

  it("parses the RFC's DS record, prints it back, and matches it to the key", () => {
    const ds = record(dsLine(rfc4034));
    expect(ds.rdata.kind).toBe("DS");
    expect(printRdata(ds.rdata)).toBe(`60485 5 1 ${rfc4034.ds.digest}`);
    expect(dsMatches(ds.rdata as DsRdata, key.owner, key.rdata)).toBe(true);
  });

  it("does not match when one octet of the key changes", () => {
    const ds = record(dsLine(rfc4034)).rdata as DsRdata;
    const changed: DnskeyRdata = { ...key.rdata, publicKeyBytes: flipByte(key.rdata.publicKeyBytes, 40) };
    expect(dsMatches(ds, key.owner, changed)).toBe(false);
  });

  it("does not match at another owner name (the owner is hashed)", () => {
    const ds = record(dsLine(rfc4034)).rdata as DsRdata;
    expect(dsMatches(ds, parseName("dskey.example.net."), key.rdata)).toBe(false);
  });

  it("hashes the owner in canonical (lowercase) form", () => {
    const upper = dsDigest(parseName("DSKEY.Example.COM."), key.rdata, 1);
    expect(bytesToHex(upper, true)).toBe(rfc4034.ds.digest);
  });
});

describe("RFC 4509 §2.3 DS example with SHA-256 (same key)", () => {
  const key = keyOf(rfc4509);

  it("computes the SHA-256 DS digest of the RFC", () => {
    expect(bytesToHex(makeDs(key.owner, key.rdata, 2).digestBytes, true)).toBe(rfc4509.ds.digest);
    expect(dsMatches(record(dsLine(rfc4509)).rdata as DsRdata, key.owner, key.rdata)).toBe(true);
  });

  it("computes the SHA-384 digest cross-checked with ldns-key2ds -4", () => {
    expect(bytesToHex(makeDs(key.owner, key.rdata, 4).digestBytes, true)).toBe(rfc4509.computedNotInRfc?.digestType4Sha384);
  });

  it("a DS of one digest type does not match as another", () => {
    const ds = record(dsLine(rfc4509)).rdata as DsRdata;
    expect(dsMatches({ ...ds, digestType: 4 }, key.owner, key.rdata)).toBe(false);
    expect(dsMatches({ ...ds, keyTag: 60486 }, key.owner, key.rdata)).toBe(false);
    expect(dsMatches({ ...ds, algorithm: 8 }, key.owner, key.rdata)).toBe(false);
  });
});

describe("DS digest types: only 1, 2 and 4; never a fallback", () => {
  const key = keyOf(rfc4034);

  for (const digestType of [0, 3, 5, 255]) {
    it(`refuses digest type ${digestType}`, () => {
      expectInputError(() => makeDs(key.owner, key.rdata, digestType), "DS-DIGEST-TYPE", String(digestType));
    });
  }

  it("a DS with an unsupported digest type is refused when matched, not treated as SHA-1", () => {
    const ds = record(dsLine(rfc4034)).rdata as DsRdata;
    expectInputError(() => dsMatches({ ...ds, digestType: 3 }, key.owner, key.rdata), "DS-DIGEST-TYPE", "type 3");
  });

  it("checks the digest length against the type", () => {
    const ds = record(dsLine(rfc4034)).rdata as DsRdata;
    expect(() => checkDsDigestLength(ds)).not.toThrow();
    expectInputError(() => checkDsDigestLength({ ...ds, digestType: 2 }), "DS-DIGEST-LENGTH", "DS 60485", "20 octets", "32");
    expectInputError(() => checkDsDigestLength({ ...ds, digestBytes: ds.digestBytes.slice(0, 19) }), "DS-DIGEST-LENGTH", "19 octets");
  });
});

describe("key tag of algorithm 1 (RFC 4034 Appendix B.1)", () => {
  // The RFC 4034 key relabelled as RSA/MD5: B.1 takes the most significant 16 bits of the least
  // significant 24 bits of the modulus, i.e. the third- and second-last octets of the RDATA.
  const key = keyOf(rfc4034).rdata;
  const md5Key: DnskeyRdata = { ...key, algorithm: 1 };
  const n = key.publicKeyBytes.length;

  it("takes the tag from the end of the modulus, not the checksum", () => {
    const expected = ((key.publicKeyBytes[n - 3] as number) << 8) | (key.publicKeyBytes[n - 2] as number);
    expect(keyTag(md5Key)).toBe(expected);
    expect(keyTag({ ...md5Key, flags: 257 })).toBe(expected); // flags do not enter B.1
    expect(keyTag(md5Key)).not.toBe(keyTag(key)); // and the Appendix B checksum is not used
  });

  it("changes when the modulus end changes, and ignores the last octet", () => {
    expect(keyTag({ ...md5Key, publicKeyBytes: flipByte(key.publicKeyBytes, n - 2) })).not.toBe(keyTag(md5Key));
    expect(keyTag({ ...md5Key, publicKeyBytes: flipByte(key.publicKeyBytes, n - 1) })).toBe(keyTag(md5Key));
  });

  it("refuses a key too short to hold a tag", () => {
    expectInputError(() => keyTag({ ...md5Key, publicKeyBytes: new Uint8Array([1, 3]) }), "DNSKEY-KEY-LENGTH", "algorithm 1");
  });
});
