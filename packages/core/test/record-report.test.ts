/**
 * verifyRecordsReport on the real root apex of 2023-11-04 (fixtures/PROVENANCE.md): the DNSKEY
 * RRset chains to a KSK-2017 (20326) anchor, by DS or by DNSKEY, inside the signature windows; it
 * does not chain from the ZSK (which signs only the SOA), from KSK-2017 with the REVOKE bit, nor
 * for an owner the file lacks.
 */
import { describe, expect, it } from "vitest";
import {
  type AnchorRecord,
  DNSKEY_FLAG_REVOKE,
  type DnskeyRdata,
  type RR,
  isKind,
  keyTag,
  makeDs,
  makeRR,
  parseName,
  parseZone,
  verifyRecordsReport,
} from "../src/index.js";
import { epoch, readFixture } from "./helpers.js";

const apex = parseZone(readFixture("root-apex-2023-11-04.txt"));
const INSIDE = epoch("2023-11-10T00:00:00Z");
const ksk2017 = apex.find((rr): rr is RR<DnskeyRdata> => isKind(rr, "DNSKEY") && keyTag(rr.rdata) === 20326) as RR<DnskeyRdata>;
const dsOf = (k: RR<DnskeyRdata>): AnchorRecord => makeRR(k.owner, 172800, makeDs(k.owner, k.rdata, 2));

describe("verifyRecordsReport — the real root apex", () => {
  it("passes every RRSIG and chains the DNSKEY RRset to a KSK-2017 DS or DNSKEY anchor", () => {
    for (const records of [[dsOf(ksk2017)], [ksk2017]]) {
      const lines = verifyRecordsReport(apex, INSIDE, { name: "anchor", records });
      expect(lines.every((l) => l.ok)).toBe(true);
      expect(lines.at(-1)).toEqual({ ok: true, subject: ". DNSKEY", detail: "chains to the anchor anchor: signed by 20326" });
    }
  });

  it("fails the chain from a key that did not sign the RRset, one not in it, and an owner the file lacks", () => {
    const zsk = apex.find((rr): rr is RR<DnskeyRdata> => isKind(rr, "DNSKEY") && rr.rdata.flags === 256) as RR<DnskeyRdata>;
    expect(verifyRecordsReport(apex, INSIDE, { name: "zsk", records: [dsOf(zsk)] }).at(-1)).toEqual({
      ok: false,
      subject: ". DNSKEY",
      detail: `no valid signature by an anchored key (${keyTag(zsk.rdata)})`,
    });
    const revoked = makeRR(ksk2017.owner, 172800, { ...ksk2017.rdata, flags: ksk2017.rdata.flags | DNSKEY_FLAG_REVOKE });
    expect(verifyRecordsReport(apex, INSIDE, { name: "revoked", records: [revoked] }).at(-1)).toEqual({
      ok: false,
      subject: ". DNSKEY",
      detail: "no key in the RRset matches the anchor revoked",
    });
    const elsewhere = makeRR(parseName("example."), 3600, ksk2017.rdata);
    expect(verifyRecordsReport(apex, INSIDE, { name: "a", records: [elsewhere] }).at(-1)).toEqual({
      ok: false,
      subject: "example. DNSKEY",
      detail: "the anchor names example. but the file has no DNSKEY RRset there",
    });
  });

  it("fails every line outside the windows, anchor or not", () => {
    const lines = verifyRecordsReport(apex, epoch("2023-12-01T00:00:00Z"), { name: "anchor", records: [dsOf(ksk2017)] });
    expect(lines.filter((l) => !l.ok).map((l) => l.subject)).toEqual(expect.arrayContaining([". SOA", ". DNSKEY"]));
    expect(lines.at(-1)?.detail).toBe("no valid signature by an anchored key (20326)");
  });
});
