/**
 * The kinds of run `ksk lab` makes, and which one an output directory holds: `lab-run.json`, written
 * before the first file of a run, or (a directory the scripts made before `ksk lab`) the ceremony
 * file its transcript's first run names. A directory holding another kind is refused before
 * anything is written (exit 5).
 */
import { existsSync, promises as fs, readFileSync } from "node:fs";
import path from "node:path";
import { TRANSCRIPT_FILE } from "@ksk/ceremony";
import { KskError } from "@ksk/core";
import { checkOutputDirectory, writeFilesAtomically } from "@ksk/files";

/** What a lab output directory holds. */
export type LabKind = "lab" | "rollover-2024-2027" | "rollover-compressed" | "lost-hsm";
export const LAB_KINDS: readonly LabKind[] = ["lab", "rollover-2024-2027", "rollover-compressed", "lost-hsm"];
/** The calendars of `ksk lab --rollover --calendar`. */
export const ROLLOVER_CALENDARS = ["2024-2027", "compressed"] as const;
export type RolloverCalendar = (typeof ROLLOVER_CALENDARS)[number];

/** Where `ksk lab` records the kind of run its output directory holds. */
export const LAB_RUN_FILE = "lab-run.json";
export const LAB_README_FILE = "README.txt";

/** The acts of the lab ceremony, and of one quarter of the rollover rehearsal (act 22 added last). */
export const LAB_ACTS = [
  "00-toolkit",
  "01-hsm-and-ksk",
  "02-zsk-operator",
  "03-key-signing",
  "04-trust-anchor",
  "05-test-root-zone",
  "06-resolve",
  "07-key-custody",
] as const;
export const ROLLOVER_QUARTER_ACTS = ["00-toolkit", "01-hsm-and-ksk", "02-zsk-operator", "03-key-signing", "04-trust-anchor", "21-rollover-zone"] as const;
export const ROLLOVER_LAST_ACT = "22-rollover-remove";

/** The ceremony files each kind uses by default (in the examples directory). */
export const LAB_CEREMONY_FILES: Readonly<Record<Exclude<LabKind, "rollover-compressed">, string>> = {
  lab: "lab-ceremony.yaml",
  "rollover-2024-2027": "lab-rollover.yaml",
  "lost-hsm": "lab-lost-hsm.yaml",
};

export function labKindOf(rollover: boolean, calendar: RolloverCalendar | undefined): LabKind {
  if (!rollover) {
    if (calendar !== undefined) throw new KskError("usage", "LAB-CALENDAR", "--calendar is for the rollover rehearsal: give it with --rollover");
    return "lab";
  }
  return calendar === "compressed" ? "rollover-compressed" : "rollover-2024-2027";
}

/** The calendar named on the command line, or a usage error naming the choices. */
export function parseRolloverCalendar(text: string | undefined): RolloverCalendar | undefined {
  if (text === undefined) return undefined;
  if ((ROLLOVER_CALENDARS as readonly string[]).includes(text)) return text as RolloverCalendar;
  throw new KskError("usage", "LAB-CALENDAR", `unknown --calendar ${JSON.stringify(text)}: give ${ROLLOVER_CALENDARS.join(" or ")}`);
}

/**
 * The kind of run `outDir` holds: its `lab-run.json`, else (a directory made by the scripts before
 * `ksk lab`) the ceremony file its transcript's first run names; undefined for a new or empty one.
 */
export function detectLabKind(outDir: string): LabKind | undefined {
  try {
    const recorded = (JSON.parse(readFileSync(path.join(outDir, LAB_RUN_FILE), "utf8")) as { kind?: unknown }).kind;
    if (typeof recorded === "string" && (LAB_KINDS as readonly string[]).includes(recorded)) return recorded as LabKind;
  } catch {
    // no record: look at the transcript
  }
  try {
    const first = readFileSync(path.join(outDir, TRANSCRIPT_FILE), "utf8").split("\n", 1)[0] ?? "";
    const file = (JSON.parse(first) as { ceremonyFile?: { path?: unknown } }).ceremonyFile?.path;
    if (file === LAB_CEREMONY_FILES["rollover-2024-2027"]) return "rollover-2024-2027";
    if (file === LAB_CEREMONY_FILES["lost-hsm"]) return "lost-hsm";
    if (typeof file === "string") return "lab";
  } catch {
    // no transcript
  }
  return undefined;
}

const KIND_NAMES: Readonly<Record<LabKind, string>> = {
  lab: "the lab ceremony (ksk lab)",
  "rollover-2024-2027": "the 2024-2027 rollover rehearsal (ksk lab --rollover)",
  "rollover-compressed": "the compressed-clock rollover rehearsal (ksk lab --rollover --calendar compressed)",
  "lost-hsm": "the lost-HSM rehearsal (ksk lab --lost-hsm)",
};

/** Refuse (before anything is written) an --out that is not a directory, or a directory that holds another kind of run. */
export function checkLabDirectory(outDir: string, kind: LabKind): void {
  checkOutputDirectory(outDir);
  const found = detectLabKind(outDir);
  if (found !== undefined && found !== kind) {
    throw new KskError("refused", "LAB-OTHER-RUN", `holds ${KIND_NAMES[found]}, not ${KIND_NAMES[kind]}: give another --out`, { where: outDir });
  }
}

/** Record the kind of run (once: the file is kept as first written). */
export async function recordLabKind(outDir: string, kind: LabKind, toolkitVersion: string): Promise<void> {
  const file = path.join(outDir, LAB_RUN_FILE);
  if (existsSync(file)) return;
  await fs.mkdir(outDir, { recursive: true });
  await writeFilesAtomically([{ file, bytes: `${JSON.stringify({ kind, toolkitVersion, labOnly: true })}\n` }], { force: false });
}
