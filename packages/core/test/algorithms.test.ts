/**
 * The algorithm registry (IANA DNSSEC algorithm numbers; RFC 8624): 8, 10, 13, 14, 15, 16 are
 * supported; deprecated and unknown numbers throw, never fall back; a malformed DNSKEY is a
 * verdict on the RRSIG, not a crash of the whole verification.
 */
import { describe, expect, it } from "vitest";
import {
  type DnskeyRdata,
  type RR,
  type RrsigRdata,
  algorithmInfo,
  isKind,
  keyTag,
  parseAlgorithm,
  parseZone,
  supportedAlgorithms,
  verifyRrsig,
} from "../src/index.js";
import { epoch, expectInputError, readFixture } from "./helpers.js";

describe("the algorithm registry", () => {
  it("supports exactly 8, 10, 13, 14, 15, 16", () => {
    expect(supportedAlgorithms().map((a) => [a.number, a.mnemonic])).toEqual([
      [8, "RSASHA256"],
      [10, "RSASHA512"],
      [13, "ECDSAP256SHA256"],
      [14, "ECDSAP384SHA384"],
      [15, "ED25519"],
      [16, "ED448"],
    ]);
    expect(parseAlgorithm("ecdsap256sha256").number).toBe(13);
    expect(parseAlgorithm("8").mnemonic).toBe("RSASHA256");
  });

  it("refuses deprecated algorithms by name and number (RFC 8624 §3.1)", () => {
    for (const n of [1, 3, 5, 6, 7, 12]) expectInputError(() => algorithmInfo(n), "ALGORITHM-DEPRECATED", `algorithm ${n}`, "RFC 8624");
    expectInputError(() => parseAlgorithm("RSASHA1"), "ALGORITHM-DEPRECATED", "RSASHA1");
  });

  it("refuses unknown algorithms", () => {
    for (const n of [0, 2, 4, 9, 11, 17, 252, 253, 254, 255]) expectInputError(() => algorithmInfo(n), "ALGORITHM-UNKNOWN", `algorithm ${n}`);
    expectInputError(() => parseAlgorithm("GOST"), "ALGORITHM-UNKNOWN", '"GOST"');
  });
});

describe("a malformed DNSKEY with the RRSIG's tag", () => {
  const apex = parseZone(readFixture("root-apex-2023-11-04.txt"));
  const dnskeys = apex.filter((rr): rr is RR<DnskeyRdata> => isKind(rr, "DNSKEY"));
  const sig = apex.find((rr) => isKind(rr, "RRSIG") && rr.rdata.keyTag === 20326) as RR<RrsigRdata>;

  it("gives a bad-signature verdict naming the key problem, not an exception", () => {
    const broken = { ...(dnskeys[1] as RR<DnskeyRdata>), rdata: { ...(dnskeys[1] as RR<DnskeyRdata>).rdata, publicKeyBytes: new Uint8Array([3, 1, 0, 1]) } };
    const withTag = { ...sig, rdata: { ...sig.rdata, keyTag: keyTag(broken.rdata) } };
    const verdict = verifyRrsig(dnskeys, withTag, [broken], epoch("2023-11-05T00:00:00Z"));
    expect(verdict.status).toBe("bad-signature");
    expect(verdict.reason).toContain("malformed");
  });
});
