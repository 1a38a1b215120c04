/**
 * Trust-anchor telemetry from dnstap, unit by unit: the Frame Streams reader (whole, split at
 * every octet, and each way a stream is refused with the frame's offset), the dnstap decoder
 * (against the schema file it claims to carry), the RFC 8145 signals in a query (§5 `_ta-` names
 * in either case and any QTYPE, §4 edns-key-tag), the per-resolver aggregation with a
 * root-anchors.xml, and the file reader's refusals — truncated, corrupt, another content type,
 * a frame that is not a dnstap event, a query that does not parse, and a 1 GiB sparse file — each
 * one line with the frame's offset.
 */
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync, ftruncateSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { KskError, makeDs, parseName, ROOT, revokedKeyTag } from "@ksk/core";
import { buildRootAnchors } from "@ksk/trust-anchor";
import dnsPacket from "dns-packet";
import { afterAll, describe, expect, it } from "vitest";
import {
  anchorView,
  dataFrame,
  encodeFrameStream,
  encodeQuery,
  FrameStreamReader,
  loadDnstapCodec,
  frameStreamStart,
  frameStreamStop,
  ipv6Text,
  querySignals,
  readDnstapTelemetry,
  TelemetryCollector,
  questionOf,
} from "../src/index.js";
import { DNSTAP_PROTO } from "../src/telemetry/dnstap-schema.js";

const { decode: decodeDnstap, encode: encodeDnstap } = await loadDnstapCodec();
const dir = mkdtempSync(path.join(tmpdir(), "telemetry-unit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A query as a resolver sends it: name, type, and EDNS options. */
function queryBytes(name: string, type = "A", options: { code: number; data: Buffer }[] = []): Uint8Array {
  return new Uint8Array(
    dnsPacket.encode({
      type: "query",
      id: 4711,
      flags: 0,
      questions: [{ name, type: type as dnsPacket.RecordType, class: "IN" }],
      additionals: [{ type: "OPT", name: ".", udpPayloadSize: 1232, flags: 0, options } as unknown as dnsPacket.Answer],
    }),
  );
}

const v4 = (a: number, b: number, c: number, d: number) => Uint8Array.of(a, b, c, d);

function event(address: Uint8Array, at: number, query: Uint8Array): Uint8Array {
  return encodeDnstap({
    family: address.length === 4 ? "INET" : "INET6",
    protocol: "UDP",
    queryAddressBytes: address,
    queryPort: 40000,
    queryTimeEpochSeconds: at,
    queryMessageBytes: query,
  });
}

function file(name: string, bytes: Uint8Array): string {
  const f = path.join(dir, name);
  writeFileSync(f, bytes);
  return f;
}

async function refusal(files: string[]): Promise<KskError> {
  try {
    await readDnstapTelemetry(files);
  } catch (e) {
    if (e instanceof KskError) return e;
    throw e;
  }
  throw new Error("no refusal");
}

describe("dnstap schema", () => {
  it("carries the schema file's text exactly", () => {
    expect(DNSTAP_PROTO).toBe(readFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), "../src/telemetry/dnstap.proto"), "utf8"));
  });

  it("decodes what it encodes, IPv4 and IPv6, with the time's nanoseconds", () => {
    const q = queryBytes("_ta-4a5c.", "NULL");
    const e = decodeDnstap(event(Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1]), 1_800_000_000.25, q));
    expect(e).toMatchObject({ messageType: "AUTH_QUERY", socketFamily: "INET6", socketProtocol: "UDP", queryAddress: "2001:db8::1", queryPort: 40000 });
    expect(e.queryTimeEpochSeconds).toBeCloseTo(1_800_000_000.25, 6);
    expect([...(e.queryMessageBytes ?? [])]).toEqual([...q]);
    expect(decodeDnstap(event(v4(192, 0, 2, 7), 1, q)).queryAddress).toBe("192.0.2.7");
  });

  it("writes IPv6 addresses as RFC 5952 says", () => {
    const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
    expect(ipv6Text(hex("00000000000000000000000000000001"))).toBe("::1");
    expect(ipv6Text(hex("20010db8000000010000000000000001"))).toBe("2001:db8:0:1::1");
    expect(ipv6Text(hex("20010db8000100010001000100010001"))).toBe("2001:db8:1:1:1:1:1:1");
    // Two equal runs: the first is shortened (RFC 5952 §4.2.3); a longer later run wins.
    expect(ipv6Text(hex("20010db8000000000001000000000001"))).toBe("2001:db8::1:0:0:1");
    expect(ipv6Text(hex("20010db8000000000001000000000000"))).toBe("2001:db8:0:0:1::");
  });

  it("refuses a frame that is not a dnstap event, and an address of the wrong length", () => {
    expect(() => decodeDnstap(Uint8Array.of(0xff, 0xff, 0xff))).toThrow(/DNSTAP|not a dnstap event/);
    expect(() => decodeDnstap(new Uint8Array(0))).toThrow(/not a dnstap event \(missing required 'type'\)/);
    const wrong = encodeDnstap({ family: "INET", queryAddressBytes: Uint8Array.of(1, 2, 3) });
    expect(() => decodeDnstap(wrong)).toThrow(/query_address of 3 octets for socket family INET/);
  });
});

