/**
 * One step of a ceremony: its inputs read and hashed (shown to the witnesses before a private key
 * is used), its outputs refused if they exist, its `requires` programs looked up on PATH, consent
 * asked (or the command asks it itself), one `ksk` process run in the output directory with its
 * standard output shown and, when the step captures it, kept in memory and written through
 * @ksk/files' atomic writer only once the command succeeded; then its outputs hashed and shown, and
 * one transcript entry written. A failure — a non-zero exit, a missing input, an output that
 * exists, an interrupt — is recorded with its act, step and reason, followed by the `end` entry
 * that says where to resume, and thrown.
 *
 * Left out: the order of steps and acts, the transcript's start and end (./runner.ts); deciding
 * anything about keys, DNS or XML (the commands do).
 */
import { spawn } from "node:child_process";
import { constants, promises as fs } from "node:fs";
import path from "node:path";
import { StringDecoder } from "node:string_decoder";
import { KskError, escapeForTerminal, isKskError, kindForExitCode } from "@ksk/core";
import { writeFilesAtomically } from "@ksk/files";
import { type PlannedStep, actId } from "./acts.js";
import { HSM_LOG_ENV, hsmLogArtefacts, hsmLogPath } from "./hsm-log.js";
import { type ArtefactRecord, type ResumePoint, type TranscriptEntry, type TranscriptWriter, artefactRecord } from "./transcript.js";
import { TerminalRelay } from "./terminal-relay.js";
import { CONSENT_SCRIPTED, type Terminal, confirmYes, fileWitnessLines, sha256Hex } from "./witness.js";

export interface CeremonyTerminal extends Terminal {
  readonly err: (text: string) => void;
  /**
   * Write to the terminal's error stream as it is, for the cursor moves and erasures of a prompt a
   * step draws (only text filtered by ./terminal-relay.ts). Absent: written through `err`.
   */
  readonly control?: (text: string) => void;
  /** The terminal's width, passed to a step that asks there (KSK_TERMINAL_COLUMNS) since it draws its prompt through a pipe. */
  readonly columns?: number;
}

/** What every step of one run shares. */
export interface StepContext {
  readonly outDir: string;
  /** How to run `ksk`: the program and any leading arguments. */
  readonly kskCommand: readonly string[];
  /** The environment every step runs with. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly terminal: CeremonyTerminal;
  readonly clock: () => Date;
  readonly assumeYes: boolean;
  readonly writer: TranscriptWriter;
  /** Signals received so far (SIGINT, SIGTERM): the running command is stopped, no later step starts. */
  readonly interrupts: readonly NodeJS.Signals[];
  /** How to stop the running command, while one runs. */
  readonly setKill: (kill: (() => void) | undefined) => void;
  /**
   * Show everything: every command line, every step's standard output, the SHA-256 and words of
   * every input of a private-key step and of every output. Without it the terminal shows what the
   * people in the room compare (./witness-output.ts); the transcript and the artefacts hold the rest.
   */
  readonly verbose?: boolean;
  /** The files whose SHA-256 and words were shown in this act (act, name and hash), each shown once. */
  readonly shown: Set<string>;
}

type StepBody = Omit<Extract<TranscriptEntry, { type: "step" }>, "seq" | "previousSha256Hex" | "timeUtc">;

/** What is known of a step so far, for its entry whether it succeeds or fails. */
interface StepRecord {
  readonly started: Date;
  readonly inputs: ArtefactRecord[];
  /** The step's HSM activity log, relative to the output directory (a rerun gets a new one). */
  readonly hsmLog: string;
  consent?: string;
  exitCode?: number;
}

/** Whether anything is at `file` (the runner's and a step's checks of inputs and outputs). */
export async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

export function stepName(s: PlannedStep): string {
  return `act ${String(s.act.act).padStart(2, "0")} step ${s.index + 1}`;
}

/** The transcript entry of a step. */
export function stepEntry(
  s: PlannedStep,
  status: "ok" | "failed" | "skipped",
  started: Date,
  extra: { exitCode?: number; reason?: string; consent?: string; inputs?: ArtefactRecord[]; outputs?: ArtefactRecord[] },
): StepBody {
  return {
    type: "step",
    act: s.act.act,
    actName: s.act.name,
    step: s.index + 1,
    does: s.does,
    argv: s.argv,
    status,
    startedUtc: started.toISOString(),
    ...(extra.exitCode === undefined ? {} : { exitCode: extra.exitCode }),
    ...(extra.reason === undefined ? {} : { reason: extra.reason }),
    ...(extra.consent === undefined ? {} : { consent: extra.consent }),
    ...(Object.keys(s.env).length === 0 ? {} : { env: s.env }),
    inputs: extra.inputs ?? [],
    outputs: extra.outputs ?? [],
  };
}

