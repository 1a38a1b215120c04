/**
 * TEST ONLY: what wire-text.test.ts and wire-text-fuzz.test.ts share — the reference path
 * (rrToString of the decoded record), the writer check, and the seeded generators of names and
 * RDATA for the differential fuzz.
 */
import { expect } from "vitest";
import {
  KskError,
  type Name,
  type RR,
  type Rdata,
  RRType,
  ZoneTextWriter,
  decodeRdata,
  encodeRdata,
  makeRR,
  nameFromLabels,
  nameFromWire,
  nameToWire,
  rrToString,
  rrType,
  wireRecordText,
} from "../src/index.js";

/** What the reference path gives: the line, or the error it throws. */
export function reference(owner: Uint8Array, type: number, ttlSeconds: number, rdata: Uint8Array): string {
  return outcome(() => rrToString(makeRR(nameFromWire(owner, 0).name, ttlSeconds, decodeRdata(type, rdata))));
}

export function outcome(print: () => string): string {
  try {
    return `line ${print()}`;
  } catch (e) {
    if (e instanceof KskError) return `KskError ${e.kind} ${e.code} ${e.message}`;
    return `${(e as Error).name} ${(e as Error).message}`;
  }
}

export function fast(owner: Uint8Array, type: number, ttlSeconds: number, rdata: Uint8Array): string {
  return outcome(() => wireRecordText(owner, type, ttlSeconds, rdata));
}

/** The same bytes as a view at an odd offset inside a larger buffer, with junk on both sides. */
export function embedded(bytes: Uint8Array, before = 7): Uint8Array {
  const buffer = new Uint8Array(before + bytes.length + 5).fill(0xc0);
  buffer.set(bytes, before);
  return buffer.subarray(before, before + bytes.length);
}

/** Writes records through one ZoneTextWriter and checks, at the end, that it gave the reference lines. */
export class WriterCheck {
  private readonly chunks: Uint8Array[] = [];
  private readonly writer: ZoneTextWriter;
  private expected = "";
  constructor(private readonly chunkOctets = 1 << 16) {
    this.writer = new ZoneTextWriter((chunk) => this.chunks.push(chunk), chunkOctets);
  }
  write(owner: Uint8Array, type: number, ttlSeconds: number, rdata: Uint8Array, want: string): void {
    const got = outcome(() => {
      this.writer.write(owner, type, ttlSeconds, rdata);
      return "";
    });
    if (want.startsWith("line ")) {
      expect(got).toBe("line ");
      this.expected += `${want.slice(5)}\n`;
    } else {
      expect(got).toBe(want);
    }
  }
  finish(): Uint8Array[] {
    this.writer.flush();
    expect(Buffer.concat(this.chunks).toString("latin1")).toBe(this.expected);
    // Whole lines, at most chunkOctets unless a single line is longer.
    for (const chunk of this.chunks) {
      expect(chunk[chunk.length - 1]).toBe(0x0a);
      expect(chunk.length <= this.chunkOctets || chunk.indexOf(0x0a) === chunk.length - 1).toBe(true);
    }
    return this.chunks;
  }
}

export function wireOf(rr: RR): { owner: Uint8Array; type: number; ttl: number; rdata: Uint8Array } {
  return { owner: nameToWire(rr.owner), type: rrType(rr), ttl: rr.ttlSeconds, rdata: encodeRdata(rr.rdata) };
}

/** Every record prints alike both ways (as is, and as views into a larger buffer); the writer gives the same lines. */
export function expectSameLines(rrs: readonly RR[]): void {
  const writer = new WriterCheck();
  for (const rr of rrs) {
    const { owner, type, ttl, rdata } = wireOf(rr);
    const want = reference(owner, type, ttl, rdata);
    expect(want).toBe(`line ${rrToString(rr)}`);
    expect(fast(owner, type, ttl, rdata)).toBe(want);
    expect(fast(embedded(owner), type, ttl, embedded(rdata, 3))).toBe(want);
    writer.write(embedded(owner), type, ttl, embedded(rdata, 1), want);
  }
  writer.finish();
}

// ---------------------------------------------------------------------------------------------
// Differential fuzz

/** mulberry32: a small seeded generator, so a failure reproduces from the seed in its message. */
export function generator(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
  };
}

export type Random = ReturnType<typeof generator>;

export function randomBytes(random: Random, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => random(256));
}

/** A name: up to four labels, mostly hostname letters, some of any octet, now and then a long one. */
export function randomName(random: Random): Name {
  const labels: Uint8Array[] = [];
  for (let n = random(5); n > 0; n--) {
    const length = random(10) === 0 ? 1 + random(63) : 1 + random(12);
    labels.push(Uint8Array.from({ length }, () => (random(3) === 0 ? random(256) : (0x61 + random(26)) & ~(random(4) === 0 ? 0x20 : 0))));
  }
  return nameFromLabels(labels);
}

