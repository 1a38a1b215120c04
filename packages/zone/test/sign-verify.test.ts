/**
 * Signing a lab root with an SKR bundle and validating it: which bundle and ZSK are used, what is
 * signed and what is not, the NSEC chain and ZONEMD, determinism, and every kind of damage the
 * validator must catch (RFC 4035 §2, §5.3; RFC 8976).
 */
import { KskError, RRType, type Signer, isKind, keyVerifier, makeRR, nameToString, parseName, rrType, typeToString } from "@ksk/core";
import { ROOT_ZONE_SIGNING_POLICY, bundleInUse, nextSerial, planZoneSigning, signZone, signatureWindow, verifyZone, wireName, wireNameLength } from "@ksk/zone";
import { beforeAll, describe, expect, it } from "vitest";
import { SMALL_ROOT, type SmallLab, records, smallLab, soaRecord } from "./lab-root.js";

let lab: SmallLab;
let signedText: string;
beforeAll(async () => {
  lab = await smallLab(13);
  signedText = await signSmall();
});

async function signSmall(text = SMALL_ROOT, extra: Partial<Parameters<typeof planZoneSigning>[0]> = {}): Promise<string> {
  const plan = planZoneSigning({
    records: records(text),
    origin: parseName("."),
    skr: lab.skr,
    atEpochSeconds: lab.atEpochSeconds,
    soa: soaRecord(),
    ...extra,
  });
  // The lab SKR's bundles 2-8 publish the current ZSK (the second made) alone.
  return await signZone(plan, lab.zsks[1] as (typeof lab.zsks)[number]);
}

function verify(text: string, at = lab.atEpochSeconds, anchor = lab.anchor) {
  return verifyZone({ records: records(text, "signed.zone"), anchors: [anchor as never], atEpochSeconds: at });
}

function codes(text: string, at?: number): string[] {
  return verify(text, at).problems.map((p) => `${p.code} ${p.owner} ${p.type}`);
}

/** Replace the first line matching `pattern` with `edit(line)`. */
function damage(text: string, pattern: RegExp, edit: (line: string) => string | undefined): string {
  const lines = text.split("\n");
  const i = lines.findIndex((l) => pattern.test(l));
  if (i < 0) throw new Error(`no line matches ${pattern}`);
  const replaced = edit(lines[i] as string);
  if (replaced === undefined) lines.splice(i, 1);
  else lines[i] = replaced;
  return lines.join("\n");
}

describe("the SKR bundle in use and its signing ZSK (root ZSK pre-publication, slots [2,1,…,1,2])", () => {
  it("takes the latest bundle whose inception has passed, and the continuing ZSK in the 2-ZSK slots", () => {
    const [retiring, current, next] = lab.zsks;
    const b = lab.skr.bundles;
    const first = bundleInUse(lab.skr, (b[0]?.inceptionEpochSeconds as number) + 60);
    expect(first.index).toBe(0);
    expect(first.bundle.keys.map((k) => k.dnskey)).toContainEqual(retiring?.dnskey);
    expect(first.signingZsk.dnskey).toEqual(current?.dnskey);
    const last = bundleInUse(lab.skr, (b[8]?.inceptionEpochSeconds as number) + 60);
    expect(last.index).toBe(8);
    expect(last.bundle.keys.map((k) => k.dnskey)).toContainEqual(next?.dnskey);
    expect(last.signingZsk.dnskey).toEqual(current?.dnskey);
    // Bundles overlap: 11 days into bundle 4, bundle 5 (inception 10 days after 4's) is the one in use.
    expect(bundleInUse(lab.skr, (b[3]?.inceptionEpochSeconds as number) + 11 * 86400).index).toBe(4);
  });

  it("refuses a time no bundle covers (ZONE-SKR-BUNDLE)", () => {
    const b = lab.skr.bundles;
    for (const at of [(b[0]?.inceptionEpochSeconds as number) - 1, b[8]?.expirationEpochSeconds as number]) {
      expect(() => bundleInUse(lab.skr, at)).toThrow(expect.objectContaining({ kind: "check", code: "ZONE-SKR-BUNDLE" }));
    }
  });

  it("refuses a bundle whose KSK signature does not verify (SKR-VERIFY)", () => {
    const b = lab.skr.bundles[3];
    if (!b?.signatures[0]) throw new Error("fixture");
    const sig = b.signatures[0];
    const bytes = sig.rrsig.signatureBytes.slice();
    bytes[5] = (bytes[5] as number) ^ 1;
    const bundles = lab.skr.bundles.map((x) => (x === b ? { ...b, signatures: [{ ...sig, rrsig: { ...sig.rrsig, signatureBytes: bytes } }] } : x));
    expect(() => bundleInUse({ ...lab.skr, bundles }, lab.atEpochSeconds)).toThrow(expect.objectContaining({ code: "SKR-VERIFY" }));
  });
});

