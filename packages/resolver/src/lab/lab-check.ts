/**
 * `ksk resolver lab`, for ceremony scripts: serve a signed root zone with knotd, start unbound
 * trusting the KeyDigests of a root-anchors.xml valid at a time (as DS records, RFC 9718 §3.1), ask
 * it (validating signatures as of that time) `. SOA`, `. DNSKEY`, the DS of a TLD in the zone and a TLD that does not exist — each must come
 * back validated (AD; NXDOMAIN for the last) — run the readiness check, and stop both servers by
 * PID whatever happened. knotd's dnstap file (the RFC 8145 signals unbound sent) is whole once
 * it returns, at `dnstapFile` when given.
 * Leaves out: more than one resolver, RFC 5011 managed anchors (see the rollover rehearsal).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type DnskeyRdata,
  type DsRdata,
  KskError,
  type Name,
  ROOT,
  type RR,
  RRType,
  type RrsigRdata,
  anchoredKeys,
  isKind,
  makeRR,
  nameFromLabels,
  nameToString,
  namesEqual,
  parseZone,
  typeToString,
  verifyRrsig,
  formatIsoZ,
} from "@ksk/core";
import { anchorDsRecords, checkRootAnchors, parseRootAnchors } from "@ksk/trust-anchor";
import { type ReadinessCheckResult, checkResolver } from "../check.js";
import { type ServerAddress, query } from "../client.js";
import { Rcode, rcodeToString } from "../message.js";
import { startLabAuthority } from "./authority.js";
import { LabGroup } from "./process.js";
import { startLabResolver } from "./resolver.js";

export interface LabCheckOptions {
  readonly zoneFile: string;
  readonly anchorsBytes: Uint8Array;
  readonly anchorsName: string;
  /**
   * Time at which KeyDigests must be valid to be trusted, and at which unbound validates the zone's
   * signatures (`val-override-date`: a lab root is signed for a slot of its quarter, not for now).
   */
  readonly atEpochSeconds: number;
  /** Directory for the servers' files; default a temporary one, removed afterwards. */
  readonly dir?: string;
  /** Where knotd's dnstap file of the queries it received goes (kept; default inside `dir`). */
  readonly dnstapFile?: string;
}

export interface LabProbe {
  readonly question: string;
  readonly expected: string;
  readonly rcode: string;
  readonly authenticData: boolean;
  readonly ok: boolean;
}

/** An RRSIG over the zone's DNSKEY RRset by an anchored KSK, valid at the validation time. */
export interface AnchoredSignature {
  readonly keyTag: number;
  /** The RRSIG's inception: the SKR slot the zone was signed for. */
  readonly inceptionEpochSeconds: number;
  readonly expirationEpochSeconds: number;
}

export interface LabCheckResult {
  readonly authority: ServerAddress;
  readonly resolver: ServerAddress;
  readonly anchoredKeyTags: readonly number[];
  readonly probes: readonly LabProbe[];
  readonly readiness: ReadinessCheckResult;
  /** When unbound validated (`val-override-date`). */
  readonly validationEpochSeconds: number;
  /**
   * The signatures a validating resolver can use to trust the DNSKEY RRset from the anchor (RFC 4035
   * §5.2): by a KSK the anchor's DS designates, verified in software at the validation time. With
   * `. DNSKEY` answered AD, unbound validated through one of them.
   */
  readonly anchoredSignatures: readonly AnchoredSignature[];
  readonly ok: boolean;
  readonly verdict: string;
}

/** The zone's apex DNSKEY RRSIGs by anchored KSKs that verify at `atEpochSeconds`. */
function anchoredDnskeySignatures(zoneText: string, file: string, ds: readonly RR<DsRdata>[], atEpochSeconds: number): AnchoredSignature[] {
  const apex = parseZone(zoneText, { origin: ROOT, fileName: file }).filter((rr) => rr.owner.labels.length === 0);
  const dnskeys = apex.filter((rr): rr is RR<DnskeyRdata> => isKind(rr, "DNSKEY"));
  const anchored = anchoredKeys(dnskeys, ds);
  return apex
    .filter((rr): rr is RR<RrsigRdata> => isKind(rr, "RRSIG") && rr.rdata.typeCovered === RRType.DNSKEY)
    .filter((sig) => verifyRrsig(dnskeys, sig, anchored, atEpochSeconds).status === "valid")
    .map((sig) => ({
      keyTag: sig.rdata.keyTag,
      inceptionEpochSeconds: sig.rdata.inceptionEpochSeconds,
      expirationEpochSeconds: sig.rdata.expirationEpochSeconds,
    }));
}

/** The owner of the first DS record below the root: a delegated TLD whose DS the root signs. */
function signedDelegation(zoneText: string, file: string): Name {
  const ds = parseZone(zoneText, { origin: ROOT, fileName: file }).find((rr) => isKind(rr, "DS") && rr.owner.labels.length > 0);
  if (!ds) throw new KskError("input", "LAB-ZONE", `${file}: no DS record below the root to ask for`);
  return ds.owner;
}