export function randomType(random: Random): number {
  const pick = random(4);
  if (pick === 0) return random(65536);
  if (pick === 1) return 65280 + random(256);
  return [1, 2, 5, 6, 15, 16, 28, 43, 46, 47, 48, 50, 51, 63, 64, 65, 99, 257][random(18)] as number;
}

/** RDATA of `type` that decodes, built from random fields through core's own encoder. */
export function validRdata(type: number, random: Random): Uint8Array {
  const u32 = () => random(2 ** 32);
  const makers: Record<number, () => Rdata> = {
    [RRType.A]: () => ({ kind: "A", addressBytes: randomBytes(random, 4) }) as const,
    [RRType.AAAA]: () => ({ kind: "AAAA", addressBytes: Uint8Array.from({ length: 16 }, (_, i) => (random(2) ? 0 : random(i % 2 ? 256 : 16))) }) as const,
    [RRType.NS]: () => ({ kind: "NS", target: randomName(random) }) as const,
    [RRType.CNAME]: () => ({ kind: "CNAME", target: randomName(random) }) as const,
    [RRType.MX]: () => ({ kind: "MX", preference: random(65536), exchange: randomName(random) }) as const,
    [RRType.SOA]: () =>
      ({
        kind: "SOA",
        mname: randomName(random),
        rname: randomName(random),
        serial: u32(),
        refreshSeconds: u32(),
        retrySeconds: u32(),
        expireSeconds: u32(),
        minimumSeconds: u32(),
      }) as const,
    [RRType.TXT]: () =>
      ({ kind: "TXT", strings: Array.from({ length: 1 + random(4) }, () => randomBytes(random, random(3) ? random(20) : random(256))) }) as const,
    [RRType.DS]: () =>
      ({ kind: "DS", keyTag: random(65536), algorithm: random(256), digestType: random(256), digestBytes: randomBytes(random, 1 + random(64)) }) as const,
    [RRType.DNSKEY]: () =>
      ({ kind: "DNSKEY", flags: random(65536), protocol: random(256), algorithm: random(256), publicKeyBytes: randomBytes(random, 1 + random(300)) }) as const,
    [RRType.RRSIG]: () =>
      ({
        kind: "RRSIG",
        typeCovered: randomType(random),
        algorithm: random(256),
        labels: random(256),
        originalTtlSeconds: u32(),
        expirationEpochSeconds: random(2) ? 1700000000 + random(100) : u32(),
        inceptionEpochSeconds: random(2) ? 1690000000 : u32(),
        keyTag: random(65536),
        signerName: randomName(random),
        signatureBytes: randomBytes(random, 1 + random(300)),
      }) as const,
    [RRType.NSEC]: () =>
      ({
        kind: "NSEC",
        nextName: randomName(random),
        types: [...new Set(Array.from({ length: random(20) }, () => randomType(random)))].sort((x, y) => x - y),
      }) as const,
    [RRType.ZONEMD]: () =>
      ({ kind: "ZONEMD", serial: u32(), scheme: random(256), hashAlgorithm: random(256), digestBytes: randomBytes(random, 12 + random(64)) }) as const,
  };
  const rdata = makers[type]?.();
  return rdata ? encodeRdata(rdata) : randomBytes(random, random(40));
}

/** Valid RDATA as is, cut short, with octets after it, with one octet changed, or plain noise. */
export function fuzzedRdata(type: number, random: Random): Uint8Array {
  const valid = validRdata(type, random);
  switch (random(6)) {
    case 0:
    case 1:
      return valid;
    case 2:
      return valid.subarray(0, random(valid.length + 1));
    case 3:
      return Uint8Array.from([...valid, ...randomBytes(random, 1 + random(4))]);
    case 4: {
      const out = valid.slice();
      if (out.length > 0) out[random(out.length)] = random(3) ? random(256) : ([0, 0xc0, 63, 64, 255][random(5)] as number);
      return out;
    }
    default:
      return randomBytes(random, random(3) ? random(24) : random(400));
  }
}

export function fuzzedOwner(random: Random): Uint8Array {
  const wire = nameToWire(randomName(random));
  switch (random(12)) {
    case 0:
      return wire.subarray(0, random(wire.length));
    case 1:
      return Uint8Array.from([...wire, ...randomBytes(random, 3)]);
    case 2:
      return Uint8Array.from([...Array(5)].flatMap(() => [50, ...randomBytes(random, 50)]).concat([random(8), 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0]));
    case 3:
      return Uint8Array.of(random(256), ...randomBytes(random, random(8)));
    default:
      return wire;
  }
}

export function fuzzedTtl(random: Random): number {
  if (random(20) > 0) return random(4) ? random(2 ** 32) : ([0, 1, 9, 10, 99, 100, 86400, 2 ** 32 - 1][random(8)] as number);
  return [-1, 2 ** 32, 0.5, Number.NaN, -0][random(5)] as number;
}
