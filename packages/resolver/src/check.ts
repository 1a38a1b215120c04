/**
 * `ksk resolver check`: ask one resolver the readiness probes and judge its answers.
 *
 * Probes, in order, each through the client (UDP, TCP on truncation): `<domain> SOA` with DO;
 * `bogus-rrsig.<domain> A`; per key tag `root-key-sentinel-is-ta-<tag>.<domain> A` and
 * `root-key-sentinel-not-ta-<tag>.<domain> A`; `. DNSKEY` with DO (the root's key set: the answer
 * whose size matters in a roll) once per EDNS buffer size — 1,232 octets (the DNS Flag Day 2020
 * size, what a path that drops fragments allows: the answer must then come over TCP) and 4,096 by
 * default. That is 2 + 2·(tags) + (buffer sizes) questions, each sent at most `udpTries` times over
 * UDP plus once over TCP — `queryBudget` — and nothing more: the first question that gets no
 * acceptable answer ends the check with a KskError of kind input, except a DNSKEY probe's failed
 * TCP retry, which is a finding (not ready), not a fault; and a first answer without RA ends it too
 * (a server that does not recurse: an authoritative one is not a resolver).
 * Leaves out: checking several resolvers at once; RFC 8145 key-tag queries.
 */
import { DNSKEY_FLAG_SEP, KskError, type Name, ROOT, RRType, nameToString } from "@ksk/core";
import { checkRootAnchors, isValidAt, parseRootAnchors } from "@ksk/trust-anchor";
import { type ClientLimits, DEFAULT_LIMITS, type ServerAddress, query } from "./client.js";
import { type DnskeyProbeVerdict, type ProbeResult, type ReadinessReport, judgeReadiness, probeResult } from "./readiness.js";
import { brokenName, sentinelName } from "./sentinel.js";

/** At most this many key tags per check (a roll has two or three KSKs; this keeps the query count small). */
export const MAX_KEY_TAGS = 8;
/** The EDNS buffer sizes `. DNSKEY` is asked at by default: the 1,232-octet path, then 4,096. */
export const DEFAULT_DNSKEY_BUFSIZES: readonly number[] = [1232, 4096];

export interface ReadinessCheckOptions extends ClientLimits {
  readonly server: ServerAddress;
  /** Where the SOA, broken and sentinel names are asked (default the root, as in the lab). */
  readonly domain?: Name;
  readonly keyTags: readonly number[];
  /** EDNS buffer sizes to ask `. DNSKEY` at (default DEFAULT_DNSKEY_BUFSIZES), each 512-65535. */
  readonly dnskeyBufsizes?: readonly number[];
}

export interface ReadinessCheckResult extends ReadinessReport {
  readonly server: ServerAddress;
  readonly queriesSent: number;
}

/** The most messages a check with `tagCount` tags and `dnskeyProbes` DNSKEY buffer sizes may send. */
export function queryBudget(tagCount: number, udpTries: number = DEFAULT_LIMITS.udpTries, dnskeyProbes: number = DEFAULT_DNSKEY_BUFSIZES.length): number {
  return (2 + 2 * tagCount + dnskeyProbes) * (udpTries + 1);
}

export async function checkResolver(o: ReadinessCheckOptions): Promise<ReadinessCheckResult> {
  if (o.keyTags.length === 0) throw new KskError("usage", "USAGE-TAGS", "no key tag to ask about: give --anchors or --tags");
  if (o.keyTags.length > MAX_KEY_TAGS) throw new KskError("usage", "USAGE-TAGS", `${o.keyTags.length} key tags; at most ${MAX_KEY_TAGS} per check`);
  const bufsizes = [...(o.dnskeyBufsizes ?? DEFAULT_DNSKEY_BUFSIZES)].sort((a, b) => a - b);
  if (bufsizes.length === 0 || bufsizes.some((b) => !Number.isInteger(b) || b < 512 || b > 0xffff)) {
    throw new KskError("usage", "USAGE-BUFSIZE", `EDNS buffer size ${bufsizes.join(", ") || "(none)"}: each must be from 512 to 65535`);
  }
  const domain = o.domain ?? ROOT;
  const limits: ClientLimits = {
    ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
    ...(o.udpTries === undefined ? {} : { udpTries: o.udpTries }),
    ...(o.udpPayloadSize === undefined ? {} : { udpPayloadSize: o.udpPayloadSize }),
  };
  let queriesSent = 0;
  const ask = async (name: Name, type: number): Promise<ProbeResult> => {
    const x = await query(o.server, name, type, { dnssecOk: true, ...limits });
    queriesSent += x.queriesSent;
    return probeResult(x);
  };
  // The first answer says whether this is a resolver at all: an authoritative server (knotd, the
  // root servers) answers RA=0 (RFC 1035 §4.1.1), and its "not validated" would be read as a verdict.
  const first = await query(o.server, domain, RRType.SOA, { dnssecOk: true, ...limits });
  queriesSent += first.queriesSent;
  // Judged on an answer proper (NOERROR, NXDOMAIN) or a refusal: a FORMERR from a server without EDNS says nothing of RA.
  if (!first.response.flags.recursionAvailable && [0, 3, 5].includes(first.response.rcode)) {
    const kind = first.response.flags.authoritative ? ", AA=1: an authoritative server" : "";
    throw new KskError(
      "input",
      "RESOLVER-NOT-RECURSIVE",
      `does not recurse (RA=0${kind}), so it cannot tell which KSKs resolvers trust: ask a validating resolver`,
      {
        where: `${o.server.address}#${o.server.port}`,
      },
    );
  }
  const soa = probeResult(first);
  const broken = await ask(brokenName(domain), RRType.A);
  const sentinels = [];
  for (const keyTag of o.keyTags) {
    sentinels.push({
      keyTag,
      isTa: await ask(sentinelName("is-ta", keyTag, domain), RRType.A),
      notTa: await ask(sentinelName("not-ta", keyTag, domain), RRType.A),
    });
  }
  const dnskeyProbes = [];
  for (const bufsizeBytes of bufsizes) {
    // keepTruncated: a TCP retry that fails is what this probe is for, so it is reported, not thrown.
    const x = await query(o.server, ROOT, RRType.DNSKEY, { dnssecOk: true, ...limits, udpPayloadSize: bufsizeBytes, keepTruncated: true });
    queriesSent += x.queriesSent;
    dnskeyProbes.push({ bufsizeBytes, probe: probeResult(x) });
  }
  const dnskey = (dnskeyProbes.at(-1) as (typeof dnskeyProbes)[number]).probe;
  const report = judgeReadiness({ domain: nameToString(domain), soa, broken, sentinels, dnskey, dnskeyProbes });
  return { ...report, server: o.server, queriesSent };
}

