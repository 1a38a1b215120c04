/**
 * The readiness verdict (pure): from what a resolver answered to the probes of a readiness check,
 * decide whether it validates, which root KSKs it trusts, whether it got the DNSKEY answer, and
 * whether it is ready for each key and overall.
 *
 * Rules:
 * - Validates: `<domain> SOA` answered NOERROR with AD, and the broken name answered SERVFAIL
 *   (RFC 4035 §5.5: bogus data is not returned). A broken name answered with data means no
 *   validation whatever the AD bit says; a broken name that does not exist (NXDOMAIN) leaves the
 *   AD bit as the only evidence, and the report says so.
 * - Trust per key, RFC 8509 §3 (only meaningful on a validating resolver): "answered" is a normal
 *   answer — NOERROR with data, or a validated (AD) NOERROR/NXDOMAIN, since a resolver applies the
 *   sentinel to secure answers and the names need not exist (measured: unbound 1.17 answers a
 *   missing is-ta name NXDOMAIN with AD and the not-ta name SERVFAIL for a trusted key). is-ta
 *   answered and not-ta SERVFAIL → trusted; is-ta SERVFAIL and not-ta answered → not trusted; both
 *   answered → unknown, the resolver has no sentinel support; anything else → unknown, with the
 *   RCODEs.
 * - Ready for key X: the resolver validates and trusts X. Ready overall: ready for every key asked
 *   and the DNSKEY answer (with DO) arrived, over UDP or TCP, at every EDNS buffer size asked
 *   (1,232 and 4,096 octets by default): an answer truncated at a small buffer whose TCP retry
 *   failed makes the resolver not ready — "the DNSKEY answer (1,414 octets) needs TCP and TCP
 *   failed" — the size named from an answer that did arrive (a larger buffer's, or the TCP one).
 *   A resolver behind a path that drops fragments or blocks TCP fails exactly so when a roll
 *   makes the DNSKEY answer pass 1,232 octets (RFC 8085 §3.2, the DNS Flag Day 2020 size).
 * Leaves out: judging several resolvers together; RFC 8145 key-tag signalling.
 */
import { type DnskeyRdata, type RR, RRType, isKind, isRevoked, keyTag, rrType } from "@ksk/core";
import type { Exchange } from "./client.js";
import { Rcode, rcodeToString } from "./message.js";

/** What one probe got back (the fields of an Exchange the verdict needs). */
export interface ProbeResult {
  readonly rcode: number;
  readonly authenticData: boolean;
  /** The answer section holds at least one record of the type asked. */
  readonly hasData: boolean;
  readonly sizeBytes: number;
  readonly transport: "udp" | "tcp";
  readonly truncatedOverUdp: boolean;
  readonly udpSizeBytes: number | undefined;
  /** The resolver's advertised EDNS UDP payload size, if its answer had an OPT record. */
  readonly ednsUdpPayloadSize: number | undefined;
  /** Key tags (and REVOKE bits) of DNSKEY records in the answer. */
  readonly dnskeys: readonly { readonly keyTag: number; readonly flags: number; readonly revoked: boolean }[];
  /** The answer was truncated over UDP and the TCP retry failed (why); the fields then describe the truncated answer. */
  readonly tcpFailure?: string;
}

export function probeResult(x: Exchange): ProbeResult {
  const wanted = x.response.answers.filter((rr) => rrType(rr) === x.question.type);
  return {
    rcode: x.response.rcode,
    authenticData: x.response.flags.authenticData,
    hasData: wanted.length > 0,
    sizeBytes: x.sizeBytes,
    transport: x.transport,
    truncatedOverUdp: x.truncatedOverUdp,
    udpSizeBytes: x.udpSizeBytes,
    ednsUdpPayloadSize: x.response.edns?.udpPayloadSize,
    dnskeys: wanted
      .filter((rr): rr is RR<DnskeyRdata> => isKind(rr, "DNSKEY") && rrType(rr) === RRType.DNSKEY)
      .map((rr) => ({ keyTag: keyTag(rr.rdata), flags: rr.rdata.flags, revoked: isRevoked(rr.rdata) })),
    ...(x.tcpFailure === undefined ? {} : { tcpFailure: x.tcpFailure }),
  };
}

export interface ReadinessObservations {
  readonly domain: string;
  readonly soa: ProbeResult;
  readonly broken: ProbeResult;
  readonly sentinels: readonly { readonly keyTag: number; readonly isTa: ProbeResult; readonly notTa: ProbeResult }[];
  /** `. DNSKEY` with DO at the largest EDNS buffer size asked. */
  readonly dnskey: ProbeResult;
  /** `. DNSKEY` with DO at each EDNS buffer size asked, smallest first, `dnskey` last (default: `dnskey` alone, at 4,096). */
  readonly dnskeyProbes?: readonly { readonly bufsizeBytes: number; readonly probe: ProbeResult }[];
}

