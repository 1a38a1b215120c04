/**
 * Knot DNS's offline-KSK text formats (keymgr `generate-ksr`, `sign-ksr`, `validate-skr`,
 * `import-skr`; Knot 3.2), read and written. Both files are zone text in periods:
 *
 *     ;; KeySigningRequest 1.0 1796545210 (2026-12-06T08:20:10Z) =========
 *     example.   3600 DNSKEY 256 3 13 ( … ) ; ZSK, …
 *     ;; KeySigningRequest 1.0 1799137206 (2027-01-05T08:20:06Z) =========
 *     …
 *     ;; KeySigningRequest 1.0 generated at 2026-12-06T08:20:10Z by Knot DNS 3.2.6
 *
 * A period's records hold from its Unix time until the next period's (the last period is open);
 * a KSR's periods carry the ZSKs (DNSKEY, flags 256) the ZSK side will publish, an SKR's
 * (`SignedKeyResponse`) the whole DNSKEY RRset, Knot's optional CDNSKEY/CDS, and their RRSIGs.
 * The closing `generated at` line is how a complete file ends: without it the file is truncated.
 *
 * Read strictly, every fault bad input naming `file:line`: a header that is cut short or whose
 * ISO time is not its Unix time, periods that overlap (a start not after the previous one) or leave
 * a gap (a period with no key, during which the zone would have no DNSKEY to publish), a record
 * whose owner is not the file's one zone, a record type the file cannot carry, a KSR key that is
 * not a ZSK, a period of the other file kind, text after the closing line.
 * Written in Knot's own layout (keymgr reads any zone text; the layout keeps diffs against Knot's
 * files readable). Left out: the meaning of the periods (./knot-convert.ts) and any check of the
 * signatures (@ksk/signer).
 */
import {
  type DnskeyRdata,
  KskError,
  type Name,
  type RR,
  RRType,
  type RrsigRdata,
  ZoneReader,
  formatIsoZ,
  inputError,
  keyTag,
  nameToString,
  namesEqual,
  rrToString,
  rrType,
  typeToString,
} from "@ksk/core";
import { ZSK_FLAGS } from "./model.js";

export type KnotFileKind = "ksr" | "skr";

/** The words Knot writes in each header line. */
const HEADER_WORD: Readonly<Record<KnotFileKind, string>> = { ksr: "KeySigningRequest", skr: "SignedKeyResponse" };
const VERSION = "1.0";

export interface KnotPeriod {
  /** The period's Unix time: its records hold from here until the next period's. */
  readonly startEpochSeconds: number;
  /** 1-based line of the period's header as read (for a document made from the model: its index + 1). */
  readonly line: number;
  readonly dnskeys: readonly RR<DnskeyRdata>[];
  /** SKR only: RRSIGs over the period's DNSKEY (and CDNSKEY/CDS) RRsets. */
  readonly rrsigs: readonly RR<RrsigRdata>[];
  /** SKR only: Knot's CDNSKEY and CDS records, kept as read. */
  readonly others: readonly RR[];
}

export interface KnotDocument {
  readonly kind: KnotFileKind;
  /** The one zone every record is at. */
  readonly zone: Name;
  readonly periods: readonly KnotPeriod[];
  /** The closing line's `by …` (e.g. `Knot DNS 3.2.6`), as read; what the writer puts there. */
  readonly generator: string;
  /** The closing line's time, as read. */
  readonly generatedEpochSeconds: number;
}

const HEADER = /^;; (KeySigningRequest|SignedKeyResponse) (\S+) (\d{1,12}) \((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\) =+\s*$/;
const FOOTER = /^;; (KeySigningRequest|SignedKeyResponse) (\S+) generated at (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) by (.+?)\s*$/;
const HEADER_START = /^;; (KeySigningRequest|SignedKeyResponse)\b/;

/** The file looks like one of Knot's KSR/SKR texts (its first non-blank line is a Knot header). */
export function knotFileKind(bytes: Uint8Array): KnotFileKind | undefined {
  const head = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(0, 256)).replace(/^\uFEFF/, "");
  const first = head.split("\n").find((l) => l.trim() !== "");
  const m = first === undefined ? null : HEADER_START.exec(first);
  if (!m) return undefined;
  return m[1] === HEADER_WORD.ksr ? "ksr" : "skr";
}

export interface KnotReadOptions {
  readonly fileName?: string;
  /** The kind the caller expects; a file of the other kind is bad input. */
  readonly kind?: KnotFileKind;
}

