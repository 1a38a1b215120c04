/**
 * `ksk rollover check` as operators run it: IANA's 2017 Q1 and Q2 SKRs (KSK-2010) pass, with the
 * anchor file IANA published on 2017-02-02 (KSK-2010 and KSK-2017, built here from the real keys);
 * the same SKRs against an anchor file listing only KSK-2017, or none valid, fail naming the slot and
 * rule; lab SKRs written to files with a quarter missing fail ROLLOVER-GAP naming it; --json, exit 3
 * for a KSR given as an SKR or a broken file, exit 2 for a bad command line.
 */
import path from "node:path";
import { ROOT, parseIsoUtc } from "@ksk/core";
import { writeKsrXml } from "@ksk/ksr";
import { buildRootAnchors } from "@ksk/trust-anchor";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labKsks } from "../../signer/test/helpers.js";
import { labRollConfig, labZsks, signQuarters } from "../../signer/test/roll-sequence.js";
import { ROOT_KSKS, dnskeyLine, tempDir } from "./fixtures.js";
import { ksk } from "./harness.js";
import { parseZone } from "@ksk/core";

const ceremony = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../ksr/test/fixtures");
const SKR_Q1 = path.join(ceremony, "skr-root-2017-q1-0.xml");
const SKR_Q2 = path.join(ceremony, "skr-root-2017-q2-0.xml");
const KSR_Q2 = path.join(ceremony, "ksr-root-2017-q2-0.xml");
const tmp = tempDir();
afterAll(() => tmp.cleanup());

const [KSK2010, KSK2017] = ROOT_KSKS;
const dnskeyOf = (k: (typeof ROOT_KSKS)[number]) => {
  const rr = parseZone(dnskeyLine(k))[0]!;
  return rr.rdata as Extract<typeof rr.rdata, { kind: "DNSKEY" }>;
};
function anchorsFile(name: string, keys: { k: (typeof ROOT_KSKS)[number]; id: string; from: string; until?: string }[], published: string): string {
  const { xmlBytes } = buildRootAnchors({
    trustAnchorId: "380DC50D-484E-40D0-A3AE-68F2B18F61C7",
    zone: ROOT,
    publicationEpochSeconds: parseIsoUtc(published),
    keys: keys.map((x) => ({
      dnskey: dnskeyOf(x.k),
      id: x.id,
      validFromEpochSeconds: parseIsoUtc(x.from),
      ...(x.until ? { validUntilEpochSeconds: parseIsoUtc(x.until) } : {}),
    })),
  });
  return tmp.file(name, xmlBytes);
}

