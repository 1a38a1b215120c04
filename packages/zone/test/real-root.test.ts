/**
 * The real root of 2020-09-13 (test/data/root-zone, its own DNSKEYs removed) through the compact
 * pipeline with a lab SKR and an RSA-2048 ZSK: signed and streamed as `ksk zone sign` does, it
 * validates under the object model (every RRSIG, the NSEC chain, ZONEMD); and `zone verify`'s
 * compact validation gives the object model's verdict on it, good and damaged. In the lab tier
 * (vitest.config.ts): each signs the real root's 2,884 RRsets in-process.
 */
import type { AnchorRecord } from "@ksk/core";
import { beforeAll, describe, expect, it } from "vitest";
import { type SmallLab, realRootText, smallLab } from "./lab-root.js";
import { damage, signSmall } from "./verify-cases.js";
import { both, signStreamed, validate } from "./wire-support.js";

let rsa: SmallLab;
beforeAll(async () => {
  rsa = await smallLab(8);
});

describe("the real root through the compact pipeline", () => {
  it("streams the real root of 2020-09-13: every RRSIG, the NSEC chain and ZONEMD validate", async () => {
    const streamed = await signStreamed(rsa, realRootText(), "root-2020-09-13.zone");
    const result = validate(rsa, streamed);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.counts.rrsets).toBeGreaterThan(2800);
    expect(result.zonemd.map((z) => z.status)).toEqual(["valid"]);
  }, 60_000);

  it("on the real root of 2020-09-13 signed here, good and damaged", async () => {
    const signed = await signSmall(rsa, realRootText());
    const anchors = [rsa.anchor as AnchorRecord];
    const good = await both(signed, "root.zone", anchors, rsa.atEpochSeconds);
    expect("result" in good.object && good.object.result.ok).toBe(true);
    expect("result" in good.object && good.object.result.counts.rrsigs).toBeGreaterThan(2800);
    expect(good.wire).toEqual(good.object);
    expect(good.batched).toEqual(good.object);
    let bad = damage(signed, /^com\.\t\d+\tIN\tRRSIG\tDS /, (l) => l.replace(/[A-Za-z0-9+/]{8}(=*)$/, "AAAAAAAA$1"));
    bad = damage(bad, /^org\.\t\d+\tIN\tNSEC\t/, () => undefined);
    const judged = await both(bad, "root.zone", anchors, rsa.atEpochSeconds);
    expect("result" in judged.object && judged.object.result.problems.map((p) => p.code)).toEqual([
      "RRSIG-VALID",
      "RRSET-SIGNED",
      "RRSIG-VALID",
      "ZONE-NSEC-CHAIN",
      "ZONE-ZONEMD",
    ]);
    expect(judged.wire).toEqual(judged.object);
    expect(judged.batched).toEqual(judged.object);
  }, 120_000);
});