/** `. DNSKEY` at one EDNS buffer size: TC, the TCP retry, and the size of the answer that arrived. */
export interface DnskeyProbeVerdict {
  readonly bufsizeBytes: number;
  readonly rcode: string;
  /** The UDP answer came with TC. */
  readonly truncated: boolean;
  /** The truncated UDP answer's size. */
  readonly udpSizeBytes: number | undefined;
  /** "not needed" (the answer fitted), "ok" (retried over TCP and answered), "failed". */
  readonly tcp: "not needed" | "ok" | "failed";
  readonly tcpFailure?: string;
  /** The whole answer's size, when it arrived. */
  readonly sizeBytes: number | undefined;
  readonly ok: boolean;
}

export type Trust = "trusted" | "not-trusted" | "unknown";

export interface KeyVerdict {
  readonly keyTag: number;
  readonly trust: Trust;
  readonly isTaRcode: string;
  readonly notTaRcode: string;
  /** Why the trust is what it is, in words. */
  readonly reason: string;
  readonly ready: boolean;
  readonly verdict: string;
}

export interface ReadinessReport {
  readonly domain: string;
  readonly validation: {
    readonly validates: boolean;
    readonly soaRcode: string;
    readonly soaAuthenticData: boolean;
    readonly brokenRcode: string;
    readonly detail: string;
  };
  /** "yes" when some key's pair of answers disagreed as RFC 8509 says; "no" when every pair was answered alike with data. */
  readonly sentinelSupport: "yes" | "no" | "unknown";
  readonly keys: readonly KeyVerdict[];
  readonly dnskey: {
    readonly rcode: string;
    readonly authenticData: boolean;
    readonly sizeBytes: number;
    readonly transport: "udp" | "tcp";
    readonly truncatedOverUdp: boolean;
    readonly udpSizeBytes: number | undefined;
    readonly resolverEdnsUdpPayloadSize: number | undefined;
    readonly keys: ProbeResult["dnskeys"];
    readonly ok: boolean;
  };
  /** `. DNSKEY` per EDNS buffer size asked (smallest first). */
  readonly dnskeyProbes: readonly DnskeyProbeVerdict[];
  readonly ready: boolean;
  readonly verdict: string;
}

const positive = (p: ProbeResult) => p.rcode === Rcode.NOERROR && p.hasData;
/** A normal answer to a sentinel name: data, or a validated denial. */
const answered = (p: ProbeResult) => positive(p) || ((p.rcode === Rcode.NOERROR || p.rcode === Rcode.NXDOMAIN) && p.authenticData);
const servfail = (p: ProbeResult) => p.rcode === Rcode.SERVFAIL;

function judgeValidation(o: ReadinessObservations): ReadinessReport["validation"] {
  const soaAd = o.soa.rcode === Rcode.NOERROR && o.soa.authenticData;
  const base = { soaRcode: rcodeToString(o.soa.rcode), soaAuthenticData: o.soa.authenticData, brokenRcode: rcodeToString(o.broken.rcode) };
  if (!soaAd) {
    const why = o.soa.rcode === Rcode.NOERROR ? "answered without AD" : `answered ${rcodeToString(o.soa.rcode)}`;
    return { ...base, validates: false, detail: `${o.domain} SOA ${why}` };
  }
  if (servfail(o.broken)) return { ...base, validates: true, detail: `${o.domain} SOA with AD; the broken name SERVFAIL` };
  if (o.broken.rcode === Rcode.NXDOMAIN) {
    return { ...base, validates: true, detail: `${o.domain} SOA with AD; the broken name does not exist here (NXDOMAIN), so AD is the only evidence` };
  }
  return {
    ...base,
    validates: false,
    detail: `the broken name was answered ${rcodeToString(o.broken.rcode)}${o.broken.hasData ? " with data" : ""}, not SERVFAIL: no validation`,
  };
}

