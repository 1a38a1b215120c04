/**
 * `ksk lab`: the lab runs an operator starts with one command, each into one output directory
 * (the lost-HSM rehearsal, `ksk lab --lost-hsm`, is ./lab-lost-hsm.ts).
 *
 *   lab                    the lab ceremony: acts 00-06 of ceremony-scripts/acts and, once, act 07
 *                          (key custody), one quarter of keys-example/lab-ceremony.yaml per run,
 *                          chained to the SKR before; then
 *                          the report and README.txt of the directory; the report is written also
 *                          when a step failed, its verdict saying where;
 *   rollover-2024-2027     the 2024-2027 KSK roll on lab keys (keys-example/lab-rollover.yaml): acts
 *                          01-04 and 21 (rollover-zone) once per quarter until the last quarter's
 *                          SKR exists, act 22 (rollover-remove) in the last quarter's run, then the
 *                          report;
 *   rollover-compressed    the live rehearsal on a compressed clock (./rollover-live.ts).
 *
 * Files are written through @ksk/files' atomic writer: README.txt is replaced by each run's.
 *
 * Every step of the first two is a `ksk` process run by `runCeremony`; nothing here decides about
 * keys, DNS or XML. The kind of run is recorded in `lab-run.json`, and a directory holding another
 * kind of run is refused before anything is written.
 */
import { existsSync, promises as fs, statSync } from "node:fs";
import path from "node:path";
import {
  type CeremonyOutcome,
  type ReportVerdict,
  type RunCeremonyOptions,
  TRANSCRIPT_FILE,
  expandString,
  parseCeremonyFile,
  runCeremony,
  writeReport,
} from "@ksk/ceremony";
import { KskError } from "@ksk/core";
import { writeFilesAtomically } from "@ksk/files";
import {
  LAB_ACTS,
  LAB_CEREMONY_FILES,
  LAB_README_FILE,
  type LabKind,
  ROLLOVER_LAST_ACT,
  ROLLOVER_QUARTER_ACTS,
  checkLabDirectory,
  detectLabKind,
  recordLabKind,
} from "./lab-kind.js";

/** What the report of the 2024-2027 rehearsal says about resolvers: none lived it. */
export const ROLLOVER_CALENDAR_NOTE =
  "Resolvers were not run on the 2024-2027 calendar: its phases are months apart on real dates, which no live resolver can follow here. The roll through real resolvers (RFC 5011 managed, static anchor, per-phase root-anchors.xml) is ksk lab --rollover --calendar compressed.";

export interface LabRunOptions extends Omit<RunCeremonyOptions, "actFiles" | "ceremonyFile" | "outDir"> {
  /** The output directory as the operator gave it (README.txt and the report path name it so). */
  readonly outDir: string;
  /** ceremony-scripts/acts: the act files. */
  readonly actsDir: string;
  /** keys-example: the lab's ceremony files. */
  readonly examplesDir: string;
  /** Another ceremony file than the kind's default. */
  readonly ceremonyFile?: string;
  /** The report's generation time. */
  readonly nowEpochSeconds: () => number;
}

export interface LabRunOutcome {
  readonly kind: LabKind;
  readonly outDir: string;
  /** The ceremony runs that completed, in order. */
  readonly runs: readonly CeremonyOutcome[];
  /** The report, when a transcript exists to report on. */
  readonly report?: { readonly file: string; readonly verdict: ReportVerdict };
  /** README.txt, when this kind writes one. */
  readonly readme?: string;
  /** The error a ceremony run stopped with (already recorded in the transcript); the caller rethrows it. */
  readonly failure?: unknown;
}

function ceremonyOptions(options: LabRunOptions, kind: Exclude<LabKind, "rollover-compressed">, acts: readonly string[], resume: boolean): RunCeremonyOptions {
  const { actsDir, examplesDir, nowEpochSeconds: _now, ceremonyFile, ...rest } = options;
  return {
    ...rest,
    outDir: path.resolve(options.outDir),
    actFiles: acts.map((a) => path.join(actsDir, `${a}.yaml`)),
    ceremonyFile: ceremonyFile ?? path.join(examplesDir, LAB_CEREMONY_FILES[kind]),
    resume,
  };
}

