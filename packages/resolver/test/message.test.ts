/**
 * The message codec against dns-packet 5.6.1 (an independent encoder/decoder): our queries decode
 * there with the same id, question, RD/CD and OPT (payload size, DO); its answers decode here,
 * including names compressed by hand (RFC 1035 §4.1.4) in owners and in NS/SOA/MX RDATA. Bad
 * input: pointer loops and forward pointers, cut-short messages, trailing octets, an OPT record in
 * the answer section or twice, a compressed RRSIG signer name (RFC 4034 §3.1.7).
 */
import { bytesToHex, nameToString, parseName, ROOT, RRType, rrToString } from "@ksk/core";
import dnsPacket from "dns-packet";
import { describe, expect, it } from "vitest";
import { decodeMessage, encodeQuery, questionOf, rcodeToString } from "../src/index.js";

const hex = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ""), "hex"));

describe("encodeQuery", () => {
  it("is read by dns-packet as the same query, with an OPT record carrying the size and DO", () => {
    const bytes = encodeQuery({
      id: 0xbeef,
      question: questionOf(parseName("root-key-sentinel-is-ta-20326."), RRType.A),
      checkingDisabled: true,
      edns: { udpPayloadSize: 1232, dnssecOk: true },
    });
    const p = dnsPacket.decode(Buffer.from(bytes));
    expect(p.id).toBe(0xbeef);
    expect(p.type).toBe("query");
    expect(p.flag_rd).toBe(true);
    expect(p.flag_cd).toBe(true);
    expect(p.questions).toEqual([{ name: "root-key-sentinel-is-ta-20326", type: "A", class: "IN" }]);
    const opt = p.additionals?.[0] as dnsPacket.OptAnswer;
    expect(opt.type).toBe("OPT");
    expect(opt.udpPayloadSize).toBe(1232);
    expect(opt.flags & dnsPacket.DNSSEC_OK).toBe(dnsPacket.DNSSEC_OK);
  });

  it("without EDNS is a plain RFC 1035 query; bad ids and sizes are refused", () => {
    const bytes = encodeQuery({ id: 1, question: questionOf(ROOT, RRType.SOA), recursionDesired: false });
    expect(bytesToHex(bytes)).toBe("000100000001000000000000" + "00" + "0006" + "0001");
    expect(() => encodeQuery({ id: 65536, question: questionOf(ROOT, RRType.SOA) })).toThrow(/not a 16-bit integer/);
    expect(() => encodeQuery({ id: 1, question: questionOf(ROOT, RRType.SOA), edns: { udpPayloadSize: 511, dnssecOk: false } })).toThrow(/not from 512/);
  });
});

