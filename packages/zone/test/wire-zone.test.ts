/**
 * The compact zone pipeline (wire-records, wire-order, wire-zone, wire-digest, wire-sign) against
 * the object zone model that `zone verify` reads with: the real root of 2020-09-13
 * (test/data/root-zone) and the small lab root signed and streamed as `ksk zone sign` streams them
 * validate under it (every RRSIG, the NSEC chain, ZONEMD); the ZONEMD digest is the same over
 * either model, in any input order; and every structural refusal is the same code at the same
 * `file:line`.
 */
import { createHash } from "node:crypto";
import { KskError, parseName, printRdata } from "@ksk/core";
import {
  DigestFeed,
  WireSigningInput,
  WireZoneInput,
  ZONEMD_HASH,
  buildWireZone,
  buildZone,
  checkWireZonemd,
  checkZonemd,
  planZoneSigning,
  signZone,
  wireZoneDigest,
  zoneDigest,
  zoneOrigin,
} from "@ksk/zone";
import { beforeAll, describe, expect, it } from "vitest";
import { SMALL_ROOT, type SmallLab, records, smallLab, soaRecord } from "./lab-root.js";
import { feed, signStreamed, validate } from "./wire-support.js";

function refusal(run: () => unknown): { code: string; where: string | undefined } {
  try {
    run();
  } catch (e) {
    if (e instanceof KskError) return { code: e.code, where: e.where };
    throw e;
  }
  throw new Error("no refusal");
}

let rsa: SmallLab;
beforeAll(async () => {
  rsa = await smallLab(8);
});

describe("the compact zone pipeline gives what the object model gives", () => {
  it("streams the small lab root: the apex fills its room, the validator accepts it, and it is the text signZone returns", async () => {
    const streamed = await signStreamed(rsa, SMALL_ROOT);
    const result = validate(rsa, streamed);
    expect(result.problems).toEqual([]);
    expect(result.zonemd.map((z) => z.status)).toEqual(["valid"]);
    const plan = planZoneSigning({ records: records(SMALL_ROOT), origin: parseName("."), skr: rsa.skr, atEpochSeconds: rsa.atEpochSeconds, soa: soaRecord() });
    expect(await signZone(plan, rsa.zsks[1] as SmallLab["zsks"][number])).toBe(streamed);
  });

  it("keeps names as written (upper case) in the text and in NSEC next names (RFC 6840 §5.1); the zone validates", async () => {
    const mixed = SMALL_ROOT.replace("net.\t\t\tIN\tNS\ta.gtld-servers.net.", "NET.\t\t\tIN\tNS\tA.GTLD-Servers.net.").replace(
      "example.\t\tIN\tNS\tns.example.com.",
      "Example.\t\tIN\tNS\tns.EXAMPLE.com.",
    );
    expect(mixed).not.toBe(SMALL_ROOT);
    const streamed = await signStreamed(rsa, mixed);
    const result = validate(rsa, streamed);
    expect(result.problems).toEqual([]);
    expect(result.zonemd.map((z) => z.status)).toEqual(["valid"]);
    expect(streamed).toMatch(/^NET\.\t172800\tIN\tNS\tA\.GTLD-Servers\.net\.$/m);
    // RRSIGs are printed with their owner as written; an NSEC names the next owner as written.
    expect(streamed).toMatch(/^NET\.\t86400\tIN\tRRSIG\tDS /m);
    expect(streamed).toMatch(/^Example\.\t86400\tIN\tNSEC\tNET\. /m);
    expect(streamed).toMatch(/^Example\.\t86400\tIN\tRRSIG\tNSEC /m);
  });

  it("digests a signed zone to the same ZONEMD and judges it the same", async () => {
    const list = records(await signStreamed(rsa, SMALL_ROOT), "signed.zone");
    const zone = buildZone(list, zoneOrigin(list));
    const input = new WireZoneInput(undefined);
    feed(list, (r, f, l) => input.add(r, f, l));
    const wireZone = buildWireZone(input);
    expect(Buffer.from(wireZoneDigest(wireZone, ZONEMD_HASH.SHA384))).toEqual(Buffer.from(zoneDigest(zone, ZONEMD_HASH.SHA384)));
    expect(checkWireZonemd(wireZone)).toEqual(checkZonemd(zone));
    expect(checkWireZonemd(wireZone).map((v) => v.status)).toEqual(["valid"]);
  });

  it("judges ZONEMD with a digest the caller computed already, as it judges computing it", async () => {
    const list = records(await signStreamed(rsa, SMALL_ROOT), "signed.zone");
    const input = new WireZoneInput(undefined);
    feed(list, (r, f, l) => input.add(r, f, l));
    const wireZone = buildWireZone(input);
    const sha384 = wireZoneDigest(wireZone, ZONEMD_HASH.SHA384);
    expect(checkWireZonemd(wireZone, new Map([[ZONEMD_HASH.SHA384, sha384]]))).toEqual(checkWireZonemd(wireZone));
    // The known digest is the one judged: a different one is a mismatch, not recomputed.
    const other = sha384.map((b) => b ^ 0xff);
    expect(checkWireZonemd(wireZone, new Map([[ZONEMD_HASH.SHA384, other]])).map((v) => v.status)).toEqual(["digest-mismatch"]);
  });

  it("reads records in any order: a shuffled zone digests as the sorted one", async () => {
    const objects = await signStreamed(rsa, SMALL_ROOT);
    const lines = objects.split("\n").filter((l) => l !== "");
    const shuffled = lines
      .map((l, i) => ({ l, k: (i * 7919) % lines.length }))
      .sort((a, b) => a.k - b.k)
      .map((x) => x.l);
    const digestOf = (text: string) => {
      const input = new WireZoneInput(undefined);
      feed(records(text, "z"), (r, f, l) => input.add(r, f, l));
      return Buffer.from(wireZoneDigest(buildWireZone(input), ZONEMD_HASH.SHA384));
    };
    expect(digestOf(`${shuffled.join("\n")}\n`)).toEqual(digestOf(objects));
  });
});

