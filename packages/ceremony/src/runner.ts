/**
 * Running a ceremony: the acts' steps in order, each a `ksk` process run in the output directory,
 * every input and output hashed and shown to the witnesses (SHA-256 as hex and PGP words), a typed
 * "Yes" before any step that uses a private key, and one transcript entry per step, written and
 * synced before the next step starts.
 *
 * Faults: a step that fails (non-zero exit, a missing input, an output that already exists, an
 * interrupt) stops the ceremony; its entry records the act, step and reason, an `end` entry says
 * where to resume, and no later step runs. Outputs are never partial under their final names: the
 * `ksk` commands, a step's captured standard output and the lab's setup files are all written
 * through @ksk/files' atomic writer. `--resume` continues at the recorded point with the variables
 * the stopped run used; a new run refuses to start over a stopped one.
 *
 * Left out: one step's run (./step.ts); deciding anything about keys, DNS or XML — that is the
 * commands' job.
 */
import { existsSync, promises as fs } from "node:fs";
import path from "node:path";
import { KskError, hexToBytes, pgpWords } from "@ksk/core";
import { checkOutputDirectory, readRegularFile, writeFilesAtomically } from "@ksk/files";
import {
  type Act,
  type CeremonyFile,
  type PlannedStep,
  type Variables,
  CONTROL_CHARACTERS,
  actId,
  currentQuarter,
  expandString,
  parseActFile,
  parseCeremonyFile,
  planActs,
  quarterVariables,
} from "./acts.js";
import { type CeremonyTerminal, type StepContext, exists, runStep, stepEntry, stepResultLine } from "./step.js";
import { artefactReader } from "./artefacts.js";
import { TRANSCRIPT_FILE, type TranscriptEntry, TranscriptWriter, artefactRecord, changedOutputs, resumePoint, verifyTranscript } from "./transcript.js";

export type { CeremonyTerminal } from "./step.js";

export interface RunCeremonyOptions {
  /** The output directory (made if missing); every step runs with it as working directory. */
  readonly outDir: string;
  readonly actFiles: readonly string[];
  readonly ceremonyFile: string;
  /** Override the ceremony file's operator / witnesses. */
  readonly operator?: string;
  readonly witnesses?: readonly string[];
  readonly resume: boolean;
  /** A scripted run: `--yes` stands in for every typed Yes, and the transcript says so. */
  readonly assumeYes: boolean;
  readonly toolkitVersion: string;
  readonly host: string;
  /** How to run `ksk`: the program and any leading arguments. */
  readonly kskCommand: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly terminal: CeremonyTerminal;
  readonly clock: () => Date;
  /** Show every command line, output and hash (see StepContext.verbose); the transcript is the same either way. */
  readonly verbose?: boolean;
}

export interface CeremonyOutcome {
  readonly transcriptFile: string;
  readonly headSha256Hex: string;
  readonly actsRun: readonly string[];
  readonly variables: Variables;
}

async function readText(file: string, what: string): Promise<{ text: string; bytes: Uint8Array }> {
  try {
    const bytes = new Uint8Array(await fs.readFile(file));
    return { text: new TextDecoder().decode(bytes), bytes };
  } catch (e) {
    throw new KskError("input", "CEREMONY-FILE", `${what} cannot be read: ${(e as Error).message}`, { where: file });
  }
}

/** Refuse a second runner on the same directory; a lock left by a killed run (dead PID) is taken over. */
async function lock(outDir: string): Promise<() => Promise<void>> {
  const file = path.join(outDir, ".ceremony.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(file, `${process.pid}\n`, { flag: "wx" });
      return () => fs.rm(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const pid = Number.parseInt(await fs.readFile(file, "utf8").catch(() => ""), 10);
      let alive = false;
      try {
        if (pid > 0) process.kill(pid, 0);
        alive = pid > 0;
      } catch {
        alive = false;
      }
      if (alive) throw new KskError("refused", "CEREMONY-LOCKED", `another ceremony run (PID ${pid}) is using this directory`, { where: outDir });
      await fs.rm(file, { force: true });
    }
  }
  throw new KskError("refused", "CEREMONY-LOCKED", "cannot take the ceremony lock", { where: outDir });
}

