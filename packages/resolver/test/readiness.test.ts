/**
 * The readiness verdict (pure), one case per rule of RFC 8509 §3 and of validation, each with the
 * answers a real resolver gives (as measured with unbound 1.17 in check-lab.test.ts): trusted, not
 * trusted, no sentinel support, inconclusive, not validating (no AD; broken name answered),
 * broken name absent, DNSKEY answer missing; per-key and overall verdicts.
 */
import { describe, expect, it } from "vitest";
import { type ProbeResult, type ReadinessObservations, Rcode, judgeReadiness, readinessSummary } from "../src/index.js";

const probe = (rcode: number, hasData: boolean, authenticData = rcode === Rcode.NOERROR): ProbeResult => ({
  rcode,
  authenticData,
  hasData,
  sizeBytes: 100,
  transport: "udp",
  truncatedOverUdp: false,
  udpSizeBytes: undefined,
  ednsUdpPayloadSize: 1232,
  dnskeys: [],
});
const ANSWERED = probe(Rcode.NOERROR, true);
const SERVFAIL = probe(Rcode.SERVFAIL, false, false);
const NXDOMAIN = probe(Rcode.NXDOMAIN, false);

const TRUSTED = { isTa: ANSWERED, notTa: SERVFAIL };
const NOT_TRUSTED = { isTa: SERVFAIL, notTa: ANSWERED };
const NO_SENTINEL = { isTa: ANSWERED, notTa: ANSWERED };

function observe(pairs: Record<number, { isTa: ProbeResult; notTa: ProbeResult }>, change: Partial<ReadinessObservations> = {}): ReadinessObservations {
  return {
    domain: ".",
    soa: ANSWERED,
    broken: SERVFAIL,
    sentinels: Object.entries(pairs).map(([tag, p]) => ({ keyTag: Number(tag), ...p })),
    dnskey: ANSWERED,
    ...change,
  };
}