function judgeKey(s: ReadinessObservations["sentinels"][number], validates: boolean): KeyVerdict {
  const isTaRcode = rcodeToString(s.isTa.rcode);
  const notTaRcode = rcodeToString(s.notTa.rcode);
  let trust: Trust = "unknown";
  let reason: string;
  if (!validates) reason = "the resolver does not validate, so the sentinel says nothing";
  else if (answered(s.isTa) && servfail(s.notTa)) {
    trust = "trusted";
    reason = `is-ta answered ${isTaRcode}, not-ta SERVFAIL`;
  } else if (servfail(s.isTa) && answered(s.notTa)) {
    trust = "not-trusted";
    reason = `is-ta SERVFAIL, not-ta answered ${notTaRcode}`;
  } else if (answered(s.isTa) && answered(s.notTa)) reason = "no sentinel support (is-ta and not-ta both answered)";
  else reason = `inconclusive (is-ta ${isTaRcode}${s.isTa.hasData ? "" : " without data"}, not-ta ${notTaRcode}${s.notTa.hasData ? "" : " without data"})`;
  const ready = validates && trust === "trusted";
  const verdict = ready ? `ready for KSK tag ${s.keyTag}` : `not ready for KSK tag ${s.keyTag}: ${trust === "not-trusted" ? "not trusted" : reason}`;
  return { keyTag: s.keyTag, trust, isTaRcode, notTaRcode, reason, ready, verdict };
}

function judgeDnskeyProbe(bufsizeBytes: number, p: ProbeResult): DnskeyProbeVerdict {
  const failed = p.tcpFailure !== undefined;
  return {
    bufsizeBytes,
    rcode: rcodeToString(p.rcode),
    truncated: p.truncatedOverUdp,
    udpSizeBytes: p.truncatedOverUdp ? (p.udpSizeBytes ?? p.sizeBytes) : undefined,
    tcp: !p.truncatedOverUdp ? "not needed" : failed ? "failed" : "ok",
    ...(failed ? { tcpFailure: p.tcpFailure } : {}),
    sizeBytes: failed ? undefined : p.sizeBytes,
    ok: !failed && positive(p),
  };
}

/** The reason a DNSKEY answer that needed TCP did not come, naming its size when some probe got it whole. */
function tcpReason(probes: readonly DnskeyProbeVerdict[]): string | undefined {
  const failed = probes.find((p) => p.tcp === "failed");
  if (!failed) return undefined;
  const size = Math.max(0, ...probes.filter((p) => p.ok).map((p) => p.sizeBytes ?? 0));
  const what = size > 0 ? `the DNSKEY answer (${size.toLocaleString("en-US")} octets)` : `the DNSKEY answer (truncated at ${failed.udpSizeBytes} octets)`;
  return `${what} needs TCP and TCP failed (with a ${failed.bufsizeBytes.toLocaleString("en-US")}-octet EDNS buffer: ${failed.tcpFailure})`;
}

export function judgeReadiness(o: ReadinessObservations): ReadinessReport {
  const validation = judgeValidation(o);
  const keys = o.sentinels.map((s) => judgeKey(s, validation.validates));
  // Sentinel answers say something only on a validating resolver.
  const pairs = validation.validates ? o.sentinels : [];
  const sentinelSupport = keys.some((k) => k.trust !== "unknown")
    ? "yes"
    : pairs.length > 0 && pairs.every((s) => answered(s.isTa) && answered(s.notTa))
      ? "no"
      : "unknown";
  const d = o.dnskey;
  const dnskeyProbes = (o.dnskeyProbes ?? [{ bufsizeBytes: 4096, probe: d }]).map((p) => judgeDnskeyProbe(p.bufsizeBytes, p.probe));
  const dnskey = {
    rcode: rcodeToString(d.rcode),
    authenticData: d.authenticData,
    sizeBytes: d.sizeBytes,
    transport: d.transport,
    truncatedOverUdp: d.truncatedOverUdp,
    udpSizeBytes: d.udpSizeBytes,
    resolverEdnsUdpPayloadSize: d.ednsUdpPayloadSize,
    keys: d.dnskeys,
    ok: positive(d) && d.tcpFailure === undefined,
  };
  const reasons: string[] = [];
  if (!validation.validates) reasons.push(`does not validate (${validation.detail})`);
  for (const k of keys) if (!k.ready && validation.validates) reasons.push(k.verdict);
  const tcp = tcpReason(dnskeyProbes);
  if (tcp) reasons.push(tcp);
  else if (!dnskey.ok) reasons.push(`the . DNSKEY answer did not arrive (${dnskey.rcode})`);
  if (keys.length === 0) reasons.push("no key asked about");
  const ready = reasons.length === 0;
  const tags = keys.map((k) => k.keyTag).join(", ");
  const verdict = ready ? `ready: validates and trusts KSK tag${keys.length > 1 ? "s" : ""} ${tags}` : `not ready: ${reasons.join("; ")}`;
  return { domain: o.domain, validation, sentinelSupport, keys, dnskey, dnskeyProbes, ready, verdict };
}
