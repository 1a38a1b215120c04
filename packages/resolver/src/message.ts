/**
 * DNS messages on the wire (pure): the header, question and EDNS(0) OPT pseudo-RR codec that the
 * core's RR wire form lacks, built on @ksk/core's names, types and RDATA codecs.
 *
 * Implements: the RFC 1035 §4.1 header and question; queries with RD and, when asked, CD
 * (RFC 4035 §3.2.2); an OPT record (RFC 6891 §6.1) carrying the UDP payload size and the DO bit
 * (RFC 3225 §3); reading answers with name compression (RFC 1035 §4.1.4) in owner names and in the
 * RDATA of the types RFC 3597 §4 allows it in (NS, CNAME, SOA, MX, as the core parses them) — the
 * RDATA is expanded and then decoded by the core, so DNSSEC RDATA is refused if compressed
 * (RFC 4034 §3.1.7); the extended RCODE (RFC 6891 §6.1.3). Every fault in an answer is a KskError
 * of kind input naming the octet.
 * Leaves out: writing compressed names (queries need none), EDNS options other than raw
 * code/data pairs, TSIG/SIG(0), UPDATE and other opcodes.
 */
import { concatBytes, inputError, type Name, type RR, RRClass, RRType, decodeRdata, nameFromLabels, nameToWire, u16, u32 } from "@ksk/core";

export const Rcode = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, BADVERS: 16 } as const;

const RCODE_NAMES = new Map<number, string>(Object.entries(Rcode).map(([k, v]) => [v, k]));

export function rcodeToString(rcode: number): string {
  return RCODE_NAMES.get(rcode) ?? `RCODE${rcode}`;
}

export interface Question {
  readonly name: Name;
  readonly type: number;
  readonly class: number;
}

export interface HeaderFlags {
  /** QR: this is a response. */
  readonly response: boolean;
  readonly opcode: number;
  readonly authoritative: boolean;
  /** TC: the answer did not fit (RFC 1035 §4.1.1); ask again over TCP. */
  readonly truncated: boolean;
  readonly recursionDesired: boolean;
  readonly recursionAvailable: boolean;
  /** AD: the resolver validated every RRset of the answer (RFC 4035 §3.2.3). */
  readonly authenticData: boolean;
  readonly checkingDisabled: boolean;
}

export interface Edns {
  /** The sender's UDP payload size: the largest UDP message it can take (RFC 6891 §6.2.3). */
  readonly udpPayloadSize: number;
  readonly version: number;
  /** DO: DNSSEC records wanted (RFC 3225). */
  readonly dnssecOk: boolean;
  readonly options: readonly { readonly code: number; readonly dataBytes: Uint8Array }[];
}

export interface DnsMessage {
  readonly id: number;
  readonly flags: HeaderFlags;
  /** The full RCODE: header RCODE and, with EDNS, the upper 8 bits from the OPT record. */
  readonly rcode: number;
  readonly questions: readonly Question[];
  readonly answers: readonly RR[];
  readonly authorities: readonly RR[];
  /** The additional section without the OPT record. */
  readonly additionals: readonly RR[];
  readonly edns: Edns | undefined;
}

export interface QueryOptions {
  readonly id: number;
  readonly question: Question;
  /** RD (default true: a query to a resolver). */
  readonly recursionDesired?: boolean;
  readonly checkingDisabled?: boolean;
  /** Add an OPT record with this UDP payload size (RFC 6891); omit for a plain RFC 1035 query. */
  readonly edns?: { readonly udpPayloadSize: number; readonly dnssecOk: boolean };
}

/** The wire form of a query: header, one question, and optionally an OPT record. */
export function encodeQuery(q: QueryOptions): Uint8Array {
  if (!Number.isInteger(q.id) || q.id < 0 || q.id > 0xffff) throw inputError("DNS-ID", `message id ${q.id} is not a 16-bit integer`);
  const flags = ((q.recursionDesired ?? true) ? 0x0100 : 0) | (q.checkingDisabled ? 0x0010 : 0);
  const header = concatBytes(u16(q.id), u16(flags), u16(1), u16(0), u16(0), u16(q.edns ? 1 : 0));
  const question = concatBytes(nameToWire(q.question.name), u16(q.question.type), u16(q.question.class));
  if (!q.edns) return concatBytes(header, question);
  const size = q.edns.udpPayloadSize;
  if (!Number.isInteger(size) || size < 512 || size > 0xffff) throw inputError("DNS-EDNS", `EDNS UDP payload size ${size} is not from 512 to 65535`);
  // OPT: owner root, CLASS = payload size, TTL = extended RCODE 0, version 0, DO bit, Z 0; no options.
  const opt = concatBytes(Uint8Array.of(0), u16(RRType.OPT), u16(size), u32(q.edns.dnssecOk ? 0x8000 : 0), u16(0));
  return concatBytes(header, question, opt);
}