describe("judgeReadiness", () => {
  it("trusts both keys: ready for each and overall", () => {
    const r = judgeReadiness(observe({ 20326: TRUSTED, 38696: TRUSTED }));
    expect(r.validation.validates).toBe(true);
    expect(r.sentinelSupport).toBe("yes");
    expect(r.keys.map((k) => k.verdict)).toEqual(["ready for KSK tag 20326", "ready for KSK tag 38696"]);
    expect(r.ready).toBe(true);
    expect(r.verdict).toBe("ready: validates and trusts KSK tags 20326, 38696");
  });

  it("trusts the old key only (a manually configured anchor before the roll): not ready, naming the new key", () => {
    const r = judgeReadiness(observe({ 20326: TRUSTED, 38696: NOT_TRUSTED }));
    expect(r.keys.map((k) => k.trust)).toEqual(["trusted", "not-trusted"]);
    expect(r.keys[1]?.verdict).toBe("not ready for KSK tag 38696: not trusted");
    expect(r.ready).toBe(false);
    expect(r.verdict).toBe("not ready: not ready for KSK tag 38696: not trusted");
  });

  it("both sentinel names answered: no sentinel support, trust unknown, not ready", () => {
    const r = judgeReadiness(observe({ 20326: NO_SENTINEL, 38696: NO_SENTINEL }));
    expect(r.sentinelSupport).toBe("no");
    expect(r.keys.map((k) => k.trust)).toEqual(["unknown", "unknown"]);
    expect(r.keys[0]?.reason).toBe("no sentinel support (is-ta and not-ta both answered)");
    expect(r.ready).toBe(false);
  });

  it("both SERVFAIL or names missing: inconclusive, with the RCODEs", () => {
    const r = judgeReadiness(observe({ 20326: { isTa: SERVFAIL, notTa: SERVFAIL }, 38696: { isTa: NXDOMAIN, notTa: NXDOMAIN } }));
    expect(r.sentinelSupport).toBe("unknown");
    expect(r.keys.map((k) => k.reason)).toEqual([
      "inconclusive (is-ta SERVFAIL without data, not-ta SERVFAIL without data)",
      "inconclusive (is-ta NXDOMAIN without data, not-ta NXDOMAIN without data)",
    ]);
  });

  it("sentinel names missing from a signed zone: a validated NXDOMAIN is a normal answer (unbound 1.17)", () => {
    const validatedNxdomain = probe(Rcode.NXDOMAIN, false, true);
    const r = judgeReadiness(observe({ 20326: { isTa: validatedNxdomain, notTa: SERVFAIL }, 38696: { isTa: SERVFAIL, notTa: validatedNxdomain } }));
    expect(r.keys.map((k) => `${k.trust}: ${k.reason}`)).toEqual([
      "trusted: is-ta answered NXDOMAIN, not-ta SERVFAIL",
      "not-trusted: is-ta SERVFAIL, not-ta answered NXDOMAIN",
    ]);
  });

  it("no AD on the SOA: not validating, and the sentinel pair says nothing", () => {
    const r = judgeReadiness(observe({ 20326: TRUSTED }, { soa: probe(Rcode.NOERROR, true, false), broken: ANSWERED }));
    expect(r.validation).toMatchObject({ validates: false, detail: ". SOA answered without AD" });
    expect(r.keys[0]?.trust).toBe("unknown");
    expect(r.keys[0]?.reason).toMatch(/does not validate/);
    expect(r.ready).toBe(false);
    expect(r.verdict).toBe("not ready: does not validate (. SOA answered without AD)");
  });

  it("AD on the SOA but the broken name answered with data: not validating", () => {
    const r = judgeReadiness(observe({ 20326: TRUSTED }, { broken: ANSWERED }));
    expect(r.validation.validates).toBe(false);
    expect(r.validation.detail).toBe("the broken name was answered NOERROR with data, not SERVFAIL: no validation");
  });

  it("SOA SERVFAIL (a wrong anchor): not validating", () => {
    const r = judgeReadiness(observe({ 20326: TRUSTED }, { soa: SERVFAIL }));
    expect(r.validation.detail).toBe(". SOA answered SERVFAIL");
    expect(r.ready).toBe(false);
  });

  it("the broken name absent from the zone: AD alone, said so", () => {
    const r = judgeReadiness(observe({ 20326: TRUSTED }, { broken: NXDOMAIN }));
    expect(r.validation.validates).toBe(true);
    expect(r.validation.detail).toMatch(/AD is the only evidence/);
    expect(r.ready).toBe(true);
  });

  it("the DNSKEY answer missing: not ready even when every key is trusted", () => {
    const r = judgeReadiness(observe({ 20326: TRUSTED }, { dnskey: SERVFAIL }));
    expect(r.dnskey.ok).toBe(false);
    expect(r.ready).toBe(false);
    expect(r.verdict).toBe("not ready: the . DNSKEY answer did not arrive (SERVFAIL)");
  });

  it("reports the DNSKEY answer's size, truncation, TCP and the resolver's EDNS size as observed", () => {
    const dnskey: ProbeResult = { ...ANSWERED, sizeBytes: 1425, transport: "tcp", truncatedOverUdp: true, udpSizeBytes: 500, ednsUdpPayloadSize: 512 };
    const r = judgeReadiness(observe({ 20326: TRUSTED }, { dnskey }));
    expect(r.dnskey).toMatchObject({ sizeBytes: 1425, transport: "tcp", truncatedOverUdp: true, udpSizeBytes: 500, resolverEdnsUdpPayloadSize: 512, ok: true });
  });

  // The answers of a resolver behind a 1,232-octet path: TC with 28 octets (the question and OPT only).
  const truncatedTcpFailed: ProbeResult = {
    ...probe(Rcode.NOERROR, false),
    sizeBytes: 28,
    transport: "udp",
    truncatedOverUdp: true,
    udpSizeBytes: 28,
    tcpFailure: "TCP connection refused",
  };
  const viaTcp: ProbeResult = { ...ANSWERED, sizeBytes: 1414, transport: "tcp", truncatedOverUdp: true, udpSizeBytes: 28 };
  const overUdp: ProbeResult = { ...ANSWERED, sizeBytes: 1414 };

  it("TC at 1,232 and the TCP retry answered: ready, each probe reported", () => {
    const r = judgeReadiness(
      observe(
        { 20326: TRUSTED },
        {
          dnskey: overUdp,
          dnskeyProbes: [
            { bufsizeBytes: 1232, probe: viaTcp },
            { bufsizeBytes: 4096, probe: overUdp },
          ],
        },
      ),
    );
    expect(r.ready).toBe(true);
    expect(r.dnskeyProbes).toEqual([
      { bufsizeBytes: 1232, rcode: "NOERROR", truncated: true, udpSizeBytes: 28, tcp: "ok", sizeBytes: 1414, ok: true },
      { bufsizeBytes: 4096, rcode: "NOERROR", truncated: false, udpSizeBytes: undefined, tcp: "not needed", sizeBytes: 1414, ok: true },
    ]);
  });

  it("TC at 1,232 and TCP failed: not ready, naming the size the 4,096 probe got", () => {
    const r = judgeReadiness(
      observe(
        { 20326: TRUSTED },
        {
          dnskey: overUdp,
          dnskeyProbes: [
            { bufsizeBytes: 1232, probe: truncatedTcpFailed },
            { bufsizeBytes: 4096, probe: overUdp },
          ],
        },
      ),
    );
    expect(r.ready).toBe(false);
    expect(r.dnskeyProbes[0]).toMatchObject({ truncated: true, tcp: "failed", tcpFailure: "TCP connection refused", sizeBytes: undefined, ok: false });
    expect(r.verdict).toBe("not ready: the DNSKEY answer (1,414 octets) needs TCP and TCP failed (with a 1,232-octet EDNS buffer: TCP connection refused)");
    expect(readinessSummary({ ...r, server: { address: "127.0.0.1", port: 53 }, queriesSent: 7 })).toBe(
      "127.0.0.1:53 validates; KSK 20326 trusted; . DNSKEY 1414 octets UDP (TC at a 1232-octet buffer, TCP failed); not ready",
    );
  });

  it("TC at every buffer and TCP failed: not ready, the size unknown, the truncated size named", () => {
    const r = judgeReadiness(observe({ 20326: TRUSTED }, { dnskey: truncatedTcpFailed, dnskeyProbes: [{ bufsizeBytes: 1232, probe: truncatedTcpFailed }] }));
    expect(r.dnskey.ok).toBe(false);
    expect(r.verdict).toBe(
      "not ready: the DNSKEY answer (truncated at 28 octets) needs TCP and TCP failed (with a 1,232-octet EDNS buffer: TCP connection refused)",
    );
  });
});

describe("readinessSummary", () => {
  const server = { address: "127.0.0.1", port: 5353 };
  it("puts the result in one line", () => {
    const dnskey: ProbeResult = { ...ANSWERED, sizeBytes: 1414, transport: "tcp", truncatedOverUdp: true, udpSizeBytes: 497 };
    const r = { ...judgeReadiness(observe({ 20326: TRUSTED, 38696: NOT_TRUSTED }, { dnskey })), server, queriesSent: 8 };
    expect(readinessSummary(r)).toBe("127.0.0.1:5353 validates; KSK 20326 trusted, 38696 not-trusted; . DNSKEY 1414 octets TCP (TC at 497); not ready");
  });
  it("says when there is no sentinel support or no DNSKEY answer", () => {
    const r = { ...judgeReadiness(observe({ 20326: NO_SENTINEL }, { dnskey: SERVFAIL })), server, queriesSent: 5 };
    expect(readinessSummary(r)).toBe("127.0.0.1:5353 validates; KSK 20326 unknown (no sentinel support); . DNSKEY SERVFAIL; not ready");
  });
});