/** The lab's TEST ONLY files: made once, before the first act, never overwritten. */
async function setUp(ceremony: CeremonyFile, outDir: string, examplesDir: string, variables: Variables): Promise<void> {
  for (const dir of ceremony.setup.directories) await fs.mkdir(path.join(outDir, dir), { recursive: true, mode: 0o700 });
  for (const f of ceremony.setup.files) {
    const file = path.join(outDir, f.path);
    if (await exists(file)) continue;
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const text = expandString(f.text, variables, `setup ${f.path}`);
    await writeFilesAtomically([{ file, bytes: text, mode: f.secret ? 0o600 : 0o644 }], { force: false });
  }
  for (const c of ceremony.setup.copy) {
    const file = path.join(outDir, c.to);
    if (await exists(file)) continue;
    await writeFilesAtomically([{ file, bytes: await readRegularFile(path.resolve(examplesDir, c.from)) }], { force: false });
  }
}

/** The words witnesses write down at the end: the transcript's last-entry hash. */
export function headWitnessLine(headSha256Hex: string): string {
  return pgpWords(hexToBytes(headSha256Hex)).join(" ");
}

/** The ceremony file and the acts, read and checked before anything is written. */
interface CeremonyInput {
  readonly ceremonyText: { readonly text: string; readonly bytes: Uint8Array };
  readonly ceremony: CeremonyFile;
  /** The directory of the ceremony file: the lab's examples. */
  readonly examplesDir: string;
  readonly acts: readonly { readonly act: Act; readonly file: string }[];
  readonly operator: string;
  readonly witnesses: readonly string[];
}

async function readCeremonyInput(options: RunCeremonyOptions): Promise<CeremonyInput> {
  const ceremonyText = await readText(options.ceremonyFile, "the ceremony file");
  const ceremony = parseCeremonyFile(ceremonyText.text, options.ceremonyFile);
  const acts: { act: Act; file: string }[] = [];
  for (const file of options.actFiles) acts.push({ act: parseActFile((await readText(file, "the act file")).text, file), file });
  acts.sort((a, b) => a.act.act - b.act.act);
  const operator = options.operator ?? ceremony.operator;
  if (!operator) throw new KskError("usage", "CEREMONY-OPERATOR", "name the operator with --operator (or operator: in the ceremony file)");
  const witnesses = options.witnesses?.length ? options.witnesses : ceremony.witnesses;
  for (const name of [operator, ...witnesses]) {
    if (CONTROL_CHARACTERS.test(name)) {
      throw new KskError("usage", "CEREMONY-NAME", `${JSON.stringify(name)}: a name may not hold control characters (escape codes, bell, NUL)`);
    }
  }
  if (!options.assumeYes && witnesses.length === 0) {
    throw new KskError("usage", "CEREMONY-WITNESSES", "a witnessed ceremony names its witnesses: --witness NAME (or witnesses: in the ceremony file)");
  }
  return { ceremonyText, ceremony, examplesDir: path.dirname(path.resolve(options.ceremonyFile)), acts, operator, witnesses };
}

type Stopped = NonNullable<ReturnType<typeof resumePoint>>;

/**
 * Before anything is appended: the transcript's chain holds (an altered or removed entry is
 * refused, exit 1: a run must not add well-chained entries on top of a forgery), and when resuming,
 * the outputs of the completed steps the remaining ones rely on are still the files recorded.
 */
async function checkTranscript(transcriptFile: string, outDir: string, entries: readonly TranscriptEntry[], stopped: Stopped | undefined): Promise<void> {
  if (entries.length === 0) return;
  const chain = verifyTranscript(await readRegularFile(transcriptFile), null);
  const outputs = chain.ok && stopped ? changedOutputs(entries, artefactReader(outDir)) : [];
  const problem = chain.problems[0] ?? outputs[0];
  if (problem) {
    throw new KskError("check", "TRANSCRIPT-BROKEN", `${problem.subject} ${problem.detail}: no entry is added to a transcript that does not verify`, {
      where: transcriptFile,
    });
  }
}

/** Where the last run stopped, if it did; a new run over a stopped one, or `--resume` with nothing to resume, is refused. */
function checkResume(entries: readonly TranscriptEntry[], resume: boolean, transcriptFile: string): Stopped | undefined {
  const stopped = resumePoint(entries);
  if (stopped && !resume) {
    throw new KskError(
      "refused",
      "CEREMONY-STOPPED",
      `the last run stopped at act ${stopped.point.act} step ${stopped.point.step} (${stopped.reason}); continue it with --resume`,
      { where: transcriptFile },
    );
  }
  if (resume && !stopped)
    throw new KskError("usage", "CEREMONY-RESUME", "--resume: the last run did not stop part-way; nothing to resume", { where: transcriptFile });
  return stopped;
}

