/**
 * The zone semantics `ksk zone verify` reports as checks, each against Knot's kzonecheck on the same
 * text as the independent judge: a well-formed root (good case) has none of ZONE-GLUE, ZONE-CNAME
 * and ZONE-OCCLUDED and kzonecheck accepts it; each bad case gets its code naming the owner and
 * file:line, and kzonecheck refuses it too. (The zones are unsigned: the signature checks' own
 * problems are not what is judged here.) Occluded data is the exception: kzonecheck 3.2 does not
 * judge it, so that case rests on RFC 2181 §6 alone.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hasTool, runTool } from "../../../test/support/tools.js";
import { loadZoneRecords } from "@ksk/core";
import { verifyZone } from "../src/index.js";
import { SEMANTICS_AT, SEMANTICS_ZONES } from "./verify-cases.js";

const dir = mkdtempSync(path.join(tmpdir(), "ksk-zone-semantics-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SEMANTICS = new Set(["ZONE-GLUE", "ZONE-CNAME", "ZONE-OCCLUDED"]);

/** One of the zones of ./verify-cases.ts, validated (its semantics' problems) and given to kzonecheck. */
function judge(name: keyof typeof SEMANTICS_ZONES) {
  const text = SEMANTICS_ZONES[name];
  const result = verifyZone({ records: loadZoneRecords({ name, text }), anchors: [], atEpochSeconds: SEMANTICS_AT });
  const found = result.problems.filter((p) => SEMANTICS.has(p.code));
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return { found, knot: hasTool("kzonecheck") ? runTool("kzonecheck", ["-o", ".", file]) : undefined };
}

describe("zone semantics in zone verify, with kzonecheck as the judge", () => {
  it("good: a delegation with its glue, an address for each in-zone name server", () => {
    const r = judge("good.zone");
    expect(r.found).toEqual([]);
    if (r.knot) expect(r.knot.status, r.knot.stdout).toBe(0);
  });

  it("ZONE-GLUE: an in-zone name server without an address (the rehearsal's old example. delegation)", () => {
    const r = judge("no-glue.zone");
    expect(r.found.map((p) => [p.code, p.owner, p.type])).toEqual([["ZONE-GLUE", "example.", "NS"]]);
    expect(r.found[0]?.detail).toMatch(
      /NS a\.iana-servers\.net\.: the name server is inside the zone but has no A or AAAA record in it \(missing glue\) \(no-glue\.zone:4\)$/,
    );
    if (r.knot) expect(r.knot.stdout).toContain("missing glue record");
  });

  it("ZONE-GLUE: a name server below the cut without glue", () => {
    const r = judge("no-glue-below.zone");
    expect(r.found.map((p) => p.code)).toEqual(["ZONE-GLUE"]);
    expect(r.found[0]?.detail).toContain("below a zone cut here but has no A or AAAA glue");
    if (r.knot) expect(r.knot.status).not.toBe(0);
  });

  it("ZONE-CNAME: a CNAME beside other data", () => {
    const r = judge("cname.zone");
    expect(r.found.map((p) => [p.code, p.owner])).toEqual([["ZONE-CNAME", "alias."]]);
    expect(r.found[0]?.detail).toMatch(/alias\. has a CNAME beside TXT data/);
    if (r.knot) expect(r.knot.stdout).toMatch(/CNAME/i);
  });

  it("ZONE-OCCLUDED: data below a delegation that is not glue", () => {
    const r = judge("occluded.zone");
    expect(r.found.map((p) => [p.code, p.owner, p.type]).sort()).toEqual([
      ["ZONE-OCCLUDED", "ns1.example.", "TXT"],
      ["ZONE-OCCLUDED", "www.example.", "A"],
    ]);
    expect(r.found.find((p) => p.owner === "www.example.")?.detail).toContain("no NS record of the zone names it, so it is not glue");
    // kzonecheck 3.2 (and named-checkzone) load occluded data without a word: RFC 2181 §6 is the judge here.
  });
});