/**
 * `ksk report DIR`: the report of a ceremony's output directory, with what the lab knows of the
 * run it holds (a 2024-2027 rehearsal's report says that no resolver lived that calendar).
 */
export async function writeCeremonyReport(
  dir: string,
  options: { output?: string; nowEpochSeconds: number; force: boolean },
): Promise<{ file: string; verdict: ReportVerdict }> {
  return writeReport(dir, { ...options, ...(detectLabKind(dir) === "rollover-2024-2027" ? { rolloverNote: ROLLOVER_CALENDAR_NOTE } : {}) });
}

async function report(options: LabRunOptions): Promise<LabRunOutcome["report"]> {
  if (!existsSync(path.join(options.outDir, TRANSCRIPT_FILE))) return undefined;
  // The lab's own report, rewritten by each run (a regular file only).
  return writeCeremonyReport(options.outDir, { nowEpochSeconds: options.nowEpochSeconds(), force: true });
}

/** The size of the transcript in `outDir` (0 when there is none): whether a run appended to it. */
function transcriptBytes(outDir: string): number {
  try {
    return statSync(path.join(outDir, TRANSCRIPT_FILE)).size;
  } catch {
    return 0;
  }
}

/**
 * One ceremony run. A run refused before it began — it appended nothing to the transcript: a
 * stopped run not resumed, every quarter signed, a broken transcript, a lock — is thrown as it is:
 * no report is written and no verdict printed, since a verdict there would be an earlier run's.
 */
export async function runOrRefuse(options: RunCeremonyOptions): Promise<{ outcome?: CeremonyOutcome; failure?: unknown }> {
  const before = transcriptBytes(options.outDir);
  try {
    return { outcome: await runCeremony(options) };
  } catch (e) {
    if (transcriptBytes(options.outDir) === before) throw e;
    return { failure: e };
  }
}

/** The lab ceremony: acts 00-06 for the next quarter and, once, act 07 (key custody), the report, README.txt. */
export async function runLab(options: LabRunOptions): Promise<LabRunOutcome> {
  checkLabDirectory(options.outDir, "lab");
  await recordLabKind(options.outDir, "lab", options.toolkitVersion);
  const { outcome, failure } = await runOrRefuse(ceremonyOptions(options, "lab", LAB_ACTS, options.resume));
  const runs = outcome ? [outcome] : [];
  // The report also when the ceremony stopped: its verdict then says where and why.
  const written = await report(options);
  const readme = path.join(options.outDir, LAB_README_FILE);
  await writeFilesAtomically([{ file: readme, bytes: labReadme(options.outDir) }], { force: true });
  return { kind: "lab", outDir: options.outDir, runs, ...(written ? { report: written } : {}), readme, ...(failure === undefined ? {} : { failure }) };
}

/**
 * The 2024-2027 rehearsal: one ceremony run per quarter of the ceremony file (acts 01-04 and 21),
 * act 22 added in the last quarter's run, until the last quarter's SKR exists; then the report.
 * `--resume` applies to the first run only (the one that stopped); a failed run ends the loop.
 */