/** Reads a message, following compression pointers only backwards (no loops). */
class MessageReader {
  at = 0;
  constructor(readonly data: Uint8Array) {}

  need(n: number, what: string): void {
    if (this.at + n > this.data.length) {
      throw inputError("DNS-TRUNCATED", `${what} at octet ${this.at} runs past the end of the ${this.data.length}-octet message`);
    }
  }
  u16(what: string): number {
    this.need(2, what);
    const v = ((this.data[this.at] as number) << 8) | (this.data[this.at + 1] as number);
    this.at += 2;
    return v;
  }
  u32(what: string): number {
    const hi = this.u16(what);
    return hi * 0x10000 + this.u16(what);
  }

  /** A possibly compressed name at `offset`; returns it and the offset after it in the stream. */
  nameAt(offset: number, what: string): { name: Name; end: number } {
    const labels: Uint8Array[] = [];
    let at = offset;
    let end: number | undefined;
    for (;;) {
      if (at >= this.data.length) throw inputError("DNS-TRUNCATED", `${what}: name at octet ${offset} runs past the end of the message`);
      const length = this.data[at] as number;
      if (length === 0) {
        at += 1;
        break;
      }
      if ((length & 0xc0) === 0xc0) {
        if (at + 1 >= this.data.length) throw inputError("DNS-TRUNCATED", `${what}: compression pointer at octet ${at} is cut short`);
        const target = ((length & 0x3f) << 8) | (this.data[at + 1] as number);
        // A pointer must point to an earlier octet (RFC 1035 §4.1.4 "prior occurrence"): no loops.
        if (target >= at) throw inputError("DNS-NAME", `${what}: compression pointer at octet ${at} points forward to ${target}`);
        end ??= at + 2;
        at = target;
        continue;
      }
      if (length > 63) throw inputError("DNS-NAME", `${what}: label type 0x${length.toString(16)} at octet ${at} is not supported`);
      if (at + 1 + length > this.data.length) throw inputError("DNS-TRUNCATED", `${what}: label at octet ${at} runs past the end of the message`);
      labels.push(this.data.slice(at + 1, at + 1 + length));
      at += 1 + length;
    }
    try {
      return { name: nameFromLabels(labels), end: end ?? at };
    } catch (e) {
      throw inputError("DNS-NAME", `${what}: name at octet ${offset}: ${(e as Error).message}`);
    }
  }

  name(what: string): Name {
    const { name, end } = this.nameAt(this.at, what);
    this.at = end;
    return name;
  }
}

/**
 * The RDATA of types that may carry compressed names (RFC 3597 §4), rewritten uncompressed so the
 * core's decoder reads it: each entry lists the layout as names ("n") and fixed octet counts.
 */
const COMPRESSIBLE: ReadonlyMap<number, readonly ("n" | number)[]> = new Map([
  [RRType.NS, ["n"]],
  [RRType.CNAME, ["n"]],
  [RRType.PTR, ["n"]],
  [RRType.MX, [2, "n"]],
  [RRType.SOA, ["n", "n", 20]],
]);

function expandRdata(r: MessageReader, type: number, start: number, length: number, what: string): Uint8Array {
  const layout = COMPRESSIBLE.get(type);
  if (!layout) return r.data.slice(start, start + length);
  const parts: Uint8Array[] = [];
  let at = start;
  for (const field of layout) {
    if (field === "n") {
      const { name, end } = r.nameAt(at, what);
      parts.push(nameToWire(name));
      at = end;
    } else {
      if (at + field > start + length) throw inputError("DNS-RDATA", `ends inside a ${field}-octet field`);
      parts.push(r.data.slice(at, at + field));
      at += field;
    }
  }
  if (at !== start + length) throw inputError("DNS-RDATA", `RDLENGTH ${length} does not match its fields (${at - start} octets)`);
  return concatBytes(...parts);
}