/** The programs of `names` found in no directory of `searchPath` as executable files. */
async function missingPrograms(names: readonly string[], searchPath: string | undefined): Promise<string[]> {
  const directories = (searchPath ?? "").split(path.delimiter).filter((d) => d !== "");
  const missing: string[] = [];
  for (const name of names) {
    let found = false;
    for (const directory of directories) {
      try {
        await fs.access(path.join(directory, name), constants.X_OK);
        found = true;
        break;
      } catch {
        // not in this directory
      }
    }
    if (!found) missing.push(name);
  }
  return missing;
}

/**
 * A file's name, size, SHA-256 and PGP words for the witnesses: with --verbose whenever `verbose`
 * says so; otherwise when the act file lists it under the step's `compare`, and once per act.
 */
function showFile(ctx: StepContext, s: PlannedStep, label: string, file: string, bytes: Uint8Array, verbose: boolean): void {
  if (ctx.verbose) {
    if (!verbose) return;
  } else {
    if (!s.compare.includes(file)) return;
    const key = `${s.act.act}\u0000${file}\u0000${sha256Hex(bytes)}`;
    if (ctx.shown.has(key)) return;
    ctx.shown.add(key);
  }
  ctx.terminal.out(`${fileWitnessLines(label, { name: file, bytes }).join("\n")}\n`);
}

/** The one line that says how a step ended. */
export function stepResultLine(s: PlannedStep, result: string): string {
  return `  ${stepName(s)}: ${s.does} — ${result}\n`;
}

/** Is the command's standard output shown on the terminal (it is always kept when the step captures it)? */
function showsOutput(ctx: StepContext, s: PlannedStep): boolean {
  return ctx.verbose === true || s.step.asks_yes || s.step.show_output;
}

/** The step's heading, when something is shown before its result line: its compared inputs, its display, its output. */
function stepHeading(ctx: StepContext, s: PlannedStep): void {
  if (ctx.verbose) {
    ctx.terminal.out(`\n--- ${stepName(s)}: ${s.does}\n    ksk ${s.argv.join(" ")}\n`);
  } else if (showsOutput(ctx, s) || s.inputs.some((i) => s.compare.includes(i))) {
    ctx.terminal.out(`--- ${stepName(s)}: ${s.does}\n`);
  }
}

/** The step's inputs, each read and hashed; shown to the witnesses when a private key is used on them here. */
async function readInputs(ctx: StepContext, s: PlannedStep, record: StepRecord): Promise<void> {
  for (const input of s.inputs) {
    const file = path.join(ctx.outDir, input);
    if (!(await exists(file))) throw new KskError("input", "CEREMONY-INPUT", `input ${input} does not exist (an earlier act makes it)`);
    const bytes = new Uint8Array(await fs.readFile(file));
    record.inputs.push(artefactRecord(input, bytes));
    showFile(ctx, s, "Input", input, bytes, s.step.private_key && !s.step.asks_yes);
  }
  for (const output of s.outputs) {
    if (await exists(path.join(ctx.outDir, output))) throw new KskError("refused", "OUTPUT-EXISTS", `output ${output} exists; not overwritten`);
  }
}

/** The reason a step cannot run here (a program it requires is not installed); under CI=true that is a failure. */
async function missingToolsReason(ctx: StepContext, s: PlannedStep): Promise<string | undefined> {
  const missing = await missingPrograms(s.step.requires, ctx.env.PATH);
  if (missing.length === 0) return undefined;
  const reason = `${missing.join(", ")} not installed`;
  // A lab without the servers still signs and verifies; CI must have them all.
  if (ctx.env.CI === "true") throw new KskError("refused", "CEREMONY-TOOL-MISSING", `${reason} (CI=true: a skip is a failure)`);
  return reason;
}

