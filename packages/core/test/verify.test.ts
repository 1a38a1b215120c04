/**
 * RRset verification (RFC 4035 §5.3) on the real root apex of 2023-11-04 (fixtures/PROVENANCE.md):
 * the DNSKEY RRset signed by KSK-2017 (valid 2023-10-31..2023-11-21) and the SOA signed by the ZSK
 * 46780. One test per RrsigStatus, RFC 1982 serial arithmetic around the 2^32 wrap, and signing
 * through a `Signer` (a TEST ONLY in-memory one) that is verified before it is returned.
 */
import { describe, expect, it } from "vitest";
import {
  type DnskeyRdata,
  KskError,
  type RR,
  type RrsigRdata,
  type Signer,
  anchoredKeys,
  isKind,
  keyTag,
  makeRR,
  parseName,
  parseZone,
  revokedKeyTag,
  rrsigSignedData,
  serialAtOrAfter,
  signRrset,
  verifyRecords,
  verifyRrsig,
  withRevokeBit,
} from "../src/index.js";
import { testSigner } from "../../../test/support/soft-signer.js";
import { epoch, flipByte, readFixture, readVector, record, samplePositions } from "./helpers.js";

const apex = parseZone(readFixture("root-apex-2023-11-04.txt"), { fileName: "root-apex-2023-11-04.txt" });
const dnskeys = apex.filter((rr): rr is RR<DnskeyRdata> => isKind(rr, "DNSKEY"));
const rrsigs = apex.filter((rr): rr is RR<RrsigRdata> => isKind(rr, "RRSIG"));
const soa = apex.filter((rr) => isKind(rr, "SOA"));
const dnskeySig = rrsigs.find((s) => s.rdata.keyTag === 20326) as RR<RrsigRdata>;
const soaSig = rrsigs.find((s) => s.rdata.keyTag === 46780) as RR<RrsigRdata>;
const ksk = dnskeys.find((k) => k.rdata.flags === 257) as RR<DnskeyRdata>;
const zsk = dnskeys.find((k) => k.rdata.flags === 256) as RR<DnskeyRdata>;
const NOW = epoch("2023-11-05T12:00:00Z");

function withSig(sig: RR<RrsigRdata>, change: Partial<RrsigRdata>): RR<RrsigRdata> {
  return { ...sig, rdata: { ...sig.rdata, ...change } };
}

