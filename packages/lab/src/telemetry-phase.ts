/**
 * Trust-anchor telemetry per phase of the compressed rehearsal (LAB ONLY): the lab root's dnstap
 * file of the phase is closed (`rotateDnstap`, the next phase's file opened), kept as
 * `dnstap-phase-X.dnstap`, read by @ksk/resolver's `readDnstapTelemetry` against the phase's
 * root-anchors.xml and written as `telemetry-phase-X.json`: which key tags each resolver signalled
 * (RFC 8145), named by resolver. The resolvers query the root from their own loopback addresses
 * (`TELEMETRY_ADDRESSES`), so the root tells them apart as a real root tells resolvers apart.
 * Leaves out: judging the signals (the report shows them; the rehearsal's verdict is its resolvers').
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import type { TelemetryReportEntry } from "@ksk/ceremony";
import { writeFilesAtomically } from "@ksk/files";
import { type LabAuthority, type TelemetrySummary, readDnstapTelemetry } from "@ksk/resolver";

/** Each rehearsal resolver's loopback address (listening and querying the root from it). */
export const TELEMETRY_ADDRESSES = { managed: "127.0.0.11", static: "127.0.0.12", anchors: "127.0.0.13" } as const;

/** The address of a rehearsal resolver by its directory name (`managed`, `static`, `anchors-X`). */
export function telemetryAddress(name: string): string {
  return name.startsWith("anchors") ? TELEMETRY_ADDRESSES.anchors : TELEMETRY_ADDRESSES[name as "managed" | "static"];
}

export interface PhaseTelemetry {
  readonly phase: string;
  /** The phase's name, e.g. `C roll`. */
  readonly name: string;
  readonly dnstapFile: string;
  /** Resolver names by source address. */
  readonly resolverNames: Readonly<Record<string, string>>;
  /** `old`, `new`, `old revoked` by key tag. */
  readonly keyTagNames: Readonly<Record<string, string>>;
  readonly summary: TelemetrySummary;
}

export interface PhaseTelemetryOptions {
  readonly authority: LabAuthority;
  readonly outDir: string;
  readonly phase: string;
  readonly phaseName: string;
  /** The phase's root-anchors.xml and the time it is judged at. */
  readonly anchorsXml: Uint8Array;
  readonly atEpochSeconds: number;
  /** Key tags whose keys the phase's zone publishes revoked (the old KSK from phase D). */
  readonly revokedKeyTags: readonly number[];
  readonly resolverNames: Readonly<Record<string, string>>;
  readonly keyTagNames: Readonly<Record<string, string>>;
}

/** Close the phase's dnstap file, keep it, summarise it, write telemetry-phase-X.json. */
export async function recordPhaseTelemetry(o: PhaseTelemetryOptions): Promise<PhaseTelemetry> {
  const next = path.join(path.dirname(o.authority.dnstapFile), `queries-after-phase-${o.phase}.dnstap`);
  const closed = await o.authority.rotateDnstap(next);
  const dnstapFile = `dnstap-phase-${o.phase}.dnstap`;
  await fs.rename(closed, path.join(o.outDir, dnstapFile));
  const summary = await readDnstapTelemetry([path.join(o.outDir, dnstapFile)], {
    anchors: { bytes: o.anchorsXml, name: `root-anchors-phase-${o.phase}.xml`, atEpochSeconds: o.atEpochSeconds, revokedKeyTags: o.revokedKeyTags },
  });
  const record: PhaseTelemetry = { phase: o.phase, name: o.phaseName, dnstapFile, resolverNames: o.resolverNames, keyTagNames: o.keyTagNames, summary };
  await writeFilesAtomically([{ file: path.join(o.outDir, `telemetry-phase-${o.phase}.json`), bytes: `${JSON.stringify(record, null, 2)}\n` }], {
    force: false,
  });
  return record;
}

/** The report's rows for the phases' telemetry. */
export function telemetryEntries(phases: readonly PhaseTelemetry[]): TelemetryReportEntry[] {
  return phases.map((p) => ({ label: p.name, summary: p.summary, resolverNames: p.resolverNames, keyTagNames: p.keyTagNames }));
}

/** The rehearsal's names: its resolvers by address, its KSKs by tag. */
export function rehearsalNames(
  resolvers: Readonly<Record<keyof typeof TELEMETRY_ADDRESSES, string>>,
  tags: { readonly old: number; readonly oldRevoked: number; readonly new: number },
): Pick<PhaseTelemetryOptions, "resolverNames" | "keyTagNames"> {
  return {
    resolverNames: Object.fromEntries(
      Object.entries(TELEMETRY_ADDRESSES).map(([name, address]) => [address, resolvers[name as keyof typeof TELEMETRY_ADDRESSES]]),
    ),
    keyTagNames: { [tags.old]: "old", [tags.new]: "new", [tags.oldRevoked]: "old, revoked" },
  };
}
