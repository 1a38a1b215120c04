/**
 * Shared helpers for the @ksk/core tests: loading the vectors and fixtures beside the tests
 * (never ../shared at test time), building records from presentation text through the core's own
 * zone reader, and asserting coded input errors.
 */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { type DnskeyRdata, KskError, type RR, type RrsigRdata, algorithmInfo, parseZone, rrsigSignedData, verifyRrsig } from "../src/index.js";

const HERE = new URL(".", import.meta.url);

export function readVector<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`vectors/${name}`, HERE), "utf8")) as T;
}

export function readFixture(name: string): string {
  return readFileSync(new URL(`fixtures/${name}`, HERE), "utf8");
}

/** One record from one presentation line, read with the core zone reader. */
export function record(line: string): RR {
  const rrs = parseZone(line, { fileName: "test" });
  expect(rrs).toHaveLength(1);
  return rrs[0] as RR;
}

export function dnskeyRecord(line: string): RR<DnskeyRdata> {
  const rr = record(line);
  expect(rr.rdata.kind).toBe("DNSKEY");
  return rr as RR<DnskeyRdata>;
}

export function rrsigRecord(line: string): RR<RrsigRdata> {
  const rr = record(line);
  expect(rr.rdata.kind).toBe("RRSIG");
  return rr as RR<RrsigRdata>;
}

/** A copy of `bytes` with the octet at `index` changed (XOR 0x01, so it always differs). */
export function flipByte(bytes: Uint8Array, index: number): Uint8Array {
  const out = bytes.slice();
  out[index] = (out[index] as number) ^ 0x01;
  return out;
}

/** Positions spread over a buffer: first, last and a few in between. */
export function samplePositions(length: number, count = 8): number[] {
  const out = new Set<number>([0, length - 1]);
  for (let k = 1; k < count - 1; k++) out.add(Math.floor((k * length) / (count - 1)));
  return [...out].sort((a, b) => a - b);
}

/**
 * Run `fn`, require it to throw a KskError of kind "input" with `code`, and that its message
 * contains each of `mentions` (the field and the position it names).
 */