describe("signing", () => {
  it("gives a zone the validator accepts from the KSK anchor, with the bundle's DNSKEY RRset and RRSIG exactly", () => {
    const result = verify(signedText);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.anchoredKeyTags).toEqual([lab.ksk.keyTag]);
    expect(result.zonemd.map((z) => z.status)).toEqual(["valid"]);
    const bundle = lab.skr.bundles[3];
    const dnskeyLines = signedText.split("\n").filter((l) => /^\.\t\d+\tIN\tDNSKEY\t/.test(l));
    expect(dnskeyLines).toHaveLength(bundle?.keys.length as number);
    const kskSig = signedText.split("\n").find((l) => /^\.\t\d+\tIN\tRRSIG\tDNSKEY /.test(l));
    expect(kskSig).toContain(Buffer.from(bundle?.signatures[0]?.rrsig.signatureBytes as Uint8Array).toString("base64"));
  });

  it("signs DS but not delegation NS or glue, and puts NSEC only at authoritative names and delegations", () => {
    const rrs = records(signedText);
    const signedAt = (owner: string) =>
      rrs
        .filter((l) => isKind(l.rr, "RRSIG") && nameToString(l.rr.owner) === owner)
        .map((l) => typeToString((l.rr.rdata as { typeCovered: number }).typeCovered));
    expect(signedAt("net.").sort()).toEqual(["DS", "NSEC"]);
    expect(signedAt("example.")).toEqual(["NSEC"]);
    expect(signedAt("a.gtld-servers.net.")).toEqual([]);
    expect(signedAt(".").sort()).toEqual(["DNSKEY", "NS", "NSEC", "SOA", "ZONEMD"]);
    const nsec = (owner: string) => rrs.find((l) => isKind(l.rr, "NSEC") && nameToString(l.rr.owner) === owner)?.rr;
    expect(nsec("a.gtld-servers.net.")).toBeUndefined();
    expect(nsec("net.")?.rdata).toMatchObject({ types: [RRType.NS, RRType.DS, RRType.RRSIG, RRType.NSEC] });
    expect(nsec("example.")?.rdata).toMatchObject({ types: [RRType.NS, RRType.RRSIG, RRType.NSEC] });
    expect(nsec(".")?.rdata).toMatchObject({ types: [RRType.NS, RRType.SOA, RRType.RRSIG, RRType.NSEC, RRType.DNSKEY, RRType.ZONEMD] });
  });

  it("keeps TTLs, uses the SOA negative TTL for NSEC, and windows from the policy in whole seconds", () => {
    const rrs = records(signedText).map((l) => l.rr);
    const ds = rrs.find((rr) => rrType(rr) === RRType.DS);
    expect(ds?.ttlSeconds).toBe(86400);
    expect(rrs.find((rr) => rrType(rr) === RRType.NS && nameToString(rr.owner) === "com.")?.ttlSeconds).toBe(172800);
    for (const rr of rrs.filter((r) => isKind(r, "NSEC"))) expect(rr.ttlSeconds).toBe(86400);
    for (const rr of rrs) {
      if (!isKind(rr, "RRSIG") || rr.rdata.typeCovered === RRType.DNSKEY) continue;
      const w = signatureWindow(ROOT_ZONE_SIGNING_POLICY, lab.atEpochSeconds, rr.owner, rr.rdata.typeCovered);
      expect(rr.rdata.inceptionEpochSeconds).toBe(lab.atEpochSeconds - 3600);
      expect(rr.rdata.expirationEpochSeconds).toBe(w.expirationEpochSeconds);
      expect(rr.rdata.expirationEpochSeconds).toBeGreaterThan(lab.atEpochSeconds + 13 * 86400 - 6 * 3600);
      expect(rr.rdata.expirationEpochSeconds).toBeLessThanOrEqual(lab.atEpochSeconds + 13 * 86400);
    }
  });

  it("jitters expirations deterministically: the same seed gives the same window, another seed another", () => {
    const owner = parseName("com.");
    const a = signatureWindow(ROOT_ZONE_SIGNING_POLICY, 1_800_000_000, owner, RRType.DS);
    expect(signatureWindow(ROOT_ZONE_SIGNING_POLICY, 1_800_000_000, owner, RRType.DS)).toEqual(a);
    const spread = new Set(
      ["a", "b", "c", "d", "e", "f"].map(
        (seed) => signatureWindow({ ...ROOT_ZONE_SIGNING_POLICY, jitterSeed: seed }, 1_800_000_000, owner, RRType.DS).expirationEpochSeconds,
      ),
    );
    expect(spread.size).toBeGreaterThan(1);
  });

  it("is reproducible with an RSA ZSK: two runs give the same bytes", async () => {
    const rsa = await smallLab(8);
    const saved = lab;
    lab = rsa;
    try {
      expect(await signSmall()).toBe(await signSmall());
    } finally {
      lab = saved;
    }
  });

  it("sets the serial like dnssec-signzone -N and ZONEMD carries it", async () => {
    expect(nextSerial(2027020300, "keep", 0)).toBe(2027020300);
    expect(nextSerial(2027020300, "increment", 0)).toBe(2027020301);
    expect(nextSerial(0xffffffff, "increment", 0)).toBe(1);
    expect(nextSerial(5, "unixtime", 1_800_000_000)).toBe(1_800_000_000);
    expect(nextSerial(2_027_020_300, "unixtime", 1_800_000_000)).toBe(2_027_020_301);
    const text = await signSmall(SMALL_ROOT, { serial: "increment" });
    expect(text).toMatch(/\tSOA\t\S+ \S+ 2027020301 /);
    expect(text).toMatch(/\tZONEMD\t2027020301 1 1 /);
    expect(verify(text).ok).toBe(true);
  });

  it("adds sentinel names for every KSK of the SKR and the known keys, signed like other data", async () => {
    const other = makeRR(parseName("."), 0, { kind: "DS", keyTag: 38696, algorithm: 8, digestType: 2, digestBytes: new Uint8Array(32) } as const);
    const text = await signSmall(SMALL_ROOT, { sentinels: true, knownKeys: [other] });
    const tag = String(lab.ksk.keyTag).padStart(5, "0");
    for (const name of [
      `root-key-sentinel-is-ta-${tag}.`,
      `root-key-sentinel-not-ta-${tag}.`,
      "root-key-sentinel-is-ta-38696.",
      "root-key-sentinel-not-ta-38696.",
    ]) {
      expect(text).toContain(`${name}\t86400\tIN\tA\t192.0.2.`);
      expect(text).toContain(`${name}\t86400\tIN\tAAAA\t2001:db8::`);
      expect(text).toMatch(new RegExp(`${name.replace(/\./g, "\\.")}\\t86400\\tIN\\tRRSIG\\tA `));
    }
    expect(verify(text).ok).toBe(true);
    expect(signedText).not.toContain("root-key-sentinel");
  });
});

