/**
 * The one zone loader: records with their `file:line`, text in chunks split anywhere, `$INCLUDE`
 * through an opener with every bound (depth, count, total octets, records, the same file twice),
 * and the located-record helpers (`checkAtRecord`, `dnskeyRecords`).
 */
import {
  type IncludeRequest,
  KskError,
  type ZoneSource,
  checkAt,
  dnskeyRecords,
  inputError,
  loadZone,
  loadZoneRecords,
  nameToString,
  rrToString,
} from "@ksk/core";
import { describe, expect, it } from "vitest";

const KEY = ". 172800 IN DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==";

async function* chunked(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

/** A directory of files in memory, opened as the CLI's opener would (identity = path). */
function opener(files: Record<string, string>, opened: string[] = []) {
  return ({ resolvedPath, maxBytes }: IncludeRequest): ZoneSource => {
    const text = files[resolvedPath];
    if (text === undefined) throw new Error("no such file");
    if (text.length > maxBytes) throw inputError("ZONE-INCLUDE", `is ${text.length} octets; ${maxBytes} left`);
    opened.push(resolvedPath);
    return { name: resolvedPath, text, byteLength: text.length };
  };
}

async function failure(p: Promise<unknown>): Promise<KskError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(KskError);
  return e as KskError;
}

describe("loadZone", () => {
  const text = "$TTL 3600\na A 192.0.2.1\nb TXT ( one\n  two )\n\nc AAAA 2001:db8::1\n";

  it("gives the same records and locations from chunks split anywhere as from the whole text", async () => {
    const whole = loadZoneRecords({ name: "z", text });
    expect(whole.map((r) => r.where)).toEqual(["z:2", "z:3", "z:6"]);
    for (const size of [1, 2, 3, 7, 1000]) {
      const streamed = await loadZone({ name: "z", text: chunked(text, size) });
      expect(streamed.map((r) => [rrToString(r.rr), r.where])).toEqual(whole.map((r) => [rrToString(r.rr), r.where]));
    }
  });

  it("refuses more records than maxRecords, at the first one too many", async () => {
    const e = await failure(loadZone({ name: "z", text }, { maxRecords: 2 }));
    expect(e.code).toBe("ZONE-TOO-LARGE");
    expect(e.message).toBe("z:6: the zone has more than 2 records, the most this command loads");
    await expect(loadZone({ name: "z", text }, { maxRecords: 3 })).resolves.toHaveLength(3);
    expect(() => loadZoneRecords({ name: "z", text }, { maxRecords: 2 })).toThrow(/more than 2 records/);
  });

  it("follows $INCLUDE with the directive's origin and $TTL; the included file's $ORIGIN does not leak back", async () => {
    const files = { "/z/inc.zone": "$ORIGIN example.\nx A 192.0.2.9\n" };
    const records = await loadZone({ name: "/z/top.zone", text: "$TTL 60\n$INCLUDE inc.zone net.\ny A 192.0.2.8\n" }, { openInclude: opener(files) });
    expect(records.map((r) => [nameToString(r.rr.owner), r.rr.ttlSeconds, r.where])).toEqual([
      ["x.example.", 60, "/z/inc.zone:2"],
      ["y.", 60, "/z/top.zone:3"],
    ]);
  });

  it("refuses $INCLUDE without an opener, outside the top file's directory, and an opener's failure, at the directive", async () => {
    expect((await failure(loadZone({ name: "/z/top.zone", text: "$INCLUDE a\n" }))).message).toMatch(/^\/z\/top\.zone:1: \$INCLUDE is not supported/);
    const outside = await failure(loadZone({ name: "/z/top.zone", text: "\n$INCLUDE ../etc/x\n" }, { openInclude: opener({}) }));
    expect(outside.message).toMatch(/^\/z\/top\.zone:2: \$INCLUDE \.\.\/etc\/x: only files below the zone file's directory \/z may be included$/);
    const missing = await failure(loadZone({ name: "/z/top.zone", text: "$INCLUDE nope\n" }, { openInclude: opener({}) }));
    expect(missing.message).toBe("/z/top.zone:1: $INCLUDE nope: no such file");
  });

  it("refuses the same file twice, a file including itself, and nesting deeper than the limit", async () => {
    const twice = await failure(
      loadZone({ name: "/z/top.zone", text: "$INCLUDE a\n$INCLUDE a\n" }, { openInclude: opener({ "/z/a": "a. 60 A 192.0.2.1\n" }) }),
    );
    expect(twice.message).toBe("/z/top.zone:2: $INCLUDE a: the file is already part of the zone; it is not read twice");
    const self = await failure(
      loadZone({ name: "/z/top.zone", text: "$INCLUDE top.zone\n" }, { openInclude: opener({ "/z/top.zone": "$INCLUDE top.zone\n" }) }),
    );
    expect(self.message).toMatch(/already part of the zone/);
    const chain: Record<string, string> = {};
    for (let i = 0; i < 10; i++) chain[`/z/f${i}`] = `$INCLUDE f${i + 1}\n`;
    chain["/z/f10"] = "a. 60 A 192.0.2.1\n";
    const deep = await failure(loadZone({ name: "/z/top.zone", text: "$INCLUDE f0\n" }, { openInclude: opener(chain), maxIncludeDepth: 4 }));
    expect(deep.message).toBe("/z/f3:1: $INCLUDE nested more than 4 deep");
  });

  it("caps the number of includes in all (fan-out) before opening one too many", async () => {
    const files: Record<string, string> = {};
    let top = "";
    for (let i = 0; i < 20; i++) {
      files[`/z/f${i}`] = `f${i}. 60 A 192.0.2.1\n`;
      top += `$INCLUDE f${i}\n`;
    }
    const opened: string[] = [];
    const e = await failure(loadZone({ name: "/z/top.zone", text: top }, { openInclude: opener(files, opened), maxIncludes: 5 }));
    expect(e.message).toBe("/z/top.zone:6: more than 5 $INCLUDE directives in all");
    expect(opened).toHaveLength(5);
  });

  it("caps the octets of all files together, offering each include only what is left", async () => {
    const files = { "/z/a": `${"a. 60 A 192.0.2.1\n".repeat(10)}` };
    const top = "$INCLUDE a\n";
    const e = await failure(loadZone({ name: "/z/top.zone", text: top }, { openInclude: opener(files), maxTotalBytes: 100 }));
    expect(e.message).toBe(`/z/top.zone:1: is 180 octets; ${100 - top.length} left`);
    const fits = await loadZone({ name: "/z/top.zone", text: top }, { openInclude: opener(files), maxTotalBytes: 200 });
    expect(fits).toHaveLength(10);
  });
});

describe("located records", () => {
  it("checkAt puts the record's file:line in front of a check's error, once", () => {
    const [record] = loadZoneRecords({ name: "k.key", text: `\n${KEY}\n` });
    expect(record?.where).toBe("k.key:2");
    expect(() => checkAt(record?.where ?? "", () => ({ ok: true }))).not.toThrow();
    expect(() =>
      checkAt(record?.where ?? "", () => {
        throw inputError("X", "bad");
      }),
    ).toThrow(/^k\.key:2: bad$/);
    expect(() =>
      checkAt("k.key", () => {
        throw inputError("X", "bad", "k.key:7");
      }),
    ).toThrow(/^k\.key:7: bad$/);
  });

  it("dnskeyRecords: the DNSKEYs of a file; none is NO-DNSKEY at the file; with trustable, a weak key is refused at its line", () => {
    expect(dnskeyRecords(loadZoneRecords({ name: "k", text: `${KEY}\n. 60 A 192.0.2.1\n` }), "k")).toHaveLength(1);
    expect(() => dnskeyRecords(loadZoneRecords({ name: "k", text: ". 60 A 192.0.2.1\n" }), "k")).toThrow(/^k: holds no DNSKEY record$/);
    // An RSA key with a 512-bit modulus: well-formed, but too weak to trust.
    const weak = ". 60 IN DNSKEY 257 3 8 AwEAAcHjlIeF9mU7YIRx4yG7OkJVxJUdQMeI5v2Y2e7Hf+uW2SjAO1H/vjsC4y0G4XTU8oumL9Ew0tW6t4ZrR0X1RDM=";
    const records = loadZoneRecords({ name: "w", text: `; weak\n${weak}\n` });
    expect(dnskeyRecords(records, "w")).toHaveLength(1);
    expect(() => dnskeyRecords(records, "w", { trustable: true })).toThrow(/^w:2: RSASHA256 modulus of \d+ bits/);
  });
});
