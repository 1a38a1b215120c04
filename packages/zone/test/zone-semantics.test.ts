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

const dir = mkdtempSync(path.join(tmpdir(), "ksk-zone-semantics-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEAD = `. 86400 IN SOA a.root-servers.net. nstld.verisign-grs.com. 2026010100 1800 900 604800 86400
. 518400 IN NS a.root-servers.net.
a.root-servers.net. 518400 IN A 198.41.0.4
`;
const SEMANTICS = new Set(["ZONE-GLUE", "ZONE-CNAME", "ZONE-OCCLUDED"]);

function judge(name: string, text: string) {
  const result = verifyZone({ records: loadZoneRecords({ name, text }), anchors: [], atEpochSeconds: Date.UTC(2026, 0, 2) / 1000 });
  const found = result.problems.filter((p) => SEMANTICS.has(p.code));
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return { found, knot: hasTool("kzonecheck") ? runTool("kzonecheck", ["-o", ".", file]) : undefined };
}

describe("zone semantics in zone verify, with kzonecheck as the judge", () => {
  it("good: a delegation with its glue, an address for each in-zone name server", () => {
    const r = judge("good.zone", `${HEAD}example. 172800 IN NS ns1.example.\nns1.example. 172800 IN A 192.0.2.53\n`);
    expect(r.found).toEqual([]);
    if (r.knot) expect(r.knot.status, r.knot.stdout).toBe(0);
  });

  it("ZONE-GLUE: an in-zone name server without an address (the rehearsal's old example. delegation)", () => {
    const r = judge("no-glue.zone", `${HEAD}example. 172800 IN NS a.iana-servers.net.\n`);
    expect(r.found.map((p) => [p.code, p.owner, p.type])).toEqual([["ZONE-GLUE", "example.", "NS"]]);
    expect(r.found[0]?.detail).toMatch(
      /NS a\.iana-servers\.net\.: the name server is inside the zone but has no A or AAAA record in it \(missing glue\) \(no-glue\.zone:4\)$/,
    );
    if (r.knot) expect(r.knot.stdout).toContain("missing glue record");
  });

  it("ZONE-GLUE: a name server below the cut without glue", () => {
    const r = judge("no-glue-below.zone", `${HEAD}example. 172800 IN NS ns1.example.\n`);
    expect(r.found.map((p) => p.code)).toEqual(["ZONE-GLUE"]);
    expect(r.found[0]?.detail).toContain("below a zone cut here but has no A or AAAA glue");
    if (r.knot) expect(r.knot.status).not.toBe(0);
  });

  it("ZONE-CNAME: a CNAME beside other data", () => {
    const r = judge("cname.zone", `${HEAD}alias. 86400 IN CNAME a.root-servers.net.\nalias. 86400 IN TXT "other data"\n`);
    expect(r.found.map((p) => [p.code, p.owner])).toEqual([["ZONE-CNAME", "alias."]]);
    expect(r.found[0]?.detail).toMatch(/alias\. has a CNAME beside TXT data/);
    if (r.knot) expect(r.knot.stdout).toMatch(/CNAME/i);
  });

  it("ZONE-OCCLUDED: data below a delegation that is not glue", () => {
    const text = `${HEAD}example. 172800 IN NS ns1.example.\nns1.example. 172800 IN A 192.0.2.53\nwww.example. 172800 IN A 192.0.2.80\nns1.example. 172800 IN TXT "not glue"\n`;
    const r = judge("occluded.zone", text);
    expect(r.found.map((p) => [p.code, p.owner, p.type]).sort()).toEqual([
      ["ZONE-OCCLUDED", "ns1.example.", "TXT"],
      ["ZONE-OCCLUDED", "www.example.", "A"],
    ]);
    expect(r.found.find((p) => p.owner === "www.example.")?.detail).toContain("no NS record of the zone names it, so it is not glue");
    // kzonecheck 3.2 (and named-checkzone) load occluded data without a word: RFC 2181 §6 is the judge here.
  });
});
