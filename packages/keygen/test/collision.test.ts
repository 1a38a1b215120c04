/**
 * Key-tag collision checks on the real root KSK-2017 (20326, revoked 20454; root-anchors.xml) and
 * on keys built to carry chosen tags: a good case and a bad case for each of the four clashes
 * (tag/tag, tag/revoked, revoked/tag, revoked/revoked), across roles, and with a known key that is
 * itself published revoked.
 */
import { base64ToBytes, type DnskeyRdata, KskError, keyTag, revokedKeyTag } from "@ksk/core";
import { describe, expect, it } from "vitest";
import { checkKeyTagCollision, keyTags } from "../src/index.js";
import { dnskeyWithTag } from "./tag-helpers.js";

// KSK-2017 as published in the root zone and root-anchors.xml (RFC 9718 PublicKey).
const KSK_2017: DnskeyRdata = {
  kind: "DNSKEY",
  flags: 257,
  protocol: 3,
  algorithm: 8,
  publicKeyBytes: base64ToBytes(
    "AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwNR1AkUTV74bU=",
  ),
};

function refusal(fn: () => void): KskError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KskError);
    expect((e as KskError).kind).toBe("refused");
    expect((e as KskError).code).toBe("KEY-TAG-COLLISION");
    return e as KskError;
  }
  throw new Error("no collision reported");
}

describe("keyTags", () => {
  it("KSK-2017: 20326 and, with the REVOKE bit, 20454 (recomputed)", () => {
    expect(keyTags(KSK_2017)).toEqual({ keyTag: 20326, revokedKeyTag: 20454 });
    // The same whether the key is given revoked or not.
    expect(keyTags({ ...KSK_2017, flags: 385 })).toEqual({ keyTag: 20326, revokedKeyTag: 20454 });
  });
});

describe("checkKeyTagCollision", () => {
  const known = [{ name: "KSK-2017", dnskey: KSK_2017 }];

  it("accepts a key whose tags are all different", () => {
    const fresh = dnskeyWithTag(KSK_2017, 11111);
    expect(keyTags(fresh).revokedKeyTag).not.toBe(20326);
    expect(() => checkKeyTagCollision({ name: "Knew", dnskey: fresh }, known)).not.toThrow();
  });

  it("refuses a key with the same tag", () => {
    const clash = dnskeyWithTag(KSK_2017, 20326);
    expect(refusal(() => checkKeyTagCollision({ name: "Knew", dnskey: clash }, known)).message).toContain("key tag 20326 equals KSK-2017's key tag");
  });

  it("refuses a key whose tag is the known key's revoked tag", () => {
    const clash = dnskeyWithTag(KSK_2017, 20454);
    expect(refusal(() => checkKeyTagCollision({ name: "Knew", dnskey: clash }, known)).message).toContain("key tag 20454 equals KSK-2017's revoked key tag");
  });

  it("refuses a key whose revoked tag is the known key's tag", () => {
    // Setting REVOKE (flags 257 -> 385) changes one RDATA word, so this key's revoked tag is 20326;
    // the assertion recomputes it rather than trusting the arithmetic.
    const clash = dnskeyWithTag(KSK_2017, 20326 - 128);
    expect(revokedKeyTag(clash)).toBe(20326);
    const e = refusal(() => checkKeyTagCollision({ name: "Knew", dnskey: clash }, known));
    expect(e.message).toContain(`revoked key tag 20326 equals KSK-2017's key tag`);
  });

  it("refuses a key whose revoked tag is the known key's revoked tag", () => {
    // A key with the same tag has the same revoked tag too (REVOKE changes the same RDATA word).
    const other = dnskeyWithTag(KSK_2017, 20326);
    const e = refusal(() => checkKeyTagCollision({ name: "Knew", dnskey: other }, known));
    expect(e.message).toContain("revoked key tag 20454 equals KSK-2017's revoked key tag");
  });

  it("compares ZSKs with KSKs, and a known key published revoked by both of its tags", () => {
    const zsk = dnskeyWithTag({ ...KSK_2017, flags: 256 }, 20326, 256);
    refusal(() => checkKeyTagCollision({ name: "Znew", dnskey: zsk }, known));
    const revokedKnown = [{ name: "KSK-2017 (revoked)", dnskey: { ...KSK_2017, flags: 385 } }];
    refusal(() => checkKeyTagCollision({ name: "Knew", dnskey: dnskeyWithTag(KSK_2017, 20326) }, revokedKnown));
    expect(keyTag(zsk)).toBe(20326);
  });
});
