/**
 * `pnpm bench:telemetry` — peak memory and time of `ksk telemetry` on large dnstap files: the
 * reader streams (one 64 KiB chunk and one frame at a time, counts per resolver and tag), so its
 * peak RSS should stay flat as the file grows. A file of 10 MB and one of 100 MB (default; --mb N
 * for the large one) are generated in the dnstap format knotd's mod-dnstap writes (Frame Streams,
 * protobuf:dnstap.Dnstap AUTH_QUERY events, @ksk/resolver's encoder), written in chunks: queries
 * from 2,000 resolvers on 10.0.0.0/8-style addresses, one in five an RFC 8145 `_ta-` query, one in
 * ten with an edns-key-tag option. Then the built `ksk telemetry FILE --json` runs on each under
 * /usr/bin/time (peak RSS, %M) next to `node -e 0` (the floor), three rounds each, medians printed.
 * A benchmark, not a test: it reports and exits 0; the files are removed afterwards.
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseName, ROOT, RRType } from "@ksk/core";
import { dataFrame, encodeQuery, frameStreamStart, frameStreamStop, loadDnstapCodec, questionOf } from "@ksk/resolver";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const ksk = path.join(root, "packages/cli/bin/ksk");

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** A query with an edns-key-tag option (RFC 8145 §4): encodeQuery's OPT record with the option appended. */
function withKeyTagOption(query: Uint8Array, tags: number[]): Uint8Array {
  const option = [0, 14, 0, tags.length * 2, ...tags.flatMap((t) => [t >> 8, t & 0xff])];
  const out = new Uint8Array(query.length + option.length);
  out.set(query);
  out.set(option, query.length);
  // The OPT record is last: its RDLENGTH is the final two octets of the query.
  out[query.length - 1] = option.length;
  return out;
}

/** Write a dnstap file of about `megabytes` MB; returns its events. */
function generate(file: string, megabytes: number): number {
  const fd = openSync(file, "w");
  const target = megabytes * 1e6;
  let written = 0;
  let events = 0;
  const write = (b: Uint8Array) => {
    writeSync(fd, b);
    written += b.length;
  };
  write(frameStreamStart());
  const queries = [
    encodeQuery({ id: 1, question: questionOf(ROOT, RRType.DNSKEY), edns: { udpPayloadSize: 1232, dnssecOk: true } }),
    encodeQuery({ id: 2, question: questionOf(parseName("example.", ROOT), RRType.NS), edns: { udpPayloadSize: 1232, dnssecOk: true } }),
    encodeQuery({ id: 3, question: questionOf(parseName("_ta-4f66-9728.", ROOT), RRType.NULL), edns: { udpPayloadSize: 1232, dnssecOk: true } }),
    withKeyTagOption(encodeQuery({ id: 4, question: questionOf(ROOT, RRType.SOA), edns: { udpPayloadSize: 1232, dnssecOk: true } }), [0x4f66]),
  ];
  let batch: Uint8Array[] = [];
  let batchBytes = 0;
  const at = 1_800_000_000;
  while (written + batchBytes < target) {
    const n = events++;
    const q = n % 5 === 0 ? queries[2] : n % 10 === 1 ? queries[3] : queries[n % 2];
    const resolver = n % 2000;
    const frame = dataFrame(
      encodeDnstap({
        family: "INET",
        protocol: "UDP",
        queryAddressBytes: Uint8Array.of(10, (resolver >> 8) & 0xff, resolver & 0xff, 1),
        queryPort: 1024 + (n % 60000),
        queryTimeEpochSeconds: at + n / 1000,
        queryMessageBytes: q as Uint8Array,
      }),
    );
    batch.push(frame);
    batchBytes += frame.length;
    if (batchBytes > 1 << 20) {
      for (const b of batch) write(b);
      batch = [];
      batchBytes = 0;
    }
  }
  for (const b of batch) write(b);
  write(frameStreamStop());
  closeSync(fd);
  return events;
}

/** Peak RSS (KiB) and wall time (s) of one command under /usr/bin/time. */
function measure(command: string, args: string[], stats: string): { rssKib: number; seconds: number } {
  const start = performance.now();
  const r = spawnSync("/usr/bin/time", ["-o", stats, "-f", "%M", command, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")}: exit ${r.status}: ${r.stderr}`);
  return { rssKib: Number(readFileSync(stats, "utf8").trim().split("\n").at(-1)), seconds };
}

const { encode: encodeDnstap } = await loadDnstapCodec();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const dir = mkdtempSync(path.join(tmpdir(), "ksk-bench-telemetry-"));
try {
  const rounds = option("rounds", 3);
  const sizes = [10, option("mb", 100)];
  const stats = path.join(dir, "time.txt");
  const rows: string[] = [];
  const floor = Array.from({ length: rounds }, () => measure(process.execPath, ["-e", "0"], stats));
  rows.push(
    `node -e 0                         peak RSS ${(median(floor.map((m) => m.rssKib)) / 1024).toFixed(1)} MiB, ${median(floor.map((m) => m.seconds)).toFixed(2)} s`,
  );
  for (const mb of sizes) {
    const file = path.join(dir, `queries-${mb}mb.dnstap`);
    const events = generate(file, mb);
    const size = statSync(file).size;
    const runs = Array.from({ length: rounds }, () => measure(ksk, ["telemetry", file, "--json"], stats));
    const seconds = median(runs.map((m) => m.seconds));
    rows.push(
      `ksk telemetry ${(size / 1e6).toFixed(0).padStart(4)} MB (${events} events)  peak RSS ${(median(runs.map((m) => m.rssKib)) / 1024).toFixed(1)} MiB, ${seconds.toFixed(2)} s (${(size / 1e6 / seconds).toFixed(1)} MB/s)`,
    );
    rmSync(file);
  }
  console.log(`bench:telemetry — ${new Date().toISOString()}, ${rounds} rounds each, median`);
  for (const r of rows) console.log(r);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