describe("refusals before anything is signed", () => {
  it("refuses apex DNSKEYs that are not the bundle's (ZONE-APEX-DNSKEY), naming file:line", () => {
    const foreign = "\n. 172800 IN DNSKEY 256 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==\n";
    expect(() =>
      planZoneSigning({ records: records(SMALL_ROOT + foreign), origin: parseName("."), skr: lab.skr, atEpochSeconds: lab.atEpochSeconds, soa: soaRecord() }),
    ).toThrow(expect.objectContaining({ code: "ZONE-APEX-DNSKEY", where: "lab.zone:18" }));
  });

  it("requires a SOA, from the zone or given, but not both", () => {
    const base = { records: records(SMALL_ROOT), origin: parseName("."), skr: lab.skr, atEpochSeconds: lab.atEpochSeconds };
    expect(() => planZoneSigning(base)).toThrow(expect.objectContaining({ kind: "input", code: "ZONE-SOA" }));
    const withSoa = records(`. 86400 IN SOA ${"a.root-servers.net. nstld.verisign-grs.com. 1 2 3 4 5"}\n${SMALL_ROOT}`);
    expect(() => planZoneSigning({ ...base, records: withSoa, soa: soaRecord() })).toThrow(expect.objectContaining({ kind: "usage" }));
    expect(planZoneSigning({ ...base, records: withSoa }).serial).toBe(1);
  });

  it("refuses to sign with a key that is not the bundle's signing ZSK (keystore error)", async () => {
    const plan = planZoneSigning({ records: records(SMALL_ROOT), origin: parseName("."), skr: lab.skr, atEpochSeconds: lab.atEpochSeconds, soa: soaRecord() });
    await expect(signZone(plan, lab.zsks[2] as never)).rejects.toMatchObject({ kind: "keystore", code: "ZONE-ZSK-MISMATCH" });
  });

  it("re-signs a signed zone: old RRSIG, NSEC and ZONEMD are replaced, not kept", async () => {
    const plan = planZoneSigning({ records: records(signedText), origin: parseName("."), skr: lab.skr, atEpochSeconds: lab.atEpochSeconds + 3600 });
    expect(plan.droppedRecords).toBeGreaterThan(10);
    const again = await signZone(plan, lab.zsks[1] as never);
    expect(verify(again, lab.atEpochSeconds + 3600).ok).toBe(true);
  });
});

