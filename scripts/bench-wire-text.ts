/**
 * `pnpm bench:wire-text` — zone-file lines printed from wire form (@ksk/core wire-text.ts) against
 * the decode-and-print path (`rrToString(rrFromWire(...))`), on records kept as wire RRs one after
 * another in one buffer, as a zone pipeline without per-record objects keeps them:
 *
 *   root      the real root zone of 2020-09-13 (packages/core/test/fixtures, 17,186 records)
 *   signed    the same with an NSEC and an RRSIG (RSA-2048 sized, 256 octets) for each owner's NSEC
 *             and DS RRsets, as a signed root carries them
 *   flat      --flat A records (default 1,000,000; `h{i}. 3600 IN A 10.x.y.z`)
 *
 * For each: ZoneTextWriter (64 KiB chunks to a callback that only counts them), wireRecordText
 * (one string per record), and rrToString(rrFromWire(...)); lines per second, best of --runs
 * (default 3), each of enough passes for a million lines. Every line of the three is compared
 * once beforehand (the output must be identical). A benchmark, not a test: it prints, with
 * /proc/loadavg before and after, and exits 0.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import {
  type RR,
  RRType,
  ZoneTextWriter,
  groupRRsets,
  makeRR,
  nameFromWire,
  parseName,
  parseZone,
  rrFromWire,
  rrToString,
  rrToWire,
  wireRecordText,
} from "@ksk/core";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Records as wire RRs in one buffer, with where each one's owner, RDATA and fields are. */
interface WireRecords {
  readonly data: Uint8Array;
  readonly offsets: Int32Array;
  readonly count: number;
}

function packRecords(rrs: Iterable<RR>, count: number): WireRecords {
  const parts: Uint8Array[] = [];
  const offsets = new Int32Array(count + 1);
  let at = 0;
  let i = 0;
  for (const rr of rrs) {
    const wire = rrToWire(rr);
    parts.push(wire);
    offsets[i++] = at;
    at += wire.length;
  }
  offsets[i] = at;
  return { data: Buffer.concat(parts), offsets, count: i };
}

/** Call `each(owner, type, ttl, rdata)` for every record, slicing views out of the one buffer. */
function forEachRecord(records: WireRecords, each: (owner: Uint8Array, type: number, ttl: number, rdata: Uint8Array) => void): void {
  const { data, offsets, count } = records;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < count; i++) {
    const start = offsets[i] as number;
    let at = start;
    while (data[at] !== 0) at += (data[at] as number) + 1;
    at += 1;
    const end = offsets[i + 1] as number;
    each(data.subarray(start, at), view.getUint16(at), view.getUint32(at + 4), data.subarray(at + 10, end));
  }
}

function signedRoot(rrs: readonly RR[]): RR[] {
  const out: RR[] = [...rrs];
  const owners = [...new Map(rrs.map((rr) => [rrToString(makeRR(rr.owner, 0, { kind: "NS", target: rr.owner })), rr.owner])).values()];
  const signatureBytes = Uint8Array.from({ length: 256 }, (_, i) => (i * 73 + 11) & 0xff);
  const rrsig = (owner: RR["owner"], typeCovered: number, ttl: number): RR =>
    makeRR(owner, ttl, {
      kind: "RRSIG",
      typeCovered,
      algorithm: 8,
      labels: owner.labels.length,
      originalTtlSeconds: ttl,
      expirationEpochSeconds: 1601600400,
      inceptionEpochSeconds: 1600477200,
      keyTag: 46594,
      signerName: parseName("."),
      signatureBytes,
    });
  for (const [i, owner] of owners.entries()) {
    const next = owners[(i + 1) % owners.length] as RR["owner"];
    out.push(makeRR(owner, 86400, { kind: "NSEC", nextName: next, types: [RRType.NS, RRType.DS, RRType.RRSIG, RRType.NSEC] }));
    out.push(rrsig(owner, RRType.NSEC, 86400));
  }
  for (const set of groupRRsets(rrs)) if (set.type === RRType.DS) out.push(rrsig(set.owner, RRType.DS, 86400));
  return out;
}