describe("RFC 8145 signals in a query", () => {
  it("reads _ta- names at the root in either case and with any QTYPE (QNAME minimisation asks A)", () => {
    expect(querySignals(queryBytes("_ta-4a5c-4f66.", "NULL")).taQuery).toEqual([0x4a5c, 0x4f66]);
    expect(querySignals(queryBytes("_TA-4A5C.", "A")).taQuery).toEqual([0x4a5c]);
    expect(querySignals(queryBytes("_ta-4a5c.example.", "NULL"))).toMatchObject({ taQuery: undefined, otherAnchor: "example." });
    expect(querySignals(queryBytes("_ta-4a5.", "NULL")).taQuery).toBeUndefined();
    expect(querySignals(queryBytes("www.example.", "A"))).toEqual({ taQuery: undefined, ednsKeyTags: undefined, otherAnchor: undefined });
  });

  it("reads the edns-key-tag option (code 14) and refuses one of odd or zero length", () => {
    expect(querySignals(queryBytes(".", "DNSKEY", [{ code: 14, data: Buffer.from([0x4a, 0x5c, 0x4f, 0x66]) }])).ednsKeyTags).toEqual([0x4a5c, 0x4f66]);
    expect(() => querySignals(queryBytes(".", "DNSKEY", [{ code: 14, data: Buffer.from([0x4a]) }]))).toThrow(/edns-key-tag option of 1 octets/);
    expect(() => querySignals(queryBytes(".", "DNSKEY", [{ code: 14, data: Buffer.alloc(0) }]))).toThrow(/edns-key-tag option of 0 octets/);
  });

  it("refuses a query that does not parse", () => {
    expect(() => querySignals(Uint8Array.of(1, 2, 3))).toThrow(/the query does not parse: message of 3 octets/);
  });
});