describe("validation catches each kind of damage", () => {
  it("a changed signature (RRSIG-VALID and RRSET-SIGNED at its RRset)", () => {
    const bad = damage(signedText, /^com\.\t\d+\tIN\tRRSIG\tDS /, (l) => l.replace(/[A-Za-z0-9+/]{8}(=*)$/, "AAAAAAAA$1"));
    // ZONEMD covers RRSIGs too (RFC 8976 §3.3), so the digest no longer matches either.
    expect(codes(bad)).toEqual(["RRSIG-VALID com. DS", "RRSET-SIGNED com. DS", "ZONE-ZONEMD . ZONEMD"]);
  });

  it("a missing NSEC (ZONE-NSEC-CHAIN and the previous NSEC pointing past a hole)", () => {
    const bad = damage(signedText, /^example\.\t\d+\tIN\tNSEC\t/, () => undefined);
    const found = codes(bad);
    expect(found).toContain("ZONE-NSEC-CHAIN example. NSEC");
    expect(found).toContain("RRSIG-VALID example. NSEC");
  });

  it("a wrong bitmap (ZONE-NSEC-BITMAP), even when re-signed", async () => {
    // Clear the DS bit of com.'s NSEC in the unsigned plan, then sign it: the signatures are good, the bitmap is not.
    const plan = planZoneSigning({ records: records(SMALL_ROOT), origin: parseName("."), skr: lab.skr, atEpochSeconds: lab.atEpochSeconds, soa: soaRecord() });
    const store = plan.zone.records;
    const nsec = [...plan.zone.order].find((i) => store.type(i) === RRType.NSEC && nameToString(wireName(store.bytes, store.start(i))) === "com.");
    if (nsec === undefined) throw new Error("fixture: com. has no NSEC");
    const rdata = store.rdataWire(nsec);
    const window0 = rdata.subarray(wireNameLength(rdata, 0));
    // Window 0, octet 43 >> 3 = 5, bit 0x80 >> (43 & 7): DS (RFC 4034 §4.1.2).
    expect((window0[2 + 5] as number) & 0x10).toBe(0x10);
    window0[2 + 5] = (window0[2 + 5] as number) & ~0x10;
    const text = await signZone(plan, lab.zsks[1] as never);
    expect(codes(text)).toEqual(["ZONE-NSEC-BITMAP com. NSEC"]);
  });

  it("a stale ZONEMD: glue changed after signing (only ZONEMD sees it, glue is unsigned)", () => {
    const bad = damage(signedText, /^a\.gtld-servers\.net\.\t\d+\tIN\tA\t/, (l) => l.replace(/192\.5\.6\.30$/, "192.5.6.31"));
    expect(codes(bad)).toEqual(["ZONE-ZONEMD . ZONEMD"]);
  });

  it("an expired RRSIG at --at, and a not yet valid one", () => {
    const late = lab.atEpochSeconds + 14 * 86400;
    expect(codes(signedText, late)).toContain("RRSIG-VALID . SOA");
    expect(verify(signedText, late).problems.find((p) => p.type === "SOA")?.detail).toMatch(/expired at/);
    expect(verify(signedText, lab.atEpochSeconds - 7200).problems.find((p) => p.type === "SOA")?.detail).toMatch(/not valid until/);
  });

  it("a DNSKEY RRset not chained to the anchor (DNSKEY-ANCHORED)", () => {
    const result = verify(signedText, lab.atEpochSeconds, makeRR(parseName("."), 0, lab.zsks[0]?.dnskey as never));
    expect(result.problems.map((p) => `${p.code} ${p.owner} ${p.type}`)).toEqual(["DNSKEY-ANCHORED . DNSKEY"]);
  });

  it("an RRSIG over a delegation NS or over glue (ZONE-DELEGATION)", async () => {
    const { signRrset } = await import("@ksk/core");
    const ns = records(signedText)
      .map((l) => l.rr)
      .filter((rr) => nameToString(rr.owner) === "com." && rrType(rr) === RRType.NS) as never[];
    const zsk = lab.zsks[1] as never as { dnskey: { algorithm: number }; keyTag: number };
    const rrsig = await signRrset(lab.zsks[1] as never, ns, {
      typeCovered: RRType.NS,
      algorithm: zsk.dnskey.algorithm,
      labels: 1,
      originalTtlSeconds: 172800,
      inceptionEpochSeconds: lab.atEpochSeconds - 3600,
      expirationEpochSeconds: lab.atEpochSeconds + 86400,
      keyTag: zsk.keyTag,
      signerName: parseName("."),
    });
    const { rrToString } = await import("@ksk/core");
    expect(codes(`${signedText}${rrToString(rrsig)}\n`)).toEqual(["ZONE-DELEGATION com. NS", "ZONE-ZONEMD . ZONEMD"]);
  });

  it("refuses malformed structure as input with file:line (two SOAs)", () => {
    const bad = `${signedText}. 86400 IN SOA a. b. 1 2 3 4 5\n`;
    expect(() => verify(bad)).toThrow(KskError);
    expect(() => verify(bad)).toThrow(/signed\.zone:\d+: a second SOA/);
  });
});