/** Consent for a step that uses a private key; the arguments it runs with (`--yes` added for a scripted run of a command that asks). */
async function consentFor(ctx: StepContext, s: PlannedStep, record: StepRecord): Promise<string[]> {
  const argv = [...s.argv];
  if (s.step.private_key && !s.step.asks_yes && ctx.assumeYes && !ctx.verbose) {
    // Scripted: said once, on the step's result line, rather than on a line of its own.
    record.consent = CONSENT_SCRIPTED;
  } else if (s.step.private_key && !s.step.asks_yes) {
    record.consent = await confirmYes(ctx.terminal, `Use the private key: ${s.does}?`, ctx.assumeYes, "the step did not run");
  } else if (s.step.asks_yes) {
    // The command shows its own witness display and asks on the terminal it inherits.
    record.consent = ctx.assumeYes ? CONSENT_SCRIPTED : "typed Yes at the terminal (asked by the command)";
    if (ctx.assumeYes) argv.push("--yes");
  }
  return argv;
}

interface KskResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly lastErrorLine: string;
  /** Standard output, when the step captures it. */
  readonly stdout?: Uint8Array;
}

/**
 * Run one `ksk` process: its standard output to the terminal when `show`, and into the result when
 * `capture`; its standard error to the terminal, escaped — or, when it asks at the terminal
 * (`interactive`), with the cursor moves of its prompt kept as control bytes (./terminal-relay.ts).
 */
function runKsk(
  ctx: StepContext,
  argv: readonly string[],
  how: { capture: boolean; interactive: boolean; show: boolean; hsmLog: string; stepEnv: Readonly<Record<string, string>> },
): Promise<KskResult> {
  const { capture, interactive, show } = how;
  const [program, ...lead] = ctx.kskCommand;
  return new Promise((resolve, reject) => {
    const columns = interactive && ctx.terminal.columns !== undefined ? { KSK_TERMINAL_COLUMNS: String(ctx.terminal.columns) } : {};
    const child = spawn(program as string, [...lead, ...argv], {
      cwd: ctx.outDir,
      // The command records its PKCS#11 calls in the step's own HSM log (filed among its artefacts);
      // the step's own environment (the second facility's SOFTHSM2_CONF; allowed names only) last.
      env: { ...ctx.env, ...columns, [HSM_LOG_ENV]: path.join(ctx.outDir, how.hsmLog), ...how.stepEnv },
      stdio: [interactive ? "inherit" : "ignore", "pipe", "pipe"],
    });
    ctx.setKill(() => child.kill("SIGTERM"));
    const chunks: Buffer[] = [];
    let errorTail = "";
    const stdoutText = new StringDecoder("utf8");
    const stderrText = new StringDecoder("utf8");
    const relay = interactive ? new TerminalRelay() : undefined;
    const control = ctx.terminal.control ?? ctx.terminal.err;
    child.stdout.on("data", (chunk: Buffer) => {
      if (show) ctx.terminal.out(stdoutText.write(chunk));
      if (capture) chunks.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      const text = stderrText.write(chunk);
      if (relay) control(relay.push(text));
      else ctx.terminal.err(text);
      errorTail = (errorTail + text).slice(-4000);
    });
    child.on("error", (e) => {
      ctx.setKill(undefined);
      reject(new KskError("input", "CEREMONY-KSK", `cannot run ksk (${ctx.kskCommand.join(" ")}): ${e.message}`));
    });
    child.on("close", (exitCode, signal) => {
      ctx.setKill(undefined);
      if (relay) control(relay.flush());
      const lines = errorTail.split("\n").filter((l) => l.trim() !== "");
      resolve({ exitCode, signal, lastErrorLine: lines.at(-1) ?? "", ...(capture ? { stdout: new Uint8Array(Buffer.concat(chunks)) } : {}) });
    });
  });
}

/** The command run, its failure or interruption thrown; its captured standard output written once it succeeded. */
async function runCommand(ctx: StepContext, s: PlannedStep, argv: readonly string[], record: StepRecord): Promise<void> {
  const interactive = ctx.terminal.interactive && s.step.asks_yes && !ctx.assumeYes;
  const result = await runKsk(ctx, argv, {
    capture: s.stdout !== undefined,
    interactive,
    show: showsOutput(ctx, s),
    hsmLog: record.hsmLog,
    stepEnv: s.env,
  });
  if (result.exitCode !== null) record.exitCode = result.exitCode;
  if (ctx.interrupts.length > 0 || result.signal !== null) {
    throw new KskError("refused", "CEREMONY-INTERRUPTED", `interrupted (${ctx.interrupts[0] ?? result.signal})`);
  }
  if (result.exitCode !== 0) {
    // The command's exit code says what kind of failure it was (@ksk/core's one table); anything else is a failed check.
    throw new KskError(kindForExitCode(result.exitCode ?? -1) ?? "check", "CEREMONY-STEP-FAILED", `ksk exited ${result.exitCode}: ${result.lastErrorLine}`);
  }
  if (s.stdout !== undefined && result.stdout !== undefined) {
    const final = path.join(ctx.outDir, s.stdout);
    await fs.mkdir(path.dirname(final), { recursive: true });
    await writeFilesAtomically([{ file: final, bytes: result.stdout }], { force: false });
  }
}