interface OpenPeriod {
  startEpochSeconds: number;
  line: number;
  dnskeys: RR<DnskeyRdata>[];
  rrsigs: RR<RrsigRdata>[];
  others: RR[];
}

const ALLOWED: Readonly<Record<KnotFileKind, readonly number[]>> = {
  ksr: [RRType.DNSKEY],
  skr: [RRType.DNSKEY, RRType.RRSIG, RRType.CDNSKEY, RRType.CDS],
};

/** Read a Knot KSR or SKR. Every fault is a KskError of kind "input" at `file:line`. */
export function parseKnotText(bytes: Uint8Array, options: KnotReadOptions = {}): KnotDocument {
  const fileName = options.fileName ?? "knot.txt";
  const at = (line: number) => `${fileName}:${line}`;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw inputError("KNOT-ENCODING", "not UTF-8 text", fileName);
  }
  const lines = text.replace(/^\uFEFF/, "").split("\n");
  const kind = options.kind ?? knotFileKind(bytes);
  if (kind === undefined) throw inputError("KNOT-HEADER", `not a Knot KSR or SKR: the first line is not ";; KeySigningRequest 1.0 …"`, at(1));
  const reader = new ZoneReader({ fileName });
  const periods: OpenPeriod[] = [];
  let zone: Name | undefined;
  let footer: { generator: string; generatedEpochSeconds: number } | undefined;
  let entryLine = 0;
  let open = false;

  for (const [i, raw] of lines.entries()) {
    const n = i + 1;
    const line = raw.replace(/\r$/, "");
    if (footer !== undefined) {
      if (line.trim() !== "") throw inputError("KNOT-TRAILING", "text after the closing line", at(n));
      continue;
    }
    if (HEADER_START.test(line)) {
      if (open) throw inputError("KNOT-TRUNCATED", "a record is cut short before this header (unclosed parenthesis)", at(entryLine));
      const period = readHeader(line, kind, at(n));
      if ("generator" in period) {
        footer = period;
        continue;
      }
      const previous = periods[periods.length - 1];
      if (previous) closePeriod(previous, kind, at);
      if (previous && period.startEpochSeconds <= previous.startEpochSeconds) {
        throw inputError(
          "KNOT-PERIOD-ORDER",
          `period ${formatIsoZ(period.startEpochSeconds)} does not start after the previous one (${formatIsoZ(previous.startEpochSeconds)}, line ${previous.line}): periods overlap`,
          at(n),
        );
      }
      periods.push({ ...period, line: n, dnskeys: [], rrsigs: [], others: [] });
      continue;
    }
    const current = periods[periods.length - 1];
    const content = line.replace(/;.*$/, "").trim();
    if (content !== "" && !open) entryLine = n;
    if (content !== "" && !current) throw inputError("KNOT-HEADER", "a record before the first period header", at(n));
    let records: RR[];
    try {
      records = reader.line(line);
    } catch (e) {
      if (e instanceof KskError && e.kind === "input") throw inputError(e.code, e.detail, at(n));
      throw e;
    }
    // The zone reader returns a record when its entry is complete; until then the entry is open.
    if (records.length > 0) open = false;
    else if (content !== "") open = true;
    for (const rr of records) {
      zone = addRecord(current as OpenPeriod, rr, kind, zone, at(entryLine));
    }
  }
  if (open) throw inputError("KNOT-TRUNCATED", "the last record is cut short (unclosed parenthesis)", at(entryLine));
  if (periods.length === 0) throw inputError("KNOT-HEADER", "no period header", at(1));
  const last = periods[periods.length - 1] as OpenPeriod;
  closePeriod(last, kind, at);
  if (footer === undefined) {
    throw inputError("KNOT-TRUNCATED", `no closing ";; ${HEADER_WORD[kind]} ${VERSION} generated at …" line: the file is truncated`, at(lines.length));
  }
  return { kind, zone: zone as Name, periods, ...footer };
}

