/**
 * IANA-style labels on the real root KSK ids of root-anchors.xml (Kjqmt7v = KSK-2010 19036,
 * Klajeyz = KSK-2017 20326, Kmyv6jo = KSK-2024 38696; see keys-example/README.md): decoding then encoding gives
 * the label back, and the decoded times precede each key's validFrom.
 */
import { describe, expect, it } from "vitest";
import { ianaLabel, ianaLabelTime } from "../src/index.js";

describe("ianaLabel (root-anchors.xml KeyDigest ids)", () => {
  it("Kjqmt7v is KSK-2010's label: 2010-06-16T21:19:16Z, before validFrom 2010-07-15", () => {
    const t = ianaLabelTime("Kjqmt7v") as number;
    expect(new Date(t * 1000).toISOString()).toBe("2010-06-16T21:19:16.000Z");
    expect(t).toBeLessThan(Date.UTC(2010, 6, 15) / 1000);
    expect(ianaLabel("ksk", t)).toBe("Kjqmt7v");
  });

  it("Klajeyz is KSK-2017's label: 2016-10-27T18:50:12Z, before validFrom 2017-02-02", () => {
    const t = ianaLabelTime("Klajeyz") as number;
    expect(new Date(t * 1000).toISOString()).toBe("2016-10-27T18:50:12.000Z");
    expect(t).toBeLessThan(Date.UTC(2017, 1, 2) / 1000);
    expect(ianaLabel("ksk", t)).toBe("Klajeyz");
    expect(ianaLabel("ksk", t + 3)).toBe("Klajeyz");
    expect(ianaLabel("ksk", t + 4)).not.toBe("Klajeyz");
  });

  it("Kmyv6jo is KSK-2024's label: 2024-04-26T17:30:32Z, before validFrom 2024-07-18", () => {
    const t = ianaLabelTime("Kmyv6jo") as number;
    expect(new Date(t * 1000).toISOString()).toBe("2024-04-26T17:30:32.000Z");
    expect(t).toBeLessThan(Date.UTC(2024, 6, 18) / 1000);
    expect(ianaLabel("ksk", t)).toBe("Kmyv6jo");
  });

  it("uses Z for ZSKs and refuses times that do not fit 32 bits", () => {
    expect(ianaLabel("zsk", Date.UTC(2026, 10, 28) / 1000)).toMatch(/^Z[a-z2-7]{6}$/);
    expect(() => ianaLabel("ksk", -1)).toThrow(/32-bit/);
    expect(() => ianaLabel("ksk", 2 ** 32)).toThrow(/32-bit/);
    expect(ianaLabelTime("Kmyv6j")).toBeUndefined();
    expect(ianaLabelTime("Xmyv6jo")).toBeUndefined();
  });
});
