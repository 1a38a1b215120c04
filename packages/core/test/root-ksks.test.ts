/**
 * The real root KSKs — KSK-2010 (19036), KSK-2017 (20326), KSK-2024 (38696) — from root-ksks.json
 * (facts in fixtures/PROVENANCE.md): key tags, revoked key tags (recomputed over flags 385, RFC 5011
 * §7), DS digest types 1, 2 and 4, and the RFC 9718 root-anchors.xml digests.
 */
import { describe, expect, it } from "vitest";
import {
  type DnskeyRdata,
  algorithmInfo,
  anchorDesignates,
  bytesToHex,
  isRevoked,
  isSep,
  isZoneKey,
  keyTag,
  makeDs,
  makeRR,
  revokedKeyTag,
  sameKeyMaterial,
  withRevokeBit,
  withoutRevokeBit,
} from "../src/index.js";
import { dnskeyRecord, flipByte, readFixture, readVector, record } from "./helpers.js";

interface RootKsk {
  name: string;
  keyTag: number;
  revokedKeyTag: number;
  owner: string;
  ttl: number;
  flags: number;
  protocol: number;
  algorithm: number;
  publicKey: string;
  modulusBits: number;
  ds: { digestType: number; digest: string }[];
  rootAnchorsXml: { keyTag: number; algorithm: number; digestType: number; digest: string };
}

const { keys } = readVector<{ keys: RootKsk[] }>("root-ksks.json");

function dnskeyOf(k: RootKsk) {
  return dnskeyRecord(`${k.owner} ${k.ttl} IN DNSKEY ${k.flags} ${k.protocol} ${k.algorithm} ${k.publicKey}`);
}

describe("the root KSKs", () => {
  it("are the three generations the issue names", () => {
    expect(keys.map((k) => [k.name, k.keyTag])).toEqual([
      ["KSK-2010", 19036],
      ["KSK-2017", 20326],
      ["KSK-2024", 38696],
    ]);
  });

  for (const k of keys) {
    describe(`${k.name} (${k.keyTag})`, () => {
      const key = dnskeyOf(k);

      it("is a 2048-bit RSA/SHA-256 zone key with SEP", () => {
        expect(keyTag(key.rdata)).toBe(k.keyTag);
        expect(isZoneKey(key.rdata) && isSep(key.rdata) && !isRevoked(key.rdata)).toBe(true);
        expect(algorithmInfo(8).describeKey(key.rdata.publicKeyBytes).sizeBits).toBe(k.modulusBits);
      });

      it("has the revoked key tag recomputed over flags 385", () => {
        const revoked = withRevokeBit(key.rdata);
        expect(revoked.flags).toBe(385);
        expect(isRevoked(revoked)).toBe(true);
        expect(revokedKeyTag(key.rdata)).toBe(k.revokedKeyTag);
        expect(keyTag(revoked)).toBe(k.revokedKeyTag);
        expect(withoutRevokeBit(revoked)).toEqual(key.rdata);
        expect(sameKeyMaterial(revoked, key.rdata)).toBe(true);
      });

      for (const ds of k.ds) {
        it(`has DS digest type ${ds.digestType} ${ds.digest.slice(0, 8)}…`, () => {
          const made = makeDs(key.owner, key.rdata, ds.digestType);
          expect(made.keyTag).toBe(k.keyTag);
          expect(made.algorithm).toBe(8);
          expect(bytesToHex(made.digestBytes, true)).toBe(ds.digest);
        });
      }

      it("matches its root-anchors.xml KeyDigest, and a changed key does not", () => {
        const a = k.rootAnchorsXml;
        const anchor = record(`. 172800 IN DS ${a.keyTag} ${a.algorithm} ${a.digestType} ${a.digest}`);
        expect(anchor.rdata.kind).toBe("DS");
        expect(anchorDesignates(anchor as never, key)).toBe(true);
        const changed = makeRR(key.owner, key.ttlSeconds, { ...key.rdata, publicKeyBytes: flipByte(key.rdata.publicKeyBytes, 100) });
        expect(anchorDesignates(anchor as never, changed)).toBe(false);
        expect(anchorDesignates(anchor as never, makeRR(key.owner, key.ttlSeconds, withRevokeBit(key.rdata)))).toBe(false);
      });
    });
  }

  it("the revoked tag is not key tag + 128 in general: a key where the fold carries", () => {
    // Vary two modulus octets of KSK-2017 (one summed high, one low) until the 16-bit sum lies
    // within 128 of a carry: setting REVOKE then adds 129, not 128. The recomputed tag must follow
    // the RDATA, whatever the shortcut says.
    const base = dnskeyOf(keys[1] as RootKsk).rdata;
    let found: DnskeyRdata | undefined;
    for (let w = 0; w < 256 && !found; w++) {
      for (let v = 0; v < 256 && !found; v++) {
        const bytes = base.publicKeyBytes.slice();
        bytes[10] = v;
        bytes[11] = w;
        const candidate: DnskeyRdata = { ...base, publicKeyBytes: bytes };
        if (revokedKeyTag(candidate) !== ((keyTag(candidate) + 128) & 0xffff)) found = candidate;
      }
    }
    expect(found).toBeDefined();
    const f = found as DnskeyRdata;
    expect(revokedKeyTag(f)).toBe(keyTag({ ...f, flags: 385 }));
    expect(revokedKeyTag(f)).toBe((keyTag(f) + 129) & 0xffff);
  });

  it("KSK-2017 is the 257 key of the real root apex of 2023-11-04", () => {
    const apexKsk = readFixture("root-apex-2023-11-04.txt")
      .split("\n")
      .filter((l) => /\tDNSKEY\t257 /.test(l));
    expect(apexKsk).toHaveLength(1);
    expect(dnskeyRecord(apexKsk[0] as string).rdata).toEqual(dnskeyOf(keys[1] as RootKsk).rdata);
  });
});
