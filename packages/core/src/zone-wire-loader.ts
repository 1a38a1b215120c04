/**
 * `loadZoneWire`: the records of a zone file (and of the files it includes) in canonical wire
 * form (RFC 4034 §6.2), handed one by one to a sink, with no objects per record — the input of a
 * compact zone pipeline that stores, sorts, digests and signs records as octets.
 *
 * The same loader as `loadZone` (./zone-loader.ts): the same include and limits driver
 * (./zone-load-driver.ts), the same `$ORIGIN`/`$TTL`/`$INCLUDE` rules, bounds, errors and
 * `file:line`s, and for every record the octets `nameToWire(owner, true)` and
 * `encodeRdata(rdata, true)` of the record `loadZone` gives. A plain line of a common type is read
 * by the fast path (./zone-wire-fast.ts) straight into octets; every other line — and every line
 * the fast path is not sure of — by ./zonefile.ts's reader, whose records are encoded by
 * ./rdata.ts. The fast path makes no errors: the reader makes them all, so they are `loadZone`'s.
 * One more refusal than `loadZone` has at load time: RDATA over 65535 octets (RFC 1035 §3.2.1;
 * a TXT of many strings) cannot be given in wire form, and is refused at its `file:line` here
 * (`loadZone`'s records fail on it later, when they are encoded).
 *
 * Left out: sorting, duplicates and everything else a zone is checked for (@ksk/zone).
 */
import { bytesEqual } from "./bytes.js";
import { checkAt } from "./errors.js";
import { nameToWire } from "./name.js";
import { encodeRdata } from "./rdata.js";
import { type RR, rrType } from "./rr.js";
import { FAST_RECORD, FastLineReader, FastScratch, NOT_FAST } from "./zone-wire-fast.js";
import { type FileLineReader, type LoadZoneOptions, type ZoneSource, driveZoneLoad } from "./zone-load-driver.js";
import { ZoneReader, type ZoneReaderOptions } from "./zonefile.js";

/**
 * One record in wire form. The sink is handed ONE object, reused for every record, whose arrays
 * may be views into scratch octets that the next record overwrites: they are valid only during
 * the call, and a sink copies what it keeps (and writes into none of them).
 */
export interface WireRecord {
  /** Owner, uncompressed wire form, lowercased (RFC 4034 §6.2) — equal to nameToWire(owner, true). */
  ownerWire: Uint8Array;
  type: number;
  ttlSeconds: number;
  /** Canonical RDATA (RFC 4034 §6.2) — equal to encodeRdata(rdata, true). */
  rdataWire: Uint8Array;
  /**
   * The owner and RDATA as written (nameToWire(owner, false), encodeRdata(rdata, false)) when
   * either differs from the canonical form (upper case in a name); else undefined.
   */
  original: { ownerWire: Uint8Array; rdataWire: Uint8Array } | undefined;
  /** The shown file name and the line where the record's entry began (its `file:line`). */
  file: string;
  line: number;
}

/**
 * Every record of `source` (and of the files it includes) in `loadZone`'s order, handed to `sink`
 * in canonical wire form (class IN: other classes are refused as `loadZone` refuses them). See
 * `WireRecord` for what the sink may keep.
 */
export async function loadZoneWire(source: ZoneSource, options: LoadZoneOptions, sink: (record: WireRecord) => void): Promise<void> {
  const scratch = new FastScratch();
  const record: WireRecord = { ownerWire: new Uint8Array(1), type: 0, ttlSeconds: 0, rdataWire: new Uint8Array(0), original: undefined, file: "", line: 0 };
  const original = { ownerWire: record.ownerWire, rdataWire: record.rdataWire };
  await driveZoneLoad(source, options, (fileOptions, count) => new WireFileReader(fileOptions, count, sink, record, original, scratch));
}

/** One file: each line to the fast path, else (and within a parenthesised entry) to the reader. */
class WireFileReader implements FileLineReader {
  private readonly slow: ZoneReader;
  private readonly fast: FastLineReader;
  private readonly file: string;
  private lineNumber = 0;
  /**
   * Which of the two holds the file's current state (lines read, origin, `$TTL`, previous TTL and
   * owner): the other takes it over before it reads a line (`adopt`, `resumeAfter`).
   */
  private holder: "fast" | "slow" = "slow";

  constructor(
    options: ZoneReaderOptions,
    private readonly count: (entryLine: number) => void,
    private readonly sink: (record: WireRecord) => void,
    private readonly record: WireRecord,
    private readonly original: { ownerWire: Uint8Array; rdataWire: Uint8Array },
    scratch: FastScratch,
  ) {
    this.slow = new ZoneReader(options);
    this.fast = new FastLineReader(scratch);
    this.file = options.fileName ?? "zone";
  }

  line(text: string, start: number, end: number): void {
    const lineNumber = ++this.lineNumber;
    // Within a parenthesised entry every line goes to the reader. (An error ends the load, so the
    // reader is never asked again after one.)
    if (!this.slow.midEntry) {
      // While the reader holds the state the fast path adopts it before each line; the state
      // passes to the fast path only when it reads the line (else it stays with the reader).
      if (this.holder === "slow") this.fast.adopt(this.slow.position);
      const read = this.fast.read(text, start, end);
      if (read !== NOT_FAST) {
        this.holder = "fast";
        if (read === FAST_RECORD) this.emitFast(lineNumber);
        return;
      }
    }
    if (this.holder === "fast") {
      const { lastTtlSeconds, lastOwner } = this.fast.handOver();
      this.slow.resumeAfter(lineNumber - 1, lastTtlSeconds, lastOwner);
      this.holder = "slow";
    }
    const rrs = this.slow.line(text.slice(start, end));
    for (const rr of rrs) this.emitSlow(rr);
  }

  end(): void {
    this.slow.end();
  }

  private emitFast(lineNumber: number): void {
    this.count(lineNumber);
    const fast = this.fast;
    const record = this.record;
    record.ownerWire = fast.ownerWire(true);
    record.type = fast.type;
    record.ttlSeconds = fast.ttlSeconds;
    record.rdataWire = fast.rdataWire(true);
    if (fast.upper) {
      this.original.ownerWire = fast.ownerWire(false);
      this.original.rdataWire = fast.rdataWire(false);
      record.original = this.original;
    } else {
      record.original = undefined;
    }
    record.file = this.file;
    record.line = lineNumber;
    this.sink(record);
  }

  private emitSlow(rr: RR): void {
    const line = this.slow.entryLine;
    this.count(line);
    const record = this.record;
    // RDATA over 65535 octets (a TXT of many strings) is refused here, where the record is.
    const [rdataWire, rdataAsWritten] = checkAt(`${this.file}:${line}`, () => [encodeRdata(rr.rdata, true), encodeRdata(rr.rdata, false)]);
    record.ownerWire = nameToWire(rr.owner, true);
    record.type = rrType(rr);
    record.ttlSeconds = rr.ttlSeconds;
    record.rdataWire = rdataWire as Uint8Array;
    const ownerAsWritten = nameToWire(rr.owner, false);
    if (bytesEqual(ownerAsWritten, record.ownerWire) && bytesEqual(rdataAsWritten as Uint8Array, record.rdataWire)) {
      record.original = undefined;
    } else {
      this.original.ownerWire = ownerAsWritten;
      this.original.rdataWire = rdataAsWritten as Uint8Array;
      record.original = this.original;
    }
    record.file = this.file;
    record.line = line;
    this.sink(record);
  }
}