function readHeader(line: string, kind: KnotFileKind, where: string): { startEpochSeconds: number } | { generator: string; generatedEpochSeconds: number } {
  const footer = FOOTER.exec(line);
  const header = footer ? undefined : HEADER.exec(line);
  const m = footer ?? header;
  if (!m) throw inputError("KNOT-HEADER", `a header cut short or malformed: "${line.slice(0, 80)}"`, where);
  if (m[1] !== HEADER_WORD[kind]) throw inputError("KNOT-KIND", `a ${m[1]} line in a ${HEADER_WORD[kind]} file`, where);
  if (m[2] !== VERSION) throw inputError("KNOT-VERSION", `format version ${m[2]}; only ${VERSION} is known`, where);
  if (footer) return { generator: footer[4] as string, generatedEpochSeconds: Date.parse(footer[3] as string) / 1000 };
  const start = Number(m[3]);
  if (formatIsoZ(start) !== m[4]) throw inputError("KNOT-HEADER", `the header's time ${m[3]} is ${formatIsoZ(start)}, not ${m[4]}`, where);
  return { startEpochSeconds: start };
}

function addRecord(period: OpenPeriod, rr: RR, kind: KnotFileKind, zone: Name | undefined, where: string): Name {
  const type = rrType(rr);
  if (!ALLOWED[kind].includes(type)) {
    throw inputError(
      "KNOT-RECORD",
      `a ${typeToString(type)} record; a Knot ${kind.toUpperCase()} holds only ${ALLOWED[kind].map(typeToString).join(", ")}`,
      where,
    );
  }
  if (zone !== undefined && !namesEqual(zone, rr.owner)) {
    throw inputError("KNOT-ZONE", `a record at ${nameToString(rr.owner)} in a file for ${nameToString(zone)}: one file, one zone`, where);
  }
  if (rr.rdata.kind === "DNSKEY") {
    if (kind === "ksr" && rr.rdata.flags !== ZSK_FLAGS) {
      throw inputError("KNOT-NOT-ZSK", `DNSKEY ${keyTag(rr.rdata)} has flags ${rr.rdata.flags}, not a ZSK's ${ZSK_FLAGS} (no SEP, no REVOKE)`, where);
    }
    period.dnskeys.push(rr as RR<DnskeyRdata>);
  } else if (rr.rdata.kind === "RRSIG") {
    period.rrsigs.push(rr as RR<RrsigRdata>);
  } else {
    period.others.push(rr);
  }
  return zone ?? rr.owner;
}

function closePeriod(period: OpenPeriod, kind: KnotFileKind, at: (line: number) => string): void {
  if (period.dnskeys.length === 0) {
    throw inputError(
      "KNOT-PERIOD-GAP",
      `period ${formatIsoZ(period.startEpochSeconds)} has no DNSKEY: a gap in which the zone has no ${kind === "ksr" ? "ZSK" : "key"}`,
      at(period.line),
    );
  }
}

/** The periods as witnesses compare them with keymgr's file: line, start, key tags (and signers). */
export function knotPeriodTable(document: KnotDocument): string[] {
  const lines = ["  #  line  from                  keys (tag, K = KSK)    signed by"];
  for (const [i, p] of document.periods.entries()) {
    const keys = p.dnskeys.map((rr) => `${keyTag(rr.rdata)}${rr.rdata.flags & 1 ? "K" : ""}`).join(" ");
    const signers = p.rrsigs.map((rr) => String(rr.rdata.keyTag)).join(" ");
    lines.push(`${String(i + 1).padStart(3)}  ${String(p.line).padStart(4)}  ${formatIsoZ(p.startEpochSeconds)}  ${keys.padEnd(22)} ${signers}`.trimEnd());
  }
  return lines;
}

/** Write a Knot KSR or SKR in Knot's layout: header, records, closing line. */
export function writeKnotText(document: KnotDocument): Uint8Array {
  const word = HEADER_WORD[document.kind];
  const out: string[] = [];
  for (const p of document.periods) {
    out.push(`;; ${word} ${VERSION} ${p.startEpochSeconds} (${formatIsoZ(p.startEpochSeconds)}) =========`);
    for (const rr of [...p.dnskeys, ...p.others, ...p.rrsigs]) out.push(recordLine(rr));
  }
  out.push(`;; ${word} ${VERSION} generated at ${formatIsoZ(document.generatedEpochSeconds)} by ${document.generator}`);
  return new TextEncoder().encode(`${out.join("\n")}\n`);
}

/** One record a line, with Knot's comment naming a DNSKEY's role and key tag. */
function recordLine(rr: RR): string {
  if (rr.rdata.kind !== "DNSKEY") return rrToString(rr);
  const role = rr.rdata.flags & 1 ? "KSK" : "ZSK";
  return `${rrToString(rr)} ; ${role}, id = ${keyTag(rr.rdata)}`;
}