describe("Frame Streams reader", () => {
  const payloads = [Uint8Array.of(1, 2, 3), Uint8Array.of(), Uint8Array.of(9)].filter((p) => p.length > 0);
  const stream = encodeFrameStream(payloads);

  it("reads a stream pushed whole or one octet at a time, with each frame's offset", () => {
    const whole = new FrameStreamReader();
    const frames = whole.push(stream).map((f) => ({ offset: f.offset, bytes: [...f.bytes] }));
    whole.end();
    const start = frameStreamStart().length;
    expect(frames).toEqual([
      { offset: start, bytes: [1, 2, 3] },
      { offset: start + 7, bytes: [9] },
    ]);
    const slow = new FrameStreamReader();
    const seen: { offset: number; bytes: number[] }[] = [];
    for (const b of stream) for (const f of slow.push(Uint8Array.of(b))) seen.push({ offset: f.offset, bytes: [...f.bytes] });
    slow.end();
    expect(seen).toEqual(frames);
  });

  const refuse = (bytes: Uint8Array, contentType?: string) => {
    const r = new FrameStreamReader(contentType === undefined ? {} : { contentType });
    try {
      r.push(bytes);
      r.end();
    } catch (e) {
      return (e as Error).message;
    }
    return "accepted";
  };
  const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

  it("refuses each malformed stream naming the frame's offset", () => {
    const start = frameStreamStart();
    expect(refuse(new Uint8Array(0))).toBe("frame at octet 0: the stream is empty: no START control frame");
    expect(refuse(stream.subarray(0, stream.length - 12))).toMatch(/^frame at octet \d+: the stream ends without a STOP control frame/);
    expect(refuse(stream.subarray(0, start.length + 5))).toBe(`frame at octet ${start.length}: the stream ends inside it (5 octets of 7)`);
    expect(refuse(dataFrame(Uint8Array.of(1)))).toBe("frame at octet 0: a data frame before the START control frame: not a Frame Streams file");
    expect(refuse(concat(start, Uint8Array.of(0, 0, 0, 0, 0, 0, 0x10, 0)))).toBe(
      `frame at octet ${start.length}: a control frame of 4096 octets (a control frame has 4 to 512)`,
    );
    expect(refuse(concat(start, Uint8Array.of(0x7f, 0, 0, 0)))).toBe(
      `frame at octet ${start.length}: a data frame of 2130706432 octets, over the limit of 262144`,
    );
    expect(refuse(concat(stream, dataFrame(Uint8Array.of(1))))).toBe(`frame at octet ${stream.length}: data after the STOP control frame`);
    expect(refuse(concat(start, start))).toBe(`frame at octet ${start.length}: a second START control frame`);
    expect(refuse(concat(start, Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 4)))).toBe(
      `frame at octet ${start.length}: control frame READY: only START and STOP belong in a file`,
    );
    expect(refuse(frameStreamStop())).toBe("frame at octet 0: STOP before START");
  });

  it("refuses a stream of another content type, or none", () => {
    expect(refuse(encodeFrameStream([], "protobuf:other.Thing"))).toBe('frame at octet 0: content type "protobuf:other.Thing", not "protobuf:dnstap.Dnstap"');
    expect(refuse(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 2))).toBe('frame at octet 0: START names no content type; "protobuf:dnstap.Dnstap" expected');
    expect(refuse(encodeFrameStream([], "x\u0001y"), "x\u0001y")).toBe('frame at octet 0: content type "x\\x01y", not "x\u0001y"');
  });
});