describe("decodeMessage", () => {
  it("reads what dns-packet writes: flags, RCODE, records through the core's RDATA codecs, EDNS", () => {
    const bytes = dnsPacket.encode({
      id: 7,
      type: "response",
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | dnsPacket.AUTHENTIC_DATA | 3,
      questions: [{ type: "A", name: "nonexistent-tld", class: "IN" }],
      authorities: [
        {
          type: "SOA",
          name: ".",
          ttl: 86400,
          data: { mname: "a.root-servers.lab", rname: "nstld.lab", serial: 2026112901, refresh: 1800, retry: 900, expire: 604800, minimum: 86400 },
        },
      ],
      additionals: [{ type: "OPT", name: ".", udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: dnsPacket.DNSSEC_OK, flag_do: true, options: [] }],
    });
    const m = decodeMessage(bytes);
    expect(m.id).toBe(7);
    expect(m.flags).toMatchObject({ response: true, authenticData: true, recursionAvailable: true, truncated: false });
    expect(rcodeToString(m.rcode)).toBe("NXDOMAIN");
    expect(m.questions.map((q) => `${nameToString(q.name)} ${q.type}`)).toEqual(["nonexistent-tld. 1"]);
    expect(m.authorities.map(rrToString)).toEqual([".\t86400\tIN\tSOA\ta.root-servers.lab. nstld.lab. 2026112901 1800 900 604800 86400"]);
    expect(m.additionals).toEqual([]);
    expect(m.edns).toEqual({ udpPayloadSize: 1232, version: 0, dnssecOk: true, options: [] });
  });

  it("follows compression pointers in owner names and in NS, SOA and MX RDATA", () => {
    // Header (id 1, QR RD RA, 1 question, 3 answers); question "lab. NS" at 12; then:
    // lab. NS a.lab.   owner ptr 12, RDATA "a" + ptr 12
    // lab. MX 10 mx.lab.  RDATA preference + "mx" + ptr 12
    // lab. SOA a.lab. nstld.lab. …  RDATA ptr to "a.lab." in the first answer, "nstld" + ptr 12, 20 octets
    const msg = hex(`
      0001 8180 0001 0003 0000 0000
      036c616200 0002 0001
      c00c 0002 0001 00000e10 0004 0161 c00c
      c00c 000f 0001 00000e10 0007 000a 026d78 c00c
      c00c 0006 0001 00000e10 001e c021 056e73746c64 c00c 00000001 00000002 00000003 00000004 00000005`);
    const m = decodeMessage(msg);
    expect(m.answers.map(rrToString)).toEqual([
      "lab.\t3600\tIN\tNS\ta.lab.",
      "lab.\t3600\tIN\tMX\t10 mx.lab.",
      "lab.\t3600\tIN\tSOA\ta.lab. nstld.lab. 1 2 3 4 5",
    ]);
    // dns-packet reads the same message the same way.
    const p = dnsPacket.decode(Buffer.from(msg));
    expect(p.answers?.map((a) => (a as { data: unknown }).data)).toEqual([
      "a.lab",
      { preference: 10, exchange: "mx.lab" },
      expect.objectContaining({ mname: "a.lab", rname: "nstld.lab", serial: 1 }),
    ]);
  });

  const header = (an: number, ar = 0) => `0001 8180 0001 ${an.toString(16).padStart(4, "0")} 0000 ${ar.toString(16).padStart(4, "0")} 00 0006 0001`;

  it("refuses forward and self pointers (no loops)", () => {
    expect(() => decodeMessage(hex(`${header(1)} c011 0006 0001 00000e10 0000`))).toThrow(/points forward/);
    expect(() => decodeMessage(hex(`${header(1)} c011`))).toThrow(/points forward/);
  });

  it("refuses a message cut short, a short header and trailing octets", () => {
    expect(() => decodeMessage(hex("0001 8180 0001"))).toThrow(/shorter than the 12-octet header/);
    expect(() => decodeMessage(hex(`${header(1)} 00 0006 0001 0000`))).toThrow(/runs past the end/);
    expect(() => decodeMessage(hex(`${header(0)} 00`))).toThrow(/1 octets after the last record/);
  });

  it("refuses OPT outside the additional section or twice", () => {
    const opt = "00 0029 04d0 00008000 0000";
    expect(() => decodeMessage(hex(`${header(1)} ${opt}`))).toThrow(/OPT record outside the additional section/);
    expect(() => decodeMessage(hex(`${header(0, 2)} ${opt} ${opt}`))).toThrow(/a second one/);
    expect(decodeMessage(hex(`${header(0, 1)} ${opt}`)).edns?.udpPayloadSize).toBe(1232);
  });

  it("takes the extended RCODE from OPT (BADVERS = 16)", () => {
    expect(rcodeToString(decodeMessage(hex(`${header(0, 1)} 00 0029 04d0 01000000 0000`)).rcode)).toBe("BADVERS");
  });

  it("refuses a compressed RRSIG signer name (RFC 4034 §3.1.7)", () => {
    const rrsig = `0030 0008 0000 0e10 6a000000 69000000 4f66 c00c 00`;
    const rdlength = (rrsig.replace(/\s+/g, "").length / 2).toString(16).padStart(4, "0");
    expect(() => decodeMessage(hex(`${header(1)} 00 002e 0001 00000e10 ${rdlength} ${rrsig}`))).toThrow(
      /answer record 1: RDATA at octet \d+: RRSIG .*compression pointer/,
    );
  });
});