describe("the real root apex of 2023-11-04", () => {
  it("holds what PROVENANCE.md says: SOA, ZSK 46780 + KSK-2017 20326, two RRSIGs", () => {
    expect(apex).toHaveLength(5);
    expect(dnskeys.map((k) => keyTag(k.rdata)).sort()).toEqual([20326, 46780]);
    expect(dnskeySig.rdata.inceptionEpochSeconds).toBe(epoch("2023-10-31T00:00:00Z"));
    expect(dnskeySig.rdata.expirationEpochSeconds).toBe(epoch("2023-11-21T00:00:00Z"));
  });

  it("every RRset verifies inside its window", () => {
    const verdicts = verifyRecords(apex, NOW);
    expect(verdicts.map((v) => [v.rrset.type, v.signed, v.verdicts.map((x) => x.status)])).toEqual([
      [6, true, ["valid"]],
      [48, true, ["valid"]],
    ]);
    expect(verdicts[1]?.verdicts[0]?.key?.rdata).toEqual(ksk.rdata);
  });

  it("the DNSKEY RRSIG is valid at both ends of 2023-10-31..2023-11-21 and not a second outside", () => {
    expect(verifyRrsig(dnskeys, dnskeySig, dnskeys, epoch("2023-10-31T00:00:00Z")).status).toBe("valid");
    expect(verifyRrsig(dnskeys, dnskeySig, dnskeys, epoch("2023-11-21T00:00:00Z")).status).toBe("valid");
    const early = verifyRrsig(dnskeys, dnskeySig, dnskeys, epoch("2023-10-30T23:59:59Z"));
    expect(early.status).toBe("not-yet-valid");
    expect(early.reason).toContain("2023-10-31T00:00:00Z");
    const late = verifyRrsig(dnskeys, dnskeySig, dnskeys, epoch("2023-11-21T00:00:01Z"));
    expect(late.status).toBe("expired");
    expect(late.reason).toContain("2023-11-21T00:00:00Z");
  });

  it("does not depend on record order, duplicates or received TTLs", () => {
    const reordered = [...dnskeys].reverse();
    expect(verifyRrsig(reordered, dnskeySig, dnskeys, NOW).status).toBe("valid");
    expect(verifyRrsig([...dnskeys, dnskeys[0] as RR], dnskeySig, dnskeys, NOW).status).toBe("valid");
    const decayed = dnskeys.map((k) => ({ ...k, ttlSeconds: 1234 }));
    expect(verifyRrsig(decayed, dnskeySig, dnskeys, NOW).status).toBe("valid");
  });

  it("rejects the KSK signature with any sampled octet changed", () => {
    const sig = dnskeySig.rdata.signatureBytes;
    for (const i of samplePositions(sig.length, 16)) {
      expect(verifyRrsig(dnskeys, withSig(dnskeySig, { signatureBytes: flipByte(sig, i) }), dnskeys, NOW).status, `octet ${i}`).toBe("bad-signature");
    }
  });

  it("rejects when any sampled octet of the signed ZSK's key changes (the RRset is the signed data)", () => {
    const key = zsk.rdata.publicKeyBytes;
    for (const i of samplePositions(key.length, 16)) {
      const rrset = [ksk, { ...zsk, rdata: { ...zsk.rdata, publicKeyBytes: flipByte(key, i) } }];
      expect(verifyRrsig(rrset, dnskeySig, [ksk], NOW).status, `ZSK octet ${i}`).toBe("bad-signature");
    }
  });

  it("rejects when any sampled octet of KSK-2017's key changes", () => {
    const key = ksk.rdata.publicKeyBytes;
    for (const i of samplePositions(key.length, 16)) {
      const bad = { ...ksk, rdata: { ...ksk.rdata, publicKeyBytes: flipByte(key, i) } };
      // The signing key is also in the signed RRset: change it in both places.
      expect(verifyRrsig([bad, zsk], dnskeySig, [bad], NOW).status, `KSK octet ${i}`).not.toBe("valid");
    }
  });

  it("rejects the SOA with a changed serial, TTL field or flags", () => {
    const soaRr = soa[0] as RR;
    const changed = { ...soaRr, rdata: { ...(soaRr.rdata as { serial: number }), serial: 2023110402 } } as RR;
    expect(verifyRrsig([soaRr], soaSig, dnskeys, NOW).status).toBe("valid");
    expect(verifyRrsig([changed], soaSig, dnskeys, NOW).status).toBe("bad-signature");
    expect(verifyRrsig([soaRr], withSig(soaSig, { originalTtlSeconds: 86401 }), dnskeys, NOW).status).toBe("bad-signature");
    const flags = [ksk, { ...zsk, rdata: { ...zsk.rdata, flags: 257 } }];
    expect(verifyRrsig(flags, dnskeySig, [ksk], NOW).status).toBe("bad-signature");
  });

  it("finds the KSK through the KSK-2017 DS anchor, and only it", () => {
    const { keys } = readVector<{ keys: { keyTag: number; ds: { digestType: number; digest: string }[] }[] }>("root-ksks.json");
    const ds = keys.find((k) => k.keyTag === 20326)?.ds.find((d) => d.digestType === 2);
    const anchor = record(`. 172800 IN DS 20326 8 2 ${ds?.digest}`);
    expect(anchoredKeys(dnskeys, [anchor as never])).toEqual([ksk]);
    expect(anchoredKeys(dnskeys, [ksk])).toEqual([ksk]);
    expect(anchoredKeys([zsk], [anchor as never])).toEqual([]);
  });
});