describe("aggregation per resolver", () => {
  it("counts tags per resolver with first and last times, the latest signal, and each tag's share", () => {
    const c = new TelemetryCollector();
    const add = (address: Uint8Array, at: number, q: Uint8Array) => c.add(decodeDnstap(event(address, at, q)));
    const a = v4(127, 0, 0, 11);
    const b = v4(127, 0, 0, 12);
    add(a, 100, queryBytes("_ta-0001.", "A"));
    add(a, 200, queryBytes("_ta-0001-0002.", "NULL"));
    add(a, 250, queryBytes(".", "DNSKEY"));
    add(a, 300, queryBytes("_ta-0002.", "A"));
    add(b, 150, queryBytes(".", "SOA", [{ code: 14, data: Buffer.from([0, 1]) }]));
    add(b, 160, queryBytes(".", "NS"));
    c.add(decodeDnstap(encodeDnstap({ messageType: "AUTH_RESPONSE", family: "INET", queryAddressBytes: a })));
    const s = c.summary();
    expect(s).toMatchObject({
      events: 7,
      queries: 6,
      signals: 4,
      signallingResolvers: 2,
      firstSeenUtc: "1970-01-01T00:01:40.000Z",
      lastSeenUtc: "1970-01-01T00:05:00.000Z",
    });
    expect(s.keyTags.map((t) => [t.keyTag, t.resolvers, t.share, t.signals])).toEqual([
      [1, 2, 1, 3],
      [2, 1, 0.5, 2],
    ]);
    const [ra, rb] = s.resolvers;
    expect(ra).toMatchObject({ address: "127.0.0.11", queries: 4, signals: 3, latest: { keyTags: [2], via: "ta-query", atUtc: "1970-01-01T00:05:00.000Z" } });
    expect(ra?.keyTags[0]).toMatchObject({
      keyTag: 1,
      via: ["ta-query"],
      signals: 2,
      firstSeenUtc: "1970-01-01T00:01:40.000Z",
      lastSeenUtc: "1970-01-01T00:03:20.000Z",
    });
    expect(rb).toMatchObject({ address: "127.0.0.12", queries: 2, signals: 1, latest: { keyTags: [1], via: "edns-key-tag" } });
  });

  it("with root-anchors.xml: each tag's standing, and who signals only retired or revoked keys", () => {
    const key = (n: number) => ({
      kind: "DNSKEY" as const,
      flags: 257,
      protocol: 3,
      algorithm: 8,
      publicKeyBytes: Uint8Array.from({ length: 260 }, (_, i) => (i * n + 3) & 0xff),
    });
    const [oldKey, newKey] = [key(7), key(11)];
    const at = 1_800_000_000;
    const { document } = buildRootAnchors({
      trustAnchorId: "00000000-0000-4000-8000-000000000001",
      publicationEpochSeconds: at - 10,
      keys: [
        { dnskey: oldKey, id: "Kold", validFromEpochSeconds: at - 1000, validUntilEpochSeconds: at - 1 },
        { dnskey: newKey, id: "Knew", validFromEpochSeconds: at - 500 },
      ],
    });
    const oldTag = makeDs(ROOT, oldKey, 2).keyTag;
    const newTag = makeDs(ROOT, newKey, 2).keyTag;
    const view = anchorView(document, "root-anchors.xml", at);
    expect(view.standing.get(oldTag)).toBe("retired");
    expect(view.standing.get(newTag)).toBe("valid");
    expect(view.standing.get(revokedKeyTag(oldKey))).toBe("revoked");
    const hex = (t: number) => t.toString(16).padStart(4, "0");
    const c = new TelemetryCollector();
    c.add(decodeDnstap(event(v4(127, 0, 0, 1), at, queryBytes(`_ta-${hex(oldTag)}.`))));
    c.add(
      decodeDnstap(
        event(
          v4(127, 0, 0, 2),
          at,
          queryBytes(
            `_ta-${[oldTag, newTag]
              .sort((x, y) => x - y)
              .map(hex)
              .join("-")}.`,
          ),
        ),
      ),
    );
    c.add(decodeDnstap(event(v4(127, 0, 0, 3), at, queryBytes(`_ta-${hex(revokedKeyTag(oldKey))}.`))));
    c.add(decodeDnstap(event(v4(127, 0, 0, 4), at, queryBytes("_ta-0000."))));
    const s = c.summary(view);
    expect(s.resolvers.map((r) => [r.address, r.onlyRetiredOrRevoked])).toEqual([
      ["127.0.0.1", true],
      ["127.0.0.2", false],
      ["127.0.0.3", true],
      ["127.0.0.4", false],
    ]);
    expect(s.anchors?.onlyRetiredOrRevoked).toEqual(["127.0.0.1", "127.0.0.3"]);
    expect(s.keyTags.find((t) => t.keyTag === 0)?.anchor).toBe("not in the anchors");
    expect(parseName(".", ROOT)).toEqual(ROOT);
  });
});

