/**
 * The compressed rehearsal's report page and README.txt: the timeline's columns are the phases
 * A-E (each the SKR slot served in it), and the resolvers' answers per phase, each phase dated by
 * that slot and the RFC 5011 resolver's anchor file shown key by key (ADDPEND, VALID, REVOKED…); there is no
 * transcript (one process, no acts), which the page says.
 *
 * Left out: rendering itself (@ksk/ceremony's report page) and the verdict (./rollover-record.ts).
 */
import path from "node:path";
import { type ReportVerdict, type ResolverPhaseOutcome, renderReportHtml } from "@ksk/ceremony";
import type { KsrResponseDocument } from "@ksk/ksr";
import { bundleInUse } from "@ksk/zone";
import { type PhaseRecord, RESOLVER_NAMES, ROLLOVER_PHASES, type ResolverName, type RolloverPhase } from "./rollover-record.js";
import { type PhaseTelemetry, telemetryEntries } from "./telemetry-phase.js";

/** The page: one timeline column per phase (the slot it served), the resolvers per phase, the verdict. */
export function compressedReportHtml(input: {
  readonly outDir: string;
  readonly generatedEpochSeconds: number;
  readonly skrs: ReadonlyMap<RolloverPhase, KsrResponseDocument>;
  readonly phases: readonly PhaseRecord[];
  readonly telemetry: readonly PhaseTelemetry[];
  readonly verdict: ReportVerdict;
}): string {
  const { phases, generatedEpochSeconds: generated } = input;
  // The date each phase stands for: the inception of the slot it served.
  const slotOf = (p: PhaseRecord): { slotEpochSeconds?: number } => {
    const skr = input.skrs.get(p.phase);
    return skr ? { slotEpochSeconds: bundleInUse(skr, Date.parse(p.atUtc) / 1000).bundle.inceptionEpochSeconds } : {};
  };
  return renderReportHtml({
    title: `LAB ONLY: KSK roll rehearsal on a compressed clock: ${path.basename(path.resolve(input.outDir))}`,
    generatedEpochSeconds: generated,
    entries: [],
    verification: { ok: true, entryCount: 0, artefactCount: 0, headSha256Hex: "00".repeat(32), problems: [], incomplete: false },
    // The timeline: the slot each phase served.
    skrs: ROLLOVER_PHASES.flatMap((phase) => {
      const skr = input.skrs.get(phase);
      if (!skr) return [];
      const at = phases.find((p) => p.phase === phase)?.atUtc;
      const when = at ? Date.parse(at) / 1000 : generated;
      return [{ path: `skr-phase-${phase}.xml`, document: { ...skr, bundles: [bundleInUse(skr, when).bundle] }, column: phase }];
    }),
    resolverRuns: [],
    texts: new Map(),
    rolloverResolvers: phases.flatMap((p) =>
      (Object.keys(RESOLVER_NAMES) as ResolverName[]).map(
        (n): ResolverPhaseOutcome => ({
          phase: p.name,
          resolver: RESOLVER_NAMES[n],
          answer: p.resolvers[n].answer,
          trust: `old ${p.resolvers[n].trust.old}, new ${p.resolvers[n].trust.new}`,
          ...slotOf(p),
          ...(p.resolvers[n].anchorFile ? { anchorStates: p.resolvers[n].anchorFile.states } : {}),
        }),
      ),
    ),
    telemetry: telemetryEntries(input.telemetry),
    verdict: input.verdict,
    transcriptNote: "This rehearsal runs in one process, without ceremony acts: no transcript. Its record is rollover-live.json and resolvers-phase-X.json.",
    generatedBy: "ksk lab --rollover --calendar compressed (the timeline's columns are the phases A-E, each the SKR slot served in it)",
  });
}

/** README.txt of the rehearsal's output directory. */
export function compressedReadme(out: string): string {
  return `LAB ONLY: the KSK roll rehearsed on a compressed clock (ksk lab --rollover --calendar compressed)
Lab keys and their passphrase are kept here in the clear. DNSKEY TTL 2 s, RFC 5011 hold-downs 3 s: never for a real ceremony.

ksrsigner.yaml                   the KSK operator's config: the lab KSKs and keys-example/lab-rollover-compressed.yaml
keystore/, keystore.passphrase   the encrypted software keystore with the lab KSKs (Klabcur old, Klabnxt new) and ZSKs, its passphrase
ksks.zone                        the lab KSKs' DNSKEY records
ksr-phase-X.xml                  the KSR of each phase (A normal, B pre-publish, C roll, D revoke, E remove)
skr-phase-X.xml                  the SKR of each phase, signed with the schema phase-X
root-anchors-phase-X.xml, .p7s  root-anchors.xml as published in each phase, and its CMS signature
ca/                              LAB ONLY: this rehearsal's test CA (ca.pem, ca.key) and the p7s signer (signer.pem, signer.key)
root-phase-X.signed.zone         the test root served in each phase
resolvers-phase-X.json           each resolver's answer to . SOA in the phase: RCODE, AD, RFC 8509 trust per KSK,
                                   and the RFC 5011 resolver's anchor file (trusted and revoked key tags)
dnstap-phase-X.dnstap            the queries the lab root received in each phase (knotd mod-dnstap; read with ksk telemetry)
telemetry-phase-X.json           the RFC 8145 key-tag signals in them, per resolver (ksk telemetry --json, with the phase's root-anchors.xml)
rollover-live.json               every phase and the verdict
report.html                      the key timeline per phase and the resolvers' outcomes
servers/                         knotd's and each unbound's config and log (all stopped)
lab-run.json                     the kind of run this directory holds

Check an SKR, or an anchors file and its signature, from here with e.g.
  packages/cli/bin/ksk skr verify ${out}/skr-phase-C.xml --ksr ${out}/ksr-phase-C.xml --anchor ${out}/ksks.zone
  packages/cli/bin/ksk anchors verify ${out}/root-anchors-phase-B.xml --p7s ${out}/root-anchors-phase-B.p7s --ca ${out}/ca/ca.pem --dnskey ${out}/ksks.zone
`;
}