describe("one verdict per RrsigStatus, with the reason", () => {
  it("expired", () => {
    const v = verifyRrsig(soa, soaSig, dnskeys, epoch("2023-11-18T00:00:00Z"));
    expect(v.status).toBe("expired");
    expect(v.reason).toMatch(/expired at 2023-11-17T17:00:00Z/);
  });

  it("not-yet-valid", () => {
    const v = verifyRrsig(soa, soaSig, dnskeys, epoch("2023-11-04T15:59:59Z"));
    expect(v.status).toBe("not-yet-valid");
    expect(v.reason).toMatch(/not valid until 2023-11-04T16:00:00Z/);
  });

  it("no-key: wrong key tag, no keys, only the other key, wrong owner, non-zone key, wrong protocol", () => {
    expect(verifyRrsig(dnskeys, withSig(dnskeySig, { keyTag: 20327 }), dnskeys, NOW).status).toBe("no-key");
    expect(verifyRrsig(dnskeys, dnskeySig, [], NOW).status).toBe("no-key");
    const onlyZsk = verifyRrsig(dnskeys, dnskeySig, [zsk], NOW);
    expect(onlyZsk.status).toBe("no-key");
    expect(onlyZsk.reason).toContain("tag 20326");
    expect(verifyRrsig(dnskeys, dnskeySig, [{ ...ksk, owner: parseName("com.") }], NOW).status).toBe("no-key");
    // Clearing the Zone Key bit changes the tag too, so look the key up by the changed RRSIG tag.
    const nonZone = { ...ksk, rdata: { ...ksk.rdata, flags: 1 } };
    expect(verifyRrsig(dnskeys, withSig(dnskeySig, { keyTag: keyTag(nonZone.rdata) }), [nonZone], NOW).status).toBe("no-key");
    const proto = { ...ksk, rdata: { ...ksk.rdata, protocol: 2 } };
    expect(verifyRrsig(dnskeys, withSig(dnskeySig, { keyTag: keyTag(proto.rdata) }), [proto], NOW).status).toBe("no-key");
  });

  it("bad-signature", () => {
    const v = verifyRrsig(dnskeys, withSig(dnskeySig, { signatureBytes: flipByte(dnskeySig.rdata.signatureBytes, 7) }), dnskeys, NOW);
    expect(v.status).toBe("bad-signature");
    expect(v.reason).toContain("20326");
  });

  it("labels: more labels than the owner has", () => {
    expect(verifyRrsig(dnskeys, withSig(dnskeySig, { labels: 1 }), dnskeys, NOW).status).toBe("labels");
  });

  it("signer-name: the signer is not the zone of the RRset", () => {
    const v = verifyRrsig(dnskeys, withSig(dnskeySig, { signerName: parseName("com.") }), dnskeys, NOW);
    expect(v.status).toBe("signer-name");
    expect(v.reason).toContain("com.");
  });

  it("type-covered: an RRSIG over another type", () => {
    expect(verifyRrsig(soa, dnskeySig, dnskeys, NOW).status).toBe("type-covered");
    expect(verifyRrsig([], dnskeySig, dnskeys, NOW).status).toBe("type-covered");
  });

  it("algorithm: deprecated and unknown algorithms", () => {
    const sha1 = verifyRrsig(dnskeys, withSig(dnskeySig, { algorithm: 5 }), dnskeys, NOW);
    expect(sha1.status).toBe("algorithm");
    expect(sha1.reason).toContain("RSASHA1");
    expect(verifyRrsig(dnskeys, withSig(dnskeySig, { algorithm: 99 }), dnskeys, NOW).status).toBe("algorithm");
  });

  it("verifyRecords reports an RRset with no valid RRSIG as unsigned", () => {
    const tampered = apex.map((rr) => (rr === dnskeySig ? withSig(dnskeySig, { keyTag: 1 }) : rr));
    const verdicts = verifyRecords(tampered, NOW);
    expect(verdicts.map((v) => v.signed)).toEqual([true, false]);
    // With no DNSKEYs in the records, extra keys are used.
    const noKeys = verifyRecords([...soa, soaSig], NOW, dnskeys);
    expect(noKeys[0]?.signed).toBe(true);
    expect(verifyRecords([...soa, soaSig], NOW)[0]?.verdicts[0]?.status).toBe("no-key");
  });
});

describe("RFC 1982 serial arithmetic (RFC 4034 §3.1.5)", () => {
  it("compares across the 2^32 wrap", () => {
    expect(serialAtOrAfter(5, 5)).toBe(true);
    expect(serialAtOrAfter(6, 5)).toBe(true);
    expect(serialAtOrAfter(5, 6)).toBe(false);
    expect(serialAtOrAfter(0x00000005, 0xfffffff0)).toBe(true);
    expect(serialAtOrAfter(0xfffffff0, 0x00000005)).toBe(false);
    expect(serialAtOrAfter(0x7fffffff, 0)).toBe(true);
    expect(serialAtOrAfter(0x80000000, 0)).toBe(false); // exactly half the space apart: not after
    expect(serialAtOrAfter(2 ** 32 + 10, 5)).toBe(true); // epoch seconds past 2106 wrap like the wire field
  });

  it("an RRSIG whose window spans the wrap validates inside it", async () => {
    const signer = testSigner({ algorithm: 15, flags: 257 });
    const owner = parseName("example.");
    const rrset = [makeRR(owner, 3600, { kind: "A", addressBytes: new Uint8Array([192, 0, 2, 1]) })];
    const template = {
      typeCovered: 1,
      algorithm: 15,
      labels: 1,
      originalTtlSeconds: 3600,
      inceptionEpochSeconds: 0xffffff00,
      expirationEpochSeconds: 0x00000100,
      keyTag: signer.keyTag,
      signerName: owner,
    };
    // signRrset itself verifies at inception, before the wrap.
    const rrsig = await signRrset(signer, rrset, template);
    const key = [makeRR(owner, 3600, signer.dnskey)];
    expect(verifyRrsig(rrset, rrsig, key, 0x10).status).toBe("valid");
    expect(verifyRrsig(rrset, rrsig, key, 0x101).status).toBe("expired");
    expect(verifyRrsig(rrset, rrsig, key, 0xfffffeff).status).toBe("not-yet-valid");
  });
});