describe("dnstap files: one line naming the file and the frame's offset", () => {
  const good = () => [event(v4(127, 0, 0, 1), 1, queryBytes("_ta-0001.")), event(v4(127, 0, 0, 1), 2, queryBytes("."))];
  const start = frameStreamStart().length;

  it("reads a whole file in small chunks as it does in one", async () => {
    const f = file("good.dnstap", encodeFrameStream(good()));
    const whole = await readDnstapTelemetry([f]);
    expect(await readDnstapTelemetry([f], { chunkBytes: 3 })).toEqual(whole);
    expect(whole).toMatchObject({ events: 2, queries: 2, signals: 1 });
  });

  it("truncated, corrupt, another content type, not dnstap, a query that does not parse", async () => {
    const whole = encodeFrameStream(good());
    const cut = file("cut.dnstap", whole.subarray(0, whole.length - 20));
    expect((await refusal([cut])).message).toMatch(new RegExp(`^${cut}: frame at octet \\d+: the stream ends inside it`));
    const corrupt = whole.slice();
    corrupt[start] = 0x40;
    const bad = file("corrupt.dnstap", corrupt);
    expect((await refusal([bad])).message).toBe(
      `${bad}: frame at octet ${start}: a data frame of ${0x40000000 + good()[0]!.length} octets, over the limit of 262144`,
    );
    const other = file("other.fstrm", encodeFrameStream([Uint8Array.of(1)], "protobuf:other.Thing"));
    expect((await refusal([other])).message).toBe(`${other}: frame at octet 0: content type "protobuf:other.Thing", not "protobuf:dnstap.Dnstap"`);
    const notDnstap = file("not-dnstap.dnstap", encodeFrameStream([Uint8Array.of(0x0a, 0x05, 1)]));
    expect((await refusal([notDnstap])).message).toMatch(new RegExp(`^${notDnstap}: frame at octet ${start}: not a dnstap event`));
    const garbled = file("garbled-query.dnstap", encodeFrameStream([good()[0]!, event(v4(127, 0, 0, 1), 3, Uint8Array.of(0, 1, 2, 3, 4))]));
    const e = await refusal([garbled]);
    expect(e.message).toBe(
      `${garbled}: frame at octet ${start + 4 + good()[0]!.length}: the query does not parse: message of 5 octets is shorter than the 12-octet header`,
    );
    expect(e.kind).toBe("input");
  });

  it("a 1 GiB sparse file: refused at the frame where it goes wrong, without reading it all", async () => {
    const f = path.join(dir, "huge.dnstap");
    const fd = openSync(f, "w");
    const head = encodeFrameStream(good()).subarray(0, -12);
    writeSync(fd, head);
    ftruncateSync(fd, 1024 ** 3);
    closeSync(fd);
    // The hole reads as zeros: an escape, then a control frame length of 0.
    expect((await refusal([f])).message).toBe(`${f}: frame at octet ${head.length}: a control frame of 0 octets (a control frame has 4 to 512)`);
    // A data frame announcing nearly 1 GiB is refused from its length, before it is read.
    const g = path.join(dir, "huge-frame.dnstap");
    const gd = openSync(g, "w");
    writeSync(gd, frameStreamStart());
    writeSync(gd, Uint8Array.of(0x3f, 0xff, 0xff, 0xf0));
    ftruncateSync(gd, 1024 ** 3);
    closeSync(gd);
    expect((await refusal([g])).message).toBe(`${g}: frame at octet ${start}: a data frame of 1073741808 octets, over the limit of 262144`);
  });

  it("a missing file and a directory are input errors naming them", async () => {
    expect((await refusal([path.join(dir, "absent.dnstap")])).code).toBe("INPUT-UNREADABLE");
    expect((await refusal([dir])).message).toBe(`${dir}: not a regular file`);
  });

  it("queries built by encodeQuery are read like a resolver's", () => {
    const q = encodeQuery({ id: 1, question: questionOf(parseName("_ta-0001.", ROOT), 10) });
    expect(querySignals(q).taQuery).toEqual([1]);
  });
});
