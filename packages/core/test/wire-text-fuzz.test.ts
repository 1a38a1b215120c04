/**
 * Zone-file lines from wire form (wire-text.ts) against decoding, fuzzed: for every fast type and
 * some opaque ones, 3,000 RDATA octet strings each — valid, truncated, extended, mutated and noise,
 * at odd offsets in larger buffers — must print exactly the line rrToString prints of the decoded
 * record, or throw exactly what decoding throws, through both APIs. Seeded, so a failure
 * reproduces from the seed in its message. In the lab tier (vitest.config.ts): 48,000 cases.
 */
import { describe, expect, it } from "vitest";
import { RRType, nameToWire } from "../src/index.js";
import { WriterCheck, fast, fuzzedOwner, fuzzedRdata, fuzzedTtl, generator, randomBytes, randomName, reference } from "./wire-text-support.js";

describe("wireRecordText and ZoneTextWriter against decoding, fuzzed", () => {
  const fuzzTypes = [
    RRType.A,
    RRType.AAAA,
    RRType.NS,
    RRType.CNAME,
    RRType.MX,
    RRType.SOA,
    RRType.TXT,
    RRType.DS,
    RRType.DNSKEY,
    RRType.RRSIG,
    RRType.NSEC,
    RRType.ZONEMD,
    RRType.PTR,
    RRType.NSEC3,
    65534,
    0,
  ];
  it.each(fuzzTypes.map((type) => [type] as const))(
    "type %i: 3,000 RDATA octet strings, valid, truncated, extended, mutated and noise: the same line or the same error",
    (type) => {
      const seed = 0x5eed0000 + type;
      const random = generator(seed);
      const writer = new WriterCheck(4096);
      const seen = { line: 0, error: 0 };
      for (let i = 0; i < 3000; i++) {
        const owner = random(4) ? nameToWire(randomName(random)) : fuzzedOwner(random);
        const rdata = fuzzedRdata(type, random);
        const ttl = fuzzedTtl(random);
        const buffer = Uint8Array.from([...randomBytes(random, random(9)), ...rdata, ...randomBytes(random, random(9))]);
        const start =
          buffer.length - rdata.length - (buffer.length - rdata.length - (buffer.length - rdata.length > 0 ? random(buffer.length - rdata.length + 1) : 0));
        buffer.set(rdata, start);
        const view = buffer.subarray(start, start + rdata.length);
        const before = buffer.slice();
        const want = reference(owner, type, ttl, view);
        expect(fast(owner, type, ttl, view), `seed ${seed} case ${i}`).toBe(want);
        writer.write(owner, type, ttl, view, want);
        expect(buffer, "the input is left as it was").toEqual(before);
        seen[want.startsWith("line ") ? "line" : "error"]++;
      }
      writer.finish();
      // Both sides of the comparison were exercised: lines printed and inputs refused.
      expect(seen.line).toBeGreaterThan(600);
      if (type !== 0 && type < 65534 && type !== RRType.PTR && type !== RRType.NSEC3) expect(seen.error).toBeGreaterThan(150);
    },
  );
});