/** The run's variables: the ceremony file's, then the quarter's (or, resuming, those the stopped run used). */
function runVariables(options: RunCeremonyOptions, input: CeremonyInput, stopped: Stopped | undefined): Variables {
  const { ceremony } = input;
  const base: Record<string, string | readonly string[]> = { out: options.outDir, examples: input.examplesDir };
  for (const [name, value] of Object.entries(ceremony.variables)) {
    base[name] = typeof value === "string" ? expandString(value, base, `${options.ceremonyFile}: variables.${name}`) : value;
  }
  if (stopped) return { ...base, ...stopped.start.variables };
  const current = currentQuarter(ceremony, (p) => existsSync(path.join(options.outDir, p)));
  if (ceremony.quarters.length > 0 && !current) {
    throw new KskError(
      "refused",
      "CEREMONY-QUARTERS-DONE",
      `every quarter the ceremony file lists (${ceremony.quarters.map((q) => q.quarter).join(", ")}) is signed; start a new lab in another output directory`,
      { where: options.outDir },
    );
  }
  return { ...base, ...(current ? quarterVariables(ceremony, current) : {}) };
}

/** What the ceremony file sets for every step (its allow-listed `env`, expanded): shown and recorded. */
function ceremonyEnvironment(options: RunCeremonyOptions, ceremony: CeremonyFile, variables: Variables): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(ceremony.env)) env[name] = expandString(value, variables, `${options.ceremonyFile}: env.${name}`);
  return env;
}

/** The transcript's first entry of this run. */
async function startEntry(
  options: RunCeremonyOptions,
  input: CeremonyInput,
  variables: Variables,
  stepEnv: Readonly<Record<string, string>>,
  stopped: Stopped | undefined,
) {
  const { ceremony, outDir } = { ceremony: input.ceremony, outDir: options.outDir };
  const config = ceremony.config && (await exists(path.join(outDir, ceremony.config))) ? ceremony.config : undefined;
  return {
    type: "start",
    toolkitVersion: options.toolkitVersion,
    host: options.host,
    hsm: { modulePath: ceremony.hsm.module, tokenLabel: ceremony.hsm.token, ...(await tokenSerial(outDir)) },
    ...(config ? { config: artefactRecord(config, new Uint8Array(await fs.readFile(path.join(outDir, config)))) } : {}),
    ceremonyFile: artefactRecord(path.basename(options.ceremonyFile), input.ceremonyText.bytes),
    operator: input.operator,
    witnesses: [...input.witnesses],
    env: stepEnv,
    mode: options.assumeYes ? "scripted" : "witnessed",
    acts: input.acts.map((a) => actId(a.act)),
    variables: Object.fromEntries(Object.entries(variables).filter(([name]) => name !== "out" && name !== "examples")),
    ...(stopped ? { resumedFrom: stopped.point } : {}),
  } as const;
}

/**
 * Run the planned acts in order: an act done once in an earlier run is skipped (and recorded so),
 * a resumed run starts at its resume point. Returns the acts completed.
 */
async function runActs(
  ctx: StepContext,
  plan: readonly (readonly PlannedStep[])[],
  history: readonly TranscriptEntry[],
  stopped: Stopped | undefined,
): Promise<string[]> {
  const actsRun: string[] = [];
  for (const steps of plan) {
    const act = steps[0]?.act as Act;
    if (stopped && act.act < stopped.point.act) continue;
    const completedBefore = history.some((e) => e.type === "act" && e.act === act.act && e.status === "complete");
    if (act.once && completedBefore && !(stopped && act.act === stopped.point.act)) {
      await ctx.writer.append({ type: "act", act: act.act, actName: act.name, status: "skipped", reason: "done once in an earlier run" });
      ctx.terminal.out(`\n=== Act ${actId(act)}: done in an earlier run (skipped)\n`);
      continue;
    }
    ctx.terminal.out(`\n=== Act ${actId(act)}: ${act.title}\n`);
    for (const s of steps) {
      if (stopped && act.act === stopped.point.act && s.index + 1 < stopped.point.step) continue;
      if (s.step.once && history.some((e) => e.type === "step" && e.act === act.act && e.step === s.index + 1 && e.status === "ok")) {
        await ctx.writer.append(stepEntry(s, "skipped", ctx.clock(), { reason: "done once in an earlier run" }));
        ctx.terminal.out(stepResultLine(s, "done in an earlier run; skipped"));
        continue;
      }
      await runStep(ctx, s);
    }
    await ctx.writer.append({ type: "act", act: act.act, actName: act.name, status: "complete" });
    actsRun.push(actId(act));
  }
  return actsRun;
}

