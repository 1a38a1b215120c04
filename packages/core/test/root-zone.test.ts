/**
 * The real root zone of 2020-09-13 (fixtures/root-2020-09-13.zone, SOA/RRSIG/NSEC removed; facts in
 * fixtures/PROVENANCE.md): all 17,186 records parsed, counted by type, printed and re-parsed to
 * the identical wire form record by record, and a sample cross-checked with dns-packet.
 */
import dnsPacket from "dns-packet";
import { describe, expect, it } from "vitest";
import { type RR, bytesToHex, formatZone, keyTag, nameToString, parseZone, rrToWire, rrType, typeToString } from "../src/index.js";
import { dnsPacketDecode } from "./dns-packet-oracle.js";
import { readFixture } from "./helpers.js";

const text = readFixture("root-2020-09-13.zone");
const rrs = parseZone(text, { fileName: "root-2020-09-13.zone" });

describe("the real root zone of 2020-09-13", () => {
  it("has 17,186 records: 7,144 NS, 4,126 A, 3,524 AAAA, 2,390 DS, 2 DNSKEY", () => {
    expect(rrs).toHaveLength(17186);
    const counts: Record<string, number> = {};
    for (const rr of rrs) counts[typeToString(rrType(rr))] = (counts[typeToString(rrType(rr))] ?? 0) + 1;
    expect(counts).toEqual({ NS: 7144, A: 4126, AAAA: 3524, DS: 2390, DNSKEY: 2 });
  });

  it("prints and re-parses losslessly: identical wire form record by record", () => {
    const again = parseZone(formatZone(rrs), { fileName: "reprinted" });
    expect(again).toHaveLength(rrs.length);
    let differing = 0;
    for (let i = 0; i < rrs.length; i++) {
      const a = rrToWire(rrs[i] as RR);
      const b = rrToWire(again[i] as RR);
      if (bytesToHex(a) !== bytesToHex(b)) differing++;
    }
    expect(differing).toBe(0);
  });

  it("holds KSK-2017 (20326) and the ZSK of the day", () => {
    const tags = rrs.filter((rr) => rr.rdata.kind === "DNSKEY").map((rr) => (rr.rdata.kind === "DNSKEY" ? keyTag(rr.rdata) : -1));
    expect(tags).toContain(20326);
    expect(tags).toHaveLength(2);
  });

  it("a sample of records has the wire form dns-packet gives them (an independent implementation)", () => {
    const sample = rrs.filter((_, i) => i % 97 === 0);
    expect(sample.length).toBeGreaterThan(150);
    for (const rr of sample) {
      const decoded = dnsPacketDecode(rr) as dnsPacket.Answer & { data: unknown; ttl?: number };
      const type = typeToString(rrType(rr));
      expect(decoded.type).toBe(type);
      expect(decoded.name === "" || decoded.name === "." ? "." : `${decoded.name}.`).toBe(nameToString(rr.owner));
      expect(decoded.ttl).toBe(rr.ttlSeconds);
      // Re-encode dns-packet's reading of our bytes: it must give our bytes back.
      const packet = dnsPacket.encode({ type: "response", id: 0, flags: dnsPacket.AUTHORITATIVE_ANSWER, answers: [decoded] });
      expect(bytesToHex(new Uint8Array(packet.subarray(12))), `${nameToString(rr.owner)} ${type}`).toBe(bytesToHex(rrToWire(rr)));
    }
  });
});