describe("ksk rollover check on IANA's 2017 SKRs", () => {
  it("passes Q1 → Q2 (given in either order) with the anchors published 2017-02-02", async () => {
    const anchors = anchorsFile(
      "root-anchors-2017.xml",
      [
        { k: KSK2010!, id: "Kjqmt7v", from: "2010-07-15T00:00:00Z", until: "2019-01-11T00:00:00Z" },
        { k: KSK2017!, id: "Klajeyz", from: "2017-02-02T00:00:00Z" },
      ],
      "2017-02-02T00:00:00Z",
    );
    const r = await ksk(["rollover", "check", SKR_Q2, SKR_Q1, "--anchors", anchors]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}2017Q1 slot 1 \(2017-01-01T00:00:00Z\) .* 19036\/Kjqmt7v S /m);
    expect(r.stdout.match(/19036\/Kjqmt7v S/g)).toHaveLength(18);
    expect(r.stdout).toContain("Rollover plan OK");
  });

  it("--json gives the timeline: 18 slots, KSK-2010 published and signing in each", async () => {
    const r = await ksk(["rollover", "check", SKR_Q1, SKR_Q2, "--json"]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as {
      ok: boolean;
      keys: { keyTag: number; revokedKeyTag: number }[];
      slots: { ksks: { presence: string; signs: boolean }[] }[];
    };
    expect(json.ok).toBe(true);
    expect(json.keys).toEqual([expect.objectContaining({ keyTag: KSK2010!.keyTag, revokedKeyTag: KSK2010!.revokedKeyTag })]);
    expect(json.slots.map((s) => s.ksks)).toEqual(Array(18).fill([{ presence: "published", signs: true }]));
  });

  it("fails ROLLOVER-ANCHOR-SIGNER from the first slot after an anchors file listing only KSK-2017 is published (exit 1)", async () => {
    const only2017 = anchorsFile("only-2017.xml", [{ k: KSK2017!, id: "Klajeyz", from: "2017-02-02T00:00:00Z" }], "2017-02-02T00:00:00Z");
    const r = await ksk(["rollover", "check", SKR_Q1, SKR_Q2, "--anchors", only2017]);
    expect(r.code).toBe(1);
    const failed = r.stdout.match(/^ {2}FAIL ROLLOVER-ANCHOR-SIGNER +2017Q\d slot \d/gm) ?? [];
    expect(failed[0]).toMatch(/2017Q1 slot 5$/); // 2017-02-10, the first slot after 2017-02-02
    expect(failed).toHaveLength(5 + 9);
  });

  it("FILE@TIME publishes a file at a given time; TA-NONE-VALID when no KeyDigest is valid then (exit 1)", async () => {
    const expired = anchorsFile(
      "expired.xml",
      [{ k: KSK2010!, id: "Kjqmt7v", from: "2010-07-15T00:00:00Z", until: "2017-06-01T00:00:00Z" }],
      "2017-01-01T00:00:00Z",
    );
    const r = await ksk(["rollover", "check", SKR_Q1, SKR_Q2, "--anchors", `${expired}@2017-06-05T00:00:00Z`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL TA-NONE-VALID +\S*expired\.xml \(published 2017-06-05T00:00:00Z\)/);
    expect(r.stdout).toMatch(/FAIL TA-NONE-VALID +2017Q2 slot 8 \(2017-06-10T00:00:00Z\)/);
  });

  it("exit 3 for a KSR given as an SKR, and for a file that is not XML", async () => {
    const asKsr = await ksk(["rollover", "check", SKR_Q1, KSR_Q2]);
    expect(asKsr.code).toBe(3);
    expect(asKsr.stderr).toMatch(/ksr-root-2017-q2-0\.xml.*is a KSR \(<Request>\), not an SKR/);
    const broken = await ksk(["rollover", "check", SKR_Q1, tmp.file("broken.xml", "<KSR><Response>")]);
    expect(broken.code).toBe(3);
    expect(broken.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("exit 2 without an SKR or with a bad hold-down", async () => {
    expect((await ksk(["rollover", "check"])).code).toBe(2);
    expect((await ksk(["rollover", "check", SKR_Q1, "--add-hold-down", "30 days"])).code).toBe(2);
  });
});

describe("ksk rollover check on lab SKRs", () => {
  const files: string[] = [];
  beforeAll(async () => {
    const ksks = labKsks();
    const quarters = await signQuarters(ksks, labRollConfig(ksks), labZsks(3), [
      ["2026Q3", "publish+"],
      ["2026Q4", "rollover"],
      ["2027Q1", "revoke"],
    ]);
    for (const q of quarters) files.push(tmp.file(q.name, writeKsrXml(q.skr)));
  }, 60_000);

  it("passes the roll over three quarters; the revoking slots are reported over 1232 octets", async () => {
    const r = await ksk(["rollover", "check", ...files]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/WARN ROLLOVER-DNSKEY-SIZE +2027Q1 slot 2 .* 1425 octets, over 1232/);
  });

  it("fails ROLLOVER-GAP naming the missing quarter when 2026Q4 is left out", async () => {
    const r = await ksk(["rollover", "check", files[0]!, files[2]!]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL ROLLOVER-GAP +between 2026Q3 \(.*skr-2026Q3\.xml\) and 2027Q1 \(.*skr-2027Q1\.xml\): no SKR for 2026Q4:/);
  });
});