describe("signRrset: sign through a Signer, verified before use", () => {
  const owner = parseName(".");
  const template = (signer: Signer, keyTagValue = signer.keyTag) => ({
    typeCovered: 48,
    algorithm: signer.dnskey.algorithm,
    labels: 0,
    originalTtlSeconds: 172800,
    inceptionEpochSeconds: epoch("2026-01-01T00:00:00Z"),
    expirationEpochSeconds: epoch("2026-01-22T00:00:00Z"),
    keyTag: keyTagValue,
    signerName: owner,
  });

  for (const algorithm of [8, 10, 13, 14, 15, 16] as const) {
    it(`algorithm ${algorithm}: the RRSIG verifies with the core verifier`, async () => {
      const signer = testSigner({ algorithm, flags: 257, rsaBits: 1024 });
      const key = makeRR(owner, 172800, signer.dnskey);
      const rrset = [key, zsk];
      const rrsig = await signRrset(signer, rrset, template(signer));
      expect(verifyRrsig(rrset, rrsig, [key], epoch("2026-01-10T00:00:00Z")).status).toBe("valid");
      expect(rrsig.rdata).toMatchObject({ keyTag: signer.keyTag, typeCovered: 48, labels: 0 });
    });
  }

  it("a revoked key signs under its recomputed revoked tag (RFC 5011 §2.1)", async () => {
    const signer = testSigner({ algorithm: 8, flags: 257, rsaBits: 1024 });
    const revoked = makeRR(owner, 172800, withRevokeBit(signer.dnskey));
    const rrset = [revoked, zsk];
    const rrsig = await signRrset(signer, rrset, template(signer, revokedKeyTag(signer.dnskey)));
    expect(rrsig.rdata.keyTag).toBe(keyTag(revoked.rdata));
    expect(verifyRrsig(rrset, rrsig, [revoked], epoch("2026-01-10T00:00:00Z")).status).toBe("valid");
  });

  it("a revoked key validates nothing but the DNSKEY RRset (RFC 5011 §2.1)", async () => {
    const signer = testSigner({ algorithm: 8, flags: 257, rsaBits: 1024 });
    const revoked = makeRR(owner, 172800, withRevokeBit(signer.dnskey));
    const soa = record(". 86400 IN SOA a.root-servers.net. nstld.verisign-grs.com. 2026010100 1800 900 604800 86400");
    const soaTemplate = { ...template(signer, revokedKeyTag(signer.dnskey)), typeCovered: 6, originalTtlSeconds: 86400 };
    await expect(signRrset(signer, [soa], soaTemplate)).rejects.toThrow(
      /is revoked \(RFC 5011\) and may sign only the DNSKEY RRset that carries its revocation/,
    );
    // The same signature made outside signRrset is judged "no-key" by the verifier.
    const rrsig = makeRR(owner, 86400, { kind: "RRSIG" as const, ...soaTemplate, signatureBytes: await signer.sign(rrsigSignedData(soaTemplate, [soa])) });
    const verdict = verifyRrsig([soa], rrsig, [revoked], epoch("2026-01-10T00:00:00Z"));
    expect(verdict.status).toBe("no-key");
  });

  it("a revoked key validates a DNSKEY RRset only if the RRset carries its revocation", async () => {
    const signer = testSigner({ algorithm: 8, flags: 257, rsaBits: 1024 });
    const revoked = makeRR(owner, 172800, withRevokeBit(signer.dnskey));
    const carrying = [revoked, zsk];
    const rrsig = await signRrset(signer, carrying, template(signer, revokedKeyTag(signer.dnskey)));
    expect(verifyRrsig(carrying, rrsig, [revoked], epoch("2026-01-10T00:00:00Z")).status).toBe("valid");
    // The same key signing a DNSKEY RRset that does not carry it (given as an extra key) validates nothing.
    const other = [zsk];
    const data = rrsigSignedData(rrsig.rdata, other);
    const foreign = makeRR(owner, 172800, { ...rrsig.rdata, signatureBytes: await signer.sign(data) });
    const verdict = verifyRrsig(other, foreign, [revoked], epoch("2026-01-10T00:00:00Z"));
    expect([verdict.status, verdict.reason]).toEqual(["no-key", expect.stringMatching(/revoked \(RFC 5011\)/)]);
  });

  it("refuses a template naming another key", async () => {
    const signer = testSigner({ algorithm: 13, flags: 257 });
    await expect(signRrset(signer, [zsk], template(signer, (signer.keyTag + 1) & 0xffff))).rejects.toThrow(/is not key/);
  });

  it("refuses a signature that does not verify (a faulty HSM)", async () => {
    const good = testSigner({ algorithm: 13, flags: 257 });
    const faulty: Signer = { ...good, sign: async (data) => flipByte(await good.sign(data), 5) };
    const error = await signRrset(faulty, [makeRR(owner, 172800, good.dnskey)], template(good)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KskError);
    expect(error).toMatchObject({ kind: "check", code: "SKR-VERIFY" });
  });
});
