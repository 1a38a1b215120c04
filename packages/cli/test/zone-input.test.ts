/**
 * The command line's zone input (src/zone-input.ts): `loadZoneInputWire` opens, includes and reads
 * standard input exactly as `loadZoneInput` does, and gives the same records in canonical wire form
 * (the same `file:line`, owner, type, TTL and RDATA octets), or the same refusal.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { KskError, encodeRdata, nameToWire, rrType } from "@ksk/core";
import { afterAll, describe, expect, it } from "vitest";
import type { CliContext } from "../src/context.js";
import { type ZoneInputOptions, loadZoneInput, loadZoneInputWire } from "../src/zone-input.js";

const dir = mkdtempSync(path.join(tmpdir(), "ksk-zone-input-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function context(stdin = ""): CliContext {
  const fail = () => {
    throw new Error("not used by the zone input");
  };
  return {
    out: fail,
    err: fail,
    readStdin: async () => new TextEncoder().encode(stdin),
    env: {},
    now: () => 0,
    newId: fail,
    prompt: fail,
    promptSecret: fail,
    interactive: false,
  };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

async function outcome<T>(p: Promise<T>): Promise<T | string> {
  return p.catch((e: unknown) => {
    if (!(e instanceof KskError)) throw e;
    return `${e.code} ${e.message}`;
  });
}

/** Both readers of `file`; they must agree. */
async function agree(file: string, options: ZoneInputOptions, stdin?: string): Promise<unknown> {
  const want = await outcome(
    loadZoneInput(context(stdin), file, options).then(({ name, records }) => ({
      name,
      rows: records.map(({ rr, where }) => [hex(nameToWire(rr.owner, true)), rrType(rr), rr.ttlSeconds, hex(encodeRdata(rr.rdata, true)), where]),
    })),
  );
  const rows: unknown[] = [];
  const got = await outcome(
    loadZoneInputWire(context(stdin), file, options, (r) => rows.push([hex(r.ownerWire), r.type, r.ttlSeconds, hex(r.rdataWire), `${r.file}:${r.line}`])).then(
      ({ name }) => ({ name, rows }),
    ),
  );
  expect(got).toEqual(want);
  return want;
}

describe("loadZoneInputWire", () => {
  const zone = path.join(dir, "z");
  mkdirSync(zone);
  writeFileSync(path.join(zone, "top.zone"), "$TTL 60\n$ORIGIN Example.\n@ SOA ns hostmaster 1 2 3 4 5\n$INCLUDE inc.zone sub\nwww A 192.0.2.1\n");
  writeFileSync(path.join(zone, "inc.zone"), "a AAAA 2001:db8::1\n  TXT ( two words )\n");
  writeFileSync(path.join(zone, "twice.zone"), "$INCLUDE inc.zone\n$INCLUDE inc.zone\n");
  symlinkSync("/etc/hostname", path.join(zone, "out.zone"));
  writeFileSync(path.join(zone, "escape.zone"), "$INCLUDE out.zone\n");

  it("gives loadZoneInput's records from a file and its includes, and from standard input", async () => {
    const top = path.join(zone, "top.zone");
    const result = (await agree(top, { includes: true })) as { rows: unknown[][] };
    expect(result.rows.map((r) => r[4])).toEqual([
      `${top}:3`,
      `${path.relative(process.cwd(), path.join(zone, "inc.zone"))}:1`,
      expect.stringMatching(/inc\.zone:2$/),
      `${top}:5`,
    ]);
    await agree("-", {}, "$TTL 5\na. A 192.0.2.1\nb. NS a.\n");
  });

  it("refuses what loadZoneInput refuses, with the same code and message", async () => {
    for (const [file, options] of [
      [path.join(zone, "top.zone"), {}],
      [path.join(zone, "twice.zone"), { includes: true }],
      [path.join(zone, "escape.zone"), { includes: true }],
      [path.join(zone, "top.zone"), { includes: true, maxRecords: 2 }],
      [path.join(zone, "top.zone"), { includes: true, maxTotalBytes: 120 }],
      [path.join(zone, "missing.zone"), {}],
      [zone, {}],
    ] as const) {
      expect(typeof (await agree(file, options)), file).toBe("string");
    }
  });
});