/** The key tags of the KeyDigests of a root-anchors.xml valid at a time, each once, in file order. */
export function keyTagsFromAnchors(bytes: Uint8Array, fileName: string, atEpochSeconds: number): number[] {
  const doc = parseRootAnchors(bytes, fileName);
  try {
    // TA-DIGEST-KEY and TA-NONE-VALID: a file a resolver could not bootstrap from is refused here too.
    checkRootAnchors(doc, atEpochSeconds);
  } catch (e) {
    throw e instanceof KskError ? e.within(fileName) : e;
  }
  return [...new Set(doc.keyDigests.filter((kd) => isValidAt(kd, atEpochSeconds)).map((kd) => kd.keyTag))];
}

/**
 * The whole result in one line, for a ceremony transcript or a rehearsal report's row:
 * `127.0.0.1:5353 validates; KSK 20326 trusted, 38696 not-trusted; . DNSKEY 1414 octets TCP (TC at 512); not ready`.
 */
export function readinessSummary(r: ReadinessCheckResult): string {
  const d = r.dnskey;
  const transport = d.truncatedOverUdp ? `TCP (TC at ${d.udpSizeBytes})` : d.transport.toUpperCase();
  return [
    `${r.server.address}:${r.server.port} ${r.validation.validates ? "validates" : "does not validate"}`,
    `KSK ${r.keys.map((k) => `${k.keyTag} ${k.trust}`).join(", ")}${r.sentinelSupport === "no" ? " (no sentinel support)" : ""}`,
    `. DNSKEY ${d.ok ? `${d.sizeBytes} octets ${transport}` : d.rcode}${r.dnskeyProbes
      .filter((p) => p.tcp === "failed")
      .map((p) => ` (TC at a ${p.bufsizeBytes}-octet buffer, TCP failed)`)
      .join("")}`,
    r.ready ? "ready" : "not ready",
  ].join("; ");
}

/** One DNSKEY probe in words: TC, the TCP retry, the size. */
export function dnskeyProbeText(p: DnskeyProbeVerdict): string {
  if (p.tcp === "not needed") return `${p.rcode}, ${p.sizeBytes} octets over UDP`;
  const tc = `TC (${p.udpSizeBytes} octets over UDP)`;
  return p.tcp === "ok" ? `${tc}; TCP retry ok: ${p.rcode}, ${p.sizeBytes} octets` : `${tc}; TCP retry FAILED: ${p.tcpFailure}`;
}

/** One line per finding, for people. */
export function formatReadiness(r: ReadinessCheckResult): string {
  const d = r.dnskey;
  const lines = [
    `resolver ${r.server.address} port ${r.server.port} (${r.queriesSent} queries)`,
    `validation: ${r.validation.validates ? "yes" : "no"} — ${r.validation.detail}`,
    `sentinel (RFC 8509) support: ${r.sentinelSupport}`,
    ...r.keys.map((k) => `KSK ${k.keyTag}: ${k.trust} (${k.reason}) — ${k.ready ? "ready" : "not ready"}`),
    ...r.dnskeyProbes.map((p) => `. DNSKEY at a ${p.bufsizeBytes}-octet EDNS buffer: ${dnskeyProbeText(p)}`),
    `. DNSKEY with DO: ${d.rcode}${d.authenticData ? " AD" : ""}, ${d.sizeBytes} octets over ${d.transport.toUpperCase()}` +
      `${d.truncatedOverUdp ? ` (truncated over UDP at ${d.udpSizeBytes} octets, retried over TCP)` : ""}` +
      `; resolver's EDNS UDP payload size ${d.resolverEdnsUdpPayloadSize ?? "none (no EDNS)"}` +
      `; keys ${d.keys.map((k) => `${k.keyTag} (${k.flags & DNSKEY_FLAG_SEP ? "KSK" : "ZSK"}${k.revoked ? ", revoked" : ""})`).join(", ") || "none"}`,
    `verdict: ${r.verdict}`,
  ];
  return `${lines.join("\n")}\n`;
}