describe("DigestFeed hands the octets to the hash in order, however they arrive", () => {
  it("back-to-back runs, scattered records and runs of every size digest as their concatenation", () => {
    const buffer = Uint8Array.from({ length: 1 << 21 }, (_, i) => (i * 2654435761) >>> 24);
    const other = Uint8Array.from({ length: 4096 }, (_, i) => i & 0xff);
    const feed = new DigestFeed(1);
    const reference = createHash("sha384");
    let at = 0;
    let step = 1;
    while (at < buffer.length) {
      const length = Math.min(buffer.length - at, (step * 7919) % (step % 5 === 0 ? 300_000 : 900));
      feed.add(buffer, at, at + length);
      reference.update(buffer.subarray(at, at + length));
      // Every third piece skips ahead (not back to back); every fourth is from another buffer.
      at += length + (step % 3 === 0 ? 17 : 0);
      if (step % 4 === 0) {
        feed.add(other, step % 100, 200 + (step % 100));
        reference.update(other.subarray(step % 100, 200 + (step % 100)));
      }
      step++;
    }
    expect(Buffer.from(feed.digest())).toEqual(reference.digest());
  });
});

describe("the compact zone refuses what the object model refuses, at the same file:line", () => {
  const cases: Record<string, string> = {
    "a name outside the zone (ZONE-OUT-OF-ZONE)": `example. 86400 IN SOA a. b. 1 2 3 4 5\nwww.example. 60 IN A 192.0.2.1\nexample.net. 3600 IN A 192.0.2.1\n`,
    "a second SOA (ZONE-SOA)": `. 86400 IN SOA a. b. 1 2 3 4 5\n. 86400 IN NS a.\n. 86400 IN SOA a. b. 2 2 3 4 5\n`,
    "a SOA below the apex (ZONE-SOA)": `. 86400 IN SOA a. b. 1 2 3 4 5\nnet. 86400 IN SOA a. b. 1 2 3 4 5\n`,
    "TTLs differing in one RRset (ZONE-TTL-MISMATCH)": `. 86400 IN SOA a. b. 1 2 3 4 5\nnet. 100 IN NS a.net.\nnet. 200 IN NS b.net.\na.net. 1 IN A 192.0.2.1\nb.net. 1 IN A 192.0.2.2\n`,
    "a duplicate with another TTL (ZONE-TTL-MISMATCH)": `. 86400 IN SOA a. b. 1 2 3 4 5\nx. 100 IN A 192.0.2.1\nx. 200 IN A 192.0.2.1\n`,
    "CNAME beside data (ZONE-CNAME)": `. 86400 IN SOA a. b. 1 2 3 4 5\nx. 60 IN A 192.0.2.1\nx. 60 IN CNAME y.\n`,
    "two CNAMEs (ZONE-CNAME)": `. 86400 IN SOA a. b. 1 2 3 4 5\nx. 60 IN CNAME y.\nx. 60 IN CNAME z.\n`,
    "DS away from a delegation (ZONE-DS)": `. 86400 IN SOA a. b. 1 2 3 4 5\nx. 60 IN DS 1 8 2 ${"AB".repeat(32)}\n`,
    "DS at the apex (ZONE-DS)": `. 86400 IN SOA a. b. 1 2 3 4 5\n. 60 IN DS 1 8 2 ${"AB".repeat(32)}\n`,
    "a name server below a cut without glue (ZONE-GLUE)": `. 86400 IN SOA a. b. 1 2 3 4 5\nnet. 60 IN NS ns.net.\ncom. 60 IN NS ns.net.\n`,
    "no SOA at all (ZONE-SOA)": `net. 60 IN NS a.example.\n`,
  };
  for (const [name, text] of Object.entries(cases)) {
    it(name, () => {
      const list = records(text, "bad.zone");
      const expected = refusal(() => buildZone(list, zoneOrigin(list)));
      const got = refusal(() => {
        const input = new WireZoneInput(undefined);
        feed(list, (r, f, l) => input.add(r, f, l));
        buildWireZone(input);
      });
      expect(got).toEqual(expected);
    });
  }

  it("a TTL over 2^31-1 (ZONE-TTL-RANGE; the reader refuses it in text, so the record is made here)", () => {
    const list = records(". 86400 IN SOA a. b. 1 2 3 4 5\nx. 60 IN A 192.0.2.1\n", "bad.zone");
    const over = list.map((l, i) => (i === 1 ? { ...l, rr: { ...l.rr, ttlSeconds: 2 ** 31 } } : l));
    const expected = refusal(() => buildZone(over, zoneOrigin(over)));
    const got = refusal(() => {
      const input = new WireZoneInput(undefined);
      feed(over, (r, f, l) => input.add(r, f, l));
      buildWireZone(input);
    });
    expect(expected.code).toBe("ZONE-TTL-RANGE");
    expect(got).toEqual(expected);
  });

  it("the same zones with their glue and a single TTL are accepted (the good case of each)", () => {
    const text = `. 86400 IN SOA a. b. 1 2 3 4 5\nnet. 60 IN NS ns.net.\nnet. 60 IN DS 1 8 2 ${"AB".repeat(32)}\nns.net. 60 IN A 192.0.2.1\nx. 60 IN CNAME y.\n`;
    const input = new WireZoneInput(undefined);
    feed(records(text, "good.zone"), (r, f, l) => input.add(r, f, l));
    const zone = buildWireZone(input);
    expect(zone.nodeCount).toBe(4);
    expect([...zone.roles]).toEqual([0, 2, 3, 1]);
  });

  it("an apex DNSKEY that is not the bundle's is refused at its file:line (ZONE-APEX-DNSKEY); the bundle's own is taken", () => {
    const foreign = `${SMALL_ROOT}. 172800 IN DNSKEY 256 3 8 ${Buffer.from(rsa.ksk.dnskey.publicKeyBytes).reverse().toString("base64")}\n`;
    const line = foreign.split("\n").length - 1;
    const got = refusal(() => feed(records(foreign, "keys.zone"), (r, f, l) => new WireSigningInput(rsa.skr, rsa.atEpochSeconds).add(r, f, l)));
    expect(got).toEqual({ code: "ZONE-APEX-DNSKEY", where: `keys.zone:${line}` });
    const own = `${SMALL_ROOT}. 172800 IN DNSKEY ${printRdata(rsa.zsks[1]?.dnskey as never)}\n`;
    const input = new WireSigningInput(rsa.skr, rsa.atEpochSeconds);
    feed(records(own, "keys.zone"), (r, f, l) => input.add(r, f, l));
    expect(input.zone.records.count).toBe(records(SMALL_ROOT).length);
  });
});