/** A TLD absent from the zone (`nonexistent-tld`, numbered if the zone happens to have it). */
function absentTld(zoneText: string, file: string): Name {
  const owners = parseZone(zoneText, { origin: ROOT, fileName: file }).map((rr) => rr.owner);
  for (let i = 0; ; i++) {
    const name = nameFromLabels([new TextEncoder().encode(i === 0 ? "nonexistent-tld" : `nonexistent-tld-${i}`)]);
    if (!owners.some((o) => namesEqual(o, name) || (o.labels.length > 1 && namesEqual(nameFromLabels(o.labels.slice(-1)), name)))) return name;
  }
}

export async function runLabCheck(o: LabCheckOptions): Promise<LabCheckResult> {
  const doc = parseRootAnchors(o.anchorsBytes, o.anchorsName);
  try {
    checkRootAnchors(doc, o.atEpochSeconds);
  } catch (e) {
    throw e instanceof KskError ? e.within(o.anchorsName) : e;
  }
  const ds = anchorDsRecords(doc, { atEpochSeconds: o.atEpochSeconds }).map((r) => makeRR(r.owner, r.ttlSeconds, r.ds));
  const anchoredKeyTags = [...new Set(ds.map((r) => r.rdata.keyTag))];
  let zoneText: string;
  try {
    zoneText = readFileSync(o.zoneFile, "utf8");
  } catch (e) {
    throw new KskError("input", "INPUT-UNREADABLE", (e as Error).message, { where: o.zoneFile });
  }
  const tld = signedDelegation(zoneText, o.zoneFile);
  const anchoredSignatures = anchoredDnskeySignatures(zoneText, o.zoneFile, ds, o.atEpochSeconds);
  const missing = absentTld(zoneText, o.zoneFile);
  const dir = o.dir ?? mkdtempSync(path.join(tmpdir(), "ksk-resolver-lab-"));
  const lab = new LabGroup();
  try {
    const authority = lab.add(
      await startLabAuthority({ zoneFile: o.zoneFile, dir: path.join(dir, "knot"), ...(o.dnstapFile === undefined ? {} : { dnstapFile: o.dnstapFile }) }),
    );
    const resolver = lab.add(
      await startLabResolver({
        dir: path.join(dir, "unbound"),
        authority,
        anchors: { kind: "ds", records: ds },
        options: { validationEpochSeconds: o.atEpochSeconds },
      }),
    );
    const probes: LabProbe[] = [];
    const probe = async (name: Name, type: number, rcode: number) => {
      const x = await query(resolver, name, type, { dnssecOk: true });
      const r = x.response;
      probes.push({
        question: `${nameToString(name)} ${typeToString(type)}`,
        expected: `${rcodeToString(rcode)} with AD`,
        rcode: rcodeToString(r.rcode),
        authenticData: r.flags.authenticData,
        ok: r.rcode === rcode && r.flags.authenticData,
      });
    };
    await probe(ROOT, RRType.SOA, Rcode.NOERROR);
    await probe(ROOT, RRType.DNSKEY, Rcode.NOERROR);
    await probe(tld, RRType.DS, Rcode.NOERROR);
    await probe(missing, RRType.A, Rcode.NXDOMAIN);
    const readiness = await checkResolver({ server: resolver, keyTags: anchoredKeyTags });
    const failed = probes.filter((p) => !p.ok).map((p) => `${p.question} answered ${p.rcode}${p.authenticData ? " AD" : " without AD"}`);
    if (!readiness.ready) failed.push(readiness.verdict);
    const ok = failed.length === 0;
    const verdict = ok ? `lab root validates from ${o.anchorsName}; ${readiness.verdict}` : `lab check failed: ${failed.join("; ")}`;
    return {
      authority: { address: authority.address, port: authority.port },
      resolver: { address: resolver.address, port: resolver.port },
      anchoredKeyTags,
      probes,
      readiness,
      validationEpochSeconds: o.atEpochSeconds,
      anchoredSignatures,
      ok,
      verdict,
    };
  } finally {
    try {
      await lab.stopAll();
    } finally {
      if (o.dir === undefined) rmSync(dir, { recursive: true, force: true });
    }
  }
}

export function formatLabRun(r: LabCheckResult): string {
  const lines = [
    `knotd ${r.authority.address} port ${r.authority.port}; unbound ${r.resolver.address} port ${r.resolver.port} trusting KSK ${r.anchoredKeyTags.join(", ")}`,
    ...r.probes.map((p) => `${p.ok ? "ok  " : "FAIL"} ${p.question}: ${p.rcode}${p.authenticData ? " AD" : ""} (want ${p.expected})`),
    ...r.readiness.keys.map((k) => `KSK ${k.keyTag}: ${k.trust} — ${k.verdict}`),
    ...r.anchoredSignatures.map(
      (s) =>
        `. DNSKEY signed by anchored KSK ${s.keyTag}: RRSIG ${formatIsoZ(s.inceptionEpochSeconds)} to ${formatIsoZ(s.expirationEpochSeconds)}, valid at ${formatIsoZ(r.validationEpochSeconds)}`,
    ),
    `. DNSKEY: ${r.readiness.dnskey.sizeBytes} octets over ${r.readiness.dnskey.transport.toUpperCase()}${r.readiness.dnskey.truncatedOverUdp ? " (truncated over UDP, retried over TCP)" : ""}`,
    "servers stopped",
    `verdict: ${r.verdict}`,
  ];
  return `${lines.join("\n")}\n`;
}
