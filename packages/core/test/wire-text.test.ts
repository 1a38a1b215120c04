/**
 * Zone-file lines from wire form (wire-text.ts): every line must be rrToString of the record
 * decoded from the same octets, and every refusal the error that decoding throws. Checked on the
 * real root zone, on the real signed root apex and signed records made with core's constructors,
 * on names and strings with every octet, and by a differential fuzz of valid, truncated, extended
 * and mutated RDATA of every fast type and of opaque ones (wire-text-fuzz.test.ts, in the lab tier). Speed is measured by
 * scripts/bench-wire-text.ts, not here.
 */
import { describe, expect, it } from "vitest";
import {
  type Name,
  type RR,
  type Rdata,
  ROOT,
  RRType,
  encodeRdata,
  makeRR,
  nameFromLabels,
  nameToWire,
  parseZone,
  rrFromWire,
  rrToString,
  rrToWire,
  rrType,
  wireRecordText,
  writeBase64,
  writeHex,
} from "../src/index.js";
import { formatIpv6 } from "../src/rdata-address.js";
import { readFixture } from "./helpers.js";
import { WriterCheck, embedded, expectSameLines, fast, generator, randomBytes, reference, wireOf } from "./wire-text-support.js";

describe("wireRecordText and ZoneTextWriter", () => {
  it("print all 17,186 records of the real root zone as rrToString does, through rrFromWire too", () => {
    const rrs = parseZone(readFixture("root-2020-09-13.zone"), { fileName: "root-2020-09-13.zone" });
    expect(rrs).toHaveLength(17186);
    expectSameLines(rrs);
    for (const rr of rrs.filter((_, i) => i % 50 === 0)) {
      const { owner, type, ttl, rdata } = wireOf(rr);
      expect(wireRecordText(owner, type, ttl, rdata)).toBe(rrToString(rrFromWire(rrToWire(rr), 0).rr));
    }
  });

  it("print the real signed root apex (SOA, DNSKEY, RRSIG by KSK-2017 and the ZSK)", () => {
    const rrs = parseZone(readFixture("root-apex-2023-11-04.txt"), { fileName: "root-apex-2023-11-04.txt" });
    expect(rrs.map((rr) => rrType(rr)).sort()).toEqual([RRType.SOA, RRType.RRSIG, RRType.DNSKEY, RRType.DNSKEY, RRType.RRSIG].sort());
    expectSameLines(rrs);
  });

  it("print signed records made with core's constructors: RRSIG, NSEC with high and unknown types, DNSKEY, SOA, ZONEMD, TXT, MX, CNAME", () => {
    const name = (...labels: string[]): Name => nameFromLabels(labels.map((l) => new TextEncoder().encode(l)));
    const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + seed) & 0xff);
    const rdatas: Rdata[] = [
      {
        kind: "SOA",
        mname: name("a", "root-servers", "net"),
        rname: name("nstld", "verisign-grs", "com"),
        serial: 4294967295,
        refreshSeconds: 1800,
        retrySeconds: 0,
        expireSeconds: 604800,
        minimumSeconds: 86400,
      },
      { kind: "NSEC", nextName: name("aaa"), types: [1, 2, 6, 15, 16, 28, 43, 46, 47, 48, 63, 64, 65, 99, 257, 4096, 32768, 65280, 65534, 65535] },
      { kind: "NSEC", nextName: ROOT, types: [] },
      { kind: "NSEC", nextName: name("Xn--Upper"), types: [65534] },
      { kind: "ZONEMD", serial: 2023110401, scheme: 1, hashAlgorithm: 1, digestBytes: bytes(48, 1) },
      { kind: "ZONEMD", serial: 0, scheme: 240, hashAlgorithm: 255, digestBytes: bytes(12, 2) },
      { kind: "DNSKEY", flags: 257, protocol: 3, algorithm: 8, publicKeyBytes: bytes(260, 3) },
      { kind: "DNSKEY", flags: 65535, protocol: 255, algorithm: 255, publicKeyBytes: bytes(1, 4) },
      { kind: "DNSKEY", flags: 256, protocol: 3, algorithm: 15, publicKeyBytes: bytes(32, 5) },
      { kind: "DS", keyTag: 0, algorithm: 13, digestType: 4, digestBytes: bytes(48, 6) },
      { kind: "TXT", strings: [bytes(0, 0), bytes(255, 7), new TextEncoder().encode('say "hi"; \\ ok')] },
      { kind: "MX", preference: 65535, exchange: name("mail", "example") },
      { kind: "CNAME", target: ROOT },
    ];
    for (const [i, typeCovered] of [1, 6, 43, 46, 47, 48, 63, 65, 255, 32769, 65534, 65535].entries()) {
      const times = [
        [1700611200, 1698710400],
        [0xffffffff, 0],
        [i * 123456789, (i * 987654321) % 2 ** 32],
      ][i % 3] as [number, number];
      rdatas.push({
        kind: "RRSIG",
        typeCovered,
        algorithm: [8, 13, 15][i % 3] as number,
        labels: i,
        originalTtlSeconds: [0, 86400, 4294967295][i % 3] as number,
        expirationEpochSeconds: times[0],
        inceptionEpochSeconds: times[1],
        keyTag: 20326 + i,
        signerName: i % 2 ? ROOT : name("Example", "COM"),
        signatureBytes: bytes([256, 64, 1, 2, 3][i % 5] as number, i),
      });
    }
    const owners = [ROOT, name("com"), name("*", "example"), name("xn--p1ai"), name("a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61))];
    expectSameLines(rdatas.flatMap((rdata, i) => owners.map((owner, j) => makeRR(owner, [0, 86400, 172800, 4294967295][(i + j) % 4] as number, rdata))));
  });

  it("escape names and strings with every octet as nameToString and TXT printing do", () => {
    const octets = Uint8Array.from({ length: 256 }, (_, i) => i);
    const labels: Uint8Array[] = [];
    for (let at = 0; at < 256; at += 63) labels.push(octets.subarray(at, at + 63));
    const special = [".", "\\", '"', ";", "(", ")", " ", "@", "$", "\x00", "\x7f", "\xff", "UPPER", "tab\there", "a.b\\c"];
    const names: Name[] = [
      ...labels.map((label) => nameFromLabels([label])),
      ...special.map((s) => nameFromLabels([Uint8Array.from(s, (c) => c.charCodeAt(0)), new Uint8Array([0x61])])),
    ];
    const rrs: RR[] = [];
    for (const n of names) {
      rrs.push(makeRR(n, 3600, { kind: "NS", target: n }));
      rrs.push(makeRR(ROOT, 3600, { kind: "NSEC", nextName: n, types: [2, 47] }));
      rrs.push(makeRR(n, 3600, { kind: "SOA", mname: n, rname: n, serial: 1, refreshSeconds: 2, retrySeconds: 3, expireSeconds: 4, minimumSeconds: 5 }));
      rrs.push(
        makeRR(n, 3600, {
          kind: "RRSIG",
          typeCovered: 2,
          algorithm: 8,
          labels: 1,
          originalTtlSeconds: 3600,
          expirationEpochSeconds: 2,
          inceptionEpochSeconds: 1,
          keyTag: 1,
          signerName: n,
          signatureBytes: octets,
        }),
      );
    }
    rrs.push(makeRR(ROOT, 0, { kind: "TXT", strings: labels }));
    rrs.push(makeRR(ROOT, 0, { kind: "TXT", strings: [octets.subarray(0, 255), octets.subarray(1, 256)] }));
    expectSameLines(rrs);
    // The shared escape table itself, on a few octets whose escapes RFC 1035 §5.1 fixes.
    const owner = nameToWire(nameFromLabels([Uint8Array.from([0x61, 0x2e, 0x5c, 0x20, 0x00, 0x7f, 0xff, 0x40])]));
    expect(wireRecordText(owner, RRType.A, 60, Uint8Array.of(192, 0, 2, 1))).toBe("a\\.\\\\\\032\\000\\127\\255\\@.\t60\tIN\tA\t192.0.2.1");
  });

  it("print the longest lines: an NSEC naming all 65,536 types, TXT and opaque RDATA of 65,535 escaped octets, a 255-octet owner of escapes", () => {
    const escapes = (n: number) => new Uint8Array(n).fill(0x00);
    const owner = nameFromLabels([escapes(63), escapes(63), escapes(63), escapes(61)]);
    const txt = Array.from({ length: 257 }, () => escapes(254));
    const rrs = [
      makeRR(owner, 4294967295, { kind: "NSEC", nextName: owner, types: Array.from({ length: 65536 }, (_, i) => i) }),
      makeRR(owner, 0, { kind: "TXT", strings: txt }),
      makeRR(owner, 0, { kind: "UNKNOWN", type: 65534, dataBytes: new Uint8Array(65535).fill(0xff) }),
      makeRR(owner, 0, { kind: "A", addressBytes: Uint8Array.of(255, 255, 255, 255) }),
    ];
    expect(encodeRdata(rrs[1]?.rdata as Rdata).length).toBe(65535);
    expectSameLines(rrs);
    const writer = new WriterCheck(1024);
    for (const rr of rrs) {
      const { owner: o, type, ttl, rdata } = wireOf(rr);
      writer.write(o, type, ttl, rdata, `line ${rrToString(rr)}`);
    }
    // Each line that does not fit in a chunk gets a chunk of its own, never split.
    expect(writer.finish().map((chunk) => chunk.length)).toEqual(rrs.map((rr) => rrToString(rr).length + 1));
  });

  it("give, for types the toolkit keeps opaque (PTR, NSEC3, SPF, TYPE65534, TYPE0), the RFC 3597 \\# form rrToString gives", () => {
    const owner = nameToWire(nameFromLabels([Uint8Array.of(0x78)]));
    const writer = new WriterCheck();
    for (const type of [RRType.PTR, RRType.NSEC3, RRType.SPF, RRType.CAA, 65534, 0, 65535]) {
      for (const rdata of [new Uint8Array(0), Uint8Array.of(0), Uint8Array.of(0xab, 0xcd, 0x01), new Uint8Array(300).fill(0x5a)]) {
        const want = reference(owner, type, 1, rdata);
        expect(want).toMatch(/^line x\.\t1\tIN\t[A-Z0-9]+\t\\# \d+/);
        expect(fast(owner, type, 1, embedded(rdata))).toBe(want);
        writer.write(owner, type, 1, rdata, want);
      }
    }
    writer.finish();
  });

  it("refuse what decoding refuses with the same error, and print odd TTLs and types as rrToString does", () => {
    const owner = nameToWire(nameFromLabels([Uint8Array.of(0x78)]));
    const a = Uint8Array.of(192, 0, 2, 1);
    // A name of 262 octets: five labels of 50 and one of 5 (RFC 1035 §2.3.4 allows 255).
    const tooLong = Uint8Array.from([...Array(5)].flatMap(() => [50, ...new Uint8Array(50).fill(0x62)]).concat([5, 1, 2, 3, 4, 5, 0]));
    const cases: [Uint8Array, number, number, Uint8Array][] = [
      [owner, RRType.NS, 60, tooLong],
      [owner, RRType.RRSIG, 60, Uint8Array.from([...new Uint8Array(18), ...tooLong, 1])],
      [owner, RRType.A, 60, a.subarray(0, 3)],
      [owner, RRType.A, 60, Uint8Array.of(1, 2, 3, 4, 5)],
      [owner, RRType.NS, 60, Uint8Array.of(3, 0x61, 0x62)],
      [owner, RRType.NS, 60, Uint8Array.of(0xc0, 0x0c)],
      [owner, RRType.TXT, 60, new Uint8Array(0)],
      [owner, RRType.RRSIG, 60, new Uint8Array(19)],
      [owner, RRType.NSEC, 60, Uint8Array.of(0, 0, 1, 0)],
      [owner, RRType.NSEC, 60, Uint8Array.of(0, 1, 1, 0x40, 0, 1, 0x40)],
      [owner, RRType.ZONEMD, 60, new Uint8Array(17)],
      [owner.subarray(0, 1), RRType.A, 60, a],
      [Uint8Array.of(64, ...new Uint8Array(64)), RRType.A, 60, a],
      [tooLong, RRType.A, 60, a],
      [Uint8Array.of(0, 9, 9), RRType.A, 60, a],
      [owner, RRType.A, -1, a],
      [owner, RRType.A, 2 ** 32, a],
      [owner, RRType.A, 1.5, a],
      [owner, RRType.A, Number.NaN, a],
      // Longer than the writer's 64-octet chunks below: a line printed by rrToString in a chunk of its own.
      [nameToWire(nameFromLabels([new Uint8Array(63).fill(0x61)])), RRType.A, Number.NaN, a],
      [owner, 65536, 60, a],
      [owner, -1, 60, a],
      [owner, 2.5, 60, a],
    ];
    const writer = new WriterCheck(64);
    for (const [o, type, ttl, rdata] of cases) {
      const want = reference(o, type, ttl, rdata);
      expect(fast(o, type, ttl, rdata)).toBe(want);
      writer.write(o, type, ttl, rdata, want);
    }
    expect(cases.filter(([o, t, ttl, r]) => reference(o, t, ttl, r).startsWith("KskError input")).length).toBe(14);
    writer.finish();
  });
});

describe("the byte writers the printers share (bytes.ts, rdata-address.ts)", () => {
  it("writeHex and writeBase64 write what Buffer's encoders give, for every length up to 300 and every octet", () => {
    const random = generator(0xb17e5);
    const out = new Uint8Array(1000);
    for (let length = 0; length <= 300; length++) {
      const bytes = length === 256 ? Uint8Array.from({ length }, (_, i) => i) : randomBytes(random, length);
      const view = embedded(bytes, length % 5);
      const native = Buffer.from(bytes);
      expect(Buffer.from(out.subarray(3, writeHex(view, out, 3))).toString("latin1")).toBe(native.toString("hex"));
      expect(Buffer.from(out.subarray(0, writeHex(view, out, 0, true))).toString("latin1")).toBe(native.toString("hex").toUpperCase());
      expect(Buffer.from(out.subarray(1, writeBase64(view, out, 1))).toString("latin1")).toBe(native.toString("base64"));
    }
  });

  it("formatIpv6 gives the RFC 5952 form the WHATWG URL serializer gives (an independent implementation), on 20,000 addresses", () => {
    const random = generator(0x1b6);
    for (let i = 0; i < 20000; i++) {
      // Groups zero half the time so that runs of every length and position occur; values of 1 to 4 digits.
      const bytes = new Uint8Array(16);
      for (let g = 0; g < 8; g++) {
        const value = random(2) ? 0 : ([random(16), random(256), random(4096), random(65536)][random(4)] as number);
        bytes[g * 2] = value >> 8;
        bytes[g * 2 + 1] = value & 0xff;
      }
      const hex = Buffer.from(bytes).toString("hex").match(/.{4}/g)?.join(":") as string;
      expect(formatIpv6(embedded(bytes)), hex).toBe(new URL(`http://[${hex}]/`).hostname.slice(1, -1));
    }
  });
});