function flatA(count: number): Generator<RR> {
  return (function* () {
    for (let i = 0; i < count; i++) {
      yield makeRR(parseName(`h${i}.`), 3600, { kind: "A", addressBytes: Uint8Array.of(10, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff) });
    }
  })();
}

/**
 * Seconds per pass over the records: the best of `runs` timings, each of enough passes to make at
 * least a million lines (the root alone is over in milliseconds, inside the JIT's warm-up), after
 * one untimed pass.
 */
function best(runs: number, count: number, work: () => void): number {
  const passes = Math.max(1, Math.ceil(1_000_000 / count));
  work();
  let fastest = Number.POSITIVE_INFINITY;
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    for (let p = 0; p < passes; p++) work();
    fastest = Math.min(fastest, (performance.now() - start) / passes);
  }
  return fastest / 1000;
}

function checkIdentical(records: WireRecords): void {
  let written = "";
  const writer = new ZoneTextWriter((chunk) => {
    written += Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("latin1");
  });
  let expected = "";
  let i = 0;
  forEachRecord(records, (owner, type, ttl, rdata) => {
    const reference = rrToString(rrFromWire(records.data, records.offsets[i++] as number).rr);
    if (wireRecordText(owner, type, ttl, rdata) !== reference) throw new Error(`record ${i}: wireRecordText differs from rrToString`);
    writer.write(owner, type, ttl, rdata);
    expected += `${reference}\n`;
    if (expected.length > 1 << 24) {
      writer.flush();
      if (written !== expected) throw new Error(`ZoneTextWriter differs from rrToString before record ${i}`);
      written = "";
      expected = "";
    }
  });
  writer.flush();
  if (written !== expected) throw new Error("ZoneTextWriter differs from rrToString");
}

function bench(label: string, records: WireRecords, runs: number): void {
  checkIdentical(records);
  let octets = 0;
  let passes = 0;
  const writer = best(runs, records.count, () => {
    const w = new ZoneTextWriter((chunk) => {
      octets += chunk.length;
    });
    forEachRecord(records, (owner, type, ttl, rdata) => w.write(owner, type, ttl, rdata));
    w.flush();
    passes++;
  });
  let characters = 0;
  const text = best(runs, records.count, () => {
    forEachRecord(records, (owner, type, ttl, rdata) => {
      characters += wireRecordText(owner, type, ttl, rdata).length;
    });
  });
  const decoded = best(runs, records.count, () => {
    for (let i = 0; i < records.count; i++) characters += rrToString(rrFromWire(records.data, records.offsets[i] as number).rr).length;
  });
  // The owner read back through nameFromWire once more, so no engine can drop the loops above as unused.
  if (octets === 0 || characters === 0 || nameFromWire(records.data, 0).end === 0) throw new Error("nothing written");
  const rate = (s: number) => `${Math.round(records.count / s).toLocaleString("en")} lines/s (${s.toFixed(3)} s)`;
  console.log(`${label}: ${records.count.toLocaleString("en")} records, ${(octets / passes / 2 ** 20).toFixed(1)} MiB of text`);
  console.log(`  ZoneTextWriter            ${rate(writer)}`);
  console.log(`  wireRecordText            ${rate(text)}`);
  console.log(`  rrToString(rrFromWire())  ${rate(decoded)}   writer ${(decoded / writer).toFixed(1)}x faster`);
}

const runs = option("runs", 3);
const flat = option("flat", 1_000_000);
console.log(`loadavg before: ${readFileSync("/proc/loadavg", "utf8").trim()}`);
const rootRRs = parseZone(readFileSync(path.join(root, "packages/core/test/fixtures/root-2020-09-13.zone"), "utf8"), { fileName: "root-2020-09-13.zone" });
bench("root", packRecords(rootRRs, rootRRs.length), runs);
const signed = signedRoot(rootRRs);
bench("signed", packRecords(signed, signed.length), runs);
bench("flat", packRecords(flatA(flat), flat), runs);
console.log(`loadavg after: ${readFileSync("/proc/loadavg", "utf8").trim()}`);
