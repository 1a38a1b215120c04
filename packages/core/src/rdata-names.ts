/**
 * RDATA made of names and numbers: NS, CNAME (RFC 1035 §3.3.11, §3.3.1), MX (§3.3.9) and SOA
 * (§3.3.13, with BIND's unit form for its intervals). Names are lowercased in the canonical form
 * (RFC 4034 §6.2).
 *
 * Left out: compression (refused on read).
 */
import { concatBytes, u16, u32 } from "./bytes.js";
import { type Name, nameToString, nameToWire } from "./name.js";
import { Fields, Reader, parseInteger, parseNameField } from "./rdata-fields.js";
import type { CnameRdata, Codec, MxRdata, NsRdata, SoaRdata } from "./rdata-types.js";
import { parseTimeInterval, parseTtl } from "./ttl.js";

export function targetCodec<R extends NsRdata | CnameRdata>(kind: R["kind"]): Codec<R> {
  const make = (target: Name) => ({ kind, target }) as R;
  return {
    parse(tokens, origin) {
      const f = new Fields(tokens, kind);
      const target = parseNameField(f.next("target"), origin, `${kind} target`);
      f.end();
      return make(target);
    },
    print: (r) => nameToString(r.target),
    encode: (r, canonical) => nameToWire(r.target, canonical),
    decode(data) {
      const r = new Reader(data, kind);
      const target = r.name("target");
      r.end();
      return make(target);
    },
  };
}

export const MX: Codec<MxRdata> = {
  parse(tokens, origin) {
    const f = new Fields(tokens, "MX");
    const preference = parseInteger(f.next("preference"), 16, "MX preference");
    const exchange = parseNameField(f.next("exchange"), origin, "MX exchange");
    f.end();
    return { kind: "MX", preference, exchange };
  },
  print: (r) => `${r.preference} ${nameToString(r.exchange)}`,
  encode: (r, canonical) => concatBytes(u16(r.preference), nameToWire(r.exchange, canonical)),
  decode(data) {
    const r = new Reader(data, "MX");
    const rdata: MxRdata = { kind: "MX", preference: r.u16("preference"), exchange: r.name("exchange") };
    r.end();
    return rdata;
  },
};

export const SOA: Codec<SoaRdata> = {
  parse(tokens, origin) {
    const f = new Fields(tokens, "SOA");
    const rdata: SoaRdata = {
      kind: "SOA",
      mname: parseNameField(f.next("MNAME"), origin, "SOA MNAME"),
      rname: parseNameField(f.next("RNAME"), origin, "SOA RNAME"),
      serial: parseInteger(f.next("SERIAL"), 32, "SOA SERIAL"),
      refreshSeconds: parseTimeInterval(f.next("REFRESH"), "SOA REFRESH"),
      retrySeconds: parseTimeInterval(f.next("RETRY"), "SOA RETRY"),
      expireSeconds: parseTimeInterval(f.next("EXPIRE"), "SOA EXPIRE"),
      // RFC 2308 §4: MINIMUM is the negative-caching TTL, so the TTL rule applies to it.
      minimumSeconds: parseTtl(f.next("MINIMUM"), "SOA MINIMUM"),
    };
    f.end();
    return rdata;
  },
  print: (r) => `${nameToString(r.mname)} ${nameToString(r.rname)} ${r.serial} ${r.refreshSeconds} ${r.retrySeconds} ${r.expireSeconds} ${r.minimumSeconds}`,
  encode: (r, canonical) =>
    concatBytes(
      nameToWire(r.mname, canonical),
      nameToWire(r.rname, canonical),
      u32(r.serial),
      u32(r.refreshSeconds),
      u32(r.retrySeconds),
      u32(r.expireSeconds),
      u32(r.minimumSeconds),
    ),
  decode(data) {
    const r = new Reader(data, "SOA");
    const rdata: SoaRdata = {
      kind: "SOA",
      mname: r.name("MNAME"),
      rname: r.name("RNAME"),
      serial: r.u32("SERIAL"),
      refreshSeconds: r.u32("REFRESH"),
      retrySeconds: r.u32("RETRY"),
      expireSeconds: r.u32("EXPIRE"),
      minimumSeconds: r.u32("MINIMUM"),
    };
    r.end();
    return rdata;
  },
};
