/**
 * Properties of the writers and codecs:
 * - zone records (A, AAAA, NS, SOA, TXT, DS, DNSKEY, RRSIG with arbitrary label bytes, RFC 1035
 *   §5.1 escapes) read back from presentation form to the same text, and from wire form (RFC 4034
 *   §6.2 canonical or not) to the same bytes;
 * - write→read→write is byte-stable for KSR/SKR XML and root-anchors.xml: for IANA's files and for
 *   every random edit of them that the strict reader still accepts;
 * - key tags (RFC 4034 Appendix B) and DS digests 1, 2 and 4 (RFC 4034 §5.1.4, RFC 6605 §6) of
 *   random DNSKEYs agree with a computation over dns-packet's independent encoding.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import {
  type Name,
  type RR,
  type Rdata,
  MAX_TTL_SECONDS,
  dsDigest,
  formatZone,
  keyTag,
  makeRR,
  nameFromLabels,
  nameToString,
  parseZone,
  rrFromWire,
  rrToString,
  rrToWire,
} from "@ksk/core";
import { parseKsrXml, writeKsrXml } from "@ksk/ksr";
import { parseRootAnchors, writeRootAnchors } from "@ksk/trust-anchor";
import dnsPacket from "dns-packet";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { acceptsOrCodedError, fuzzParameters, mutatedBytes, repoBytes } from "../support/fuzz.js";

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const ttl = fc.integer({ min: 0, max: MAX_TTL_SECONDS });
const name: fc.Arbitrary<Name> = fc.array(fc.uint8Array({ minLength: 1, maxLength: 12 }), { maxLength: 4 }).map(nameFromLabels);
const DIGEST_OCTETS: Record<number, number> = { 1: 20, 2: 32, 4: 48 };

/** dns-packet's RDATA and name encoders, which its type declarations leave out. */
const packetCodecs = dnsPacket as unknown as {
  dnskey: { encode(key: { flags: number; algorithm: number; key: Buffer }): Buffer };
  name: { encode(name: string): Buffer };
};

const rdata: fc.Arbitrary<Rdata> = fc.oneof(
  fc.uint8Array({ minLength: 4, maxLength: 4 }).map((addressBytes) => ({ kind: "A" as const, addressBytes })),
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((addressBytes) => ({ kind: "AAAA" as const, addressBytes })),
  name.map((target) => ({ kind: "NS" as const, target })),
  fc.record({
    kind: fc.constant("SOA" as const),
    mname: name,
    rname: name,
    serial: u32,
    refreshSeconds: u32,
    retrySeconds: u32,
    expireSeconds: u32,
    minimumSeconds: ttl,
  }),
  fc.array(fc.uint8Array({ maxLength: 255 }), { minLength: 1, maxLength: 4 }).map((strings) => ({ kind: "TXT" as const, strings })),
  fc
    .record({ keyTag: u16, algorithm: u8, digestType: fc.constantFrom(1, 2, 4) })
    .chain((r) =>
      fc
        .uint8Array({ minLength: DIGEST_OCTETS[r.digestType] as number, maxLength: DIGEST_OCTETS[r.digestType] as number })
        .map((digestBytes) => ({ kind: "DS" as const, ...r, digestBytes })),
    ),
  fc.record({
    kind: fc.constant("DNSKEY" as const),
    flags: u16,
    protocol: fc.constant(3),
    algorithm: u8,
    publicKeyBytes: fc.uint8Array({ minLength: 1, maxLength: 300 }),
  }),
  fc.record({
    kind: fc.constant("RRSIG" as const),
    typeCovered: fc.constantFrom(1, 2, 6, 16, 28, 43, 48),
    algorithm: u8,
    labels: u8,
    originalTtlSeconds: ttl,
    expirationEpochSeconds: u32,
    inceptionEpochSeconds: u32,
    keyTag: u16,
    signerName: name,
    signatureBytes: fc.uint8Array({ minLength: 1, maxLength: 300 }),
  }),
);
const record: fc.Arbitrary<RR> = fc.tuple(name, ttl, rdata).map(([owner, t, r]) => makeRR(owner, t, r));