describe("each signature is verified once before it is kept", () => {
  const plan = () =>
    planZoneSigning({ records: records(SMALL_ROOT), origin: parseName("."), skr: lab.skr, atEpochSeconds: lab.atEpochSeconds, soa: soaRecord() });
  const zsk = () => lab.zsks[1] as Signer;
  const flipped = (signer: Signer): Signer => ({
    label: signer.label,
    dnskey: signer.dnskey,
    keyTag: signer.keyTag,
    async sign(data) {
      const s = await signer.sign(data);
      s[s.length - 1] = (s[s.length - 1] as number) ^ 0x01;
      return s;
    },
  });

  it("a signer that does not verify its signatures: signZone verifies them, and refuses a bad one (SKR-VERIFY)", async () => {
    expect(zsk().verifiedBeforeReturn).toBeUndefined();
    expect(verify(await signZone(plan(), zsk())).ok).toBe(true);
    await expect(signZone(plan(), flipped(zsk()))).rejects.toMatchObject({ kind: "check", code: "SKR-VERIFY" });
  });

  it("a keystore signer (verifiedBeforeReturn): its check over the exact signed data stands, and its refusal stops signing", async () => {
    const verifier = keyVerifier(zsk().dnskey);
    const keystoreLike = (backend: Signer): Signer => ({
      label: backend.label,
      dnskey: backend.dnskey,
      keyTag: backend.keyTag,
      verifiedBeforeReturn: true,
      async sign(data) {
        const s = await backend.sign(data);
        if (!verifier(data, s)) throw new KskError("keystore", "SIGNATURE-NOT-VERIFIED", "does not verify");
        return s;
      },
    });
    const signed = await signZone(plan(), keystoreLike(zsk()));
    expect(verify(signed).ok).toBe(true);
    await expect(signZone(plan(), keystoreLike(flipped(zsk())))).rejects.toMatchObject({ kind: "keystore", code: "SIGNATURE-NOT-VERIFIED" });
  });
});