/** SIGINT and SIGTERM while a ceremony runs: recorded, passed on to the running command. */
function watchSignals(): { interrupts: NodeJS.Signals[]; setKill: (kill: (() => void) | undefined) => void; stop: () => void } {
  const interrupts: NodeJS.Signals[] = [];
  let killChild: (() => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts.push(signal);
    killChild?.();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    interrupts,
    setKill: (kill) => {
      killChild = kill;
    },
    stop: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

/**
 * Run the acts in order into `outDir`. Returns when every step has run; throws (after recording
 * the failure and the resume point in the transcript) when a step fails.
 */
export async function runCeremony(options: RunCeremonyOptions): Promise<CeremonyOutcome> {
  const { terminal, outDir } = options;
  checkOutputDirectory(outDir);
  const input = await readCeremonyInput(options);
  await fs.mkdir(outDir, { recursive: true });
  const unlock = await lock(outDir);
  const signals = watchSignals();
  try {
    const transcriptFile = path.join(outDir, TRANSCRIPT_FILE);
    const { writer, entries } = await TranscriptWriter.open(transcriptFile, () => options.clock().toISOString());
    await checkTranscript(transcriptFile, outDir, entries, options.resume ? resumePoint(entries) : undefined);
    const stopped = checkResume(entries, options.resume, transcriptFile);
    const variables = runVariables(options, input, stopped);
    // Everything expanded and checked before the first file is written.
    const { ceremony, acts } = input;
    const secrets = ceremony.secrets.concat(ceremony.setup.files.filter((f) => f.secret).map((f) => f.path));
    const plan = planActs(
      acts.map((a) => a.act),
      variables,
      secrets,
      (act) => acts.find((a) => a.act === act)?.file ?? actId(act),
    );
    const stepEnv = ceremonyEnvironment(options, ceremony, variables);
    await setUp(ceremony, outDir, input.examplesDir, variables);
    await writer.append(await startEntry(options, input, variables, stepEnv, stopped));
    const people = `operator ${input.operator}; witnesses ${input.witnesses.length ? input.witnesses.join(", ") : "none named"}`;
    const quarter = typeof variables.quarter === "string" ? `; quarter ${variables.quarter}` : "";
    terminal.out(`Ceremony in ${outDir}: ${people}; ${options.assumeYes ? "SCRIPTED run (--yes)" : "witnessed run"}${quarter}\n`);
    const settings = Object.entries(stepEnv).map(([name, value]) => `${name}=${value}`);
    terminal.out(`Set for every step by the ceremony file: ${settings.length > 0 ? settings.join(" ") : "nothing"}\n`);
    const ctx: StepContext = {
      ...options,
      env: { ...options.env, ...stepEnv },
      writer,
      interrupts: signals.interrupts,
      setKill: signals.setKill,
      shown: new Set(),
    };
    const actsRun = await runActs(ctx, plan, entries, stopped);
    await writer.append({ type: "end", status: "complete" });
    terminal.out(`\nTranscript ${transcriptFile}: last entry SHA-256 ${writer.headSha256Hex}\n  ${headWitnessLine(writer.headSha256Hex)}\n`);
    return { transcriptFile, headSha256Hex: writer.headSha256Hex, actsRun, variables };
  } finally {
    signals.stop();
    await unlock();
  }
}

/** The token serial `ksk hsm init --json` recorded (act 01), when there is one yet. */
async function tokenSerial(outDir: string): Promise<{ tokenSerial?: string }> {
  try {
    const info = JSON.parse(await fs.readFile(path.join(outDir, HSM_TOKEN_FILE), "utf8")) as { tokenSerial?: unknown };
    return typeof info.tokenSerial === "string" ? { tokenSerial: info.tokenSerial } : {};
  } catch {
    return {};
  }
}

/** Where act 01 keeps `ksk hsm init --json`'s answer, so later runs can name the token's serial. */
export const HSM_TOKEN_FILE = "hsm-token.json";
