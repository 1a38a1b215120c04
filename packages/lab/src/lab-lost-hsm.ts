/**
 * `ksk lab --lost-hsm`: the rehearsal of losing the KSK's HSM (docs/custody.md). LAB ONLY.
 *
 *   run 1 (facility 1)  acts 01-06 for the first quarter of keys-example/lab-lost-hsm.yaml, with the
 *                       KSKs generated extractable (sensitive; they leave only wrapped), then act 08:
 *                       both KSKs backed up under officers' KEK shares and restored into facility 2's
 *                       HSM (its own SoftHSM token directory);
 *   the loss            facility 1's token directory is emptied: its HSM and the keys in it are gone,
 *                       as a tamper response or a fire would leave them;
 *   run 2 (facility 2)  acts 02-06 and 09 for the next quarter from lab-lost-hsm-facility-2.yaml (the
 *                       same ceremony, SOFTHSM2_CONF naming facility 2): the KSR built against the SKR
 *                       facility 1 signed, signed at facility 2, the zone validated by unbound, and act
 *                       09's `ksr validate --previous-skr` and `rollover check` across both quarters.
 *
 * Each run is a `runCeremony` of `ksk` steps into one transcript; a run already done (its quarter's
 * SKR exists) is not repeated, so a stopped rehearsal continues where it stopped.
 */
import { existsSync, promises as fs } from "node:fs";
import path from "node:path";
import { type CeremonyOutcome, type RunCeremonyOptions, TRANSCRIPT_FILE, runCeremony, writeReport } from "@ksk/ceremony";
import { type LabRunOptions, type LabRunOutcome, runOrRefuse } from "./lab.js";
import { LAB_ACTS, LAB_CEREMONY_FILES, checkLabDirectory, recordLabKind } from "./lab-kind.js";

/** The quarter's acts of a lab ceremony (00–06), without act 07's custody demonstration. */
const QUARTER_ACTS = LAB_ACTS.filter((a) => a !== "07-key-custody");
/** Run 1 at facility 1: a lab quarter, then both KSKs backed up and restored at facility 2. */
export const LOST_HSM_FIRST_ACTS = [...QUARTER_ACTS, "08-backup-to-facility-2"] as const;
/** Run 2 at facility 2: the next quarter without act 01 (the HSM there holds the restored keys). */
export const LOST_HSM_SECOND_ACTS = [...QUARTER_ACTS.filter((a) => a !== "01-hsm-and-ksk"), "09-lost-hsm-continuity"] as const;
export const LOST_HSM_FACILITY_2_FILE = "lab-lost-hsm-facility-2.yaml";
/** The quarters of the two runs (keys-example/lab-lost-hsm.yaml), by the SKR each writes. */
export const LOST_HSM_SKRS = ["skr-2026Q3.xml", "skr-2026Q4.xml"] as const;
/** Facility 1's token directory (lab-lost-hsm.yaml's softhsm2.conf). */
export const FACILITY_1_TOKENS = "softhsm/tokens";

function runOptions(options: LabRunOptions, ceremonyFile: string, acts: readonly string[], resume: boolean): RunCeremonyOptions {
  const { actsDir, examplesDir: _examples, nowEpochSeconds: _now, ceremonyFile: _file, ...rest } = options;
  return { ...rest, outDir: path.resolve(options.outDir), actFiles: acts.map((a) => path.join(actsDir, `${a}.yaml`)), ceremonyFile, resume };
}

/** Facility 1's HSM is lost: every token file in its token directory removed. */
async function loseFacility1(outDir: string, log: (text: string) => void): Promise<void> {
  const tokens = path.join(outDir, FACILITY_1_TOKENS);
  const present = existsSync(tokens) ? await fs.readdir(tokens) : [];
  if (present.length === 0) return;
  for (const name of present) await fs.rm(path.join(tokens, name), { recursive: true, force: true });
  log(
    `\n=== Facility 1's HSM is lost: its token directory ${FACILITY_1_TOKENS}/ emptied (${present.length} token${present.length === 1 ? "" : "s"} destroyed)\n`,
  );
}

export async function runLostHsmRehearsal(options: LabRunOptions): Promise<LabRunOutcome> {
  checkLabDirectory(options.outDir, "lost-hsm");
  await recordLabKind(options.outDir, "lost-hsm", options.toolkitVersion);
  const done = (skr: string) => existsSync(path.join(options.outDir, skr));
  const runs: CeremonyOutcome[] = [];
  let failure: unknown;
  // Only the first run started here can be refused before it begins (see runOrRefuse): that is
  // thrown as it is, with no report or verdict; a later run follows one that completed.
  const run = async (ceremonyFile: string, acts: readonly string[], resume: boolean): Promise<boolean> => {
    const settings = runOptions(options, path.join(options.examplesDir, ceremonyFile), acts, resume);
    const result: { outcome?: CeremonyOutcome; failure?: unknown } =
      runs.length === 0
        ? await runOrRefuse(settings)
        : await runCeremony(settings).then(
            (o) => ({ outcome: o }),
            (e: unknown) => ({ failure: e }),
          );
    if (result.outcome) runs.push(result.outcome);
    failure = result.failure;
    return failure === undefined;
  };
  let resume = options.resume;
  let going = true;
  if (!done(LOST_HSM_SKRS[0])) {
    going = await run(LAB_CEREMONY_FILES["lost-hsm"], LOST_HSM_FIRST_ACTS, resume);
    resume = false;
  }
  if (going && !done(LOST_HSM_SKRS[1])) {
    await loseFacility1(options.outDir, options.terminal.out);
    await run(LOST_HSM_FACILITY_2_FILE, LOST_HSM_SECOND_ACTS, resume);
  }
  // The rehearsal's own report, rewritten by each run (a regular file only).
  const report = existsSync(path.join(options.outDir, TRANSCRIPT_FILE))
    ? await writeReport(options.outDir, { nowEpochSeconds: options.nowEpochSeconds(), force: true })
    : undefined;
  return { kind: "lost-hsm", outDir: options.outDir, runs, ...(report ? { report } : {}), ...(failure === undefined ? {} : { failure }) };
}