function readRR(r: MessageReader, what: string): { rr?: RR; opt?: { cls: number; ttl: number; rdata: Uint8Array } } {
  const owner = r.name(what);
  const type = r.u16(`${what} type`);
  const cls = r.u16(`${what} class`);
  const ttl = r.u32(`${what} TTL`);
  const length = r.u16(`${what} RDLENGTH`);
  r.need(length, `${what} RDATA`);
  const start = r.at;
  r.at += length;
  if (type === RRType.OPT) return { opt: { cls, ttl, rdata: r.data.slice(start, start + length) } };
  let rdata: RR["rdata"];
  try {
    rdata = decodeRdata(type, expandRdata(r, type, start, length, "name"));
  } catch (e) {
    throw inputError("DNS-RDATA", `${what}: RDATA at octet ${start}: ${(e as Error).message}`);
  }
  return { rr: { owner, ttlSeconds: ttl, class: cls, rdata } };
}

function decodeEdns(opt: { cls: number; ttl: number; rdata: Uint8Array }): { edns: Edns; extendedRcode: number } {
  const options: { code: number; dataBytes: Uint8Array }[] = [];
  let at = 0;
  while (at < opt.rdata.length) {
    if (at + 4 > opt.rdata.length) throw inputError("DNS-EDNS", `OPT option header at RDATA octet ${at} is cut short`);
    const code = ((opt.rdata[at] as number) << 8) | (opt.rdata[at + 1] as number);
    const length = ((opt.rdata[at + 2] as number) << 8) | (opt.rdata[at + 3] as number);
    if (at + 4 + length > opt.rdata.length) throw inputError("DNS-EDNS", `OPT option ${code} runs past the RDATA`);
    options.push({ code, dataBytes: opt.rdata.slice(at + 4, at + 4 + length) });
    at += 4 + length;
  }
  return {
    edns: { udpPayloadSize: opt.cls, version: (opt.ttl >>> 16) & 0xff, dnssecOk: (opt.ttl & 0x8000) !== 0, options },
    extendedRcode: opt.ttl >>> 24,
  };
}

/** Decode a whole message; trailing octets and a second OPT record are refused (RFC 6891 §6.1.1). */
export function decodeMessage(data: Uint8Array): DnsMessage {
  const r = new MessageReader(data);
  if (data.length < 12) throw inputError("DNS-TRUNCATED", `message of ${data.length} octets is shorter than the 12-octet header`);
  const id = r.u16("id");
  const bits = r.u16("flags");
  const counts = [r.u16("QDCOUNT"), r.u16("ANCOUNT"), r.u16("NSCOUNT"), r.u16("ARCOUNT")] as const;
  const flags: HeaderFlags = {
    response: (bits & 0x8000) !== 0,
    opcode: (bits >>> 11) & 0xf,
    authoritative: (bits & 0x0400) !== 0,
    truncated: (bits & 0x0200) !== 0,
    recursionDesired: (bits & 0x0100) !== 0,
    recursionAvailable: (bits & 0x0080) !== 0,
    authenticData: (bits & 0x0020) !== 0,
    checkingDisabled: (bits & 0x0010) !== 0,
  };
  const questions: Question[] = [];
  for (let i = 0; i < counts[0]; i++) {
    const name = r.name(`question ${i + 1}`);
    questions.push({ name, type: r.u16(`question ${i + 1} type`), class: r.u16(`question ${i + 1} class`) });
  }
  const sections: RR[][] = [[], [], []];
  const sectionNames = ["answer", "authority", "additional"];
  let edns: Edns | undefined;
  let extendedRcode = 0;
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < (counts[s + 1] as number); i++) {
      const what = `${sectionNames[s]} record ${i + 1}`;
      const { rr, opt } = readRR(r, what);
      if (opt) {
        if (s !== 2 || edns) throw inputError("DNS-EDNS", `${what}: an OPT record outside the additional section or a second one`);
        ({ edns, extendedRcode } = decodeEdns(opt));
      } else if (rr) {
        (sections[s] as RR[]).push(rr);
      }
    }
  }
  if (r.at !== data.length) throw inputError("DNS-TRAILING", `${data.length - r.at} octets after the last record`);
  return {
    id,
    flags,
    rcode: (extendedRcode << 4) | (bits & 0xf),
    questions,
    answers: sections[0] as RR[],
    authorities: sections[1] as RR[],
    additionals: sections[2] as RR[],
    edns,
  };
}

export function questionOf(name: Name, type: number): Question {
  return { name, type, class: RRClass.IN };
}