export async function runRolloverCalendar(options: LabRunOptions): Promise<LabRunOutcome> {
  checkLabDirectory(options.outDir, "rollover-2024-2027");
  const ceremonyFile = options.ceremonyFile ?? path.join(options.examplesDir, LAB_CEREMONY_FILES["rollover-2024-2027"]);
  const ceremony = parseCeremonyFile(await fs.readFile(ceremonyFile, "utf8"), ceremonyFile);
  const done = ceremony.quarter_done;
  const quarters = ceremony.quarters.map((q) => q.quarter);
  if (done === undefined || quarters.length < 2) {
    throw new KskError("input", "LAB-ROLLOVER-QUARTERS", "a rollover ceremony file lists its quarters (two or more) and quarter_done", { where: ceremonyFile });
  }
  const doneFile = (quarter: string) => path.join(options.outDir, expandString(done, { quarter }, "quarter_done"));
  const last = quarters.at(-1) as string;
  const beforeLast = quarters.at(-2) as string;
  await recordLabKind(options.outDir, "rollover-2024-2027", options.toolkitVersion);
  const runs: CeremonyOutcome[] = [];
  let failure: unknown;
  let resume = options.resume;
  while (!existsSync(doneFile(last))) {
    const acts = existsSync(doneFile(beforeLast)) ? [...ROLLOVER_QUARTER_ACTS, ROLLOVER_LAST_ACT] : [...ROLLOVER_QUARTER_ACTS];
    const run = ceremonyOptions({ ...options, ceremonyFile }, "rollover-2024-2027", acts, resume);
    // Only the first run can be refused before it begins; a later one follows a run that completed.
    const result: { outcome?: CeremonyOutcome; failure?: unknown } =
      runs.length === 0
        ? await runOrRefuse(run)
        : await runCeremony(run).then(
            (o) => ({ outcome: o }),
            (e: unknown) => ({ failure: e }),
          );
    const { outcome, failure: stopped } = result;
    if (outcome) runs.push(outcome);
    if (stopped !== undefined) {
      failure = stopped;
      break;
    }
    resume = false;
  }
  const written = await report(options);
  return { kind: "rollover-2024-2027", outDir: options.outDir, runs, ...(written ? { report: written } : {}), ...(failure === undefined ? {} : { failure }) };
}

/** README.txt of a lab ceremony's output directory: what each file is, how to reuse the token. */
export function labReadme(out: string): string {
  return `Lab ceremony outputs (TEST ONLY: lab keys, lab PINs and the ZSK passphrase are kept here in the clear)

console.log                      everything each run of pnpm lab printed (stdout and stderr)
transcript.jsonl                 the hash-chained record of every act and step; check it with
                                   packages/cli/bin/ksk transcript verify ${out}/transcript.jsonl --dir ${out}
report.html                      the report: acts, hashes, checks, bundle tables, key timeline, resolver verdicts
softhsm/                         the SoftHSM2 token with the lab KSKs (softhsm2.conf, tokens/, user.pin, so.pin);
                                   hsm-token.json records its serial
ksks.zone, ksks.ds, ksks.*.txt   the KSKs' DNSKEY and DS records, key tags, PGP words
Klabnxt.csr, Klabnxt.csr.txt     the standby KSK's certificate signing request and its reading
zsk-keystore/, zsk.passphrase    the ZSK operator's encrypted software keystore and its passphrase; zsks.zone its keys
ksrsigner.yaml                   the KSK operator's signing configuration
root-anchors.xml                 the trust anchor; root-anchors.p7s its CMS signature (lab CA in ca/);
                                   root-anchors.ds, bind-trust-anchors.conf, unbound-root.key: as DS, for BIND, for unbound
ksr-Q.xml, ksr-Q.validation.txt  each quarter's KSR and its check report
skr-Q.xml, skr-Q.*.txt           each quarter's SKR, the signing record, its verification (and against the anchor)
root-Q.signed.zone, root-Q.*.txt each quarter's signed test root (act 05) and its checks; resolver-Q.json: what unbound answered (act 06), resolver-Q.txt its summary
root-Q.dnstap, telemetry-Q.json  the queries the lab root received in act 06 (dnstap) and the RFC 8145 key-tag signals in them (ksk telemetry)
lab-run.json                     the kind of run this directory holds (ksk lab refuses another kind here)

Next: run pnpm lab (or ksk lab --out ${out}) again for the next quarter, or reuse the token with the key commands, e.g.
  SOFTHSM2_CONF=${out}/softhsm/softhsm2.conf packages/cli/bin/ksk key list --keystore 'pkcs11:token=ksk-lab?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:${out}/softhsm/user.pin'
`;
}