describe("zone records round-trip", () => {
  it("presentation form: read back to the same text", () => {
    fc.assert(
      fc.property(record, (rr) => {
        const text = rrToString(rr);
        const back = parseZone(`${text}\n`, { fileName: "rt.zone" });
        expect(back.map(rrToString)).toEqual([text]);
      }),
      fuzzParameters(300),
    );
  });

  it("a zone of many records: formatZone, read, formatZone is stable", () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 20 }), (rrs) => {
        const text = formatZone(rrs);
        expect(formatZone(parseZone(text, { fileName: "rt.zone" }))).toBe(text);
      }),
      fuzzParameters(100),
    );
  });

  it("wire form, plain and canonical: decode and encode give the same bytes", () => {
    fc.assert(
      fc.property(record, fc.boolean(), (rr, canonical) => {
        const wire = rrToWire(rr, canonical);
        const { rr: back, end } = rrFromWire(wire, 0);
        expect(end).toBe(wire.length);
        expect(Buffer.from(rrToWire(back, canonical)).equals(Buffer.from(wire))).toBe(true);
      }),
      fuzzParameters(300),
    );
  });
});

/** For accepted edits of `original`: write(read(x)) is a fixed point of write∘read. */
function writeReadWriteStable<T>(original: Uint8Array, read: (b: Uint8Array) => T, write: (doc: T) => Uint8Array) {
  const once = write(read(original));
  expect(Buffer.from(write(read(once))).equals(Buffer.from(once))).toBe(true);
  let accepted = 0;
  fc.assert(
    fc.property(mutatedBytes(original, 2), (bytes) => {
      const doc = acceptsOrCodedError(() => read(bytes));
      if (doc === undefined) return;
      accepted++;
      const first = write(doc);
      const second = write(read(first));
      expect(Buffer.from(second).toString()).toBe(Buffer.from(first).toString());
    }),
    fuzzParameters(150),
  );
  return accepted;
}

describe("write, read, write is byte-stable", () => {
  for (const file of [
    "packages/ksr/test/fixtures/ksr-root-2017-q2-0.xml",
    "packages/ksr/test/fixtures/ksr-root-2010-q1-0.xml",
    "packages/ksr/test/fixtures/skr-root-2017-q1-0.xml",
  ]) {
    it(`KSR/SKR XML: ${path.basename(file)} and its accepted edits`, () => {
      writeReadWriteStable(
        repoBytes(file),
        (b) => parseKsrXml(b).document,
        (doc) => writeKsrXml(doc),
      );
    });
  }
  for (const file of [
    "packages/trust-anchor/test/fixtures/root-anchors-rfc9718-2024.xml",
    "packages/trust-anchor/test/fixtures/root-anchors-rfc7958-2017.xml",
  ]) {
    it(`root-anchors.xml: ${path.basename(file)} and its accepted edits`, () => {
      writeReadWriteStable(
        repoBytes(file),
        (b) => parseRootAnchors(b),
        (doc) => writeRootAnchors(doc),
      );
    });
  }
});

/** RFC 4034 Appendix B over RDATA bytes (the oracle's own, short, loop). */
function appendixBKeyTag(rdataBytes: Uint8Array): number {
  let ac = 0;
  for (let i = 0; i < rdataBytes.length; i++) ac += i & 1 ? (rdataBytes[i] as number) : (rdataBytes[i] as number) << 8;
  ac += (ac >> 16) & 0xffff;
  return ac & 0xffff;
}

describe("key tag and DS agree with dns-packet's encoding", () => {
  const HASH: Record<number, string> = { 1: "sha1", 2: "sha256", 4: "sha384" };
  it("random DNSKEYs at random owners", () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z0-9-]{1,12}$/), { maxLength: 3 }),
        u16,
        fc.constantFrom(5, 7, 8, 10, 13, 14, 15, 16),
        fc.uint8Array({ minLength: 1, maxLength: 600 }),
        fc.constantFrom(1, 2, 4),
        (labels, flags, algorithm, publicKeyBytes, digestType) => {
          const ownerText = labels.length === 0 ? "." : `${labels.join(".")}.`;
          const owner = nameFromLabels(labels.map((l) => new TextEncoder().encode(l)));
          expect(nameToString(owner)).toBe(ownerText);
          const dnskey = { kind: "DNSKEY" as const, flags, protocol: 3, algorithm, publicKeyBytes };
          // dns-packet's DNSKEY encoder writes RDLENGTH then RDATA; its name encoder the owner.
          const encoded = packetCodecs.dnskey.encode({ flags, algorithm, key: Buffer.from(publicKeyBytes) });
          const rdataBytes = new Uint8Array(encoded.subarray(2));
          const ownerWire = packetCodecs.name.encode(ownerText === "." ? "." : ownerText.slice(0, -1).toLowerCase());
          expect(keyTag(dnskey)).toBe(appendixBKeyTag(rdataBytes));
          const expected = createHash(HASH[digestType] as string)
            .update(ownerWire)
            .update(rdataBytes)
            .digest();
          expect(Buffer.from(dsDigest(owner, dnskey, digestType)).equals(expected)).toBe(true);
        },
      ),
      fuzzParameters(300),
    );
  });
});
