/**
 * `zone verify` over the compact zone (verifyWireZone) against the object model (verifyZone) it
 * stands in for: on every damaged zone of sign-verify.test.ts and zone-semantics.test.ts
 * (./verify-cases.ts), the good small root and the real root of 2020-09-13 signed here, the same
 * `ZoneVerification` — problems with the same codes, owners, types and details in the same
 * order, the same anchored key tags, counts and ZONEMD verdicts — or the same refusal. The records
 * reach the compact zone through core's `loadZoneWire`, as `ksk zone verify` reads them.
 */
import type { AnchorRecord } from "@ksk/core";
import { beforeAll, describe, expect, it } from "vitest";
import { SMALL_ROOT, type SmallLab, smallLab } from "./lab-root.js";
import { SEMANTICS_AT, SEMANTICS_ZONES, type VerifyCase, damagedZones, signSmall } from "./verify-cases.js";
import { both } from "./wire-support.js";

let lab: SmallLab;
let damaged: Record<string, VerifyCase>;
beforeAll(async () => {
  lab = await smallLab(13);
  damaged = await damagedZones(lab, await signSmall(lab));
});

describe("the compact zone's validation is the object model's", () => {
  it("on every damaged signed zone of sign-verify.test.ts, and the good one", async () => {
    expect(Object.keys(damaged).length).toBeGreaterThanOrEqual(10);
    for (const [name, c] of Object.entries(damaged)) {
      const { object, wire, batched } = await both(c.text, "signed.zone", [(c.anchor ?? lab.anchor) as AnchorRecord], c.atEpochSeconds ?? lab.atEpochSeconds);
      expect(wire, name).toEqual(object);
      expect(batched, name).toEqual(object);
      if (name === "good") expect("result" in object && object.result.ok).toBe(true);
      else if ("result" in object) expect(object.result.problems.length, name).toBeGreaterThan(0);
      else expect(name).toBe("two SOAs");
    }
  });

  it("on every zone of zone-semantics.test.ts (CNAME, glue, occluded data reported, not refused)", async () => {
    for (const [name, text] of Object.entries(SEMANTICS_ZONES)) {
      const { object, wire, batched } = await both(text, name, [], SEMANTICS_AT);
      expect(wire, name).toEqual(object);
      expect(batched, name).toEqual(object);
      expect("result" in object, name).toBe(true);
    }
  });

  it("names each name as first written, in problems and details (a zone written in upper case)", async () => {
    const text = `. 86400 IN SOA a.root-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400\n. 518400 IN NS A.ROOT-SERVERS.NET.\nExample. 172800 IN NS NS1.Example.\nEXAMPLE. 172800 IN NS ns2.example.\nWWW.example. 60 IN A 192.0.2.80\nAlias. 60 IN CNAME x.\nalias. 60 IN TXT "t"\n`;
    const { object, wire } = await both(text, "mixed.zone", [lab.anchor as AnchorRecord], lab.atEpochSeconds);
    expect(wire).toEqual(object);
    const problems = "result" in object ? object.result.problems : [];
    expect(problems.map((p) => p.owner)).toContain("Example.");
    expect(problems.map((p) => p.detail).join("\n")).toContain("NS1.Example.");
  });

  it("on a wildcard's RRSIG, and the same RRSIG over an expansion of it (RFC 4035 §5.3.2: signed data from the wildcard owner)", async () => {
    const signed = await signSmall(lab, `${SMALL_ROOT}*.wild.\t86400\tIN\tA\t192.0.2.7\n`);
    const sig = signed.split("\n").find((l) => l.startsWith("*.wild.\t") && l.includes("\tRRSIG\tA "));
    if (!sig) throw new Error("fixture: no RRSIG at *.wild.");
    const expanded = `${signed}x.wild.\t86400\tIN\tA\t192.0.2.7\n${sig.replace(/^\*\.wild\./, "x.wild.")}\n`;
    for (const text of [signed, expanded]) {
      const { object, wire, batched } = await both(text, "wild.zone", [lab.anchor as AnchorRecord], lab.atEpochSeconds);
      expect(wire).toEqual(object);
      expect(batched).toEqual(object);
      const problems = "result" in object ? object.result.problems.map((p) => p.where) : ["refused"];
      expect(problems).not.toContain("*.wild. A");
      expect(problems).not.toContain("x.wild. A");
    }
  });
});