/** The step's outputs, each required, hashed and shown. */
async function readOutputs(ctx: StepContext, s: PlannedStep): Promise<ArtefactRecord[]> {
  const outputs: ArtefactRecord[] = [];
  for (const output of s.outputs) {
    const file = path.join(ctx.outDir, output);
    if (!(await exists(file))) throw new KskError("check", "CEREMONY-OUTPUT", `the command succeeded but did not write ${output}`);
    const bytes = new Uint8Array(await fs.readFile(file));
    outputs.push(artefactRecord(output, bytes));
    showFile(ctx, s, "Output", output, bytes, true);
  }
  return outputs;
}

/** Record a failed step and where to resume, and the error the ceremony stops with. */
async function recordFailure(ctx: StepContext, s: PlannedStep, record: StepRecord, e: unknown): Promise<KskError> {
  const error = isKskError(e) ? e : new KskError("check", "CEREMONY-STEP-FAILED", (e as Error).message);
  // Control characters in a reason would let one line pose as several (core's one escaper).
  const reason = escapeForTerminal(error.message);
  const where = { act: s.act.act, step: s.index + 1 } satisfies ResumePoint;
  const { exitCode, consent, inputs } = record;
  // A failed step's HSM log is filed too: what the HSM was asked before the failure.
  const outputs = await hsmLogArtefacts(ctx.outDir, record.hsmLog);
  await ctx.writer.append(
    stepEntry(s, "failed", record.started, { ...(exitCode === undefined ? {} : { exitCode }), reason, ...(consent ? { consent } : {}), inputs, outputs }),
  );
  const stoppedBy = error.code === "CEREMONY-INTERRUPTED" ? "interruption" : error.kind === "refused" ? "refusal" : "failure";
  await ctx.writer.append({ type: "end", status: "stopped", stoppedBy, reason: `${stepName(s)}: ${reason}`, resumeFrom: where });
  const resume = `resume from act ${String(where.act).padStart(2, "0")} step ${where.step} with --resume`;
  return new KskError(error.kind, error.code, `${reason}; the ceremony stopped here: no later step ran (${resume})`, {
    where: `${actId(s.act)} ${stepName(s)} (${s.does})`,
  });
}

/** Run one step and write its transcript entry; throws (after recording it) when the step fails. */
export async function runStep(ctx: StepContext, s: PlannedStep): Promise<void> {
  const started = ctx.clock();
  const record: StepRecord = { started, inputs: [], hsmLog: hsmLogPath(s.act.act, s.index + 1, started) };
  stepHeading(ctx, s);
  try {
    // A signal between two steps: stop before starting the next one.
    if (ctx.interrupts.length > 0) throw new KskError("refused", "CEREMONY-INTERRUPTED", `interrupted (${ctx.interrupts[0]})`);
    await readInputs(ctx, s, record);
    const skipped = await missingToolsReason(ctx, s);
    if (skipped !== undefined) {
      ctx.terminal.out(stepResultLine(s, `SKIPPED: ${skipped}; this step did not run`));
      await ctx.writer.append(stepEntry(s, "skipped", record.started, { reason: skipped, inputs: record.inputs }));
      return;
    }
    const argv = await consentFor(ctx, s, record);
    await runCommand(ctx, s, argv, record);
    const outputs = [...(await readOutputs(ctx, s)), ...(await hsmLogArtefacts(ctx.outDir, record.hsmLog))];
    const { consent, inputs } = record;
    await ctx.writer.append(stepEntry(s, "ok", record.started, { exitCode: 0, ...(consent ? { consent } : {}), inputs, outputs }));
    const scripted = consent === CONSENT_SCRIPTED && s.step.private_key && !s.step.asks_yes && !ctx.verbose;
    ctx.terminal.out(stepResultLine(s, scripted ? "ok (private key used on --yes: scripted lab run, no witness typed Yes)" : "ok"));
  } catch (e) {
    ctx.terminal.out(stepResultLine(s, "FAILED"));
    throw await recordFailure(ctx, s, record, e);
  }
}