export function expectInputError(fn: () => unknown, code: string, ...mentions: readonly string[]): KskError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected a KskError ${code}`).toBeInstanceOf(KskError);
  const error = thrown as KskError;
  expect({ kind: error.kind, code: error.code, message: error.message }).toMatchObject({ kind: "input", code });
  for (const m of mentions) expect(error.message).toContain(m);
  return error;
}

/** The epoch seconds of an ISO time, for readability in tests. */
export function epoch(iso: string): number {
  return Date.parse(iso) / 1000;
}

/** The part of an RFC signature example (rfc5702/rfc6605/rfc8080 vectors) the tests use. */
export interface SignatureExample {
  source: string;
  algorithmName: string;
  privateKey: Record<string, string | number>;
  dnskey: { owner: string; ttl: number; flags: number; protocol: number; algorithm: number; publicKey: string };
  keyTag: number;
  ds?: { digestType: number; digest: string }[];
  signedRecord: { owner: string; ttl: number; type: string; address?: string; preference?: number; exchange?: string };
  rrsig: {
    owner: string;
    ttl: number;
    typeCovered: string;
    algorithm: number;
    labels: number;
    originalTtl: number;
    expiration: string;
    inception: string;
    expirationEpoch: number;
    inceptionEpoch: number;
    keyTag: number;
    signerName: string;
    signature: string;
  };
  signedDataHex: string;
  computedNotInRfc?: { ds?: { sha1?: string; sha256?: string; sha384?: string } };
}

/** The example's DNSKEY, signed RRset (one record) and RRSIG, read from presentation form. */
export function exampleRecords(ex: SignatureExample): { key: RR<DnskeyRdata>; rrset: RR[]; rrsig: RR<RrsigRdata> } {
  const k = ex.dnskey;
  const key = dnskeyRecord(`${k.owner} ${k.ttl} IN DNSKEY ${k.flags} ${k.protocol} ${k.algorithm} ${k.publicKey}`);
  const r = ex.signedRecord;
  const rdata = r.type === "A" ? r.address : `${r.preference} ${r.exchange}`;
  const rrset = [record(`${r.owner} ${r.ttl} IN ${r.type} ${rdata}`)];
  const s = ex.rrsig;
  const rrsig = rrsigRecord(
    `${s.owner} ${s.ttl} IN RRSIG ${s.typeCovered} ${s.algorithm} ${s.labels} ${s.originalTtl} ${s.expiration} ${s.inception} ${s.keyTag} ${s.signerName} ${s.signature}`,
  );
  return { key, rrset, rrsig };
}

/** A time in the middle of the example RRSIG's validity window. */
export function insideWindow(ex: SignatureExample): number {
  return Math.floor((ex.rrsig.inceptionEpoch + ex.rrsig.expirationEpoch) / 2);
}

/**
 * The bad cases every signature example must fail: one octet changed in the signature (at a sample
 * of positions), in the public key, in the signed record; and a time outside the window.
 */
export function itRejectsTamperedExample(ex: SignatureExample): void {
  const { key, rrset, rrsig } = exampleRecords(ex);
  const now = insideWindow(ex);
  const info = algorithmInfo(ex.rrsig.algorithm);
  const data = rrsigSignedData(rrsig.rdata, rrset);
  const signature = rrsig.rdata.signatureBytes;

  it("verifies with both verifiers (OpenSSL and, for ECDSA and EdDSA, @noble/curves)", () => {
    expect(info.verify(key.rdata.publicKeyBytes, data, signature)).toBe(true);
    expect(info.verifyIndependently(key.rdata.publicKeyBytes, data, signature)).toBe(true);
  });

  it("rejects the signature with any one octet changed", () => {
    for (const i of samplePositions(signature.length)) {
      expect(info.verifyIndependently(key.rdata.publicKeyBytes, data, flipByte(signature, i)), `signature octet ${i}`).toBe(false);
      const bad = { ...rrsig, rdata: { ...rrsig.rdata, signatureBytes: flipByte(signature, i) } };
      expect(verifyRrsig(rrset, bad, [key], now).status, `signature octet ${i}`).toBe("bad-signature");
    }
  });

  it("rejects with any one octet of the public key changed", () => {
    for (const i of samplePositions(key.rdata.publicKeyBytes.length)) {
      expect(info.verify(flipByte(key.rdata.publicKeyBytes, i), data, signature), `key octet ${i}`).toBe(false);
      expect(info.verifyIndependently(flipByte(key.rdata.publicKeyBytes, i), data, signature), `key octet ${i}`).toBe(false);
      const badKey = { ...key, rdata: { ...key.rdata, publicKeyBytes: flipByte(key.rdata.publicKeyBytes, i) } };
      // The tag moves with the key, so the verifier finds no key with the RRSIG's tag (or a wrong one).
      expect(verifyRrsig(rrset, rrsig, [badKey], now).status, `key octet ${i}`).not.toBe("valid");
    }
  });

  it("rejects with one octet of the signed data changed", () => {
    for (const i of samplePositions(data.length)) {
      expect(info.verify(key.rdata.publicKeyBytes, flipByte(data, i), signature), `data octet ${i}`).toBe(false);
      expect(info.verifyIndependently(key.rdata.publicKeyBytes, flipByte(data, i), signature), `data octet ${i}`).toBe(false);
    }
    const changed = rrset.map((rr) => ({ ...rr, ttlSeconds: rr.ttlSeconds, rdata: changeRdata(rr) }));
    expect(verifyRrsig(changed, rrsig, [key], now).status).toBe("bad-signature");
  });

  it("is not yet valid one second before inception and expired one second after expiration", () => {
    expect(verifyRrsig(rrset, rrsig, [key], ex.rrsig.inceptionEpoch).status).toBe("valid");
    expect(verifyRrsig(rrset, rrsig, [key], ex.rrsig.expirationEpoch).status).toBe("valid");
    expect(verifyRrsig(rrset, rrsig, [key], ex.rrsig.inceptionEpoch - 1).status).toBe("not-yet-valid");
    expect(verifyRrsig(rrset, rrsig, [key], ex.rrsig.expirationEpoch + 1).status).toBe("expired");
  });
}

/** The record's RDATA with one field changed (A address, MX preference). */
function changeRdata(rr: RR): RR["rdata"] {
  const r = rr.rdata;
  if (r.kind === "A") return { ...r, addressBytes: flipByte(r.addressBytes, 3) };
  if (r.kind === "MX") return { ...r, preference: r.preference + 1 };
  throw new Error(`no change defined for ${r.kind}`);
}
